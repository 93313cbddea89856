export { createDigestFetch, type DigestFetch, type DigestFetchOptions } from './digest-fetch.js';
export { digestInterceptor } from './digest-interceptor.js';
export { parseChallenges, type Challenge } from './parse-challenges.js';
export { toDigestChallenge, type DigestChallenge } from './digest-challenge.js';
export { buildAuthorizationHeader, computeDigestResponse, type AuthorizationHeaderInput, type DigestResponseInput } from './compute-digest.js';
export { DIGEST_ALGORITHMS, type DigestAlgorithm } from './digest-algorithm.js';
export { DEFAULT_DIGEST_AUTH_OPTIONS, type DigestAuthOptions } from './options.js';
export { DigestAuthError, isDigestAuthError, type DigestAuthErrorCode, type DigestAuthErrorOptions } from './errors.js';
