import { parseRetryAfterValue } from '@camdl/throttled-download';
import { isSyncError, SyncError } from '../errors.js';

/** The part of a URL that may be shown: scheme and host (webhook paths and topics are secrets). */
export function shownOrigin(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

/** Most bytes of an answer read (and thrown away) before the connection is dropped. */
const ANSWER_CAP = 16 * 1024;

/** A short reason for a failed delivery that cannot carry the URL's path, query or a token. */
export function deliveryReason(error: unknown, secrets: readonly string[] = []): string {
  const cause = error as { code?: unknown; name?: unknown; message?: unknown } | undefined;
  let reason: string;
  if (cause?.name === 'TimeoutError' || cause?.code === 'UND_ERR_HEADERS_TIMEOUT' || cause?.code === 'UND_ERR_BODY_TIMEOUT' || cause?.code === 'UND_ERR_CONNECT_TIMEOUT' || cause?.code === 'ETIMEDOUT') {
    reason = 'timed out';
  } else {
    const code = typeof cause?.code === 'string' ? cause.code : undefined;
    const inner = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
    const message = typeof cause?.message === 'string' ? cause.message.split('\n')[0]!.trim() : String(error);
    const shownCode = code ?? (typeof inner === 'string' ? inner : undefined);
    // The message says what happened (a refused login, a certificate); the code alone when there is none.
    reason = message === '' ? (shownCode ?? 'failed') : shownCode !== undefined && !message.includes(shownCode) ? `${message} (${shownCode})` : message;
  }
  for (const secret of secrets) if (secret.length >= 4) reason = reason.split(secret).join('***');
  return reason.slice(0, 300);
}

/** Answers that mean "a moment later": a proxy or a rate limit between camdl and the receiver. */
const TRANSIENT_STATUSES = new Set([429, 502, 503, 504]);

/** A connection dropped before the answer (a proxy restarting): worth one more try. Refused and timed out are not. */
function droppedConnection(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE';
}

/** The pause before the one retry; undefined when the receiver asks for longer than this delivery has left. */
function retryPauseMs(retryAfter: string | string[] | undefined, leftMs: number): number | undefined {
  const asked = parseRetryAfterValue(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
  const pause = Math.min(asked ?? RETRY_PAUSE_MS, MAX_RETRY_PAUSE_MS);
  if (asked !== undefined && asked > MAX_RETRY_PAUSE_MS) return undefined;
  return pause < leftMs ? pause : undefined;
}

/** Default pause before the retry of a transient failure. */
const RETRY_PAUSE_MS = 500;
/** A receiver asking for a longer pause gets the message on the next run instead. */
const MAX_RETRY_PAUSE_MS = 5000;

/**
 * POSTs a small body with one deadline for the whole exchange (connect, answer, body), tried once more
 * within that deadline after a transient failure (429, 502, 503, 504 or a dropped connection, after
 * `Retry-After` up to 5 s). A status outside 2xx rejects with `ERR_SYNC_NOTIFY` naming only scheme and
 * host; a redirect is not followed. The answer is read up to a cap and dropped; the connection is closed
 * after (no socket keeps a cron job alive).
 */
export async function postWithDeadline(url: URL, options: { body: string | Buffer; headers: Record<string, string>; timeoutMs: number; what: string; secrets?: readonly string[] }): Promise<number> {
  // Loaded only when a channel posts: a plain-http sync without notify channels never loads undici.
  const { Agent, request } = await import('undici');
  const agent = new Agent({ connect: { timeout: options.timeoutMs }, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs, keepAliveTimeout: 1, pipelining: 0 });
  const signal = AbortSignal.timeout(options.timeoutMs);
  const started = performance.now();
  const pause = async (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  try {
    for (let attempt = 1; ; attempt += 1) {
      let response;
      try {
        response = await request(url, { method: 'POST', body: options.body, headers: options.headers, dispatcher: agent, signal });
      } catch (error) {
        const wait = attempt === 1 && droppedConnection(error) ? retryPauseMs(undefined, options.timeoutMs - (performance.now() - started)) : undefined;
        if (wait === undefined) throw error;
        await pause(wait);
        continue;
      }
      let seen = 0;
      try {
        for await (const chunk of response.body) {
          seen += (chunk as Buffer).length;
          if (seen > ANSWER_CAP) break;
        }
      } catch {
        // The status is what counts; a broken answer body after it changes nothing.
      } finally {
        response.body.destroy();
      }
      if (response.statusCode >= 200 && response.statusCode <= 299) return response.statusCode;
      const wait = attempt === 1 && TRANSIENT_STATUSES.has(response.statusCode) ? retryPauseMs(response.headers['retry-after'], options.timeoutMs - (performance.now() - started)) : undefined;
      if (wait === undefined) throw new SyncError(`${options.what} (${shownOrigin(url)}): HTTP ${response.statusCode}`, { code: 'ERR_SYNC_NOTIFY' });
      await pause(wait);
    }
  } catch (error) {
    if (isSyncError(error, 'ERR_SYNC_NOTIFY')) throw error;
    throw new SyncError(`${options.what} (${shownOrigin(url)}): ${deliveryReason(error, [url.pathname.length > 1 ? url.pathname : '', url.search, ...(options.secrets ?? [])])}`, { code: 'ERR_SYNC_NOTIFY' });
  } finally {
    await agent.destroy().catch(() => {});
  }
}
