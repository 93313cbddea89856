import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { findSystemTool } from './system-tool.js';
import { makeTempDir, type TempDir } from './temp-dir.js';

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

/**
 * A self-signed certificate for a whole suite, in a temp dir of its own: made before the suite's tests
 * (`beforeAll`), removed after them (`afterAll`). Its fields are there once the suite runs (in tests and
 * hooks); `dir` is the temp dir's path, free for the tests' own files.
 */
export function selfSignedCertForSuite(prefix: string): SelfSignedCert & { readonly dir: string } {
  let made: { dir: TempDir; cert: SelfSignedCert } | undefined;
  beforeAll(async () => {
    const dir = await makeTempDir(prefix);
    made = { dir, cert: await makeSelfSignedCert(dir.path) };
  });
  afterAll(async () => {
    await made?.dir.cleanup();
  });
  const current = (): { dir: TempDir; cert: SelfSignedCert } => {
    if (made === undefined) throw new Error('the suite certificate is made in beforeAll: read it inside a test or hook');
    return made;
  };
  return {
    get key() {
      return current().cert.key;
    },
    get cert() {
      return current().cert.cert;
    },
    get certPath() {
      return current().cert.certPath;
    },
    get dir() {
      return current().dir.path;
    },
  };
}
