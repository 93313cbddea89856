import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findFreePort } from '@camdl/test-utils';

/** Debian's Python with python3-aiosmtpd (a pyenv `python3` on PATH may lack it). */
export const SYSTEM_PYTHON = '/usr/bin/python3';

/** Whether the SMTP receiver can run here. */
export function aiosmtpdAvailable(): boolean {
  return spawnSync(SYSTEM_PYTHON, ['-c', 'import aiosmtpd'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

export interface ReceivedMail {
  raw: string;
  /** The body, quoted-printable decoded. */
  text: string;
  from: string;
  to: string[];
  tls: boolean;
  authenticated: boolean;
}

export interface SmtpReceiver {
  port: number;
  /** Every message received so far. */
  messages(): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

/** How the SMTP server misbehaves, as real servers do. */
export interface SmtpFaults {
  /** Addresses refused with 550 at RCPT TO. */
  rejectRecipients?: readonly string[];
  /** How many DATA commands are answered 451 (try again later) before one is accepted. */
  tempFailData?: number;
  /** Offer AUTH LOGIN only (no PLAIN). */
  authLoginOnly?: boolean;
}

/** A real SMTP server (aiosmtpd) on 127.0.0.1: STARTTLS required with `tls`, AUTH with `auth`, misbehaving with `faults`. */
export async function startSmtpReceiver(
  dir: string,
  options: { tls?: { certPath: string; keyPath: string }; auth?: { user: string; password: string }; faults?: SmtpFaults } = {},
): Promise<SmtpReceiver> {
  const faults = options.faults ?? {};
  const port = await findFreePort();
  const script = new URL('./fixtures/smtp-receiver.py', import.meta.url).pathname;
  const child: ChildProcess = spawn(SYSTEM_PYTHON, [script, String(port), dir, ...(options.tls ? [options.tls.certPath, options.tls.keyPath] : [])], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      PATH: '/usr/bin:/bin',
      ...(options.auth ? { SMTP_TEST_USER: options.auth.user, SMTP_TEST_PASSWORD: options.auth.password } : {}),
      ...(faults.rejectRecipients ? { SMTP_TEST_REJECT_RCPT: faults.rejectRecipients.join(',') } : {}),
      ...(faults.tempFailData ? { SMTP_TEST_TEMPFAIL: String(faults.tempFailData) } : {}),
      ...(faults.authLoginOnly ? { SMTP_TEST_AUTH_LOGIN_ONLY: '1' } : {}),
    },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    if (stderr.length < 10_000) stderr += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`aiosmtpd did not start: ${stderr}`)), 10_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('READY')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`aiosmtpd exited: ${stderr}`));
    });
  });
  return {
    port,
    async messages() {
      const names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
      return Promise.all(
        names.map(async (name) => {
          const meta = JSON.parse(await readFile(join(dir, name), 'utf8')) as Omit<ReceivedMail, 'raw'>;
          const raw = await readFile(join(dir, name.replace(/\.json$/, '.eml')), 'utf8');
          const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
          const text = /^Content-Transfer-Encoding: quoted-printable/im.test(raw)
            ? Buffer.from(body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))), 'latin1').toString('utf8')
            : body;
          return { ...meta, raw, text };
        }),
      );
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
