import { describe, expect, it } from 'vitest';
import { closeAfterEach } from './close-after-each.js';

describe('closeAfterEach', () => {
  const track = closeAfterEach();
  const closed: string[] = [];

  it('hands back what it was given', async () => {
    const server = { close: async () => void closed.push('server') };
    const dir = { cleanup: async () => void closed.push('dir') };
    const client = { close: () => void closed.push('client') };
    expect(track(server)).toBe(server);
    expect(track(dir)).toBe(dir);
    expect(track(client)).toBe(client);
    expect(closed).toEqual([]);
  });

  it('closed them after the test, newest first, and only once', () => {
    expect(closed).toEqual(['client', 'dir', 'server']);
  });

  it('has nothing left to close from earlier tests', () => {
    expect(closed).toEqual(['client', 'dir', 'server']);
  });
});
