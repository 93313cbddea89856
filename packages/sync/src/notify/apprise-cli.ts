import { spawn } from 'node:child_process';
import type { AppriseChannelConfig } from '../alerts/monitoring-config.js';
import { SyncError } from '../errors.js';
import { appriseType } from './http-channels.js';
import type { NotifyMessage } from './notify-message.js';

/** Where Debian installs the apprise CLI; `CAMDL_APPRISE` overrides (tests, other systems). */
export const DEFAULT_APPRISE = 'apprise';

/**
 * Runs Debian's `apprise` CLI: the URLs (which hold tokens) come from the urls-file by path, the body
 * on stdin, never on the command line; the child gets a bare environment (no camera password, no
 * secret of another channel). Killed at the deadline, so a hung notification never outlives the run.
 */
export async function sendAppriseCli(channel: AppriseChannelConfig & { urlsFile: string }, message: NotifyMessage, env: NodeJS.ProcessEnv): Promise<void> {
  const program = env['CAMDL_APPRISE'] || DEFAULT_APPRISE;
  const childEnv: NodeJS.ProcessEnv = { PATH: env['PATH'] ?? '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: env['HOME'] ?? '/nonexistent' };
  const args = ['--config', channel.urlsFile, '--title', message.title, '--notification-type', appriseType(message), '--input-format', 'text'];
  await new Promise<void>((resolve, reject) => {
    const child = spawn(program, args, { env: childEnv, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    let settled = false;
    const fail = (reason: string): void => {
      if (settled) return;
      settled = true;
      reject(new SyncError(`apprise (urls-file ${channel.urlsFile}): ${reason}`, { code: 'ERR_SYNC_NOTIFY' }));
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(`timed out after ${Math.round(channel.timeoutMs / 1000)} s`);
    }, channel.timeoutMs);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 4096) stderr += chunk;
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      fail(error.code === 'ENOENT' ? `${program} not found (Debian: apt install apprise)` : (error.code ?? error.message));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) {
        if (!settled) {
          settled = true;
          resolve();
        }
        return;
      }
      // Apprise's own lines may quote a URL with its token: only the exit status is shown.
      fail(`exit status ${code ?? 'killed'}${/no (?:loadable|valid) (?:apprise )?(?:urls|configuration)/i.test(stderr) ? ' (no usable URL in the urls-file)' : ''}`);
    });
    child.stdin.on('error', () => {});
    child.stdin.end(message.text);
  });
}
