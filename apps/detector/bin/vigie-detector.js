#!/usr/bin/env node
// The detector's executable: see apps/detector/src/main.ts.
import '../dist/main.js';
