#!/usr/bin/env node
// The operator's command: see apps/operator/README.md for its environment.
await import('../dist/main.js');
