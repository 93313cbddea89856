/**
 * The transport errors of the lean HTTP/1.1 path, made without loading undici: the same `name`,
 * `code` and default message as undici's own, and the brand symbols undici's `instanceof` checks read
 * (`Symbol.for('undici.error.<code>')`), so `error instanceof undici.errors.SocketError` and every check
 * of `error.code` hold whichever path a request took.
 */

interface Spec {
  name: string;
  code: string;
  message: string;
  /** The brands of undici's class and its parents (all but the generic `UND_ERR` one). */
  brands: string[];
}

const UND_ERR = Symbol.for('undici.error.UND_ERR');

function brand(error: Error, spec: Spec): void {
  Object.defineProperty(error, UND_ERR, { value: true });
  for (const one of spec.brands) Object.defineProperty(error, Symbol.for(`undici.error.${one}`), { value: true });
}

/** An undici-shaped transport error. */
export class TransportError extends Error {
  readonly code: string;
  constructor(spec: Spec, message?: string) {
    super(message || spec.message);
    this.name = spec.name;
    this.code = spec.code;
    brand(this, spec);
  }
}

const make = (name: string, code: string, message: string, brands: string[] = [code]) => (text?: string) => new TransportError({ name, code, message, brands }, text);

export const socketError = make('SocketError', 'UND_ERR_SOCKET', 'Socket error');
export const headersOverflowError = make('HeadersOverflowError', 'UND_ERR_HEADERS_OVERFLOW', 'Headers Overflow Error');
export const connectTimeoutError = make('ConnectTimeoutError', 'UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error');
export const headersTimeoutError = make('HeadersTimeoutError', 'UND_ERR_HEADERS_TIMEOUT', 'Headers Timeout Error');
export const bodyTimeoutError = make('BodyTimeoutError', 'UND_ERR_BODY_TIMEOUT', 'Body Timeout Error');
export const invalidArgumentError = make('InvalidArgumentError', 'UND_ERR_INVALID_ARG', 'Invalid Argument Error');
export const responseExceededMaxSizeError = make('ResponseExceededMaxSizeError', 'UND_ERR_RES_EXCEEDED_MAX_SIZE', 'Response content exceeded max size');
export const clientDestroyedError = make('ClientDestroyedError', 'UND_ERR_DESTROYED', 'The client is destroyed');
// undici's RequestAbortedError is an AbortError (UND_ERR_ABORT) named 'AbortError'.
export const requestAbortedError = make('AbortError', 'UND_ERR_ABORTED', 'Request aborted', ['UND_ERR_ABORTED', 'UND_ERR_ABORT']);

/** undici's `HTTPParserError`: not an UndiciError; `code` is `HPE_<code>`. */
export function httpParserError(message: string, code: string): Error & { code: string } {
  const error = new Error(message) as Error & { code: string };
  error.name = 'HTTPParserError';
  error.code = `HPE_${code}`;
  Object.defineProperty(error, Symbol.for('undici.error.UND_ERR_HTTP_PARSER'), { value: true });
  return error;
}
