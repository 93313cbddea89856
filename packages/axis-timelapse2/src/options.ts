import type { ComposableDispatcher } from '@camdl/throttled-download';
import { TIMELAPSE_API_CHOICES, type TimelapseApiChoice } from './api.js';
import { TimelapseError } from './errors.js';

export interface TimelapseClientOptions {
  /**
   * The camera: `http://192.168.0.90/`, `https://cam.example:8443/`. A path prefix (behind a reverse
   * proxy) is kept. Must not contain credentials.
   * @example 'http://192.168.0.90'
   */
  baseUrl: string | URL;
  /** User for HTTP Digest (Basic only over https). Without it, requests go unauthenticated. @default undefined */
  username?: string | undefined;
  /** Password for `username`. Never appears in messages or URLs. @default undefined */
  password?: string | undefined;
  /**
   * Which app to talk to; `auto` asks `GET /local/timelapse2/app` and falls back to the legacy
   * `/local/timelapseme/archives`. @default 'auto'
   */
  api?: TimelapseApiChoice | undefined;
  /** Timeout in ms for connecting, for the response headers and between body chunks. @default 60000 */
  timeout?: number | undefined;
  /** Extra CA certificates (PEM) to trust for https cameras with their own CA. @default undefined */
  ca?: string | Buffer | Array<string | Buffer> | undefined;
  /** Accept any TLS certificate (self-signed cameras). Only with https. @default false */
  insecure?: boolean | undefined;
  /**
   * Your own undici dispatcher (auth, proxy, TLS included); `username`/`password`/`ca`/`insecure`
   * are then ignored. The 1.x raw-name rewrite is composed on top of it. @default an Agent with digest auth
   */
  dispatcher?: ComposableDispatcher | undefined;
  /**
   * Retries of the listing and detection requests on a 5xx answer (3.x says `503 Service is still
   * starting` for a while after boot). Network errors are not retried here. @default 3
   */
  maxRetries?: number | undefined;
  /** Delay in ms before each such retry (a `Retry-After` of up to 60 s wins). @default 5000 */
  retryDelay?: number | undefined;
  /** Sleep used for those waits; must reject when `signal` aborts. Injectable for tests. @default a timer */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  /** Receives warnings (ignored list entries, unknown app version). @default undefined */
  onWarning?: ((message: string) => void) | undefined;
}

export const DEFAULT_CLIENT_OPTIONS = {
  api: 'auto',
  timeout: 60_000,
  insecure: false,
  maxRetries: 3,
  retryDelay: 5000,
} as const satisfies Partial<TimelapseClientOptions>;

export interface NormalizedClientOptions {
  baseUrl: URL;
  username: string | undefined;
  password: string | undefined;
  api: TimelapseApiChoice;
  timeout: number;
  ca: string | Buffer | Array<string | Buffer> | undefined;
  insecure: boolean;
  dispatcher: ComposableDispatcher | undefined;
  maxRetries: number;
  retryDelay: number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  onWarning: (message: string) => void;
}

export function normalizeClientOptions(options: TimelapseClientOptions): NormalizedClientOptions {
  let baseUrl: URL;
  try {
    baseUrl = new URL(options.baseUrl);
  } catch (error) {
    throw new TimelapseError(`baseUrl is not a URL: ${JSON.stringify(String(options.baseUrl))}`, { code: 'ERR_TIMELAPSE_INVALID_OPTIONS', cause: error });
  }
  if (baseUrl.protocol !== 'http:' && baseUrl.protocol !== 'https:') {
    throw new TimelapseError(`baseUrl must be http:// or https://, got ${baseUrl.protocol}`, { code: 'ERR_TIMELAPSE_INVALID_OPTIONS' });
  }
  if (baseUrl.username !== '' || baseUrl.password !== '') {
    throw new TimelapseError('baseUrl must not contain credentials; pass username and password', { code: 'ERR_TIMELAPSE_INVALID_OPTIONS' });
  }
  baseUrl.search = '';
  baseUrl.hash = '';
  if (!baseUrl.pathname.endsWith('/')) baseUrl.pathname += '/';
  const api = options.api ?? DEFAULT_CLIENT_OPTIONS.api;
  if (!TIMELAPSE_API_CHOICES.includes(api)) {
    throw new TimelapseError(`api must be one of ${TIMELAPSE_API_CHOICES.join(', ')}, got ${JSON.stringify(api)}`, { code: 'ERR_TIMELAPSE_INVALID_OPTIONS' });
  }
  const timeout = options.timeout ?? DEFAULT_CLIENT_OPTIONS.timeout;
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new TimelapseError(`timeout must be a positive number of ms, got ${timeout}`, { code: 'ERR_TIMELAPSE_INVALID_OPTIONS' });
  }
  const maxRetries = options.maxRetries ?? DEFAULT_CLIENT_OPTIONS.maxRetries;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new TimelapseError(`maxRetries must be a whole number ≥ 0, got ${maxRetries}`, { code: 'ERR_TIMELAPSE_INVALID_OPTIONS' });
  }
  const retryDelay = options.retryDelay ?? DEFAULT_CLIENT_OPTIONS.retryDelay;
  if (!Number.isFinite(retryDelay) || retryDelay < 0) {
    throw new TimelapseError(`retryDelay must be a number of ms ≥ 0, got ${retryDelay}`, { code: 'ERR_TIMELAPSE_INVALID_OPTIONS' });
  }
  if (options.password !== undefined && options.username === undefined) {
    throw new TimelapseError('a password needs a username', { code: 'ERR_TIMELAPSE_INVALID_OPTIONS' });
  }
  return {
    baseUrl,
    username: options.username,
    password: options.password,
    api,
    timeout,
    ca: options.ca,
    insecure: options.insecure ?? DEFAULT_CLIENT_OPTIONS.insecure,
    dispatcher: options.dispatcher,
    maxRetries,
    retryDelay,
    sleep: options.sleep ?? sleep,
    onWarning: options.onWarning ?? (() => {}),
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
