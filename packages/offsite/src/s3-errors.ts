import { offsiteError, systemErrorCode, type OffsiteError, type TargetIdentity } from './errors.js';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EAI_AGAIN', 'ENOTFOUND', 'EPROTO', 'ERR_STREAM_PREMATURE_CLOSE']);
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const AUTH_NAMES = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'Forbidden', 'InvalidToken', 'ExpiredToken', 'TokenRefreshRequired', 'AllAccessDisabled', 'AuthorizationHeaderMalformed', 'InvalidSecurity']);
const THROTTLE_NAMES = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'TooManyRequests', 'RequestLimitExceeded', 'ServiceUnavailable', 'TooManyRequestsException']);
const QUOTA_NAMES = new Set(['QuotaExceeded', 'XMinioStorageFull', 'StorageFull', 'InsufficientStorage', 'StorageQuotaExceeded', 'InsufficientCapacity', 'AccountProblem', 'EntityTooLarge']);
const CLOCK_NAMES = new Set(['RequestTimeTooSkewed', 'RequestExpired']);

interface SdkErrorShape {
  name?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/** The S3 error code (`NoSuchBucket`...) or the error's name, and the HTTP status, of an SDK error. */
export function s3ErrorDetails(error: unknown): { name: string; status: number | undefined } {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  return { name: shape.Code ?? shape.name ?? 'Error', status: shape.$metadata?.httpStatusCode };
}

/** Whether the SDK error says "no such object" (HeadObject answers a bare 404 without a code). */
export function isS3NotFound(error: unknown): boolean {
  const { name, status } = s3ErrorDetails(error);
  return name === 'NoSuchKey' || name === 'NotFound' || (status === 404 && name !== 'NoSuchBucket' && name !== 'NoSuchUpload');
}

/**
 * Maps what the SDK or the socket threw to one {@link OffsiteError} saying what to do. The SDK's own message
 * is kept only when it came from the server's error document (it never holds the credentials).
 */
export function toS3Error(identity: TargetIdentity, error: unknown, context: { action: string; key?: string | undefined; bucket: string }): OffsiteError {
  const { name, status } = s3ErrorDetails(error);
  const code = systemErrorCode(error);
  const extra = { cause: error, ...(context.key === undefined ? {} : { key: context.key }), ...(status === undefined ? {} : { status }) };
  const what = `${context.action} failed`;
  const serverSays = status !== undefined ? ` (${status} ${name})` : ` (${code ?? name})`;
  if (name === 'NoSuchBucket' || (context.action === 'HeadBucket' && status === 404)) {
    return offsiteError(identity, 'ERR_OFFSITE_NOT_FOUND', `${what}: the bucket "${context.bucket}" does not exist${serverSays}; create it or fix bucket/endpoint`, extra);
  }
  if (code !== undefined && CERTIFICATE_CODES.has(code)) {
    return offsiteError(identity, 'ERR_OFFSITE_CONFIG', `${what}: the endpoint's certificate is not trusted${serverSays}; set ca-file to the CA that signed it (or insecure, on a network you trust)`, extra);
  }
  if (CLOCK_NAMES.has(name)) {
    return offsiteError(identity, 'ERR_OFFSITE_CLOCK_SKEW', `${what}: the target refused this machine's clock${serverSays}; set the clock right (NTP)`, extra);
  }
  if (QUOTA_NAMES.has(name) || status === 507) {
    return offsiteError(identity, 'ERR_OFFSITE_QUOTA', `${what}: the target is out of space or over its quota${serverSays}; free space or raise the quota`, extra);
  }
  if (AUTH_NAMES.has(name) || status === 401 || status === 403) {
    return offsiteError(identity, 'ERR_OFFSITE_AUTH', `${what}: the credentials were refused${serverSays}; check access-key-id and the secret access key, and that they may use the bucket "${context.bucket}"`, extra);
  }
  if (THROTTLE_NAMES.has(name) || status === 503 || status === 429) {
    return offsiteError(identity, 'ERR_OFFSITE_THROTTLED', `${what}: the target asked to slow down${serverSays}`, { ...extra, retryable: true });
  }
  if (name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed' || status === 301) {
    return offsiteError(identity, 'ERR_OFFSITE_CONFIG', `${what}: the bucket is in another region or behind another endpoint${serverSays}; fix region/endpoint`, extra);
  }
  if (status !== undefined && status >= 500) {
    return offsiteError(identity, 'ERR_OFFSITE_SERVER', `${what}: the target failed${serverSays}`, { ...extra, retryable: true });
  }
  if ((code !== undefined && NETWORK_CODES.has(code)) || name === 'TimeoutError' || name === 'RequestTimeout' || name === 'RequestTimeoutException') {
    const refused = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH';
    return offsiteError(identity, 'ERR_OFFSITE_UNREACHABLE', `${what}: ${refused ? 'cannot connect' : 'the connection failed'}${serverSays}; check the endpoint and the network`, { ...extra, retryable: true });
  }
  if (status !== undefined) return offsiteError(identity, 'ERR_OFFSITE_SERVER', `${what}${serverSays}`, extra);
  // No HTTP answer and no known socket code: a parse error, a dropped connection, a bug. Worth one more try.
  return offsiteError(identity, 'ERR_OFFSITE_UNREACHABLE', `${what}${serverSays}`, { ...extra, retryable: true });
}
