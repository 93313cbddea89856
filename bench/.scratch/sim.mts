import { startCameraSim } from '../../packages/camera-sim/src/index.js';
const size = Number(process.argv[2] ?? 512) * 1024 * 1024;
const profile = (process.argv[3] ?? 'timelapse3') as 'timelapse3';
const sim = profile === 'amcrest' as string
  ? await startCameraSim({ profile: 'amcrest', content: { recordings: Array.from({ length: 8 }, (_, i) => ({ start: `2026-01-16 ${String(10 + i).padStart(2, '0')}:00:00`, end: `2026-01-16 ${String(10 + i).padStart(2, '0')}:59:59`, content: 'synthetic' as const, size })) } } as never)
  : await startCameraSim({ profile, content: { archives: [{ filename: 'Bench_Gate_2026_01_01_0000.mp4', content: 'synthetic', size }] } } as never);
console.log(JSON.stringify({ url: sim.url, user: sim.username, pass: sim.password }));
process.stdin.resume();
process.stdin.on('end', () => void sim.close().then(() => process.exit(0)));
