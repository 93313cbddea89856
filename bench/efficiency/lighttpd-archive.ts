// The efficiency anchors' server: lighttpd with MD5 Digest serving one Timelapse 3.x archive of
// `sizeBytes` synthetic bytes (the camera simulator's own listing and bytes), for bench.ts and for
// looking at one client by hand:
//
//   pnpm exec tsx bench/efficiency/lighttpd-archive.ts 2048     (prints the URL; Enter or EOF stops it)
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCameraSim } from '../../packages/camera-sim/src/index.js';
import { startLighttpdServer } from '../../packages/test-utils/src/index.js';

export interface LighttpdArchive {
  url: string;
  user: string;
  password: string;
  filename: string;
  stop(): Promise<void>;
}

export async function startLighttpdArchive(sizeBytes: number): Promise<LighttpdArchive> {
  const filename = 'Bench_Gate_2026_01_01_0000.mp4';
  const realm = 'AXIS_ACCC8EB3494E';
  const password = 'bench-pass';
  const sim = await startCameraSim({ profile: 'timelapse3', content: { archives: [{ filename, content: 'synthetic', size: sizeBytes }] } });
  const docFiles: Record<string, string> = {};
  const scratch = mkdtempSync(join(tmpdir(), 'camdl-bench-lighttpd-'));
  try {
    const archive = sim.archives[0];
    if (!archive) throw new Error('no archive');
    // Not spawnSync: the simulator answers from this very event loop.
    const fetchFromSim = async (path: string, dest: string): Promise<void> => {
      const child = spawn('curl', ['-sf', '--digest', '-u', `${sim.username}:${sim.password}`, '-o', dest, `${sim.url}${path}`], { stdio: 'ignore' });
      const [code] = (await once(child, 'exit')) as [number | null];
      if (code !== 0) throw new Error(`curl ${path} failed (${code})`);
    };
    for (const name of ['app', 'archive']) {
      await fetchFromSim(`/local/timelapse2/${name}`, join(scratch, name));
      docFiles[name] = readFileSync(join(scratch, name), 'utf8');
    }
    await fetchFromSim(sim.downloadPath(archive), join(scratch, 'download'));
  } finally {
    await sim.close();
  }
  try {
    const server = await startLighttpdServer({
      modules: ['mod_auth', 'mod_authn_file'],
      files: { 'local/timelapse2/app': docFiles['app'] ?? '', 'local/timelapse2/archive': docFiles['archive'] ?? '' },
      prepare: async (root) => {
        const ha1 = createHash('md5').update(`root:${realm}:${password}`).digest('hex');
        writeFileSync(join(root, 'htdigest'), `root:${realm}:${ha1}\n`);
        // The archive itself, the simulator's bytes, moved in (lighttpd serves it whatever the query).
        renameSync(join(scratch, 'download'), join(root, 'htdocs', 'local', 'timelapse2', 'download'));
      },
      extraConfig: (root) => `
auth.backend = "htdigest"
auth.backend.htdigest.userfile = "${join(root, 'htdigest')}"
auth.require = ("/local/timelapse2" => ("method" => "digest", "realm" => "${realm}", "require" => "valid-user", "algorithm" => "MD5"))`,
    });
    return { url: server.url, user: 'root', password, filename, stop: () => server.stop() };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await startLighttpdArchive(Number(process.argv[2] ?? 2048) * 1024 * 1024);
  console.log(JSON.stringify({ url: server.url, user: server.user, password: server.password, filename: server.filename }));
  process.stdin.resume();
  process.stdin.once('data', () => void server.stop().then(() => process.exit(0)));
  process.stdin.once('end', () => void server.stop().then(() => process.exit(0)));
}
