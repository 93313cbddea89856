import { DirectoryTarget } from './directory-target.js';
import { configError } from './put-options.js';
import { RcloneTarget } from './rclone-target.js';
import { S3Target } from './s3-target.js';
import type { TargetOptions } from './target-options.js';
import type { OffsiteTarget } from './types.js';

/**
 * The target `options` describe. Nothing is contacted until the first call; {@link OffsiteTarget.check}
 * proves it is reachable.
 *
 * @example
 * const target = createTarget({ kind: 'directory', name: 'usb', path: '/mnt/backup/cameras' });
 * await target.put('/archive/north-gate/2026-05-01/clip.mp4', 'north-gate/2026-05-01/clip.mp4', { size, sha256 });
 */
export function createTarget(options: TargetOptions): OffsiteTarget {
  if (typeof options !== 'object' || options === null) throw configError('?', '?', 'options are required');
  if (typeof options.name !== 'string' || options.name === '') throw configError('?', String(options.kind), 'name is required');
  switch (options.kind) {
    case 'directory':
      return new DirectoryTarget(options);
    case 'rclone':
      return new RcloneTarget(options);
    case 's3':
      return new S3Target(options);
    default:
      throw configError((options as { name: string }).name, String((options as { kind: unknown }).kind), `kind must be 's3', 'rclone' or 'directory'`);
  }
}
