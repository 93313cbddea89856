import type { CameraStorage } from '../ledger-horizon.js';
import type { DownloadEvent, DownloadProgress, DownloadResult, RateLimiter } from '@camdl/throttled-download';

/** One recording as a camera lists it, in the terms the ledger uses. */
export interface RemoteRecording {
  channel: number;
  /** Unique per camera and channel. */
  remoteKey: string;
  /** The camera's name for it, for messages (may contain anything: escape before printing). */
  remoteName: string;
  /** A safe local file name (no separators, no control characters). */
  fileName: string;
  startMs: number;
  endMs: number;
  /** Start in camera wall-clock time `YYYY-MM-DD HH:MM:SS` (the day of the layout). */
  cameraStart: string;
  /** The real file size, when the camera tells it (never Timelapse2 1.x's listed payload size). */
  size: number | undefined;
}

/** What one listing covered. */
export interface CameraListing {
  recordings: RemoteRecording[];
  /**
   * The instants the listing is complete for, per channel: a recording of the ledger inside it that
   * is not listed is gone from the camera. Timelapse lists everything (-∞..∞).
   */
  coverage: Map<number, { startMs: number; endMs: number }>;
  /** Facts worth a line: API and version detected, ignored entries. */
  notes: string[];
  /**
   * Recordings the camera listed outside the window (a wrong camera clock, a `since:` too recent): how
   * many and the span they cover. Undefined when the source only asks the camera for the window.
   */
  outsideWindow?: OutsideWindow | undefined;
}

/** What a camera holds outside the sync's window. */
export interface OutsideWindow {
  count: number;
  /** The earliest start among them. */
  firstMs: number;
  /** The latest end among them. */
  lastMs: number;
  /** The camera holds more than `count` (a probe stopped counting). @default false */
  more?: boolean | undefined;
}

/** `outside` with one more recording, `startMs` .. `endMs`. */
export function addOutside(outside: OutsideWindow | undefined, startMs: number, endMs: number): OutsideWindow {
  return { count: (outside?.count ?? 0) + 1, firstMs: Math.min(outside?.firstMs ?? startMs, startMs), lastMs: Math.max(outside?.lastMs ?? endMs, endMs) };
}

/** What a probe asks a camera that searches by time for: 2000 to ten years ahead (a clock set years off either way). */
export function probeSpan(now: number = Date.now()): { start: Date; end: Date } {
  return { start: new Date(Date.UTC(2000, 0, 1)), end: new Date(now + 10 * 365 * 86_400_000) };
}

/**
 * The most recordings a source reads to describe what a camera holds outside an empty window (a
 * camera whose clock is wrong); past it the count says "at least".
 */
export const OUTSIDE_PROBE_LIMIT = 5000;

/**
 * What a camera holds outside the window, from a second listing it asks for only when the window's
 * listing was empty (a camera that searches by time would otherwise look empty with a wrong clock).
 * Best effort: a probe that fails says nothing (undefined); a stop (the signal) still stops.
 */
export async function probeOutside(recordings: AsyncIterable<{ startMs: number; endMs: number }>, signal: AbortSignal): Promise<OutsideWindow | undefined> {
  let outside: OutsideWindow | undefined;
  try {
    for await (const recording of recordings) {
      outside = addOutside(outside, recording.startMs, recording.endMs);
      if (outside.count >= OUTSIDE_PROBE_LIMIT) return { ...outside, more: true };
    }
  } catch (error) {
    if (signal.aborted) throw error;
    return undefined;
  }
  return outside;
}

export interface SourceDownloadOptions {
  rateLimiter: RateLimiter;
  signal: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  onEvent?: (event: DownloadEvent) => void;
}

/**
 * What {@link CameraSource.checkFile} found: `whole` says the container itself was read and found whole
 * (positive evidence); an `ok` without it means there was nothing to check (an undocumented format).
 */
export type FileCheck = { ok: true; whole: boolean } | { ok: false; reason: string };

/** A camera as `camdl sync` uses it. */
export interface CameraSource {
  /** Most downloads at once. */
  readonly connections: number;
  list(window: { startMs: number | undefined; endMs: number }, signal: AbortSignal): Promise<CameraListing>;
  /**
   * Downloads into `folder` (a staging folder of its own: atomic `.part` then rename, resumable across
   * runs); returns the complete file's path and the download's result, with the SHA-256 of a file
   * it wrote (`result.sha256`, computed while writing; absent for one already complete in `folder`).
   */
  download(recording: RemoteRecording, folder: string, options: SourceDownloadOptions): Promise<{ path: string; result: DownloadResult }>;
  /**
   * Positive evidence that the local file is the whole recording (its container, not only its
   * bytes): checked before a download is recorded `verified` and again before the camera's copy is
   * deleted. Reads the container's headers only (constant memory). Undefined: no such check.
   */
  checkFile?: (recording: RemoteRecording, path: string) => Promise<FileCheck>;
  /** What the camera says of its storage (card size and use, retention); undefined when it cannot say. */
  storage?: (signal: AbortSignal) => Promise<CameraStorage | undefined>;
  /** Deletes on the camera; undefined when the camera cannot. */
  delete?: (recording: RemoteRecording, signal: AbortSignal) => Promise<void>;
  close(): Promise<void>;
}
