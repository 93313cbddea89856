export { redactUrl } from './redact-url.js';
