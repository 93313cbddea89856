// One `camdl sync` run in its own process (the built library), measuring itself: wall time, the
// download phase, CPU (user+sys) and peak RSS. Prints one JSON line.
import { fileURLToPath } from 'node:url';
import { peakRssMiB } from './peak-rss.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { loadConfig, syncFleet } = await import(`${root}packages/sync/dist/index.js`);
const config = loadConfig(process.argv[2]);
const started = performance.now();
const cpu = process.cpuUsage();
let firstStart;
let lastDone;
let bytes = 0;
const { outcome, summary } = await syncFleet(config, {
  onEvent: (event) => {
    if (event.type === 'file-start') firstStart ??= performance.now();
    if (event.type === 'file-done') {
      lastDone = performance.now();
      bytes += event.size;
    }
  },
});
const used = process.cpuUsage(cpu);
process.stdout.write(
  `${JSON.stringify({
    outcome,
    bytes,
    wallMs: performance.now() - started,
    downloadMs: (lastDone ?? 0) - (firstStart ?? 0),
    cpuMs: (used.user + used.system) / 1000,
    maxRssMiB: peakRssMiB(),
    cameras: summary.cameras.map((camera) => ({ camera: camera.camera, status: camera.status, downloaded: camera.downloaded, failed: camera.failed, error: camera.error })),
  })}\n`,
);
