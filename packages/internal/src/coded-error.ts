/**
 * How every package defines its one error class: Node's shape `new XError(message, { code, cause, ...context })`,
 * a stable string `code`, context fields that are own enumerable properties (present, `undefined` when not given, so
 * every instance has the same keys), `cause` only when one was given, and a copy-safe `isXError` guard.
 *
 * A package keeps its own class (it extends `Error` directly, so its declarations name nothing from this private
 * package) and declares its fields by merging an interface of its context into the class:
 *
 * ```ts
 * export interface MediaError extends Readonly<Omit<MediaErrorOptions, 'cause'>> {}
 * export class MediaError extends Error {
 *   constructor(message: string, options: MediaErrorOptions) {
 *     super(message, errorCause(options));
 *     assignErrorFields(this, 'MediaError', options, ['path', 'stderr']);
 *   }
 * }
 * export const isMediaError = codedErrorGuard(MediaError, 'MediaError', ['ERR_MEDIA_', 'ERR_FFMPEG_']);
 * ```
 */

/** The second argument of `Error`'s constructor: `{ cause }` only when there is one, so `'cause' in error` says whether. */
export function errorCause(options: { cause?: unknown }): ErrorOptions | undefined {
  return options.cause === undefined ? undefined : { cause: options.cause };
}

/** Sets the class's `name`, `code` and each named context field of `options` on `error` (a field not given is set to `undefined`). */
export function assignErrorFields<Options extends { code: string }>(error: Error, name: string, options: Options, fields: readonly Exclude<keyof Options, 'code' | 'cause'>[]): void {
  const target = error as unknown as Record<string, unknown>;
  target['name'] = name;
  target['code'] = options.code;
  for (const field of fields) target[field as string] = options[field];
}

/** `[METHOD] "url": message` when the error is about one request, else the message alone. */
export function requestMessage(message: string, options: { url?: string | undefined; method?: string | undefined }): string {
  return options.url === undefined ? message : `[${options.method ?? 'GET'}] "${options.url}": ${message}`;
}

/**
 * The `isXError(error, code?)` guard of a package's error class. Copy-safe: an error thrown by a second copy of the
 * package (two versions in one install) fails `instanceof` but is still recognised by its `name` and a string `code`
 * starting with one of the package's prefixes. With `code`, only errors of that code pass.
 */
export function codedErrorGuard<Coded extends Error & { readonly code: string }>(
  ErrorClass: abstract new (...args: never[]) => Coded,
  name: string,
  prefixes: readonly string[],
): (error: unknown, code?: Coded['code']) => error is Coded {
  return (error: unknown, code?: Coded['code']): error is Coded => {
    if (!(error instanceof ErrorClass || (error instanceof Error && error.name === name && hasCodeWithPrefix(error, prefixes)))) return false;
    return code === undefined || (error as Coded).code === code;
  };
}

function hasCodeWithPrefix(error: Error, prefixes: readonly string[]): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && prefixes.some((prefix) => code.startsWith(prefix));
}
