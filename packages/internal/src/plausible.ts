/**
 * What a number a camera sends may be. A value outside these ranges is a broken or hostile camera
 * (a clock in the year 33658, a 1e300-byte file): it is ignored where it is parsed, with a warning,
 * exactly as a value that is not a number is, so that nothing downstream (date formatting, hour-by-hour
 * loops, expected sizes) ever meets it.
 */

/** The earliest plausible recording time: 1990-01-01T00:00:00Z (no camera of this kind recorded earlier). */
export const PLAUSIBLE_TIME_MIN_MS = Date.UTC(1990, 0, 1);

/** How far past this computer's clock a camera's time may be (a camera clock set wrong, not a broken one): 10 years. */
export const PLAUSIBLE_TIME_AHEAD_MS = 10 * 366 * 86_400_000;

/** The largest plausible file a camera lists: 1 TiB. */
export const PLAUSIBLE_SIZE_MAX = 2 ** 40;

/** The largest plausible storage device a camera or recorder reports: 1 PiB (a recorder's disks together). */
export const PLAUSIBLE_STORAGE_MAX = 2 ** 50;

/** Whether `bytes` is a plausible storage figure (a card's or disk's total or used bytes): finite, 0 to 1 PiB. */
export function isPlausibleStorageBytes(bytes: number): boolean {
  return Number.isFinite(bytes) && bytes >= 0 && bytes <= PLAUSIBLE_STORAGE_MAX;
}

/** The longest plausible single recording: 7 days (cameras cut recordings into files of minutes to an hour). */
export const PLAUSIBLE_DURATION_MAX_SECONDS = 7 * 86_400;

/** Whether `ms` (since the epoch) is a plausible recording time: 1990-01-01 up to 10 years after `now`. */
export function isPlausibleTimeMs(ms: number, now: number = Date.now()): boolean {
  return Number.isFinite(ms) && ms >= PLAUSIBLE_TIME_MIN_MS && ms <= now + PLAUSIBLE_TIME_AHEAD_MS;
}

/** Whether `bytes` is a plausible file size: a whole number from 0 to 1 TiB. */
export function isPlausibleSize(bytes: number): boolean {
  return Number.isSafeInteger(bytes) && bytes >= 0 && bytes <= PLAUSIBLE_SIZE_MAX;
}

/** `ms` when it is a plausible recording time, else `fallback`: for values read back from storage written by older versions. */
export function plausibleTimeOr(ms: number, fallback: number, now: number = Date.now()): number {
  return isPlausibleTimeMs(ms, now) ? ms : fallback;
}
