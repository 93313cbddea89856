import { cameraHorizon } from '../camera-horizon.js';
import type { CameraConfig } from '../config.js';
import type { Ledger } from '../ledger.js';
import { describeDuration } from '../overwrite-horizon.js';
import type { RunFacts } from './observe-run.js';

/**
 * The cameras whose pending footage is at risk of being overwritten, from what the ledger holds
 * (so a camera that is offline this run is judged by what it held when last listed).
 */
export function atRiskCameras(ledger: Ledger, cameras: readonly CameraConfig[], options: { now: number; bandwidthMbps: number }): NonNullable<RunFacts['atRisk']> {
  const found: Array<{ camera: string; items: readonly string[]; message: string }> = [];
  for (const camera of cameras) {
    const risky = cameraHorizon(ledger, camera, options).filter((channel) => channel.atRisk);
    if (risky.length === 0) continue;
    const count = risky.reduce((sum, channel) => sum + channel.atRiskCount, 0);
    const soonest = Math.min(...risky.map((channel) => channel.etaMs ?? Number.POSITIVE_INFINITY));
    const when = soonest <= 0 ? `is due now (${describeDuration(-soonest)} overdue)` : `in ${describeDuration(soonest)}`;
    const capped = risky.some((channel) => channel.rateBound) ? `; its rate-limit ${camera.rateLimitMbps} Mbps is too slow to fetch them in time` : '';
    found.push({
      camera: camera.name,
      items: risky.flatMap((channel) => channel.atRiskKeys),
      message: `${camera.name} will overwrite ${count} recording(s) not archived yet: the oldest ${when}${capped}`,
    });
  }
  return found;
}
