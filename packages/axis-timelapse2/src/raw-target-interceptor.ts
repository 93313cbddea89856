import type { Dispatcher } from 'undici';

/**
 * Rewrites chosen request-targets on the wire: `targets` maps the path + query a URL parser produces
 * (what undici dispatches) to the exact bytes to send (a latin1 string). Composed outside the digest
 * interceptor (it runs first), so Digest's `uri` is the rewritten target, byte for byte as sent.
 */
export function rawTargetInterceptor(targets: ReadonlyMap<string, string>): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) => {
    const raw = opts.query === undefined || opts.query === null ? targets.get(opts.path) : undefined;
    return dispatch(raw === undefined ? opts : { ...opts, path: raw }, handler);
  };
}
