import { parseXml } from '@camdl/internal';
import { describe, expect, it } from 'vitest';
import type { HikvisionClient } from './client.js';
import { isHikvisionError } from './errors.js';
import { searchRecordings } from './search-recordings.js';

/** The device's side of a search as canned answers: the paging policy is what is under test. */
function deviceAnswering(pages: Array<{ status: string; items: number[]; version?: string }>) {
  const requests: string[] = [];
  const client: Pick<HikvisionClient, 'isapi' | 'clockModel' | 'noteSearchVersion'> = {
    clockModel: () => Promise.resolve({ z: 'utc', offsetMinutes: 0 }),
    noteSearchVersion: () => false,
    isapi: (_path, call) => {
      requests.push(call?.body ?? '');
      const page = pages[Math.min(requests.length - 1, pages.length - 1)]!;
      const items = page.items
        .map((minute) => {
          const time = (m: number) => `2026-01-16T${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}:00Z`;
          return `<searchMatchItem><timeSpan><startTime>${time(minute)}</startTime><endTime>${time(minute + 1)}</endTime></timeSpan><mediaSegmentDescriptor><playbackURI>rtsp://d/?name=${minute}&amp;size=10</playbackURI></mediaSegmentDescriptor></searchMatchItem>`;
        })
        .join('');
      return Promise.resolve({ status: 200, root: parseXml(`<CMSearchResult version="${page.version ?? '2.0'}"><responseStatusStrg>${page.status}</responseStatusStrg><numOfMatches>${page.items.length}</numOfMatches><matchList>${items}</matchList></CMSearchResult>`) });
    },
  };
  return { client, requests };
}

async function run(pages: Parameters<typeof deviceAnswering>[0]) {
  const { client, requests } = deviceAnswering(pages);
  const found: string[] = [];
  const warnings: string[] = [];
  try {
    for await (const each of searchRecordings(client, { channel: 1, start: '2026-01-16 00:00:00', end: '2026-01-16 23:00:00', onWarning: (message) => warnings.push(message) })) found.push(each.name ?? each.playbackUri);
    return { found, requests, warnings, error: undefined };
  } catch (error) {
    return { found, requests, warnings, error };
  }
}

const positions = (requests: string[]) => requests.map((body) => /<searchResultPostion>(\d+)</.exec(body)?.[1]);
const starts = (requests: string[]) => requests.map((body) => /<startTime>([^<]+)</.exec(body)?.[1]);

describe('search paging policy', () => {
  it('advances the position by the items received, whatever maxResults asked', async () => {
    const result = await run([{ status: 'MORE', items: [0, 1, 2] }, { status: 'MORE', items: [3, 4] }, { status: 'OK', items: [5] }]);
    expect(result.error).toBeUndefined();
    expect(positions(result.requests)).toEqual(['0', '3', '5']);
    expect(result.found).toHaveLength(6);
  });

  it('MORE with no items is an error, not the end', async () => {
    const result = await run([{ status: 'MORE', items: [0] }, { status: 'MORE', items: [] }]);
    expect(isHikvisionError(result.error, 'ERR_HIKVISION_BAD_RESPONSE')).toBe(true);
    expect(result.found).toHaveLength(1);
  });

  it('a 2.0 device repeating page one continues by time; a repeat then is an error', async () => {
    const repeating = await run([{ status: 'MORE', items: [0, 1] }, { status: 'MORE', items: [0, 1] }, { status: 'OK', items: [2] }]);
    expect(repeating.error).toBeUndefined();
    expect(repeating.found).toHaveLength(3);
    expect(starts(repeating.requests)).toEqual(['2026-01-16T00:00:00Z', '2026-01-16T00:00:00Z', '2026-01-16T00:02:00Z']);
    const stuck = await run([{ status: 'MORE', items: [0, 1] }, { status: 'MORE', items: [0, 1] }, { status: 'MORE', items: [0, 1] }]);
    expect(isHikvisionError(stuck.error, 'ERR_HIKVISION_BAD_RESPONSE')).toBe(true);
  });

  it('ISAPI 1.0 pages continue from the last end time with position 0, overlapping items once', async () => {
    const result = await run([{ status: 'MORE', items: [0, 1], version: '1.0' }, { status: 'MORE', items: [1, 2], version: '1.0' }, { status: 'OK', items: [3], version: '1.0' }]);
    expect(result.error).toBeUndefined();
    expect(positions(result.requests)).toEqual(['0', '0', '0']);
    expect(starts(result.requests)).toEqual(['2026-01-16T00:00:00Z', '2026-01-16T00:02:00Z', '2026-01-16T00:03:00Z']);
    expect(result.found).toEqual(['rtsp://d/?name=0&size=10', 'rtsp://d/?name=1&size=10', 'rtsp://d/?name=2&size=10', 'rtsp://d/?name=3&size=10']);
  });

  it('an unknown status or a non-CMSearchResult answer is an error', async () => {
    expect(isHikvisionError((await run([{ status: 'WHATEVER', items: [0] }])).error, 'ERR_HIKVISION_BAD_RESPONSE')).toBe(true);
  });
});
