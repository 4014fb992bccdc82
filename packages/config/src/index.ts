export { CLIENT_SCHEMA } from './schema/client-schema.js';
