import type { Readable } from 'node:stream';
import { offsiteError, systemErrorCode, type OffsiteError, type TargetIdentity } from './errors.js';
import { writeAtomically, type Digest } from './local-file.js';
import type { GetOptions } from './types.js';

/**
 * Streams an object into `localFile` atomically: it gets the final name only once complete and, when
 * `expectedSha256` is given, hashing to it (`ERR_OFFSITE_VERIFY` otherwise, with nothing left behind).
 */
export function restoreFile(identity: TargetIdentity, key: string, source: Readable, localFile: string, options: GetOptions): Promise<Digest> {
  return writeAtomically(source, localFile, {
    signal: options.signal,
    rateLimiter: options.rateLimiter,
    fsync: true,
    publish: 'replace',
    localError: (error) => localDiskError(identity, key, localFile, error),
    accept: (digest) => {
      if (options.expectedSha256 !== undefined && digest.sha256 !== options.expectedSha256) {
        throw offsiteError(identity, 'ERR_OFFSITE_VERIFY', `holds sha256 ${digest.sha256}, expected ${options.expectedSha256}: nothing was written to ${localFile}`, { key });
      }
    },
  });
}

/** A failure of the local disk during a restore: one line naming the file and what to do, never retried. */
function localDiskError(identity: TargetIdentity, key: string, localFile: string, error: unknown): OffsiteError {
  const code = systemErrorCode(error) ?? 'unknown';
  const what = ['ENOSPC', 'EDQUOT', 'EFBIG'].includes(code)
    ? `the local disk is full (${code}): free space there and restore again`
    : ['EACCES', 'EPERM', 'EROFS'].includes(code)
      ? `the local folder is not writable (${code}): check camdl's user may write there`
      : `the local disk failed (${code})`;
  return offsiteError(identity, 'ERR_OFFSITE_LOCAL_DISK', `cannot write ${localFile}: ${what}; nothing was written there`, { key, cause: error });
}
