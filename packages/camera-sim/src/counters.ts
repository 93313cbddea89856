/** Server-side counters tests can read (live object, updated as requests arrive). */
export interface SimCounters {
  /** Requests per route name (`download`, `archive`, `mediaFileFind`, `RPC_Loadfile`...), authenticated or not. */
  requests: Record<string, number>;
  /** Requests per `METHOD route`, e.g. `HEAD download`. */
  requestsByMethod: Record<string, number>;
  /** Total requests. */
  totalRequests: number;
  /** 401 challenges sent (including stale re-challenges and auth storms). */
  challenges: number;
  /** Requests that carried credentials which were refused (wrong password, replayed nc, bad uri). */
  authFailures: number;
  /** Requests accepted per `algorithm qop` used, e.g. `SHA-256 auth`, `MD5 auth-int`, `MD5 none` (RFC 2069). */
  authorized: Record<string, number>;
  /** Re-challenges with `stale=true`. */
  staleChallenges: number;
  /** Amcrest search objects created by `factory.create`. */
  searchesCreated: number;
  /** Search objects closed with `action=close`. */
  searchesClosed: number;
  /** Search objects destroyed with `action=destroy`. */
  searchesDestroyed: number;
  /** Created but not (yet) destroyed search objects. */
  searchesLeaked: number;
  /** Most search objects open (created, not destroyed) at once: 1 for a client that searches one at a time. */
  peakOpenSearches: number;
  /** Body bytes written to clients. */
  bytesSent: number;
  /** TCP connections accepted. */
  connections: number;
  /** Most TCP connections open at once. */
  peakConnections: number;
  /** Most requests being handled at once (Timelapse answers one at a time: watch this). */
  peakConcurrentRequests: number;
  /** Requests refused with 400 because too many connections were open. */
  connectionLimitRejections: number;
  /** Fault rules applied. */
  faultsApplied: number;
}

export function createCounters(): SimCounters {
  return {
    requests: {},
    requestsByMethod: {},
    totalRequests: 0,
    challenges: 0,
    authFailures: 0,
    authorized: {},
    staleChallenges: 0,
    searchesCreated: 0,
    searchesClosed: 0,
    searchesDestroyed: 0,
    searchesLeaked: 0,
    peakOpenSearches: 0,
    bytesSent: 0,
    connections: 0,
    peakConnections: 0,
    peakConcurrentRequests: 0,
    connectionLimitRejections: 0,
    faultsApplied: 0,
  };
}

/** Zeroes every counter in place (the object identity tests hold stays valid). */
export function resetCounters(counters: SimCounters): void {
  const fresh = createCounters();
  Object.assign(counters, fresh);
}
