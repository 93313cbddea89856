import { afterEach } from 'vitest';

/** Anything a test starts and must stop: a server, a client, a simulator (`close`) or a temp dir (`cleanup`). */
export type Closable = { close(): unknown } | { cleanup(): unknown };

/**
 * Registers one `afterEach` that closes, newest first, everything the returned `track` was handed
 * during the test — so a suite starts a simulator, a temp dir and a client in one line each instead of
 * repeating `let sim; let dir; afterEach(...)`. Every resource is closed even when one close fails; the
 * first failure is rethrown.
 *
 * @example
 * const track = closeAfterEach();
 * it('…', async () => {
 *   const sim = track(await startCameraSim({ profile: 'amcrest' }));
 *   const dir = track(await makeTempDir());
 * });
 */
export function closeAfterEach(): <T extends Closable>(resource: T) => T {
  const open: Closable[] = [];
  afterEach(async () => {
    const failures: unknown[] = [];
    for (const resource of open.splice(0).reverse()) {
      try {
        await ('close' in resource ? resource.close() : resource.cleanup());
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
  });
  return (resource) => {
    open.push(resource);
    return resource;
  };
}
