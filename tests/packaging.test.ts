import { execFile as execFileCallback, spawn } from 'node:child_process';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir, sha256File, type TempDir } from '@camdl/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const execFile = promisify(execFileCallback);
const root = new URL('..', import.meta.url).pathname;
const publishable = ['http-digest', 'throttled-download', 'axis-timelapse2', 'amcrest-recordings', 'camera-sim', 'cli'];

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
        "import { Agent } from 'undici';",
        "const fetchWithDigest = createDigestFetch({ username: 'admin', password: 'secret' });",
        "const dispatcher = new Agent().compose(digestInterceptor({ username: 'admin', password: 'secret' }));",
        'const limiter = new RateLimiter({ mbps: 10 });',
        "export async function run(): Promise<string> {",
        "  const response = await fetchWithDigest('http://127.0.0.1:1/');",
        "  const result = await download('http://127.0.0.1:1/x', '/tmp/x', { dispatcher, rateLimiter: limiter });",
        '  return `${response.status} ${result.status}`;',
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

  it('runs the installed binaries: --help, and a real download from the installed simulator', async () => {
    const bin = join(project, 'node_modules/.bin');
    for (const tool of ['timelapse2-dl', 'amcrest-dl']) {
      const { stdout } = await execFile(join(bin, tool), ['--help']);
      expect(stdout).toContain(tool);
      expect(stdout).toContain('--host');
    }
    const sim = spawn(join(bin, 'camera-sim'), ['--profile', 'timelapse3', '--port', '0', '--json'], { cwd: project, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const info = await new Promise<{ url: string; username: string; password: string }>((resolve, reject) => {
        let buffered = '';
        sim.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const line = buffered.split('\n').find((candidate) => candidate.trim().startsWith('{'));
          if (line) resolve(JSON.parse(line));
        });
        sim.on('exit', (code) => reject(new Error(`camera-sim exited with ${code}`)));
      });
      const outdir = join(work.path, 'downloads');
      const { stdout } = await execFile(
        join(bin, 'timelapse2-dl'),
        ['--host', info.url, '--user', info.username, '--outdir', outdir, '--no-progress'],
        { env: { ...process.env, TIMELAPSE2_DL_PASSWORD: info.password }, timeout: 120_000 },
      );
      expect(stdout).toMatch(/Done\. downloaded=[1-9]\d* skipped=0 failed=0/);
      const files = await readdir(outdir);
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) expect(await sha256File(join(outdir, file))).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      sim.kill('SIGTERM');
    }
  });
});
