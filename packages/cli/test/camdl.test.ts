import { existsSync } from 'node:fs';
import { appendFile, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTimelapseClient } from '@camdl/axis-timelapse2';
import { closeAfterEach, listFiles, sha256File } from '@camdl/test-utils';
import { loadConfig, sqliteAvailable } from '@camdl/sync';
import { Ledger } from '@camdl/sync/testing';
import { assertCamdlBuilt, events, runCamdl, startCamdl, startCamdlFleet, syntheticArchives, type CamdlFleet } from './camdl-helpers.js';

const NODE22 = '/root/.npm/_npx/52027bd8fc0022aa/node_modules/.bin/node';

function filesUnder(root: string): Promise<string[]> {
  return listFiles(root, { skipDirectories: ['.camdl'] });
}

/** Every row the ledger holds as archived has its file, with its hash; no other file has a final name. */
async function expectLedgerMatchesDisk(fleet: CamdlFleet): Promise<number> {
  const ledger = Ledger.open(loadConfig(fleet.config).ledger);
  try {
    const archived = ledger.archivedRecordings();
    for (const row of archived) expect(await sha256File(join(fleet.archive, row.localPath!))).toBe(row.sha256);
    const files = (await filesUnder(fleet.archive)).filter((file) => !file.endsWith('SHA256SUMS'));
    expect(files.sort()).toEqual(archived.map((row) => row.localPath).sort());
    return archived.length;
  } finally {
    ledger.close();
  }
}

async function expectByteIdentical(fleet: CamdlFleet): Promise<void> {
  const files = await filesUnder(fleet.archive);
  for (const sim of fleet.sims) {
    for (const archive of sim.archives) {
      const local = files.find((file) => file.endsWith(`/${archive.filename}`));
      expect(local, archive.filename).toBeDefined();
      expect(await sha256File(join(fleet.archive, local!))).toBe(archive.sha256);
    }
  }
}

describe.skipIf(!sqliteAvailable())('camdl (the binary, as its own process)', () => {
  const track = closeAfterEach();
  let fleet: CamdlFleet | undefined;
  beforeAll(() => assertCamdlBuilt());

  it('syncs with NDJSON events, then status --json and verify agree; config errors exit 2 with file:line', async () => {
    fleet = track(await startCamdlFleet([{ sim: { profile: 'timelapse3', content: { archives: syntheticArchives(3, 50_000) } }, extra: ['time-zone: UTC'] }]));
    const run = await runCamdl(['sync', '--config', fleet.config, '--json'], fleet.env);
    expect(run.code).toBe(0);
    const lines = events(run.stdout);
    expect(lines[0]).toMatchObject({ type: 'run-start', cameras: ['cam0'], dryRun: false });
    expect(lines.filter((line) => line.type === 'file-done')).toHaveLength(3);
    expect(lines.at(-1)).toMatchObject({ type: 'run-done', exitCode: 0 });
    expect(run.stdout + run.stderr).not.toContain(fleet.sims[0]!.password);
    const status = await runCamdl(['status', '--config', fleet.config, '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).cameras[0].channels[0]).toMatchObject({ files: 3, bytes: 150_000, pending: 0, lost: 0 });
    const verify = await runCamdl(['verify', '--config', fleet.config]);
    expect(verify).toMatchObject({ code: 0, stdout: 'Verified 3 files: all match the ledger\n' });
    // A changed file and a missing one: each named, exit 1.
    const saved = lines.filter((line) => line.type === 'file-done').map((line) => String(line['path'])).sort();
    await appendFile(join(fleet.archive, saved[0]!), 'x');
    await rm(join(fleet.archive, saved[2]!));
    const damaged = await runCamdl(['verify', '--config', fleet.config]);
    expect(damaged.code).toBe(1);
    expect(damaged.stdout.split('\n').filter(Boolean).sort()).toEqual(
      [
        `CHANGED ${saved[0]} (size 50001, the ledger says 50000)`,
        `MISSING ${saved[2]} (no such file)`,
        'Verified 3 files: 1 missing, 1 changed (the next camdl sync fetches again what the cameras still have)',
      ].sort(),
    );

    await writeFile(join(fleet.dir.path, 'bad.yaml'), 'archive: ./a\ncameras:\n  - name: x\n    kind: timelapse\n    host: 10.0.0.1\n    rate_limit: 5\n');
    const bad = await runCamdl(['sync', '--config', join(fleet.dir.path, 'bad.yaml')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${join(fleet.dir.path, 'bad.yaml')}:6: unknown key "rate_limit" in a camera (did you mean "rate-limit"?)`);
    expect((await runCamdl(['sync', '--config', fleet.config, '--bogus'])).code).toBe(2);
    const unknown = await runCamdl(['sync', '--config', fleet.config, '--camera', 'nope'], fleet.env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`${fleet.config}: no camera named "nope" (known: cam0)`);
    expect((await runCamdl(['frobnicate'])).code).toBe(2);
  });

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`${signal} mid-download leaves nothing partial under a final name, the ledger consistent, and a re-run resumes and completes`, async () => {
      fleet = track(await startCamdlFleet([{ sim: { profile: 'timelapse3', content: { archives: syntheticArchives(3, 1_500_000) } }, extra: ['time-zone: UTC'] }]));
      const sim = fleet.sims[0]!;
      sim.addFault({ route: 'download', match: sim.archives[1]!.filename, kind: 'slow', bytesPerSec: 150_000 });
      let sent = false;
      const first = await startCamdl(['sync', '--config', fleet.config, '--json'], {
        env: fleet.env,
        onStdout: (text, child) => {
          if (sent) return;
          // The second file is under way (its progress reached about a third).
          const progress = events(text).filter((line) => line.type === 'file-progress' && String(line['path']).includes(sim.archives[1]!.filename));
          if (progress.some((line) => Number(line['bytes']) > 400_000)) {
            sent = true;
            child.kill(signal);
          }
        },
      }).done;
      expect(sent).toBe(true);
      if (signal === 'SIGTERM') expect(first.code).toBe(143);
      else expect(first.signal).toBe('SIGKILL');
      expect(await expectLedgerMatchesDisk(fleet)).toBe(1);
      // The partial download is kept for the next run, only under .camdl/incoming as a .part.
      const incoming = join(fleet.archive, '.camdl', 'incoming', 'cam0');
      expect(existsSync(incoming)).toBe(true);
      sim.setFaults([]);
      const second = await runCamdl(['sync', '--config', fleet.config, '--json'], fleet.env);
      expect(second.code).toBe(0);
      const notes = events(second.stdout).filter((line) => line.type === 'file-note').map((line) => line['event']);
      expect(notes).toContain('resume');
      expect(events(second.stdout).filter((line) => line.type === 'file-done')).toHaveLength(2);
      expect(await expectLedgerMatchesDisk(fleet)).toBe(3);
      await expectByteIdentical(fleet);
      const ledger = Ledger.open(loadConfig(fleet.config).ledger);
      try {
        const [latest, killed] = ledger.runs();
        expect(latest).toMatchObject({ status: 'ok', exitCode: 0 });
        expect(killed?.status).toBe(signal === 'SIGTERM' ? 'interrupted' : 'abandoned');
      } finally {
        ledger.close();
      }
    });
  }

  it('SIGKILL while an Amcrest camera downloads several files at once: nothing partial under a final name, the ledger consistent, a re-run completes byte for byte', async () => {
    const recordings = Array.from({ length: 8 }, (_, index) => ({
      start: `2026-01-16 20:${String(index * 5).padStart(2, '0')}:00`,
      end: `2026-01-16 20:${String(index * 5 + 4).padStart(2, '0')}:00`,
      content: 'synthetic' as const,
      size: 600_000,
    }));
    fleet = track(await startCamdlFleet([{ sim: { profile: 'amcrest', content: { recordings } }, extra: ['since: 2026-01-16T00:00:00', 'until: 2026-01-17T00:00:00', 'time-zone: America/New_York'] }]));
    const sim = fleet.sims[0]!;
    sim.addFault({ route: 'RPC_Loadfile', kind: 'slow', bytesPerSec: 300_000 });
    let sent = false;
    const first = await startCamdl(['sync', '--config', fleet.config, '--json'], {
      env: fleet.env,
      onStdout: (text, child) => {
        if (sent) return;
        // At least two files half-way at the same time, none finished yet.
        const lines = events(text);
        const halfway = new Set(lines.filter((line) => line.type === 'file-progress' && Number(line['bytes']) > 200_000).map((line) => String(line['path'])));
        if (halfway.size >= 2 && !lines.some((line) => line.type === 'file-done')) {
          sent = true;
          child.kill('SIGKILL');
        }
      },
    }).done;
    expect(sent).toBe(true);
    expect(first.signal).toBe('SIGKILL');
    expect(await expectLedgerMatchesDisk(fleet)).toBe(0);
    sim.setFaults([]);
    const second = await runCamdl(['sync', '--config', fleet.config, '--json'], fleet.env);
    expect(second.code, second.stderr).toBe(0);
    expect(events(second.stdout).filter((line) => line.type === 'file-done')).toHaveLength(8);
    expect(await expectLedgerMatchesDisk(fleet)).toBe(8);
    const ledger = Ledger.open(loadConfig(fleet.config).ledger);
    try {
      for (const row of ledger.archivedRecordings()) expect(row.sha256).toBe(sim.recordings.find((recording) => recording.filePath === row.remoteKey)!.sha256);
      expect(ledger.runs().map((run) => run.status)).toEqual(['ok', 'abandoned']);
    } finally {
      ledger.close();
    }
  });

  it('a recording gone from the camera before it was fetched: a LOST line and exit 1, once; camdl status counts it and exits 1', async () => {
    fleet = track(await startCamdlFleet([{ sim: { profile: 'timelapse3', content: { archives: syntheticArchives(3, 20_000) } }, extra: ['time-zone: UTC', 'max-retries: 0'] }]));
    const sim = fleet.sims[0]!;
    const victim = sim.archives[1]!;
    sim.addFault({ route: 'download', match: victim.filename, kind: 'status', status: 500 });
    const first = await runCamdl(['sync', '--config', fleet.config], fleet.env);
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(new RegExp(`^FAIL  cam0: ${victim.filename}: `, 'm'));
    sim.setFaults([]);
    const client = createTimelapseClient({ baseUrl: sim.url, username: sim.username, password: sim.password });
    try {
      await client.deleteArchive((await client.listArchives()).archives.find((archive) => archive.filename === victim.filename)!);
    } finally {
      await client.close();
    }
    const second = await runCamdl(['sync', '--config', fleet.config], fleet.env);
    expect(second.code).toBe(1);
    const lost = second.stdout.split('\n').filter((line) => line.startsWith('LOST '));
    expect(lost).toEqual([`LOST  cam0: ${victim.filename} (${new Date(victim.first).toISOString()} .. ${new Date(victim.last).toISOString()}) vanished from the camera before it was archived: deleted (from the middle of what the camera holds)`]);
    expect(second.stdout).toMatch(/^Done\. downloaded=0 .*lost=1/m);
    const status = await runCamdl(['status', '--config', fleet.config, '--verbose']);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/archives: 2 files, .* pending 0, lost 1, /);
    // Reported once: the next run has nothing to do and says nothing of it.
    const third = await runCamdl(['sync', '--config', fleet.config], fleet.env);
    expect(third.code).toBe(0);
    expect(third.stdout).not.toContain('LOST');
  });

  it('init writes a private example the config loader accepts and never overwrites it; report --out writes one self-contained page', async () => {
    fleet = track(await startCamdlFleet([{ sim: { profile: 'timelapse3', content: { archives: syntheticArchives(2, 10_000) } }, extra: ['time-zone: UTC'] }]));
    const example = join(fleet.dir.path, 'new.yaml');
    const init = await runCamdl(['init', '--config', example]);
    expect(init).toMatchObject({ code: 0, stdout: `Wrote ${example}: edit the cameras, then run camdl sync --config ${example} --dry-run\n` });
    expect((await stat(example)).mode & 0o777).toBe(0o600);
    expect(loadConfig(example).cameras.length).toBeGreaterThan(0);
    const before = await readFile(example, 'utf8');
    const again = await runCamdl(['init', '--config', example]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`${example} exists (--force to overwrite)`);
    expect(await readFile(example, 'utf8')).toBe(before);

    expect((await runCamdl(['sync', '--config', fleet.config], fleet.env)).code).toBe(0);
    const out = join(fleet.dir.path, 'coverage.html');
    const report = await runCamdl(['report', '--config', fleet.config, '--out', out]);
    expect(report).toMatchObject({ code: 0, stdout: `Wrote ${out}\n` });
    const html = await readFile(out, 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('<svg');
    expect(html).toContain('cam0');
    // Self-contained: the day strips' script is inline; nothing is loaded from anywhere.
    expect(html).not.toMatch(/<script[^>]*\ssrc|<link|src=|url\(/i);
    expect(html).not.toContain(fleet.sims[0]!.password);
    expect((await readdir(fleet.dir.path)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('Ctrl+C finishes the current file and starts no new one (exit 130); the next run does the rest', async () => {
    fleet = track(await startCamdlFleet([{ sim: { profile: 'timelapse3', content: { archives: syntheticArchives(3, 600_000) } }, extra: ['time-zone: UTC'] }]));
    const sim = fleet.sims[0]!;
    sim.addFault({ route: 'download', kind: 'slow', bytesPerSec: 600_000 });
    let sent = false;
    const run = await startCamdl(['sync', '--config', fleet.config, '--json'], {
      env: fleet.env,
      onStdout: (text, child) => {
        if (!sent && events(text).some((line) => line.type === 'file-start')) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    }).done;
    expect(run.code).toBe(130);
    expect(events(run.stdout).filter((line) => line.type === 'file-done')).toHaveLength(1);
    expect(await expectLedgerMatchesDisk(fleet)).toBe(1);
    sim.setFaults([]);
    expect((await runCamdl(['sync', '--config', fleet.config], fleet.env)).code).toBe(0);
    await expectByteIdentical(fleet);
  });

  it('two overlapping processes never work on one camera at once', async () => {
    fleet = track(await startCamdlFleet([
      { sim: { profile: 'timelapse3', content: { archives: syntheticArchives(2, 800_000) } }, extra: ['time-zone: UTC'] },
      { sim: { profile: 'timelapse2-v1', content: { archives: syntheticArchives(2, 20_000) } }, extra: ['time-zone: UTC'] },
    ]));
    const config = fleet.config;
    const env = fleet.env;
    fleet.sims[0]!.addFault({ route: 'download', kind: 'slow', bytesPerSec: 400_000 });
    let second: Promise<Awaited<ReturnType<typeof runCamdl>>> | undefined;
    const first = startCamdl(['sync', '--config', fleet.config, '--camera', 'cam0', '--json'], {
      env: fleet.env,
      onStdout: (text) => {
        if (!second && events(text).some((line) => line.type === 'file-start')) second = runCamdl(['sync', '--config', config, '--no-progress'], env);
      },
    }).done;
    const firstRun = await first;
    expect(second).toBeDefined();
    const secondRun = await second!;
    expect(firstRun.code).toBe(0);
    expect(secondRun.code).toBe(1);
    expect(secondRun.stdout).toMatch(/^BUSY {2}cam0: another camdl sync \(pid \d+ on /m);
    expect(secondRun.stdout).toMatch(/^SAVE {2}cam1\//m);
    expect(secondRun.stdout).not.toMatch(/^SAVE {2}cam0\//m);
    expect(fleet.sims[0]!.counters.peakConcurrentRequests).toBe(1);
    expect(await expectLedgerMatchesDisk(fleet)).toBe(4);
  });

  it.skipIf(!existsSync(NODE22))('on Node 22 shows no node:sqlite ExperimentalWarning, and still shows other warnings', async () => {
    fleet = track(await startCamdlFleet([{ sim: { profile: 'timelapse3', content: { archives: syntheticArchives(1, 10_000) } }, extra: ['time-zone: UTC'] }]));
    const preload = join(fleet.dir.path, 'other-warning.mjs');
    await writeFile(preload, "process.once('beforeExit', () => process.emitWarning('an unrelated warning', 'ExperimentalWarning'));\n");
    const run = await startCamdl(['sync', '--config', fleet.config, '--no-progress'], { env: fleet.env, node: NODE22, nodeArgs: ['--import', preload] }).done;
    expect(run.code).toBe(0);
    expect(run.stderr).not.toMatch(/SQLite is an experimental feature/);
    expect(run.stderr).toMatch(/ExperimentalWarning: an unrelated warning/);
    // Without the shim's filter, this Node does print it (so the check above can fail).
    const bare = await import('node:child_process').then(({ spawnSync }) => spawnSync(NODE22, ['-e', "require('node:sqlite')"], { encoding: 'utf8' }));
    expect(bare.stderr).toMatch(/SQLite is an experimental feature/);
    const status = await startCamdl(['status', '--config', fleet.config], { node: NODE22 }).done;
    expect(status.code).toBe(0);
    expect(status.stderr).toBe('');
  });
});
