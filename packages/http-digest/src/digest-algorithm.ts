import { createHash } from 'node:crypto';

/** Digest algorithms of RFC 7616 (and RFC 2617's MD5 / MD5-sess). */
export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess' | 'SHA-512-256' | 'SHA-512-256-sess';

/** Strongest first; the default preference when choosing among challenges. */
export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = [
  'SHA-512-256',
  'SHA-512-256-sess',
  'SHA-256',
  'SHA-256-sess',
  'MD5',
  'MD5-sess',
];

const NODE_HASH: Record<string, string> = { 'MD5': 'md5', 'SHA-256': 'sha256', 'SHA-512-256': 'sha512-256' };

/** The canonical name of an algorithm parameter (case-insensitive), or undefined when unsupported. */
export function normalizeAlgorithm(value: string | undefined): DigestAlgorithm | undefined {
  if (value === undefined || value === '') return 'MD5';
  const lower = value.trim().toLowerCase();
  return DIGEST_ALGORITHMS.find((name) => name.toLowerCase() === lower);
}

export function isSessionAlgorithm(algorithm: DigestAlgorithm): boolean {
  return algorithm.endsWith('-sess');
}

/** Hex digest of the algorithm's hash function (`-sess` variants use the same function). */
export function digestHex(algorithm: DigestAlgorithm, data: string | Uint8Array): string {
  const base = algorithm.replace(/-sess$/, '');
  const nodeName = NODE_HASH[base];
  if (nodeName === undefined) throw new TypeError(`unsupported digest algorithm ${algorithm}`);
  return createHash(nodeName).update(data).digest('hex');
}
