export { redactUrl } from './redact-url.js';
export { createLockFile, leftOwnerFiles } from './lock-file.js';
export { smallRequest, type DispatchOnly, type SmallRequestOptions, type SmallResponse, type SmallResponseBody } from './small-request.js';
