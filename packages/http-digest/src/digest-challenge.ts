import { normalizeAlgorithm, type DigestAlgorithm } from './digest-algorithm.js';
import type { Challenge } from './parse-challenges.js';

/** A `Digest` challenge, read and validated from a parsed {@link Challenge}. */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  /** Echoed back verbatim when present, also when empty (`opaque=""`). */
  opaque?: string;
  algorithm: DigestAlgorithm;
  /** The `algorithm` parameter exactly as sent (echoed back as is); absent when the challenge had none. */
  algorithmToken?: string;
  /** `qop` options offered (`auth`, `auth-int`), lower-cased; empty for RFC 2069 legacy challenges. */
  qop: string[];
  stale: boolean;
  userhash: boolean;
  /** `UTF-8` when the server announced `charset=UTF-8`. */
  charset?: string;
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && value.trim().toLowerCase() === 'true';
}

/**
 * Reads a `Digest` challenge. Returns undefined for other schemes, challenges without a nonce,
 * and algorithms this package does not implement.
 */
export function toDigestChallenge(challenge: Challenge): DigestChallenge | undefined {
  if (challenge.scheme.toLowerCase() !== 'digest') return undefined;
  const { params } = challenge;
  const nonce = params['nonce'];
  if (nonce === undefined || nonce === '') return undefined;
  const algorithm = normalizeAlgorithm(params['algorithm']);
  if (algorithm === undefined) return undefined;
  const qop =
    params['qop'] === undefined
      ? []
      : params['qop']
          .split(',')
          .map((option) => option.trim().toLowerCase())
          .filter((option) => option !== '');
  const result: DigestChallenge = {
    realm: params['realm'] ?? '',
    nonce,
    algorithm,
    qop,
    stale: isTrue(params['stale']),
    userhash: isTrue(params['userhash']),
  };
  if (params['algorithm'] !== undefined && params['algorithm'].trim() !== '') result.algorithmToken = params['algorithm'].trim();
  if (params['opaque'] !== undefined) result.opaque = params['opaque'];
  if (params['charset'] !== undefined) result.charset = params['charset'];
  return result;
}
