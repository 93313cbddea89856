import { CAMDL_EXIT_MEANINGS, camdlUsageError, CONFIG_OPTION, toCamdlExit } from './camdl-flags.js';
import { defineCommand, parseCommand } from './command-spec.js';
import { writeLines } from './line-stamps.js';

/** `host:port`, `[v6]:port` → listen address (port 0: one the system picks, shown at start); undefined when not one. */
export function parseListen(text: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text.trim());
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  return { host: match[1] ?? match[2]!, port };
}

const SERVE = defineCommand({
  name: 'camdl serve',
  synopsis: '--config camdl.yaml [--listen 127.0.0.1:9469] [--every 1h] [--max-age 26h]',
  description: 'Serve / (the coverage report, fresh at each load), /metrics (Prometheus text exposition) and /healthz (JSON: 200 while the last run is recent and no alert is open, 503 otherwise). With --every, also run the sync on that schedule.',
  options: {
    config: CONFIG_OPTION,
    listen: { type: 'string', default: '127.0.0.1:9469', describe: 'Address and port to listen on' },
    every: { type: 'string', describe: 'Also run camdl sync this long after each start (1h, 30m)' },
    'max-age': { type: 'string', describe: '/healthz is 503 once the last completed run is older (default 2× --every, else 26h)' },
  },
  examples: [
    ['camdl serve --config camdl.yaml', '/metrics and /healthz on 127.0.0.1:9469'],
    ['camdl serve --config camdl.yaml --every 1h --listen 0.0.0.0:9469', 'also run the sync every hour'],
  ],
  exitCodes: { ok: 'stopped', someFailed: 'the address cannot be listened on', ...CAMDL_EXIT_MEANINGS },
});

/** `camdl serve --config camdl.yaml [--listen 127.0.0.1:9469] [--every 1h] [--max-age 26h]` */
export async function run(argv: string[]): Promise<number> {
  const parsed = await parseCommand(SERVE, argv);
  if (parsed.kind === 'exit') return parsed.code;
  const args = parsed.args;
  const { loadConfig, parseDuration, startMonitorServer, DEFAULT_HEALTH_MAX_AGE_MS } = await import('@camdl/sync');
  const listen = parseListen(args.listen);
  if (!listen) throw camdlUsageError(`--listen must be host:port (127.0.0.1:9469), got ${JSON.stringify(args.listen)}`);
  const every = args.every === undefined ? undefined : parseDuration(args.every);
  if (args.every !== undefined && every === undefined) throw camdlUsageError(`--every must be a duration such as 30m, 1h or 1d, got ${JSON.stringify(args.every)}`);
  const maxAge = args.maxAge === undefined ? undefined : parseDuration(args.maxAge);
  if (args.maxAge !== undefined && maxAge === undefined) throw camdlUsageError(`--max-age must be a duration such as 2h or 26h, got ${JSON.stringify(args.maxAge)}`);
  let config;
  try {
    config = loadConfig(args.config);
  } catch (error) {
    toCamdlExit(error);
  }
  let server;
  try {
    server = await startMonitorServer(config, { ...listen, maxAgeMs: maxAge ?? (every === undefined ? DEFAULT_HEALTH_MAX_AGE_MS : 2 * every) });
  } catch (error) {
    throw camdlUsageError(`cannot listen on ${args.listen}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  writeLines(process.stderr, `camdl serve: ${server.url}/metrics and ${server.url}/healthz\ncamdl serve: the coverage report at ${server.url}/`);
  try {
    if (every !== undefined) {
      // The sync loop of `camdl sync --every` (its interrupts, its lines); the server lives as long as it.
      const sync = await import('./camdl-sync.js');
      return await sync.run(['--config', args.config, '--every', args.every!, '--no-progress']);
    }
    const { installInterruptHandler } = await import('./interrupt.js');
    const interrupt = installInterruptHandler();
    try {
      await new Promise<void>((resolve) => interrupt.stopSignal.addEventListener('abort', () => resolve(), { once: true }));
    } finally {
      interrupt.dispose();
    }
    return interrupt.state === 'terminate' ? 143 : 130;
  } finally {
    await server.close();
  }
}
