import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHostile401Server, type RawHttpServer } from '@camdl/test-utils';
import { digestInterceptor } from '@camdl/http-digest';

// The body of a 401 the interceptor answers itself is read and dropped, but only so much and so long:
// a camera whose 401 page never ends (or trickles) gets its retry with credentials at once, on a new
// connection, instead of being drained forever. The hostile 401s end after GIVE_UP_MS, so an
// interceptor without the bound completes late (and the test fails) instead of hanging.

const TIMEOUT_MS = 300;
const GIVE_UP_MS = 2000;

describe('the body of an answered 401 is drained with a size cap and a deadline', () => {
  let server: RawHttpServer;
  let dispatcher: ReturnType<Agent['compose']>;
  beforeAll(async () => {
    server = await startHostile401Server(GIVE_UP_MS);
    dispatcher = new Agent().compose(digestInterceptor({ username: 'admin', password: 'secret', preemptive: false }));
  });
  afterAll(async () => {
    await dispatcher.destroy();
    await server.close();
  });

  it.each(['/endless', '/trickled'])('%s: the retry with credentials goes out at once and is answered', async (path) => {
    const started = performance.now();
    const response = await request(server.url(path), { dispatcher, headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS });
    expect(response.statusCode).toBe(200);
    expect(await response.body.text()).toBe('hello');
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 700);
  });
});
