import { offsiteError, OffsiteError, type TargetIdentity } from './errors.js';
import { assertKey } from './keys.js';
import type { PutOptions } from './types.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Whether `value` is a sha256 as camdl writes it: 64 lowercase hex digits. */
export function isSha256(value: unknown): value is string {
  return typeof value === 'string' && SHA256_HEX.test(value);
}

/** Refuses a key or put options that no target could honour, before anything is sent. */
export function checkPutOptions(identity: TargetIdentity, key: string, options: PutOptions): void {
  assertKey(identity, key);
  if (!Number.isSafeInteger(options?.size) || options.size < 0) throw offsiteError(identity, 'ERR_OFFSITE_CONFIG', `size must be a whole number of bytes, not ${String(options?.size)}`, { key });
  if (!isSha256(options.sha256)) throw offsiteError(identity, 'ERR_OFFSITE_CONFIG', 'sha256 must be 64 lowercase hex digits', { key });
  if (options.ifExists !== undefined && options.ifExists !== 'conflict' && options.ifExists !== 'replace') {
    throw offsiteError(identity, 'ERR_OFFSITE_CONFIG', `ifExists must be 'conflict' or 'replace', not ${JSON.stringify(options.ifExists)}`, { key });
  }
}

/** A configuration error raised while building a target (its description may not be known yet). */
export function configError(name: string, kind: string, text: string): OffsiteError {
  return new OffsiteError(`target "${String(name)}" (${kind}): ${text}`, { code: 'ERR_OFFSITE_CONFIG', target: String(name), description: kind });
}
