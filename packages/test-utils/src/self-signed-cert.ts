import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findSystemTool } from './system-tool.js';

export interface SelfSignedCert {
  /** PEM private key. */
  key: string;
  /** PEM certificate for CN=127.0.0.1 with subjectAltName IP:127.0.0.1 (also usable as a CA file). */
  cert: string;
  /** Path of the certificate file, for `--ca-file`. */
  certPath: string;
}

/** Makes a self-signed certificate for 127.0.0.1 with openssl in `dir` (like a camera's own certificate). */
export async function makeSelfSignedCert(dir: string): Promise<SelfSignedCert> {
  const openssl = findSystemTool('openssl');
  if (openssl === undefined) throw new Error('openssl not found');
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  execFileSync(
    openssl,
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
    { stdio: 'ignore' },
  );
  return { key: await readFile(keyPath, 'utf8'), cert: await readFile(certPath, 'utf8'), certPath };
}
