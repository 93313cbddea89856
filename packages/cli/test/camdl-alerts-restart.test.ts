import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { closeAfterEach, startHttpReceiver, startRawHttpServer } from '@camdl/test-utils';
import { sqliteAvailable, type NotifyMessage } from '@camdl/sync';
import { assertCamdlBuilt, camdlFleetsClosedAfterEach, runCamdl, startCamdl, syntheticArchives } from './camdl-helpers.js';

describe.skipIf(!sqliteAvailable())('alert state across camdl processes (the binary)', () => {
  beforeAll(() => assertCamdlBuilt());
  const startFleet = camdlFleetsClosedAfterEach();
  const track = closeAfterEach();

  it('a condition opens once, survives a SIGKILL while its message is in flight, is sent once by the next process, and recovers once', async () => {
    const fleet = await startFleet([{ sim: { profile: 'timelapse3', content: { archives: syntheticArchives(1, 40_000) } } }]);
    const base = await readFile(fleet.config, 'utf8');
    const withChannel = async (url: string, minFree: string): Promise<void> => {
      await writeFile(fleet.config, base);
      await appendFile(fleet.config, ['notify:', `  - { kind: webhook, url: "${url}/hook", timeout: 60 }`, 'alerts:', `  min-free: ${minFree}`, ''].join('\n'));
    };

    // The first process opens disk-low and is killed while the webhook holds its message unanswered.
    let received!: () => void;
    const reached = new Promise<void>((resolve) => (received = resolve));
    const mute = track(
      await startRawHttpServer(() => {
        received();
        return new Promise<void>(() => {});
      }),
    );
    await withChannel(mute.origin, '100TiB');
    const first = startCamdl(['sync', '--config', fleet.config, '--no-progress'], { env: fleet.env });
    await reached;
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');

    // The state is in the ledger: the condition is open for any other process.
    const open = await runCamdl(['alerts', '--config', fleet.config, '--json'], fleet.env);
    expect(open.code).toBe(1);
    expect((JSON.parse(open.stdout) as { alerts: Array<{ kind: string }> }).alerts.map((alert) => alert.kind)).toContain('disk-low');

    // The next process delivers what the killed one could not: the opening, once (not opened again, not a repeat).
    const hook = track(await startHttpReceiver());
    await withChannel(hook.url, '100TiB');
    expect((await runCamdl(['sync', '--config', fleet.config, '--no-progress'], fleet.env)).code).toBe(0);
    expect((await runCamdl(['sync', '--config', fleet.config, '--no-progress'], fleet.env)).code).toBe(0);
    // (The simulated recordings are old: camera-silent opens beside it and stays open; it is not this test's.)
    const sent = (): string[] =>
      hook.requests.flatMap((request) =>
        (JSON.parse(request.text) as NotifyMessage).notices.filter((notice) => notice.kind === 'disk-low').map((notice) => `${notice.event} ${notice.kind}`),
      );
    expect(sent()).toEqual(['opened disk-low']);

    // Space again: recovered, once, across two more processes.
    await withChannel(hook.url, '1B');
    expect((await runCamdl(['sync', '--config', fleet.config, '--no-progress'], fleet.env)).code).toBe(0);
    expect((await runCamdl(['sync', '--config', fleet.config, '--no-progress'], fleet.env)).code).toBe(0);
    expect(sent()).toEqual(['opened disk-low', 'recovered disk-low']);
    expect((await runCamdl(['alerts', '--config', fleet.config], fleet.env)).stdout).not.toContain('disk-low');
  });
});
