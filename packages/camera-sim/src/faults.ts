/** Where a fault applies: a route name, or `*` for every route. */
export type FaultRoute =
  | 'archive'
  | 'download'
  | 'app'
  | 'archives'
  | 'mediaFileFind'
  | 'RPC_Loadfile'
  | 'global'
  | 'magicBox'
  | '*'
  | (string & {});

interface FaultRuleBase {
  route: FaultRoute;
  /** Resource filter: the filename / FilePath / action; a string matches exactly, a RegExp tests. */
  match?: string | RegExp;
  /** Which attempts (1-based, counted per route + resource, authenticated requests only) it hits. @default every attempt */
  attempts?: number[];
  /** Fire at most this many times in total. @default unlimited */
  times?: number;
}

/** One fault to inject. */
export type FaultRule = FaultRuleBase &
  (
    | { kind: 'status'; /** e.g. 500, 503 */ status: number; /** `Retry-After` value (seconds or HTTP date) */ retryAfter?: number | string; body?: string }
    | { kind: 'reset-mid-body'; /** bytes sent before the TCP reset @default half the body */ afterBytes?: number }
    | { kind: 'short-body-close'; /** bytes sent before closing cleanly, with `Connection: close` @default half */ afterBytes?: number }
    | { kind: 'stall'; ms: number; /** stall after this many body bytes; before the headers if omitted */ afterBytes?: number }
    | { kind: 'wrong-content-length'; /** added to the true Content-Length (the real body is sent, then close) */ delta: number }
    | { kind: 'slow'; bytesPerSec: number }
    | { kind: 'auth-storm' }
  );

/** A fault chosen for one request, with the attempt number it was chosen for. */
export interface FaultDecision {
  attempt: number;
  rule: FaultRule | undefined;
}

/** Rule engine: counts attempts per (route, resource) and picks the first matching rule. */
export class FaultInjector {
  private rules: FaultRule[] = [];
  private readonly hits = new Map<FaultRule, number>();
  private readonly attempts = new Map<string, number>();

  constructor(rules: FaultRule[] = []) {
    this.set(rules);
  }

  /** Replaces all rules (attempt counters are kept). */
  set(rules: FaultRule[]): void {
    this.rules = [...rules];
    this.hits.clear();
  }

  add(rule: FaultRule): void {
    this.rules.push(rule);
  }

  /** Removes all rules and forgets attempt counts. */
  clear(): void {
    this.rules = [];
    this.hits.clear();
    this.attempts.clear();
  }

  /** Current rules. */
  list(): readonly FaultRule[] {
    return this.rules;
  }

  /** Attempts seen so far for a route + resource. */
  attemptsOf(route: string, resource = ''): number {
    return this.attempts.get(`${route}\0${resource}`) ?? 0;
  }

  /** Counts one attempt and returns the rule to apply, if any. */
  next(route: string, resource: string): FaultDecision {
    const key = `${route}\0${resource}`;
    const attempt = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, attempt);
    for (const rule of this.rules) {
      if (rule.route !== '*' && rule.route !== route) continue;
      if (rule.match !== undefined && !(typeof rule.match === 'string' ? rule.match === resource : rule.match.test(resource))) continue;
      if (rule.attempts && !rule.attempts.includes(attempt)) continue;
      const used = this.hits.get(rule) ?? 0;
      if (rule.times !== undefined && used >= rule.times) continue;
      this.hits.set(rule, used + 1);
      return { attempt, rule };
    }
    return { attempt, rule: undefined };
  }
}
