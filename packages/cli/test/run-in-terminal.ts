import { spawn } from 'node:child_process';
import { CAMDL_BIN, type CamdlRun } from './camdl-helpers.js';

/** Runs camdl in a real pseudo-terminal (util-linux `script`): its stdout and stderr are the terminal. */
export function runInTerminal(args: string[], env: NodeJS.ProcessEnv): Promise<CamdlRun> {
  const quote = (text: string): string => `'${text.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, CAMDL_BIN, ...args].map(quote).join(' ');
  const started = Date.now();
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env: { ...process.env, CI: '', TERM: 'xterm', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - started })));
}
