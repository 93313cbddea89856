import { execFile as execFileCallback, spawn } from 'node:child_process';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir, sha256File, type TempDir } from '@camdl/test-utils';
import type { startCameraSim as startCameraSimType } from '@camdl/camera-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const execFile = promisify(execFileCallback);
const root = new URL('..', import.meta.url).pathname;
const publishable = ['http-digest', 'throttled-download', 'media', 'axis-timelapse2', 'amcrest-recordings', 'hikvision-isapi', 'axis-edge', 'sync', 'offsite', 'camera-sim', 'cli'];

/**
 * What a user gets from npm: every package packed by pnpm (publishConfig applied, workspace:
 * ranges replaced), installed with npm into a fresh project outside the workspace, imported from
 * plain Node, type-checked from a TypeScript consumer, and the installed binaries run for real.
 */
describe('published packages', () => {
  let work: TempDir;
  let project: string;

  beforeAll(async () => {
    work = await makeTempDir('camdl-pack-');
    const tarballs = join(work.path, 'tarballs');
    await mkdir(tarballs);
    for (const name of publishable) {
      await execFile('pnpm', ['pack', '--pack-destination', tarballs], { cwd: join(root, 'packages', name) });
    }
    project = join(work.path, 'consumer');
    await mkdir(project);
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    const files = (await readdir(tarballs)).map((file) => join(tarballs, file));
    await execFile('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...files], { cwd: project, timeout: 240_000 });
  }, 300_000);

  afterAll(async () => {
    await work?.cleanup();
  });

  it('ships only dist (and bin) with types, and no workspace: ranges', async () => {
    for (const name of publishable) {
      const manifest = JSON.parse(await readFile(join(project, 'node_modules', '@camdl', name, 'package.json'), 'utf8'));
      expect(JSON.stringify(manifest)).not.toContain('workspace:');
      expect(JSON.stringify(manifest.exports)).not.toContain('src/');
      expect(manifest.exports['.'].types).toBe('./dist/index.d.ts');
      const entries = await readdir(join(project, 'node_modules', '@camdl', name));
      expect(entries).not.toContain('src');
      expect(entries).toContain('dist');
      // Private workspace packages are bundled at build time, never required at run time.
      expect(Object.keys(manifest.dependencies ?? {})).not.toContain('@camdl/internal');
      for (const file of await readdir(join(project, 'node_modules', '@camdl', name, 'dist'))) {
        if (!/\.(js|d\.ts)$/.test(file)) continue;
        const text = await readFile(join(project, 'node_modules', '@camdl', name, 'dist', file), 'utf8');
        expect(text, `${name}/dist/${file}`).not.toMatch(/@camdl\/(internal|test-utils)['"]/);
      }
    }
  });

  it('imports every library from plain Node ESM', async () => {
    const script = publishable
      .map((name) => `const m_${name.replace(/-/g, '_')} = await import('@camdl/${name}'); if (Object.keys(m_${name.replace(/-/g, '_')}).length === 0) throw new Error('${name} exports nothing');`)
      .join('\n');
    await writeFile(join(project, 'import-all.mjs'), `${script}\nconsole.log('imported ${publishable.length}');\n`);
    const { stdout } = await execFile(process.execPath, ['import-all.mjs'], { cwd: project });
    expect(stdout.trim()).toBe(`imported ${publishable.length}`);
  });

  it('type-checks a TypeScript consumer against the published declarations', async () => {
    await writeFile(
      join(project, 'consumer.ts'),
      [
        "import { createDigestFetch, digestInterceptor } from '@camdl/http-digest';",
        "import { download, RateLimiter } from '@camdl/throttled-download';",
        "import { createTarget, isOffsiteError } from '@camdl/offsite';",
        "import { Agent } from 'undici';",
        "const fetchWithDigest = createDigestFetch({ username: 'admin', password: 'secret' });",
        "const dispatcher = new Agent().compose(digestInterceptor({ username: 'admin', password: 'secret' }));",
        'const limiter = new RateLimiter({ mbps: 10 });',
        "export async function run(): Promise<string> {",
        "  const response = await fetchWithDigest('http://127.0.0.1:1/');",
        "  const result = await download('http://127.0.0.1:1/x', '/tmp/x', { dispatcher, rateLimiter: limiter });",
        "  const target = createTarget({ kind: 'directory', name: 'usb', path: '/tmp' });",
        "  const put = await target.put('/tmp/x', 'x', { size: 1, sha256: '0'.repeat(64), rateLimiter: limiter }).catch((error: unknown) => (isOffsiteError(error) ? error.code : 'other'));",
        "  return `${response.status} ${result.status} ${typeof put === 'string' ? put : put.status}`;",
        '}',
        '',
      ].join('\n'),
    );
    await writeFile(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', noEmit: true, skipLibCheck: false, types: [], typeRoots: [join(root, 'node_modules/@types')] },
        files: ['consumer.ts'],
      }),
    );
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const result = await execFile(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project }).catch((error: { stdout: string }) => error);
    expect('stdout' in result ? result.stdout : '').toBe('');
  });

  it('--version of every installed binary prints the installed @camdl/cli version, read at run time', async () => {
    const bin = join(project, 'node_modules/.bin');
    const manifestPath = join(project, 'node_modules/@camdl/cli/package.json');
    const original = await readFile(manifestPath, 'utf8');
    const packed = (JSON.parse(original) as { version: string }).version;
    const before = await execFile(join(bin, 'camdl'), ['--version']);
    expect(before.stdout).toBe(`${packed}\n`);
    // A version only the installed manifest holds: a value fixed at build time cannot print it.
    const marker = '9.8.7-packaging.1';
    await writeFile(manifestPath, JSON.stringify({ ...JSON.parse(original), version: marker }, null, 2));
    try {
      for (const tool of ['timelapse2-dl', 'amcrest-dl', 'camdl']) {
        const { stdout } = await execFile(join(bin, tool), ['--version']);
        expect(stdout, tool).toBe(`${marker}\n`);
      }
      const verbose = await execFile(join(bin, 'amcrest-dl'), ['--version', '--verbose']);
      expect(verbose.stdout).toBe(`${marker}\nNode.js ${process.version} (${process.platform} ${process.arch})\n`);
    } finally {
      await writeFile(manifestPath, original);
    }
  });

  it('runs the installed binaries: --help, and a real download from the installed simulator', async () => {
    const bin = join(project, 'node_modules/.bin');
    for (const tool of ['timelapse2-dl', 'amcrest-dl']) {
      const { stdout } = await execFile(join(bin, tool), ['--help']);
      expect(stdout).toContain(tool);
      expect(stdout).toContain('--host');
    }
    const camdlHelp = await execFile(join(bin, 'camdl'), ['sync', '--help']);
    expect(camdlHelp.stdout).toContain('camdl sync --config camdl.yaml');
    // The installed camera-sim binary starts and prints its URL.
    const simProcess = spawn(join(bin, 'camera-sim'), ['--profile', 'timelapse3', '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let buffered = '';
        simProcess.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const found = buffered.split('\n').find((candidate) => candidate.trim().startsWith('{'));
          if (found) resolve(found);
        });
        simProcess.on('exit', (code) => reject(new Error(`camera-sim exited with ${code}`)));
      });
      expect(JSON.parse(line)).toMatchObject({ profile: 'timelapse3', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+/) });
    } finally {
      simProcess.kill('SIGTERM');
    }
    // A real download by the installed timelapse2-dl from the installed simulator library, checked byte for byte.
    const { startCameraSim } = (await import(join(project, 'node_modules/@camdl/camera-sim/dist/index.js'))) as { startCameraSim: typeof startCameraSimType };
    const sim = await startCameraSim({ profile: 'timelapse3', content: 'tiny' });
    try {
      const outdir = join(work.path, 'downloads');
      const { stdout } = await execFile(join(bin, 'timelapse2-dl'), ['--host', sim.url, '--user', sim.username, '--outdir', outdir, '--no-progress'], {
        env: { ...process.env, TIMELAPSE2_DL_PASSWORD: sim.password },
        timeout: 120_000,
      });
      expect(stdout).toContain(`Done. downloaded=${sim.archives.length} skipped=0 failed=0`);
      const expected = sim.archives.map((archive) => archive.sha256).sort();
      const files = await readdir(outdir);
      const actual = await Promise.all(files.map((file) => sha256File(join(outdir, file))));
      expect(actual.sort()).toEqual(expected);
    } finally {
      await sim.close();
    }
  });
});
