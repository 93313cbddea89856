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
const AUTH_NAMES = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'Forbidden', 'InvalidToken', 'ExpiredToken', 'TokenRefreshRequired', 'AllAccessDisabled', 'InvalidSecurity']);
/** What AWS, MinIO and Ceph answer a request signed for another region than the bucket's, or sent to another region's endpoint. */
const REGION_NAMES = new Set(['PermanentRedirect', 'AuthorizationHeaderMalformed', 'IllegalLocationConstraintException', 'TemporaryRedirect']);
/** How far S3 lets a request's signing time be from its own clock. */
const MAX_CLOCK_SKEW_MS = 15 * 60_000;
const THROTTLE_NAMES = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'TooManyRequests', 'RequestLimitExceeded', 'ServiceUnavailable', 'TooManyRequestsException']);
const QUOTA_NAMES = new Set(['QuotaExceeded', 'XMinioStorageFull', 'StorageFull', 'InsufficientStorage', 'StorageQuotaExceeded', 'InsufficientCapacity', 'AccountProblem', 'EntityTooLarge']);
const CLOCK_NAMES = new Set(['RequestTimeTooSkewed', 'RequestExpired']);
/** The store received other bytes than their digest says: corrupted on the way, worth sending again. */
const DIGEST_NAMES = new Set(['BadDigest', 'InvalidDigest', 'XAmzContentChecksumMismatch', 'XAmzContentSHA256Mismatch']);

interface SdkErrorShape {
  name?: string;
  message?: string;
  Code?: string;
  Region?: unknown;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
  $retryable?: unknown;
}

const shapeOf = (error: unknown): SdkErrorShape => (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;

/** A region name as a store spells one (`eu-central-1`, `garage`), or undefined for anything else it sent. */
function regionName(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/.test(value) ? value : undefined;
}

/**
 * The bucket's region, as the store told it: the `x-amz-bucket-region` header (also on the bodiless answers to
 * HEAD), the error document's `Region`, or MinIO's message "…the region is wrong; expecting 'us-east-1'".
 */
function bucketRegion(error: unknown): string | undefined {
  const shape = shapeOf(error);
  const expecting = /expecting '([^']*)'/.exec(typeof shape.message === 'string' ? shape.message : '')?.[1];
  return regionName(shape.$response?.headers?.['x-amz-bucket-region']) ?? regionName(shape.Region) ?? regionName(expecting);
}

/**
 * How far the store's clock is ahead of this machine's (ms), from its `Date` header, when that is more than S3
 * tolerates: a refused HEAD has no error document to say RequestTimeTooSkewed, only its 403 and its date.
 */
function clockSkewMs(error: unknown, now = Date.now()): number | undefined {
  const date = shapeOf(error).$response?.headers?.date;
  const serverMs = typeof date === 'string' ? Date.parse(date) : Number.NaN;
  if (!Number.isFinite(serverMs)) return undefined;
  const skew = serverMs - now;
  return Math.abs(skew) > MAX_CLOCK_SKEW_MS ? skew : undefined;
}

/** `2 h 5 min ahead of` / `40 min behind`, for the clock line. */
function describeSkew(skewMs: number): string {
  const minutes = Math.round(Math.abs(skewMs) / 60_000);
  const span = minutes >= 60 ? `${Math.floor(minutes / 60)} h${minutes % 60 > 0 ? ` ${minutes % 60} min` : ''}` : `${minutes} min`;
  return `this machine's clock is ${span} ${skewMs < 0 ? 'ahead of' : 'behind'} the target's`;
}

/** The S3 error code (`NoSuchBucket`...) or the error's name, and the HTTP status, of an SDK error. */
export function s3ErrorDetails(error: unknown): { name: string; status: number | undefined } {
  const shape = shapeOf(error);
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
export function toS3Error(identity: TargetIdentity, error: unknown, context: { action: string; key?: string | undefined; bucket: string; region: string }): OffsiteError {
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
  const skew = status === 403 || CLOCK_NAMES.has(name) ? clockSkewMs(error) : undefined;
  if (CLOCK_NAMES.has(name) || skew !== undefined) {
    const how = skew === undefined ? '' : ` (${describeSkew(skew)})`;
    return offsiteError(identity, 'ERR_OFFSITE_CLOCK_SKEW', `${what}: the target refused this machine's clock${how}${serverSays}; set the clock right (NTP)`, extra);
  }
  if (name === 'InvalidStorageClass') {
    return offsiteError(identity, 'ERR_OFFSITE_CONFIG', `${what}: the store does not offer the storage class asked for${serverSays}; change or remove storage-class`, extra);
  }
  if (DIGEST_NAMES.has(name)) {
    return offsiteError(identity, 'ERR_OFFSITE_VERIFY', `${what}: the target received other bytes than were sent${serverSays}; check the network between this machine and the target`, { ...extra, retryable: true });
  }
  const region = bucketRegion(error);
  if (REGION_NAMES.has(name) || status === 301 || status === 307 || (status === 400 && region !== undefined && region !== context.region)) {
    const elsewhere = region !== undefined && region !== context.region;
    const where = elsewhere ? `in region "${region}", not "${context.region}"` : 'behind another endpoint';
    const fix = elsewhere ? `set region: ${region} (and that region's endpoint)` : "fix endpoint (the bucket's regional endpoint) and region";
    return offsiteError(identity, 'ERR_OFFSITE_CONFIG', `${what}: the bucket "${context.bucket}" is ${where}${serverSays}; ${fix}`, extra);
  }
  if (status === 400 && context.action.startsWith('Head')) {
    // A HEAD answer has no error document: a 400 there is a request the store could not take at all.
    return offsiteError(identity, 'ERR_OFFSITE_CONFIG', `${what}: the target refused the request as malformed${serverSays}; check region (the store's own: us-east-1 for most self-hosted stores, garage for Garage), endpoint and path-style`, extra);
  }
  if (QUOTA_NAMES.has(name) || status === 507) {
    return offsiteError(identity, 'ERR_OFFSITE_QUOTA', `${what}: the target is out of space or over its quota${serverSays}; free space or raise the quota`, extra);
  }
  if (AUTH_NAMES.has(name) || status === 401 || status === 403) {
    // AWS answers a HEAD of a missing object 403, not 404, to a key that may not list the bucket.
    const listing = context.action === 'HeadObject' ? ' (s3:ListBucket included: without it a missing object is refused, not absent)' : '';
    return offsiteError(identity, 'ERR_OFFSITE_AUTH', `${what}: the credentials were refused${serverSays}; check access-key-id and the secret access key, and that they may use the bucket "${context.bucket}"${listing}`, extra);
  }
  if (THROTTLE_NAMES.has(name) || status === 503 || status === 429) {
    return offsiteError(identity, 'ERR_OFFSITE_THROTTLED', `${what}: the target asked to slow down${serverSays}`, { ...extra, retryable: true });
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
