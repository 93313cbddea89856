import { isOffsiteError, type OffsiteTarget } from '@camdl/offsite';
import { selectCameras, type FleetConfig } from './config.js';
import { describeError } from './errors.js';
import { CopyLedger } from './ledger-copies.js';
import { Ledger } from './ledger.js';
import { findTarget, openTarget, type TargetTuning } from './open-target.js';

/** A copy on a target that does not match the ledger. */
export interface TargetVerifyProblem {
  camera: string;
  target: string;
  /** Archive-relative path (the key below the target's prefix). */
  path: string;
  problem: 'missing' | 'changed';
  detail: string;
}

export type TargetVerifyEvent = { type: 'checked'; camera: string; target: string; path: string } | { type: 'problem'; problem: TargetVerifyProblem };

/** Options of {@link verifyTarget}. */
export interface TargetVerifyOptions {
  /** The configured target to check. */
  target: string;
  /** Read every copy back and re-hash it (otherwise size and the sha256 the target stores). @default false */
  deep?: boolean;
  /** Only these cameras. @default all */
  cameras?: readonly string[];
  /** Stops between copies. @default undefined */
  signal?: AbortSignal;
  /** Every event, in order. @default no-op */
  onEvent?: (event: TargetVerifyEvent) => void;
  /** Environment for the target's `-env` secrets. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Retries and part size of the target's requests. @default the library's */
  tuning?: TargetTuning;
}

export interface TargetVerifyResult {
  target: string;
  checked: number;
  problems: TargetVerifyProblem[];
}

/**
 * `camdl verify --target NAME [--deep]`: checks every copy the ledger holds verified on the target
 * (size and the sha256 stored with it; `deep` reads it back and re-hashes it) and names each missing
 * or changed one. The ledger then says no more than the target: such a copy is `failed` again, and the
 * next sync makes it again from the local file (a REPAIR line). A target that cannot be reached throws.
 */
export async function verifyTarget(config: FleetConfig, options: TargetVerifyOptions): Promise<TargetVerifyResult> {
  const targetConfig = findTarget(config, options.target);
  const cameras = selectCameras(config, options.cameras).map((camera) => camera.name);
  const ledger = Ledger.open(config.ledger, { existingOnly: true });
  let target: OffsiteTarget | undefined;
  try {
    const copies = new CopyLedger(ledger);
    target = await openTarget(targetConfig, options.env ?? process.env, options.tuning);
    await target.check({ ...(options.signal ? { signal: options.signal } : {}) });
    const problems: TargetVerifyProblem[] = [];
    let checked = 0;
    for (const copy of copies.verifiedOn(targetConfig.name, { cameras })) {
      if (options.signal?.aborted) return { target: targetConfig.name, checked, problems };
      let problem: TargetVerifyProblem['problem'] | undefined;
      let detail = '';
      const signal = options.signal ? { signal: options.signal } : {};
      try {
        const there = await target.stat(copy.key, signal);
        if (there === undefined) [problem, detail] = ['missing', 'no such object on the target'];
        else if (there.size !== copy.size) [problem, detail] = ['changed', `size ${there.size}, the ledger says ${copy.size}`];
        else if (there.sha256 !== undefined && there.sha256 !== copy.sha256) [problem, detail] = ['changed', `stored sha256 ${there.sha256}, the ledger says ${copy.sha256}`];
        else if (options.deep) {
          const read = await target.hash(copy.key, signal);
          if (read.size !== copy.size || read.sha256 !== copy.sha256) [problem, detail] = ['changed', `read back: ${read.size} bytes, sha256 ${read.sha256}; the ledger says ${copy.size} bytes, sha256 ${copy.sha256}`];
        }
      } catch (error) {
        if (options.signal?.aborted) return { target: targetConfig.name, checked, problems };
        if (!isOffsiteError(error, 'ERR_OFFSITE_NOT_FOUND') && !isOffsiteError(error, 'ERR_OFFSITE_VERIFY')) throw error;
        [problem, detail] = [isOffsiteError(error, 'ERR_OFFSITE_NOT_FOUND') ? 'missing' : 'changed', describeError(error)];
      }
      checked += 1;
      if (problem === undefined) {
        options.onEvent?.({ type: 'checked', camera: copy.camera, target: targetConfig.name, path: copy.key });
        continue;
      }
      const found: TargetVerifyProblem = { camera: copy.camera, target: targetConfig.name, path: copy.key, problem, detail };
      problems.push(found);
      copies.markDamaged(copy.recordingId, targetConfig.name, `verify: ${problem}: ${detail}`);
      options.onEvent?.({ type: 'problem', problem: found });
    }
    return { target: targetConfig.name, checked, problems };
  } finally {
    await target?.close().catch(() => {});
    ledger.close();
  }
}
