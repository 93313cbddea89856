/**
 * The lean HTTP/1.1 path: plain-`http:` GETs (and POSTs or PUTs with a string or bytes body, as ISAPI
 * searches send) read by a small, strict reader instead of undici's, and the one way camdl sends a small
 * request and reads its body. The rest of the package, and every camera library (through
 * `@camdl/throttled-download`), imports it from here only. {@link DownloadAgent} is how a request gets
 * in: it takes a dispatch marked with {@link LEAN_BODY}, over plain http, and hands everything else to
 * an undici `Agent`, loaded only then.
 *
 * Two properties its callers rely on:
 * - **Every chunk is read into one reused buffer.** The socket reads with `onread` into one buffer per
 *   request (at most {@link LEAN_READ_BYTES}, kept for the next request when this one is over), and body
 *   bytes reach the handler as views of it, never copies. A handler must take each chunk (write it or
 *   copy it) before `onResponseData` returns, which is what `LEAN_BODY` promises.
 * - **Each request has its own connection.** The request says `connection: close` and the reader reads
 *   that one answer to its end, then closes the socket: no connection is reused, so no answer, and no
 *   stray byte after one, can be framed as the answer to the next request.
 *
 * Parts: `download-agent.ts` (the dispatcher: which requests take the lean path, the agent options it
 * honours, `compose`, `close`), `origin-slots.ts` (at most `connections` requests per origin, lean and
 * undici together), `lean-request.ts` (one request over its own socket: timeouts, pause/resume, abort, the
 * size limit), `http1-response-parser.ts` (the incremental response parser, undici's errors for
 * malformed bytes), `small-request.ts` (`smallRequest`: one API request answered like undici's
 * `request()`, with a deadline for the whole exchange and a body-size limit; `readText`: a body as text,
 * size-capped), `retry-after.ts` (`Retry-After`, read once for downloads and API calls) and
 * `transport-errors.ts` (undici-shaped errors made without loading undici).
 */
export { DownloadAgent, LEAN_BODY, type ComposableDispatcher, type DownloadAgentOptions } from './download-agent.js';
export { LEAN_READ_BYTES, type LeanBodyHint } from './lean-request.js';
export { Http1ResponseParser, transferCodings } from './http1-response-parser.js';
export { readText, smallRequest, type DispatchOnly, type SmallRequestOptions, type SmallResponse, type SmallResponseBody } from './small-request.js';
export { parseRetryAfterValue } from './retry-after.js';
export {
  TransportError,
  bodyTimeoutError,
  clientDestroyedError,
  connectTimeoutError,
  headersOverflowError,
  headersTimeoutError,
  httpParserError,
  invalidArgumentError,
  requestAbortedError,
  responseExceededMaxSizeError,
  socketError,
} from './transport-errors.js';
