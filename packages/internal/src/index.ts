export { redactUrl } from './redact-url.js';
export { createLockFile, leftOwnerFiles } from './lock-file.js';
