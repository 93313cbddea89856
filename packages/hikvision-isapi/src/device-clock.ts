import { assertKnownTimeZone, formatWallClock, instantToWallClock, isPlausibleTimeMs, parseWallClock, wallMsToInstant } from '@camdl/internal';
import { HikvisionError } from './errors.js';
import { parsePosixZone, posixZoneInstantOf, posixZoneOffsetAt, type PosixZone } from './posix-zone.js';

/**
 * How a recorder's times are to be read. ISAPI writes every time with a `Z`; IP cameras mean UTC by
 * it, NVRs and ISAPI 1.0 firmware their own local wall clock (`'local'`). The zone turns a wall clock
 * into an instant: an IANA `timeZone` (right across DST changes) or the device's current
 * `offsetMinutes` from `/ISAPI/System/time`.
 */
export interface ClockModel {
  /** What a `Z` in the device's times means. */
  z: 'utc' | 'local';
  /** IANA zone of the recorder's clock; wins over `offsetMinutes`. */
  timeZone?: string | undefined;
  /** Minutes east of UTC of the recorder's clock (from `/ISAPI/System/time`), now. */
  offsetMinutes?: number | undefined;
  /**
   * The recorder's zone with its daylight-saving rules (its `<timeZone>`), when it has them: wins over
   * `offsetMinutes`, which holds for one season only.
   */
  zone?: PosixZone | undefined;
}

/** `YYYY-MM-DD HH:MM:SS`, the camera's wall clock. */
export type WallClock = string;

const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;
const ISAPI_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?$/;

/** Throws unless `timeZone` is an IANA zone this runtime knows. */
export function assertTimeZone(timeZone: string): void {
  try {
    assertKnownTimeZone(timeZone);
  } catch (error) {
    throw new HikvisionError(`unknown time zone ${JSON.stringify(timeZone)}`, { code: 'ERR_HIKVISION_INVALID_TIME', cause: error });
  }
}

/** A wall clock read as if it were UTC, in ms; undefined when it is not a valid `YYYY-MM-DD HH:MM:SS`. */
export function wallClockAsUtc(wallClock: string): number | undefined {
  const match = WALL_CLOCK.exec(wallClock);
  // Never rolled over (Feb 30 is not a time).
  return match ? parseWallClock(`${match[1]}-${match[2]}-${match[3]} ${match[4]}:${match[5]}:${match[6]}`) : undefined;
}

function fixedOffsetMs(model: ClockModel, ms?: number): number {
  if (model.zone !== undefined && ms !== undefined) return posixZoneOffsetAt(model.zone, ms) * 60_000;
  if (model.offsetMinutes === undefined) {
    throw new HikvisionError('the recorder clock has neither a time zone nor an offset: pass timeZone or read /ISAPI/System/time first', { code: 'ERR_HIKVISION_INVALID_TIME' });
  }
  return model.offsetMinutes * 60_000;
}

/** The recorder's wall clock at instant `ms`. */
export function wallClockAt(ms: number, model: ClockModel): WallClock {
  return model.timeZone !== undefined ? instantToWallClock(ms, model.timeZone) : formatWallClock(ms + fixedOffsetMs(model, ms));
}

/**
 * The instant of a recorder wall clock. In a DST gap the time is read with the offset before the
 * change; a repeated hour resolves to its first occurrence (`@camdl/internal`'s rule).
 */
export function instantOfWallClock(wallClock: WallClock, model: ClockModel): number {
  const asUtc = wallClockAsUtc(wallClock);
  if (asUtc === undefined) throw new HikvisionError(`not a wall-clock time YYYY-MM-DD HH:MM:SS: ${JSON.stringify(wallClock.slice(0, 40))}`, { code: 'ERR_HIKVISION_INVALID_TIME' });
  if (model.timeZone !== undefined) return wallMsToInstant(asUtc, model.timeZone);
  return model.zone !== undefined ? posixZoneInstantOf(model.zone, asUtc) : asUtc - fixedOffsetMs(model);
}

/** What the device expects in a request: `YYYY-MM-DDTHH:MM:SSZ`, the Z meaning UTC or its local clock. */
export function toIsapiTime(ms: number, model: ClockModel): string {
  const fields = model.z === 'utc' ? formatWallClock(ms) : wallClockAt(ms, model);
  return `${fields.replace(' ', 'T')}Z`;
}

/** A device time read back: its instant and the recorder's wall clock; undefined when it is not an ISAPI time. */
export function fromIsapiTime(text: string, model: ClockModel): { ms: number; wallClock: WallClock } | undefined {
  const match = ISAPI_TIME.exec(text.trim());
  if (!match) return undefined;
  const fields = `${match[1]}-${match[2]}-${match[3]} ${match[4]}:${match[5]}:${match[6]}`;
  const asUtc = wallClockAsUtc(fields);
  if (asUtc === undefined) return undefined;
  const suffix = match[7];
  if (suffix !== undefined && suffix !== 'Z') {
    const sign = suffix.startsWith('-') ? -1 : 1;
    const digits = suffix.slice(1).replace(':', '');
    const offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
    if (Math.abs(offset) > 18 * 60) return undefined;
    const ms = asUtc - offset * 60_000;
    return { ms, wallClock: fields };
  }
  if (model.z === 'local') return { ms: instantOfWallClock(fields, model), wallClock: fields };
  return { ms: asUtc, wallClock: wallClockAt(asUtc, model) };
}

/** What `/ISAPI/System/time` says. */
export interface DeviceTime {
  /** `timeMode`: `NTP`, `manual`, … as sent. */
  timeMode: string | undefined;
  /** `localTime` as sent (e.g. `2026-01-16T12:00:00-08:00`). */
  localTime: string | undefined;
  /** The recorder's wall clock now, from `localTime`. */
  wallClock: WallClock | undefined;
  /** `timeZone` as sent: POSIX style, sign inverted (`CST+8:00:00` is UTC−8). */
  timeZone: string | undefined;
  /**
   * Minutes east of UTC now: by the `timeZone`'s daylight-saving rules when it has them (firmware is
   * reported to write `localTime` with the standard offset all year), else from `localTime`'s offset,
   * else from the POSIX `timeZone`.
   */
  offsetMinutes: number | undefined;
  /** The `timeZone` read with its daylight-saving rules, when it has them. */
  zone: PosixZone | undefined;
}

/** `CST+8:00:00` (POSIX: hours WEST of UTC) → −480; undefined when it does not read so. */
export function posixZoneOffsetMinutes(text: string): number | undefined {
  const match = /^[A-Za-z<>+\-0-9]*?[A-Za-z>]([+-]?)(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?/.exec(text.trim());
  if (!match) return undefined;
  const minutes = Number(match[2]) * 60 + Number(match[3] ?? 0);
  if (minutes > 15 * 60) return undefined;
  return match[1] === '-' ? minutes : -minutes;
}

/** Reads a `/ISAPI/System/time` answer's fields; a `localTime` that is not a plausible time (1990 to 10 years after `now`) gives no wall clock. */
export function deviceTimeFrom(fields: { timeMode?: string | undefined; localTime?: string | undefined; timeZone?: string | undefined }, now: number = Date.now()): DeviceTime {
  const local = fields.localTime === undefined ? undefined : ISAPI_TIME.exec(fields.localTime);
  const wallClock = local ? `${local[1]}-${local[2]}-${local[3]} ${local[4]}:${local[5]}:${local[6]}` : undefined;
  let offsetMinutes: number | undefined;
  const suffix = local?.[7];
  if (suffix !== undefined && suffix !== 'Z') {
    const digits = suffix.slice(1).replace(':', '');
    offsetMinutes = (suffix.startsWith('-') ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
    if (Math.abs(offsetMinutes) > 18 * 60) offsetMinutes = undefined;
  }
  if (offsetMinutes === undefined && fields.timeZone !== undefined) offsetMinutes = posixZoneOffsetMinutes(fields.timeZone);
  const parsed = fields.timeZone === undefined ? undefined : parsePosixZone(fields.timeZone);
  const zone = parsed?.dst === undefined ? undefined : parsed;
  if (zone !== undefined) offsetMinutes = posixZoneOffsetAt(zone, now);
  return {
    zone, timeMode: fields.timeMode, localTime: fields.localTime, wallClock: wallClock !== undefined && isPlausibleTimeMs(wallClockAsUtc(wallClock) ?? Number.NaN, now) ? wallClock : undefined, timeZone: fields.timeZone, offsetMinutes };
}
