import { BYTES_PER_SECOND_PER_MBPS } from '@camdl/throttled-download';
import type { CameraConfig } from './config.js';
import type { Ledger } from './ledger.js';
import { holdingsChannels, holdingsHistory, pendingRecordings } from './ledger-horizon.js';
import { deriveHorizon, type ChannelHorizon } from './overwrite-horizon.js';

/** The download rates a camera gets: its own cap with the fleet's bandwidth, and the fleet's alone (bytes/s, 0 unlimited). */
export function cameraRates(camera: Pick<CameraConfig, 'rateLimitMbps'>, bandwidthMbps: number): { bytesPerSecond: number; fleetBytesPerSecond: number } {
  const fleet = bandwidthMbps * BYTES_PER_SECOND_PER_MBPS;
  const own = camera.rateLimitMbps * BYTES_PER_SECOND_PER_MBPS;
  const rates = [fleet, own].filter((rate) => rate > 0);
  return { bytesPerSecond: rates.length === 0 ? 0 : Math.min(...rates), fleetBytesPerSecond: fleet };
}

/** A camera's overwrite horizon per channel, from what the ledger recorded of it (works while the camera is offline). */
export function cameraHorizon(ledger: Ledger, camera: Pick<CameraConfig, 'name' | 'rateLimitMbps' | 'riskMarginMs'>, options: { now: number; bandwidthMbps: number }): ChannelHorizon[] {
  return holdingsChannels(ledger, camera.name).map((channel) =>
    deriveHorizon(channel, holdingsHistory(ledger, camera.name, channel), pendingRecordings(ledger, camera.name, channel), {
      now: options.now,
      riskMarginMs: camera.riskMarginMs,
      ...cameraRates(camera, options.bandwidthMbps),
    }),
  );
}
