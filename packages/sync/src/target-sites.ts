import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OffsiteTarget } from '@camdl/offsite';
import type { FleetConfig } from './config.js';
import { describeError } from './errors.js';
import { CopyLedger } from './ledger-copies.js';
import { Ledger } from './ledger.js';
import { LEDGER_SNAPSHOT_KEY } from './offsite-copies.js';
import { findTarget, openTarget, type TargetTuning } from './open-target.js';
import { ledgerStatus, type CameraStatus } from './status.js';

/** One site found on a target: the prefix its ledger snapshot is under. */
export interface TargetSite {
  /** The site's prefix on the target (`site-a/`; `''` for the target's root). */
  site: string;
  /** When the snapshot was written, when the target says. */
  snapshotMs: number | undefined;
}

/** The status of one site, from its ledger snapshot. */
export interface SiteStatus extends TargetSite {
  cameras: CameraStatus[];
  /** Why the snapshot could not be read (then `cameras` is empty). */
  error: string | undefined;
}

/** `camdl status --target NAME`: every site whose ledger snapshot is on the target. */
export interface TargetFleetStatus {
  target: string;
  sites: SiteStatus[];
}

/** Options of {@link withTargetSites}. */
export interface TargetSitesOptions {
  /** Environment for the target's `-env` secrets. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Retries and part size of the target's requests. @default the library's */
  tuning?: TargetTuning;
  /** Stops the listing and the downloads. @default undefined */
  signal?: AbortSignal;
}

/** A site's snapshot, open read-only (or why it could not be read). */
export interface OpenSite extends TargetSite {
  ledger: Ledger | undefined;
  error: string | undefined;
}

/**
 * How many folders deep a site's prefix may be (`site-a/`, `customer/site-a/`, `customer/region/site-a/`);
 * deeper folders are never listed.
 */
const MAX_SITE_DEPTH = 3;

/**
 * Finds the sites under `folder`: a folder holding a ledger snapshot is a site (what else it holds is that
 * site's archive, never listed); a folder below the root that holds files of its own is an archive's folder
 * (a site without a snapshot yet), not a folder of sites. So a bucket of millions of recordings costs a few
 * small listings per folder on the way to each site, never a listing of the recordings.
 */
async function* findSites(target: OffsiteTarget, folder: string, depth: number, signal: { signal?: AbortSignal }): AsyncIterable<TargetSite> {
  const snapshotKey = `${folder}${LEDGER_SNAPSHOT_KEY}`;
  for await (const object of target.list(snapshotKey, signal)) {
    if (object.key === snapshotKey) {
      yield { site: folder, snapshotMs: object.modifiedMs };
      return;
    }
  }
  if (depth === MAX_SITE_DEPTH) return;
  const subfolders: string[] = [];
  for await (const entry of target.children(folder, signal)) {
    if (!entry.folder && depth > 0) return;
    if (entry.folder && entry.name !== '.camdl') subfolders.push(`${folder}${entry.name}/`);
  }
  for (const subfolder of subfolders) yield* findSites(target, subfolder, depth + 1, signal);
}

/**
 * Reads the ledger snapshot of every site on a target (an s3 target is read from the bucket's root, so
 * every site prefix in the bucket is found, up to three folders deep): each is downloaded to a temporary
 * file and opened read-only while `use` runs.
 */
export async function withTargetSites<T>(config: FleetConfig, name: string, use: (sites: readonly OpenSite[]) => T | Promise<T>, options: TargetSitesOptions = {}): Promise<T> {
  const targetConfig = findTarget(config, name);
  const target = await openTarget(targetConfig, options.env ?? process.env, options.tuning, targetConfig.kind === 's3' ? '' : undefined);
  const folder = await mkdtemp(join(tmpdir(), 'camdl-sites-'));
  const signal = options.signal ? { signal: options.signal } : {};
  const open: OpenSite[] = [];
  try {
    await target.check(signal);
    const found: TargetSite[] = [];
    for await (const site of findSites(target, '', 0, signal)) found.push(site);
    found.sort((a, b) => (a.site < b.site ? -1 : a.site > b.site ? 1 : 0));
    for (const [index, site] of found.entries()) {
      const file = join(folder, `site-${index}.sqlite`);
      try {
        await target.get(`${site.site}${LEDGER_SNAPSHOT_KEY}`, file, signal);
        open.push({ ...site, ledger: Ledger.open(file, { readOnly: true }), error: undefined });
      } catch (error) {
        open.push({ ...site, ledger: undefined, error: describeError(error) });
      }
    }
    return await use(open);
  } finally {
    for (const site of open) site.ledger?.close();
    await target.close().catch(() => {});
    await rm(folder, { recursive: true, force: true });
  }
}

/** `camdl status --target NAME --json`: per site on the target, per camera and target, from the sites' ledger snapshots. */
export async function targetFleetStatus(config: FleetConfig, name: string, options: TargetSitesOptions = {}): Promise<TargetFleetStatus> {
  return withTargetSites(
    config,
    name,
    (sites) => ({
      target: name,
      sites: sites.map(({ ledger, ...site }) => ({ ...site, cameras: ledger ? ledgerStatus(ledger, new CopyLedger(ledger).cameras()) : [] })),
    }),
    options,
  );
}
