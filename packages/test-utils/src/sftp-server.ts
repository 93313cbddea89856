import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { stopProcess } from './apache-server.js';
import { findSystemTool } from './system-tool.js';
import { makeTempDir } from './temp-dir.js';

/** A real SFTP server on 127.0.0.1 serving a fresh directory, with password login (an rclone `sftp` remote). */
export interface SftpServer {
  host: '127.0.0.1';
  port: number;
  username: string;
  password: string;
  /** The directory the server's root is. */
  directory: string;
  /** The server's log lines so far, e.g. one `SSH login failed` per refused login. */
  log(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Starts `rclone serve sftp` (Debian's rclone, no other package) on 127.0.0.1 and a port of its own choosing,
 * with a random password, host keys and directory in a temp dir, and no authorized keys. Listings are never
 * cached by the server, so a file changed on disk is what the next client sees.
 */
export async function startSftpServer(): Promise<SftpServer> {
  const rclone = findSystemTool('rclone');
  if (rclone === undefined) throw new Error('rclone not found (apt install rclone)');
  const temp = await makeTempDir('camdl-sftp-');
  const directory = join(temp.path, 'root');
  await mkdir(directory);
  await writeFile(join(temp.path, 'authorized_keys'), '');
  await writeFile(join(temp.path, 'rclone.conf'), '');
  const username = 'camdl';
  const password = randomBytes(12).toString('base64url');
  const args = ['serve', 'sftp', directory, '--addr', '127.0.0.1:0', '--authorized-keys', join(temp.path, 'authorized_keys'), '--cache-dir', join(temp.path, 'cache'), '--config', join(temp.path, 'rclone.conf'), '--dir-cache-time', '0s', '-v'];
  // The credentials go by the environment (RCLONE_USER, RCLONE_PASS), out of the process list.
  const child = spawn(rclone, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: temp.path, RCLONE_USER: username, RCLONE_PASS: password } });
  const lines: string[] = [];
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`rclone serve sftp did not listen within 15 s: ${lines.join('\n')}`)), 15_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`rclone serve sftp exited (${code}) before listening: ${lines.join('\n')}`));
      });
      createInterface({ input: child.stderr! }).on('line', (line) => {
        lines.push(line);
        const match = /SFTP server listening on 127\.0\.0\.1:(\d+)/.exec(line);
        if (!match) return;
        clearTimeout(timer);
        resolve(Number(match[1]));
      });
    });
  } catch (error) {
    await stopProcess(child);
    await temp.cleanup();
    throw error;
  }
  return {
    host: '127.0.0.1',
    port,
    username,
    password,
    directory,
    log: async () => {
      // A line is written just after the server answered: give it a moment.
      await new Promise((resolve) => setTimeout(resolve, 50));
      return [...lines];
    },
    close: async () => {
      await stopProcess(child);
      await temp.cleanup();
    },
  };
}
