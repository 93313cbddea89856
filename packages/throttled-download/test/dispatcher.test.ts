import { Agent, type Dispatcher } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deterministicBytes, sha256, sha256File } from '@camdl/test-utils';
import { download, isDownloadError } from '../src/index.js';
import { startHarness, type Harness } from './helpers.js';

const content = deterministicBytes(700_000, 21);

/**
 * A stand-in for @camdl/http-digest's interceptor (not a dependency): on a 401 it drains the body and
 * re-dispatches with credentials; a 401 to credentials fails with an `ERR_DIGEST_*` code.
 */
function reauthInterceptor(authorization: string): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) => {
    const inner = handler as Dispatcher.DispatchHandler;
    let swallowing = false;
    let authorized = false;
    const send = (headers: Dispatcher.DispatchOptions['headers']): boolean => dispatch({ ...opts, headers }, wrapper);
    const wrapper: Dispatcher.DispatchHandler = {
      onRequestStart: (controller, context) => inner.onRequestStart?.(controller, context),
      onResponseStart: (controller, status, headers, message) => {
        swallowing = status === 401;
        if (!swallowing) inner.onResponseStart?.(controller, status, headers, message);
      },
      onResponseData: (controller, chunk) => {
        if (!swallowing) inner.onResponseData?.(controller, chunk);
      },
      onResponseEnd: (controller, trailers) => {
        if (!swallowing) return inner.onResponseEnd?.(controller, trailers);
        if (authorized) {
          const error = Object.assign(new Error('credentials rejected'), { code: 'ERR_DIGEST_BAD_CREDENTIALS' });
          return inner.onResponseError?.(controller, error);
        }
        authorized = true;
        send({ ...(opts.headers as Record<string, string>), authorization });
      },
      onResponseError: (controller, error) => inner.onResponseError?.(controller, error),
    };
    return send(opts.headers);
  };
}

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ '/secret': { content, authorization: 'Digest ok' } });
});
afterEach(async () => {
  await h.close();
});

describe('any undici dispatcher', () => {
  it('downloads and resumes through a dispatcher that re-dispatches after a 401', async () => {
    const dispatcher = new Agent().compose(reauthInterceptor('Digest ok'));
    h.server.queueFaults('/secret', { kind: 'reset', afterBytes: 200_000 });
    const dest = h.dest();
    const result = await download(h.server.url('/secret'), dest, h.options({ dispatcher }));
    expect(result).toMatchObject({ status: 'resumed', attempts: 2, verified: true });
    // Each of our two attempts cost a 401 + an authorized request at the server.
    expect(h.server.requests.map((r) => r.status)).toEqual([401, 200, 401, 206]);
    expect(h.server.requests[3]?.headers.range).toMatch(/^bytes=\d+-$/);
    expect(await sha256File(dest)).toBe(sha256(content));
  });

  it('treats an ERR_DIGEST_* error as final (ERR_DOWNLOAD_AUTH, no retry, nothing left)', async () => {
    const dispatcher = new Agent().compose(reauthInterceptor('Digest wrong'));
    const dest = h.dest();
    const error = await download(h.server.url('/secret'), dest, h.options({ dispatcher })).catch((e: unknown) => e);
    expect(isDownloadError(error) && error.code).toBe('ERR_DOWNLOAD_AUTH');
    expect(isDownloadError(error) && (error.cause as { code: string }).code).toBe('ERR_DIGEST_BAD_CREDENTIALS');
    expect(h.sleeps).toEqual([]);
    expect(h.server.requests).toHaveLength(2);
  });

  it('a plain 401 without an auth dispatcher is not retried', async () => {
    const error = await download(h.server.url('/secret'), h.dest(), h.options()).catch((e: unknown) => e);
    expect(isDownloadError(error) && error.status).toBe(401);
    expect(h.server.requests).toHaveLength(1);
  });
});
