/**
 * Pre-emptive digest vs. challenge-every-time: 1,000 sequential requests each against Apache
 * mod_auth_digest on 127.0.0.1 (or a node:http digest server when apache2 is missing).
 * Run: pnpm exec tsx bench/http-digest/bench.ts
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createDigestFetch } from '../../packages/http-digest/src/index.js';
// The bench is not a workspace package: import the sources directly.
import { startApacheServer } from '../../packages/test-utils/src/apache-server.js';
import { findSystemTool } from '../../packages/test-utils/src/system-tool.js';

const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 1000);
const username = 'bench';
const password = 'bench-password';
const realm = 'camdl bench';

interface Target {
  name: string;
  url: string;
  countRequests(): Promise<number>;
  stop(): Promise<void>;
}

async function apacheTarget(): Promise<Target> {
  let root = '';
  const server = await startApacheServer({
    files: { 'clip.bin': Buffer.alloc(1024, 7) },
    extraConfig: 'AuthDigestShmemSize 1048576',
    prepare: async (dir) => {
      root = dir;
      const ha1 = createHash('md5').update(`${username}:${realm}:${password}`).digest('hex');
      await writeFile(join(dir, 'htdigest'), `${username}:${realm}:${ha1}\n`);
    },
    get directoryConfig() {
      return `AuthType Digest
  AuthName "${realm}"
  AuthDigestProvider file
  AuthUserFile "${root}/htdigest"
  AuthDigestNcCheck On
  Require valid-user`;
    },
  });
  return {
    name: 'Apache httpd mod_auth_digest (AuthDigestNcCheck On)',
    url: `${server.url}/clip.bin`,
    countRequests: async () => (await server.readAccessLog()).length,
    stop: () => server.stop(),
  };
}

async function nodeTarget(): Promise<Target> {
  const { startDigestTestServer } = await import('../../packages/http-digest/test/digest-test-server.js');
  const server = await startDigestTestServer({ username, password, realm });
  return { name: 'node:http digest server (apache2 missing)', url: `${server.url}/clip.bin`, countRequests: async () => server.seen.length, stop: () => server.close() };
}

async function run(target: Target, preemptive: boolean): Promise<{ rps: number; serverRequests: number; ms: number }> {
  const fetch = createDigestFetch({ username, password, preemptive });
  const before = await target.countRequests();
  const start = performance.now();
  for (let i = 0; i < REQUESTS; i++) {
    const response = await fetch(target.url);
    if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
    await response.arrayBuffer();
  }
  const ms = performance.now() - start;
  return { rps: (REQUESTS / ms) * 1000, serverRequests: (await target.countRequests()) - before, ms };
}

const target = findSystemTool('apache2') ? await apacheTarget() : await nodeTarget();
try {
  await run(target, true); // warm up connections and JIT
  const naive = await run(target, false);
  const ours = await run(target, true);
  console.log(`${REQUESTS} sequential GETs of 1 KiB against ${target.name}, Node ${process.version}\n`);
  const rows = [
    ['mode', 'req/s', 'total ms', 'server requests'],
    ['pre-emptive (default)', ours.rps.toFixed(0), ours.ms.toFixed(0), String(ours.serverRequests)],
    ['challenge every time (preemptive: false)', naive.rps.toFixed(0), naive.ms.toFixed(0), String(naive.serverRequests)],
  ];
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  for (const row of rows) console.log(row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  '));
  console.log(`\nspeed-up: ${(ours.rps / naive.rps).toFixed(2)}x, server requests saved: ${naive.serverRequests - ours.serverRequests}`);
} finally {
  await target.stop();
}
