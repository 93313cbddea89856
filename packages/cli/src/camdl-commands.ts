/** One `camdl` sub-command: a small module loaded only when it runs. */
export interface CamdlCommand {
  name: string;
  /** One line for `camdl --help`. */
  summary: string;
  /** Loads the module and returns its entry: argv after the command name → exit code. */
  load(): Promise<(argv: string[]) => Promise<number>>;
}

/**
 * The commands of `camdl`, in help order. A new command is one module (`camdl-<name>.ts`, exporting
 * `run`) plus one line here.
 */
export const CAMDL_COMMANDS: readonly CamdlCommand[] = [
  { name: 'sync', summary: 'Archive every camera of the config: list, download oldest first, verify, record, delete-after', load: async () => (await import('./camdl-sync.js')).run },
  { name: 'get', summary: 'Download one camera’s window once into a folder (any kind), verified like the sync; --merge into one file', load: async () => (await import('./camdl-get.js')).run },
  { name: 'status', summary: 'A verdict and a 30-day strip per camera (--verbose: per channel counts, gaps, copies)', load: async () => (await import('./camdl-status.js')).run },
  { name: 'verify', summary: 'Re-hash the archive (or, with --target, its copies) against the ledger; name every missing or changed file', load: async () => (await import('./camdl-verify.js')).run },
  { name: 'restore', summary: 'Download the copies on a target into a folder in the archive layout, each re-hashed against the ledger', load: async () => (await import('./camdl-restore.js')).run },
  { name: 'report', summary: 'Write the coverage report: one self-contained HTML page, a verdict and a calendar per camera', load: async () => (await import('./camdl-report.js')).run },
  { name: 'film', summary: 'One film of a whole project from its archives and recordings (--length, --speed, --every, --stamp)', load: async () => (await import('./camdl-film.js')).run },
  { name: 'alerts', summary: 'The open alert conditions (camera unreachable, login refused, disk low...) from the ledger', load: async () => (await import('./camdl-alerts.js')).run },
  { name: 'notify', summary: 'notify --test: one test message to every channel of notify:; names each one that failed', load: async () => (await import('./camdl-notify.js')).run },
  { name: 'serve', summary: 'Serve /metrics (Prometheus) and /healthz; with --every also run the sync on a schedule', load: async () => (await import('./camdl-serve.js')).run },
  { name: 'init', summary: 'Write a commented example config', load: async () => (await import('./camdl-init.js')).run },
];
