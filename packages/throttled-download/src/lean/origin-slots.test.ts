import { describe, expect, it } from 'vitest';
import { OriginSlots } from './origin-slots.js';

/** Acquires a slot of `origin` for `name`, noting in `started` when it starts. */
function request(slots: OriginSlots, started: string[], origin: string, name: string): void {
  slots.acquire(origin, () => started.push(name));
}

describe('OriginSlots', () => {
  it('starts at most `limit` requests of an origin; each release starts the next waiting one, in order', () => {
    const slots = new OriginSlots(2);
    const started: string[] = [];
    for (const name of ['a', 'b', 'c', 'd']) request(slots, started, 'http://cam', name);
    expect(started).toEqual(['a', 'b']);
    slots.release('http://cam');
    expect(started).toEqual(['a', 'b', 'c']);
    slots.release('http://cam');
    expect(started).toEqual(['a', 'b', 'c', 'd']);
  });

  it('counts each origin apart', () => {
    const slots = new OriginSlots(1);
    const started: string[] = [];
    request(slots, started, 'http://one', 'one/a');
    request(slots, started, 'http://two', 'two/a');
    request(slots, started, 'http://one', 'one/b');
    expect(started).toEqual(['one/a', 'two/a']);
    slots.release('http://two');
    expect(started).toEqual(['one/a', 'two/a']);
    slots.release('http://one');
    expect(started).toEqual(['one/a', 'two/a', 'one/b']);
  });

  it('frees the slot when nobody waits: the next request starts at once, and the limit still holds', () => {
    const slots = new OriginSlots(1);
    const started: string[] = [];
    request(slots, started, 'http://cam', 'a');
    slots.release('http://cam');
    request(slots, started, 'http://cam', 'b');
    request(slots, started, 'http://cam', 'c');
    expect(started).toEqual(['a', 'b']);
  });

  it('ignores a release for an origin with nothing running (no slot is added)', () => {
    const slots = new OriginSlots(1);
    const started: string[] = [];
    slots.release('http://cam');
    request(slots, started, 'http://cam', 'a');
    request(slots, started, 'http://cam', 'b');
    expect(started).toEqual(['a']);
  });

  it('starts everything at once without a limit', () => {
    const slots = new OriginSlots(Number.POSITIVE_INFINITY);
    const started: string[] = [];
    for (const name of ['a', 'b', 'c']) request(slots, started, 'http://cam', name);
    expect(started).toEqual(['a', 'b', 'c']);
  });
});
