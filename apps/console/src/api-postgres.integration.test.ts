import { apiSuite } from './testing/api-suite.js';

// The same suite on Debian's PostgreSQL, started for the run.
apiSuite('postgres');
