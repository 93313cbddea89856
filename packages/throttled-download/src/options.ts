import { setTimeout as delay } from 'node:timers/promises';
import { DownloadAgent, type ComposableDispatcher } from './lean/index.js';
import { DownloadError } from './errors.js';
import { RateLimiter } from './rate-limiter.js';
import type { DownloadOptions, ExistingPolicy } from './types.js';

/** The defaults of {@link DownloadOptions} (the seed CLI's `--max-retries 3 --retry-delay 5 --timeout 60`). */
export const DEFAULT_DOWNLOAD_OPTIONS = {
  maxRetries: 3,
  retryDelay: 5000,
  backoff: { factor: 2, maxDelay: 60_000, jitter: 0.2 },
  timeout: 60_000,
  existing: 'skip' as ExistingPolicy,
  resume: true,
  resumeWithoutValidators: false,
  fsync: true,
  sha256: false,
  progressInterval: 200,
} as const;

export interface NormalizedOptions {
  dispatcher: ComposableDispatcher;
  headers: Record<string, string>;
  rateLimiter: RateLimiter | undefined;
  maxRetries: number;
  retryDelay: number;
  backoff: { factor: number; maxDelay: number; jitter: number };
  timeout: number;
  expectedSize: number | undefined;
  minSize: number | undefined;
  acceptContentType: ((contentType: string | undefined) => boolean) | undefined;
  checkClosedBody: ((part: { path: string; size: number }) => Promise<string | undefined>) | undefined;
  existing: ExistingPolicy;
  resume: boolean;
  resumeWithoutValidators: boolean;
  signal: AbortSignal | undefined;
  onProgress: DownloadOptions['onProgress'];
  progressInterval: number;
  onEvent: NonNullable<DownloadOptions['onEvent']>;
  fsync: boolean;
  sha256: boolean;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now: () => number;
  random: () => number;
}

const defaultAgents = new Map<number, DownloadAgent>();

/** One shared {@link DownloadAgent} per timeout value: the connect timeout lives on the dispatcher. */
export function defaultDispatcher(timeout: number): ComposableDispatcher {
  let agent = defaultAgents.get(timeout);
  if (!agent) {
    agent = new DownloadAgent({ connect: { timeout }, headersTimeout: timeout, bodyTimeout: timeout });
    defaultAgents.set(timeout, agent);
  }
  return agent;
}

function nonNegative(name: string, value: number, url: string): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new DownloadError(`invalid option ${name}: ${value}`, { code: 'ERR_DOWNLOAD_INVALID_OPTIONS', url });
  }
  return value;
}

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> => delay(ms, undefined, { signal });

export function normalizeOptions(options: DownloadOptions, url: string): NormalizedOptions {
  const defaults = DEFAULT_DOWNLOAD_OPTIONS;
  const timeout = nonNegative('timeout', options.timeout ?? defaults.timeout, url);
  const rateLimitMbps = nonNegative('rateLimitMbps', options.rateLimitMbps ?? 0, url);
  const existing = options.existing ?? defaults.existing;
  if (!['skip', 'overwrite', 'check-size'].includes(existing)) {
    throw new DownloadError(`invalid option existing: ${String(existing)}`, { code: 'ERR_DOWNLOAD_INVALID_OPTIONS', url });
  }
  if (options.expectedSize !== undefined) nonNegative('expectedSize', options.expectedSize, url);
  if (options.minSize !== undefined) nonNegative('minSize', options.minSize, url);
  return {
    dispatcher: options.dispatcher ?? defaultDispatcher(timeout),
    headers: options.headers ?? {},
    rateLimiter: options.rateLimiter ?? (rateLimitMbps > 0 ? new RateLimiter(rateLimitMbps) : undefined),
    maxRetries: Math.floor(nonNegative('maxRetries', options.maxRetries ?? defaults.maxRetries, url)),
    retryDelay: nonNegative('retryDelay', options.retryDelay ?? defaults.retryDelay, url),
    backoff: {
      factor: nonNegative('backoff.factor', options.backoff?.factor ?? defaults.backoff.factor, url),
      maxDelay: nonNegative('backoff.maxDelay', options.backoff?.maxDelay ?? defaults.backoff.maxDelay, url),
      jitter: Math.min(1, nonNegative('backoff.jitter', options.backoff?.jitter ?? defaults.backoff.jitter, url)),
    },
    timeout,
    expectedSize: options.expectedSize,
    minSize: options.minSize,
    acceptContentType: options.acceptContentType,
    checkClosedBody: options.checkClosedBody,
    existing,
    resume: options.resume ?? defaults.resume,
    resumeWithoutValidators: options.resumeWithoutValidators ?? defaults.resumeWithoutValidators,
    signal: options.signal,
    onProgress: options.onProgress,
    progressInterval: options.progressInterval ?? defaults.progressInterval,
    onEvent: options.onEvent ?? (() => {}),
    fsync: options.fsync ?? defaults.fsync,
    sha256: options.sha256 ?? defaults.sha256,
    sleep: options.sleep ?? defaultSleep,
    now: options.now ?? (() => performance.now()),
    random: options.random ?? Math.random,
  };
}

/** Delay before retry number `retry` (1-based): the server's Retry-After if any, else backoff with jitter. */
export function retryDelayMs(options: NormalizedOptions, retry: number, retryAfterMs: number | undefined): number {
  const { factor, maxDelay, jitter } = options.backoff;
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, maxDelay);
  const base = Math.min(maxDelay, options.retryDelay * factor ** (retry - 1));
  return Math.max(0, Math.round(base * (1 + jitter * (2 * options.random() - 1))));
}
