import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { closeAfterEach, missingSystemTools } from '@camdl/test-utils';
import { loadConfig, sqliteAvailable } from '@camdl/sync';
import { Ledger } from '@camdl/sync/testing';
import { assertCamdlBuilt, CAMDL_BIN, events, runCamdl, startCamdl, startCamdlFleet, syntheticArchives, type CamdlFleet, type CamdlRun } from './camdl-helpers.js';
import { runInTerminal } from './run-in-terminal.js';

/**
 * Starts camdl in a real pseudo-terminal with the terminal's keyboard: `press('\u0003')` is Ctrl+C typed
 * there (the terminal driver sends SIGINT to camdl, as for a person at the keyboard).
 */
function startInTerminal(args: string[], env: NodeJS.ProcessEnv, onScreen: (screen: string, press: (keys: string) => void) => void): Promise<CamdlRun> {
  const quote = (text: string): string => `'${text.replaceAll("'", "'\\''")}'`;
  // `noflsh`: by default the terminal driver throws away the output still queued when Ctrl+C is typed,
  // so a line camdl wrote just before the key could vanish from the screen this test reads.
  const command = `stty noflsh && exec ${[process.execPath, CAMDL_BIN, ...args].map(quote).join(' ')}`;
  const started = Date.now();
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env: { ...process.env, CI: '', TERM: 'xterm', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const press = (keys: string): void => {
    child.stdin.write(keys);
  };
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    onScreen(stdout, press);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      child.stdin.destroy();
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    }),
  );
}

// eslint-disable-next-line no-control-regex
const ESCAPE = /\u001b\[/;

/** A terminal's output as lines: no carriage returns, no live-block redraws, no echoed `^C`. */
function plainScreen(stdout: string): string[] {
  // eslint-disable-next-line no-control-regex
  return stdout.replaceAll('\r', '').replace(/\u001b\[\d+A\u001b\[0J/g, '').replaceAll('^C', '').split('\n');
}

/**
 * Runs camdl in a terminal and types Ctrl+C once the screen matches `shown`: it must have been typed,
 * camdl must exit 130, and the terminal must have echoed the key (typed there, not sent by kill).
 */
async function ctrlCOnceShown(args: string[], env: NodeJS.ProcessEnv, shown: RegExp): Promise<{ run: CamdlRun; lines: string[] }> {
  let typed = false;
  const run = await startInTerminal(args, env, (screen, press) => {
    if (!typed && shown.test(screen)) {
      typed = true;
      press('\u0003');
    }
  });
  expect(typed).toBe(true);
  expect(run.code, run.stdout).toBe(130);
  expect(run.stdout).toContain('^C');
  return { run, lines: plainScreen(run.stdout) };
}

describe.skipIf(!sqliteAvailable())('camdl sync: what it shows, and --every', () => {
  const track = closeAfterEach();
  let fleet: CamdlFleet | undefined;
  beforeAll(() => assertCamdlBuilt());

  const slowFleet = async (): Promise<CamdlFleet> => {
    const started = await startCamdlFleet([
      { sim: { profile: 'timelapse3', content: { archives: syntheticArchives(2, 300_000) } }, extra: ['time-zone: UTC'] },
      { sim: { profile: 'timelapse2-v1', content: { archives: syntheticArchives(2, 300_000) } }, extra: ['time-zone: UTC'] },
    ]);
    // ~0.75 s per file: both cameras are busy at the same time for a while.
    for (const sim of started.sims) sim.addFault({ route: 'download', kind: 'slow', bytesPerSec: 400_000 });
    return started;
  };

  it.skipIf(missingSystemTools('script') !== undefined)('on a terminal: one live line per active camera, redrawn in place, then the plain lines', async () => {
    fleet = track(await slowFleet());
    const run = await runInTerminal(['sync', '--config', fleet.config], fleet.env);
    expect(run.code, run.stdout).toBe(0);
    const screen = run.stdout.replaceAll('\r', '');
    // The live block is erased and redrawn in place: cursor up over its lines, clear to the end.
    // eslint-disable-next-line no-control-regex
    const frames = screen.split(/\u001b\[\d+A\u001b\[0J/).slice(1);
    expect(frames.length).toBeGreaterThan(2);
    // At some moment both cameras download: two live lines, one per camera, with their file counts.
    const both = frames.map((frame) => frame.split('\n').filter((line) => /^cam[01] +\d+\/2 /.test(line)));
    expect(both.some((lines) => lines.length === 2 && lines[0]!.startsWith('cam0') && lines[1]!.startsWith('cam1'))).toBe(true);
    // Never two live lines for one camera in one frame.
    for (const lines of both) expect(new Set(lines.map((line) => line.slice(0, 4))).size).toBe(lines.length);
    // Between redraws, the plain lines: each file saved, then the summary, with no live line left after it.
    // eslint-disable-next-line no-control-regex
    const lines = screen.replace(/\u001b\[\d+A\u001b\[0J/g, '').split('\n');
    expect(lines.some((line) => /^SAVE {2}cam0\/2026-03-01\/Site_2026_03_02_0000\.mp4 \(300000 bytes, sha256 [0-9a-f]{12}…\)$/.test(line))).toBe(true);
    expect(lines.filter((line) => line.startsWith('SAVE  '))).toHaveLength(4);
    // eslint-disable-next-line no-control-regex
    expect(screen.trimEnd().split('\n').pop()).toMatch(/^(\u001b\[\d+A\u001b\[0J)?Done\. downloaded=4 /);
  });

  it('off a terminal: plain lines without escapes; with --json, NDJSON on stdout and nothing else there', async () => {
    fleet = track(await slowFleet());
    const plain = await runCamdl(['sync', '--config', fleet.config], fleet.env);
    expect(plain.code).toBe(0);
    expect(plain.stdout + plain.stderr).not.toMatch(ESCAPE);
    expect(plain.stdout.trim().split('\n').filter((line) => line.startsWith('SAVE '))).toHaveLength(4);
    await fleet.close();
    fleet = track(await slowFleet());
    const json = await runCamdl(['sync', '--config', fleet.config, '--json'], fleet.env);
    expect(json.code).toBe(0);
    expect(json.stdout + json.stderr).not.toMatch(ESCAPE);
    const lines = events(json.stdout);
    expect(lines.filter((line) => line.type === 'file-done')).toHaveLength(4);
    expect(lines.at(-1)).toMatchObject({ type: 'run-done', exitCode: 0 });
  });

  it('--every runs again on schedule, one run after the other (never overlapping); Ctrl+C between runs exits 130 cleanly', async () => {
    fleet = track(await slowFleet());
    // Each run takes longer than the interval (~1.5 s of downloads): the next starts when it ends, not before.
    let sent = false;
    const { done } = startCamdl(['sync', '--config', fleet.config, '--every', '1s', '--no-progress'], {
      env: fleet.env,
      onStdout: (text, child) => {
        if (!sent && (text.match(/^Next run at /gm) ?? []).length === 3) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    const run = await done;
    expect(run.code, run.stderr).toBe(130);
    expect(run.stderr).toBe('');
    const dones = run.stdout.match(/^Done\. downloaded=\d+/gm) ?? [];
    expect(dones).toEqual(['Done. downloaded=4', 'Done. downloaded=0', 'Done. downloaded=0']);
    // Between runs nothing is in progress: the first Ctrl+C stops at once and says so.
    expect(run.stdout).toMatch(/^Stopped while waiting for the next run \(nothing was in progress\)\.$/m);
    expect(run.stdout).not.toMatch(/Stopping after the current files|Ctrl\+C again/);
    const ledger = Ledger.open(loadConfig(fleet.config).ledger, { readOnly: true });
    try {
      const runs = ledger.runs().reverse();
      expect(runs.map((entry) => entry.status)).toEqual(['ok', 'ok', 'ok']);
      for (let index = 1; index < runs.length; index += 1) {
        // Never overlapping; and on schedule: at least the interval after the previous start.
        expect(runs[index]!.startedMs).toBeGreaterThanOrEqual(runs[index - 1]!.finishedMs!);
        expect(runs[index]!.startedMs - runs[index - 1]!.startedMs).toBeGreaterThanOrEqual(1000);
      }
      // The second run starts when the first (longer than the interval) has ended, not an interval later.
      expect(runs[1]!.startedMs - runs[0]!.finishedMs!).toBeLessThan(1000);
    } finally {
      ledger.close();
    }
  });

  it('--every 1h: after the run it waits for the hour (the next run is announced an hour after this one started); Ctrl+C while waiting exits 130', async () => {
    fleet = track(await startCamdlFleet([{ sim: { profile: 'timelapse3', content: { archives: syntheticArchives(1, 10_000) } }, extra: ['time-zone: UTC'] }]));
    const before = Date.now();
    let sent = false;
    const { done } = startCamdl(['sync', '--config', fleet.config, '--every', '1h'], {
      env: fleet.env,
      onStdout: (text, child) => {
        if (!sent && /^Next run at /m.test(text)) {
          sent = true;
          setTimeout(() => child.kill('SIGINT'), 300);
        }
      },
    });
    const run = await done;
    expect(run.code).toBe(130);
    const next = /^Next run at (\S+) \(exit code of this one: 0\)$/m.exec(run.stdout);
    expect(next).not.toBeNull();
    const at = Date.parse(next![1]!);
    expect(at - before).toBeGreaterThanOrEqual(3_600_000 - 1000);
    expect(at - Date.now()).toBeLessThanOrEqual(3_600_000);
    expect(run.stdout.match(/^Done\. /gm)).toHaveLength(1);
  });

  it('--every 1h: SIGTERM while it waits stops at once with 143, saying nothing was in progress', async () => {
    fleet = track(await startCamdlFleet([{ sim: { profile: 'timelapse3', content: { archives: syntheticArchives(1, 10_000) } }, extra: ['time-zone: UTC'] }]));
    let sent = false;
    const { done } = startCamdl(['sync', '--config', fleet.config, '--every', '1h', '--no-progress'], {
      env: fleet.env,
      onStdout: (text, child) => {
        if (!sent && /^Next run at /m.test(text)) {
          sent = true;
          child.kill('SIGTERM');
        }
      },
    });
    const run = await done;
    expect(sent).toBe(true);
    expect(run.code, run.stdout).toBe(143);
    expect(run.stdout).toMatch(/^Terminated while waiting for the next run \(nothing was in progress\)\.$/m);
    expect(run.stdout).not.toMatch(/partial downloads/);
  });

  it.skipIf(missingSystemTools('script') !== undefined)('--every 1h on a terminal: Ctrl+C typed while it waits stops at once (exit 130), saying nothing was in progress', async () => {
    fleet = track(await startCamdlFleet([{ sim: { profile: 'timelapse3', content: { archives: syntheticArchives(1, 10_000) } }, extra: ['time-zone: UTC'] }]));
    // Had it waited for the hour, or for a second Ctrl+C, this test would time out.
    const { lines } = await ctrlCOnceShown(['sync', '--config', fleet.config, '--every', '1h'], fleet.env, /Next run at \S+ \(exit code of this one: 0\)/);
    expect(lines).toContain('Stopped while waiting for the next run (nothing was in progress).');
    expect(lines.join('\n')).not.toMatch(/Stopping after the current files|Ctrl\+C again/);
    expect(lines.filter((line) => line.startsWith('Done. '))).toHaveLength(1);
    const ledger = Ledger.open(loadConfig(fleet.config).ledger, { readOnly: true });
    try {
      // The one run finished before the wait: it stays ok, and no other run was started.
      expect(ledger.runs().map((entry) => entry.status)).toEqual(['ok']);
    } finally {
      ledger.close();
    }
  });

  it.skipIf(missingSystemTools('script') !== undefined)('--every 1h on a terminal: Ctrl+C typed while files download finishes the current files first (exit 130, no next run)', async () => {
    // Four files per camera, one at a time each (~0.75 s a file): whenever Ctrl+C lands, each camera has
    // at most one file under way and more waiting.
    fleet = track(await startCamdlFleet([
      { sim: { profile: 'timelapse3', content: { archives: syntheticArchives(4, 300_000) } }, extra: ['time-zone: UTC'] },
      { sim: { profile: 'timelapse2-v1', content: { archives: syntheticArchives(4, 300_000) } }, extra: ['time-zone: UTC'] },
    ]));
    for (const sim of fleet.sims) sim.addFault({ route: 'download', kind: 'slow', bytesPerSec: 400_000 });
    // The live block is redrawn before each plain line: SAVE need not start a line of the raw screen.
    const { run, lines } = await ctrlCOnceShown(['sync', '--config', fleet.config, '--every', '1h'], fleet.env, /SAVE {2}cam/);
    const stopAt = lines.findIndex((line) => line === 'Stopping after the current files (Ctrl+C again to stop now)…');
    expect(stopAt, run.stdout).toBeGreaterThan(0);
    expect(lines.some((line) => line.startsWith('Stopped while waiting'))).toBe(false);
    // The files under way when Ctrl+C came were finished and saved, not cut off; no camera started
    // another one (at most one per camera after the stop).
    const savedAfter = lines.slice(stopAt).filter((line) => line.startsWith('SAVE  '));
    expect(savedAfter.length).toBeGreaterThanOrEqual(1);
    expect(savedAfter.length).toBeLessThanOrEqual(2);
    expect(new Set(savedAfter.map((line) => line.slice(6, 10))).size).toBe(savedAfter.length);
    expect(lines.some((line) => line.startsWith('Next run at'))).toBe(false);
    const saved = lines.filter((line) => line.startsWith('SAVE  ')).length;
    const ledger = Ledger.open(loadConfig(fleet.config).ledger, { readOnly: true });
    try {
      expect(ledger.runs().map((entry) => entry.status)).toEqual(['interrupted']);
      // The ledger says what the screen said, and the rest is left for the next run.
      const verified = ledger.allRecordings().filter((row) => row.state === 'verified');
      expect(verified, run.stdout).toHaveLength(saved);
      expect(verified.length).toBeLessThan(8);
    } finally {
      ledger.close();
    }
  });
});
