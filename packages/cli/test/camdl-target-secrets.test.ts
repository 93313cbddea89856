import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { closeAfterEach, s3TargetLines, startS3Server } from '@camdl/test-utils';
import { sqliteAvailable } from '@camdl/sync';
import { assertCamdlBuilt, runCamdl, startCamdlFleet, syntheticArchives } from './camdl-helpers.js';

describe.skipIf(!sqliteAvailable())('camdl commands given --target whose secret variable is not set', () => {
  const track = closeAfterEach();
  beforeAll(() => assertCamdlBuilt());

  it('verify, status, report and restore exit 2 naming the variable, never a secret, and send nothing to the target', async () => {
    const server = track(await startS3Server());
    const fleet = track(await startCamdlFleet([{ sim: { profile: 'timelapse3', content: { archives: syntheticArchives(2, 10_000) } }, extra: ['time-zone: UTC'] }]));
    const config = await readFile(fleet.config, 'utf8');
    const target = ['targets:', ...s3TargetLines(server, { prefix: 'site-a/' })];
    await writeFile(fleet.config, config.replace('archive: ./archive\n', ['archive: ./archive', ...target, '    access-key-id-env: OFFSITE_KEY_ID', '    secret-access-key-env: OFFSITE_SECRET', ''].join('\n')));
    const env = { ...fleet.env, OFFSITE_KEY_ID: server.accessKeyId, OFFSITE_SECRET: server.secretAccessKey };
    // A ledger and a snapshot on the target, so each command would have work to do.
    expect((await runCamdl(['sync', '--config', fleet.config, '--no-progress'], env)).code).toBe(0);
    const before = (await server.settledRequests()).length;

    const unset = { ...fleet.env, OFFSITE_SECRET: server.secretAccessKey };
    const commands = [
      ['verify', '--config', fleet.config, '--target', 'offsite'],
      ['verify', '--config', fleet.config, '--target', 'offsite', '--deep'],
      ['status', '--config', fleet.config, '--target', 'offsite'],
      ['status', '--config', fleet.config, '--target', 'offsite', '--json'],
      ['report', '--config', fleet.config, '--target', 'offsite', '--out', join(fleet.dir.path, 'sites.html')],
      ['restore', '--config', fleet.config, '--target', 'offsite', '--out', join(fleet.dir.path, 'restored')],
    ];
    for (const args of commands) {
      const run = await runCamdl(args, unset);
      expect({ args, code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
        args,
        code: 2,
        stdout: '',
        stderr: `camdl: target "offsite": access-key-id-env: OFFSITE_KEY_ID is not set in camdl's environment\n`,
      });
    }
    // The secret file's variant: an empty file is named, its (absent) content is not.
    const emptyFile = join(fleet.dir.path, 'empty.secret');
    await writeFile(emptyFile, '\n', { mode: 0o600 });
    await writeFile(fleet.config, config.replace('archive: ./archive\n', ['archive: ./archive', ...target, '    access-key-id-env: OFFSITE_KEY_ID', `    secret-access-key-file: ${emptyFile}`, ''].join('\n')));
    const empty = await runCamdl(['verify', '--config', fleet.config, '--target', 'offsite'], env);
    expect(empty).toMatchObject({ code: 2, stderr: `camdl: target "offsite": secret-access-key-file ${emptyFile} is empty\n` });
    expect((await server.settledRequests()).slice(before)).toEqual([]);
    // Options the library refuses are config errors too: a remote carrying a password in argv.
    await writeFile(fleet.config, config.replace('archive: ./archive\n', ['archive: ./archive', 'targets:', '  - name: nas', '    kind: rclone', '    remote: "nas,pass=hunter2:cameras"', ''].join('\n')));
    const inline = await runCamdl(['status', '--config', fleet.config, '--target', 'nas'], env);
    expect(inline.code).toBe(2);
    expect(inline.stderr).toBe(
      `camdl: ${fleet.config}:5: target "nas": remote must not carry parameters (remote,name=value:path): set them in rclone's config file or in env as RCLONE_CONFIG_<REMOTE>_<NAME>\n`,
    );
  });
});
