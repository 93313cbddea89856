import type { RequestContext } from '../request-context.js';

/** A route name (for counters and faults) and the resource it addresses (filename, FilePath, action). */
export interface RouteMatch {
  route: string;
  resource: string;
}

/** What each camera profile provides to the server core. */
export interface ProfileHandler {
  /** Which route a request hits; undefined for paths the camera does not serve (404 before auth). */
  route(method: string, path: string, rawQuery: string): RouteMatch | undefined;
  handle(context: RequestContext, match: RouteMatch): Promise<void>;
  /** Single-threaded app: serialise requests. */
  serialize: 'queue' | 'reject' | 'off';
  /**
   * The body of a 401: `credentialsRefused` when the request carried credentials the server refused,
   * `failures` consecutive refused logins so far, `locked` when the account is locked now.
   * @default Apache's or Dahua's page
   */
  unauthorized?: (state: { credentialsRefused: boolean; failures: number; locked: boolean }) => { body: string; contentType: string };
  /** Extra headers on every response (e.g. `Connection: close`). */
  connectionClose?: (match: RouteMatch) => boolean;
}
