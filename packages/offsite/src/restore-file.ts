import type { Readable } from 'node:stream';
import { offsiteError, type TargetIdentity } from './errors.js';
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
    accept: (digest) => {
      if (options.expectedSha256 !== undefined && digest.sha256 !== options.expectedSha256) {
        throw offsiteError(identity, 'ERR_OFFSITE_VERIFY', `holds sha256 ${digest.sha256}, expected ${options.expectedSha256}: nothing was written to ${localFile}`, { key });
      }
    },
  });
}
