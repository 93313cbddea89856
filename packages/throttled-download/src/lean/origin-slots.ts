/**
 * Requests in progress per origin, at most `limit` at once: a request over the limit waits, in the
 * order it came, until one of its origin's requests is released. Shared by the lean path and undici's,
 * so `connections` bounds both together (cameras count every open connection).
 */
export class OriginSlots {
  readonly #limit: number;
  readonly #origins = new Map<string, { active: number; queue: (() => void)[] }>();

  /** @param limit Requests at once per origin; `Infinity` for no limit. */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Runs `start` now if `origin` has a free slot, else once one is released for it. */
  acquire(origin: string, start: () => void): void {
    let slots = this.#origins.get(origin);
    if (slots === undefined) {
      slots = { active: 0, queue: [] };
      this.#origins.set(origin, slots);
    }
    if (slots.active < this.#limit) {
      slots.active += 1;
      start();
    } else {
      slots.queue.push(start);
    }
  }

  /** Frees one slot of `origin`: the next waiting request takes it. Call once per started request. */
  release(origin: string): void {
    const slots = this.#origins.get(origin);
    if (slots === undefined) return;
    const next = slots.queue.shift();
    if (next !== undefined) {
      next();
      return;
    }
    slots.active -= 1;
    if (slots.active === 0) this.#origins.delete(origin);
  }

}
