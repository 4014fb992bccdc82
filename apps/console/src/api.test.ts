import { apiSuite } from './testing/api-suite.js';

apiSuite('pglite');
