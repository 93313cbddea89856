import type { Dispatcher, fetch as undiciFetch, RequestInfo, RequestInit, Response } from 'undici';
import { DigestAuthenticator } from './digest-authenticator.js';
import { isDigestAuthError } from './errors.js';
import { interceptWith } from './digest-interceptor.js';
import type { DigestAuthOptions } from './options.js';

/** Options of {@link createDigestFetch}. */
export interface DigestFetchOptions extends DigestAuthOptions {
  /**
   * The undici dispatcher the requests go through; the digest interceptor is composed onto it.
   * @default a new `Agent()`
   */
  dispatcher?: Dispatcher | undefined;
}

/** undici `fetch`'s signature. */
export type DigestFetch = (input: RequestInfo, init?: RequestInit) => Promise<Response>;

function isReplayableInitBody(body: RequestInit['body']): boolean {
  return typeof body === 'string' || body instanceof Uint8Array || body instanceof ArrayBuffer || body instanceof URLSearchParams;
}

/**
 * A `fetch` that authenticates with HTTP Digest (RFC 7616 / RFC 2617), pre-emptively after the first
 * challenge of an origin. Rejects with `DigestAuthError` (see its codes) when authentication fails.
 *
 * @example
 * const fetch = createDigestFetch({ username: 'admin', password: 'secret' });
 * const response = await fetch('http://192.168.1.108/cgi-bin/magicBox.cgi?action=getSystemInfo');
 */
export function createDigestFetch(options: DigestFetchOptions): DigestFetch {
  const authenticator = new DigestAuthenticator(options);
  // undici is loaded by the first call, not when the package is imported: a program that never
  // fetches never pays its start-up time and memory.
  let ready: Promise<{ fetch: typeof undiciFetch; dispatcher: Dispatcher }> | undefined;
  const load = (): NonNullable<typeof ready> =>
    (ready ??= import('undici').then(({ Agent, fetch }) => ({ fetch, dispatcher: (options.dispatcher ?? new Agent()).compose(interceptWith(authenticator)) })));
  const send = async (input: RequestInfo, init: RequestInit | undefined): Promise<Response> => {
    const { fetch, dispatcher } = await load();
    try {
      return await fetch(input, { ...init, dispatcher });
    } catch (error) {
      // fetch wraps dispatcher errors in TypeError('fetch failed'); surface ours directly.
      const cause = (error as { cause?: unknown }).cause;
      throw isDigestAuthError(cause) ? cause : error;
    }
  };
  return async (input, init) => {
    const response = await send(input, init);
    // fetch hands bodies to undici as streams, which the interceptor cannot resend. A string or
    // buffer body can be sent again here; the interceptor has learned the challenge by now.
    if (response.status === 401 && init?.body != null && isReplayableInitBody(init.body) && authenticator.canPreempt(new URL(response.url))) {
      await response.body?.cancel();
      return send(input, init);
    }
    return response;
  };
}
