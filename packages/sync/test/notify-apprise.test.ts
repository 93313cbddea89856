import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeAfterEach, makeTempDir, missingSystemTools, startHttpReceiver, type TempDir } from '@camdl/test-utils';
import { sendTestNotifications, type FleetConfig, loadConfig } from '@camdl/sync';


const missing = missingSystemTools('apprise');

describe.skipIf(missing !== undefined)('Apprise: Debian’s CLI posting to a local json:// receiver, and an apprise-api endpoint', () => {
  let dir: TempDir | undefined;
  const track = closeAfterEach();

  async function configWith(lines: string[]): Promise<FleetConfig> {
    const path = join(dir!.path, 'camdl.yaml');
    await writeFile(path, ['archive: ./archive', ...lines, 'cameras:', '  - { name: gate, kind: timelapse, host: 127.0.0.1:9 }', ''].join('\n'));
    return loadConfig(path);
  }

  it('the apprise CLI reads the URLs from the urls-file (never argv) with a bare environment, and delivers', async () => {
    dir = track(await makeTempDir('camdl-apprise-'));
    const receiver = track(await startHttpReceiver());
    const target = `json://${receiver.url.slice('http://'.length)}/apprise/t0ken-in-path`;
    const urlsFile = join(dir.path, 'apprise.urls');
    await writeFile(urlsFile, `${target}\n`);
    await chmod(urlsFile, 0o600);
    // A wrapper that records how camdl runs apprise, then runs the real one.
    const wrapper = join(dir.path, 'apprise-wrapper.sh');
    await writeFile(wrapper, `#!/bin/sh\nprintf '%s\\n' "$@" > "${dir.path}/argv.txt"\nenv > "${dir.path}/env.txt"\nexec apprise "$@"\n`);
    await chmod(wrapper, 0o755);
    const config = await configWith(['notify:', `  - { kind: apprise, urls-file: ./apprise.urls, timeout: 20 }`]);
    const results = await sendTestNotifications(config, { env: { ...process.env, CAMDL_APPRISE: wrapper, CAMDL_TEST_SECRET: 'not-for-children' } });
    expect(results).toEqual([{ channel: 'apprise', shown: `apprise (urls-file ${urlsFile})`, kind: 'apprise', ok: true }]);
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]!.path).toBe('/apprise/t0ken-in-path');
    const body = JSON.parse(receiver.requests[0]!.text) as { title: string; message: string; type: string };
    expect(body).toMatchObject({ title: expect.stringContaining('test message'), message: expect.stringContaining('camdl notify --test: this channel works.'), type: 'info' });
    const argv = await readFile(join(dir.path, 'argv.txt'), 'utf8');
    expect(argv).toContain(urlsFile);
    expect(argv).not.toContain('t0ken');
    expect(await readFile(join(dir.path, 'env.txt'), 'utf8')).not.toContain('not-for-children');
  }, 30_000);

  it('a urls-file apprise cannot use fails, named, without showing the URL', async () => {
    dir = track(await makeTempDir('camdl-apprise-'));
    await writeFile(join(dir.path, 'apprise.urls'), 'nosuchscheme://secret-token@host/\n');
    const config = await configWith(['notify:', '  - { kind: apprise, urls-file: ./apprise.urls, timeout: 20 }']);
    const [result] = await sendTestNotifications(config);
    expect(result).toMatchObject({ ok: false, channel: 'apprise' });
    expect(result!.reason).toMatch(/^exit status \d+/);
    expect(result!.reason).not.toContain('secret-token');
  }, 30_000);

  it('an apprise that hangs is killed at the deadline: nothing outlives the run', async () => {
    dir = track(await makeTempDir('camdl-apprise-'));
    await writeFile(join(dir.path, 'apprise.urls'), 'json://127.0.0.1:9/\n');
    const hang = join(dir.path, 'apprise-hang.sh');
    await writeFile(hang, `#!/bin/sh\necho $$ > "${dir.path}/pid"\nexec sleep 30\n`);
    await chmod(hang, 0o755);
    const config = await configWith(['notify:', '  - { kind: apprise, urls-file: ./apprise.urls, timeout: 1 }']);
    const started = Date.now();
    const [result] = await sendTestNotifications(config, { env: { ...process.env, CAMDL_APPRISE: hang } });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result).toMatchObject({ ok: false, reason: 'timed out after 1 s' });
    const pid = Number(await readFile(join(dir.path, 'pid'), 'utf8'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('an apprise-api endpoint gets title, body and type as JSON', async () => {
    dir = track(await makeTempDir('camdl-apprise-'));
    const receiver = track(await startHttpReceiver());
    const config = await configWith(['notify:', `  - { kind: apprise, url: "${receiver.url}/notify/site-a" }`]);
    expect(await sendTestNotifications(config)).toEqual([{ channel: 'apprise', shown: `apprise (${receiver.url})`, kind: 'apprise', ok: true }]);
    expect(receiver.requests[0]!.path).toBe('/notify/site-a');
    expect(JSON.parse(receiver.requests[0]!.text)).toMatchObject({ title: expect.stringContaining('test message'), body: expect.stringContaining('this channel works'), type: 'info', format: 'text' });
  });
});
