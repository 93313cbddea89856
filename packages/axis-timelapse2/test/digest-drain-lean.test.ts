import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestInterceptor } from '@camdl/http-digest';
import { download, DownloadAgent } from '@camdl/throttled-download';
import { makeTempDir, startHostile401Server, type RawHttpServer, type TempDir } from '@camdl/test-utils';

// The composition the client uses (the lean reader behind the digest interceptor): a camera whose 401
// page never ends (or trickles) costs its connection once the drain's cap or deadline is reached, and
// the download goes on with credentials. The hostile 401s end after GIVE_UP_MS, so a drain without a
// bound completes late (and the test fails) instead of hanging.

const TIMEOUT_MS = 300;
const GIVE_UP_MS = 2000;

describe('DownloadAgent (lean reader) behind the digest interceptor: an endless 401 page', () => {
  let server: RawHttpServer;
  let dir: TempDir;
  let dispatcher: ReturnType<DownloadAgent['compose']>;
  beforeAll(async () => {
    server = await startHostile401Server(GIVE_UP_MS);
    dir = await makeTempDir('camdl-drain-');
    dispatcher = new DownloadAgent().compose(digestInterceptor({ username: 'root', password: 'pw', preemptive: false }));
  });
  afterAll(async () => {
    await dispatcher.close();
    await server.close();
    await dir.cleanup();
  });

  it.each(['/endless', '/trickled'])('%s: the download goes on with credentials at once', async (path) => {
    const started = performance.now();
    const dest = `${dir.path}${path}.mp4`;
    const result = await download(server.url(path), dest, { dispatcher, timeout: TIMEOUT_MS, maxRetries: 0 });
    expect(result).toMatchObject({ status: 'downloaded', size: 5 });
    expect(readFileSync(dest, 'latin1')).toBe('hello');
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 700);
  });
});
