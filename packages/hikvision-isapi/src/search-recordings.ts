import { instantOfWallClock, toIsapiTime, type ClockModel, type WallClock } from './device-clock.js';
import { HikvisionError } from './errors.js';
import type { HikvisionClient } from './client.js';
import { toRecording, type HikvisionRecording } from './recording.js';
import { newSearchId, parseSearchPage, searchDescription } from './search-page.js';

export interface SearchRecordingsOptions {
  /** The channel (1-based, as `listChannels` names them). */
  channel: number;
  /** Window start: an instant, or the recorder's wall clock `YYYY-MM-DD HH:MM:SS`. */
  start: Date | WallClock;
  /** Window end: an instant, or the recorder's wall clock `YYYY-MM-DD HH:MM:SS`. */
  end: Date | WallClock;
  /**
   * `maxResults` asked per page. The device pages by its own cap (often 25–40) whatever is asked:
   * the search advances by the items received, never by this.
   * @default 40
   */
  maxResults?: number;
  /** `trackID`: channel × 100 + 1 is the main stream, + 2 the sub-stream. @default channel × 100 + 1 */
  trackId?: number;
  /** Stops the search. @default undefined */
  signal?: AbortSignal | undefined;
  /** Told about items skipped as malformed or implausible, sizes ignored, and paging quirks met. @default undefined */
  onWarning?: ((message: string) => void) | undefined;
}

/** Pages of one search at most; a device that pages past this never ends. */
const MAX_PAGES = 10_000;

function instantOf(value: Date | WallClock, model: ClockModel, name: string): number {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new HikvisionError(`${name} is an invalid Date`, { code: 'ERR_HIKVISION_INVALID_TIME' });
    return value.getTime();
  }
  return instantOfWallClock(value, model);
}

/**
 * Searches one channel's recordings in a window (`POST /ISAPI/ContentMgmt/search`), page after page
 * as the device pages:
 * - the next position is the previous one plus the items received (the device's cap, not `maxResults`);
 * - `OK` and `NO MATCHES` end the search; `MORE` with no items, or a page that repeats the last, is
 *   an error (a search that would never end);
 * - ISAPI 1.0 recorders (`version="1.0"`) ignore the position: the search continues from the last
 *   item's end time (also when a 2.0 device repeats its first page), items seen twice yielded once.
 * Items overlapping the window are yielded (a recording may start before it): filter on `start`/`end`.
 */
export async function* searchRecordings(client: Pick<HikvisionClient, 'isapi' | 'clockModel' | 'noteSearchVersion'>, options: SearchRecordingsOptions): AsyncGenerator<HikvisionRecording, void, undefined> {
  const { channel, signal } = options;
  if (!Number.isInteger(channel) || channel < 1 || channel > 999) throw new HikvisionError(`channel must be 1..999, got ${channel}`, { code: 'ERR_HIKVISION_INVALID_OPTIONS' });
  const maxResults = options.maxResults ?? 40;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 10_000) throw new HikvisionError(`maxResults must be 1..10000, got ${maxResults}`, { code: 'ERR_HIKVISION_INVALID_OPTIONS' });
  const trackId = options.trackId ?? channel * 100 + 1;
  if (!Number.isInteger(trackId) || trackId < 1 || trackId > 999_999) throw new HikvisionError(`trackId must be 1..999999, got ${trackId}`, { code: 'ERR_HIKVISION_INVALID_OPTIONS' });
  let model = await client.clockModel({ ...(signal ? { signal } : {}) });
  let startMs = instantOf(options.start, model, 'start');
  let endMs = instantOf(options.end, model, 'end');
  if (endMs < startMs) throw new HikvisionError('the window ends before it starts', { code: 'ERR_HIKVISION_INVALID_OPTIONS' });
  let endTime = toIsapiTime(endMs, model);

  let searchId = newSearchId();
  let windowStart = startMs;
  let position = 0;
  let advanceByTime = false;
  let previousPage: string | undefined;
  const seen = new Set<string>();
  for (let page = 0; ; page += 1) {
    if (page >= MAX_PAGES) throw new HikvisionError(`the search did not end after ${MAX_PAGES} pages`, { code: 'ERR_HIKVISION_BAD_RESPONSE' });
    if (signal?.aborted) throw new HikvisionError('search aborted', { code: 'ERR_HIKVISION_ABORTED', cause: signal.reason });
    const body = searchDescription({ searchId, trackId, startTime: toIsapiTime(windowStart, model), endTime, maxResults, position });
    const answer = await client.isapi('/ISAPI/ContentMgmt/search', { method: 'POST', body, signal });
    const result = parseSearchPage(answer.root);
    if (result === undefined) throw new HikvisionError('the device answered the search with something other than a CMSearchResult', { code: 'ERR_HIKVISION_BAD_RESPONSE' });
    // The first answer says ISAPI 1.0 on a device taken for true UTC: its Z is local time. Ask again in its terms.
    if (page === 0 && client.noteSearchVersion(result.version)) {
      options.onWarning?.('the device answers ISAPI 1.0: its times are read as its local clock');
      model = await client.clockModel({ ...(signal ? { signal } : {}) });
      startMs = instantOf(options.start, model, 'start');
      endMs = instantOf(options.end, model, 'end');
      endTime = toIsapiTime(endMs, model);
      windowStart = startMs;
      searchId = newSearchId();
      page = -1;
      continue;
    }
    const { status, items } = result;
    if (status !== 'OK' && status !== 'MORE' && status !== 'NO MATCHES') {
      throw new HikvisionError(`the search answered responseStatusStrg ${JSON.stringify(status.slice(0, 32))}`, { code: 'ERR_HIKVISION_BAD_RESPONSE' });
    }
    if (items.length === 0) {
      if (status === 'MORE') throw new HikvisionError('the device answered MORE with no items: the search cannot go on', { code: 'ERR_HIKVISION_BAD_RESPONSE' });
      return;
    }
    if (result.numOfMatches !== undefined && result.numOfMatches !== items.length) {
      options.onWarning?.(`the device said numOfMatches ${result.numOfMatches} with ${items.length} items; went by the items`);
    }
    const recordings: HikvisionRecording[] = [];
    for (const item of items) {
      const recording = toRecording(item, channel, model, options.onWarning);
      if (typeof recording === 'string') options.onWarning?.(`skipped ${recording}`);
      else recordings.push(recording);
    }
    const fingerprint = recordings.map((each) => each.playbackUri).join('\n');
    if (fingerprint === previousPage) {
      if (advanceByTime || status !== 'MORE') throw new HikvisionError('the device returned the same page of results twice; stopping the search', { code: 'ERR_HIKVISION_BAD_RESPONSE' });
      // A device that ignores the position though it does not say version 1.0.
      options.onWarning?.('the device ignores searchResultPostion: continuing from the last item’s end time');
      advanceByTime = true;
    }
    previousPage = fingerprint;
    for (const recording of recordings) {
      if (seen.has(recording.playbackUri)) continue;
      seen.add(recording.playbackUri);
      yield recording;
    }
    if (status !== 'MORE') return;
    if (result.version?.startsWith('1.') === true) advanceByTime = true;
    if (advanceByTime) {
      const lastEnd = recordings.reduce((latest, each) => Math.max(latest, each.end.getTime()), Number.NEGATIVE_INFINITY);
      if (!(lastEnd > windowStart)) throw new HikvisionError('the search does not advance (the last item ends before the window start)', { code: 'ERR_HIKVISION_BAD_RESPONSE' });
      if (lastEnd >= endMs) return;
      windowStart = lastEnd;
      position = 0;
      searchId = newSearchId();
    } else {
      position += items.length;
    }
  }
}
