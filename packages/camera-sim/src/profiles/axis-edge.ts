import { toWallClock } from '../camera-time.js';
import { fileSource, type BodySource } from '../content.js';
import { CameraSimError } from '../errors.js';
import { ensureMedia } from '../media-cache.js';
import { decodedQuery, reply, type RequestContext } from '../request-context.js';
import type { ProfileHandler } from './profile-handler.js';

/** How the `axis-edge` profile (VAPIX edge storage) answers. */
export interface AxisEdgeBehaviour {
  /** Disks the camera lists; recordings are spread over them in turn. @default ['SD_DISK'] */
  disks?: string[];
  /** Completed recordings. @default 5 */
  recordings?: number;
  /** UTC start of the first recording (ISO 8601); each lasts 4–6 s, 10 minutes apart. @default '2026-01-16T20:00:00Z' */
  firstStart?: string;
  /** One more recording, still being written (`stoptime=""`, `recordingstatus="recording"`): its export is cut where the recording is now. @default true */
  inProgress?: boolean;
  /** Export formats offered (`exportformat=`); another answers GeneralError 170. @default ['matroska', 'mp4'] */
  formats?: Array<'matroska' | 'mp4'>;
  /** Exports close the connection instead of a chunked body (an HTTP/1.0 answer). @default false */
  closeDelimited?: boolean;
  /** XML put verbatim into every `list.cgi` page after the real `<recording>` elements (hostile entries for tests). @default '' */
  extraListXml?: string;
  /**
   * What `startatresultnumber` counts from: `0` (as clients use it) or `1` (the document does not say;
   * a device that counts from 1 reads 0 as 1).
   * @default 0
   */
  firstResultNumber?: 0 | 1;
  /** `totalnumberofrecordings`/`numberofrecordings` sent whatever the matches (a lying count for tests). @default undefined (the matches) */
  listTotal?: number | undefined;
}

export interface AxisEdgeSimRecording {
  recordingId: string;
  diskId: string;
  startMs: number;
  /** Undefined while recording. */
  stopMs: number | undefined;
  /** Media length in seconds. */
  durationSec: number;
  /** sha256 and size of the whole export per format. */
  exports: Record<'matroska' | 'mp4', { size: number; sha256: string }>;
}

/** The live state of an `axis-edge` simulator, for tests. */
export interface AxisEdgeSimState {
  /** Every recording still on the card (removed ones are gone), oldest first. */
  readonly recordings: AxisEdgeSimRecording[];
  /** Recording ids removed through `remove.cgi`, in order. */
  readonly removed: string[];
  /** Ends the recording in progress: it gets its stop time and a whole export. */
  completeRecording(): void;
  /** Exports of `recordingId` answer `200 text/xml` GeneralError `code` until cleared (`undefined`). */
  refuseExport(recordingId: string, code: number | undefined): void;
  /** Exports of `recordingId` end after `bytes` bytes, the chunked body still properly terminated. */
  cutExport(recordingId: string, bytes: number | undefined): void;
}

interface Entry {
  recording: AxisEdgeSimRecording;
  sources: Record<'matroska' | 'mp4', BodySource>;
}

const MAC = 'ACCC8EF7DE6B';
const ERROR_TEXT: Record<number, string> = { 10: 'Internal error', 20: 'Invalid parameters', 40: 'Export failed', 110: 'Recording not found', 120: 'Invalid start time', 170: 'Unsupported export format' };

function isoMicro(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}.${String((ms % 1000) * 1000).padStart(6, '0')}Z`;
}

function localMicro(ms: number, timeZone: string): string {
  const wall = toWallClock(ms, timeZone);
  const offset = Math.round((Date.parse(`${wall.replace(' ', 'T')}Z`) - Math.floor(ms / 1000) * 1000) / 60_000);
  const sign = offset < 0 ? '-' : '+';
  return `${wall.replace(' ', 'T')}.${String((ms % 1000) * 1000).padStart(6, '0')}${sign}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
}

function attribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

/** Axis edge storage: `record/list.cgi`, `record/export/exportrecording.cgi`, `record/remove.cgi`, `disks/list.cgi`. */
export async function createAxisEdgeProfile(context: { behaviour: AxisEdgeBehaviour | undefined; timeZone: string; mediaCacheDir: string }): Promise<{ handler: ProfileHandler; state: AxisEdgeSimState }> {
  const behaviour: Required<Omit<AxisEdgeBehaviour, 'listTotal'>> & Pick<AxisEdgeBehaviour, 'listTotal'> = { disks: ['SD_DISK'], recordings: 5, firstStart: '2026-01-16T20:00:00Z', inProgress: true, formats: ['matroska', 'mp4'], closeDelimited: false, extraListXml: '', firstResultNumber: 0, listTotal: undefined, ...context.behaviour };
  if (!Number.isInteger(behaviour.recordings) || behaviour.recordings < 0 || behaviour.recordings > 500) {
    throw new CameraSimError(`axisEdge.recordings must be 0..500, got ${String(behaviour.recordings)}`, { code: 'ERR_SIM_BAD_OPTIONS' });
  }
  const firstStartMs = Date.parse(behaviour.firstStart);
  if (!Number.isFinite(firstStartMs) || behaviour.disks.length === 0) throw new CameraSimError('axisEdge.firstStart must be an ISO time and disks not empty', { code: 'ERR_SIM_BAD_OPTIONS' });
  const { timeZone } = context;
  const entries: Entry[] = [];
  const total = behaviour.recordings + (behaviour.inProgress ? 1 : 0);
  for (let index = 0; index < total; index += 1) {
    const durationSec = 4 + (index % 3);
    const pattern = index % 2 === 0 ? 'testsrc' : 'testsrc2';
    const [mkv, mp4] = await Promise.all([
      // Written as a stream, as the camera writes an export: Matroska of unknown sizes, a fragmented MP4.
      ensureMedia({ container: 'mkv-h264-live', durationSec, pattern }, context.mediaCacheDir),
      ensureMedia({ container: 'mp4-h264-fragmented', durationSec, pattern }, context.mediaCacheDir),
    ]);
    const startMs = firstStartMs + index * 600_000;
    const date = new Date(startMs).toISOString();
    const recordingId = `${date.slice(0, 10).replace(/-/g, '')}_${date.slice(11, 19).replace(/:/g, '')}_${(0xae24 + index).toString(16).toUpperCase()}_${MAC}`;
    const recording: AxisEdgeSimRecording = {
      recordingId,
      diskId: behaviour.disks[index % behaviour.disks.length]!,
      startMs,
      stopMs: behaviour.inProgress && index === total - 1 ? undefined : startMs + durationSec * 1000,
      durationSec,
      exports: { matroska: { size: mkv.size, sha256: mkv.sha256 }, mp4: { size: mp4.size, sha256: mp4.sha256 } },
    };
    entries.push({ recording, sources: { matroska: fileSource(mkv.path, mkv.size, mkv.sha256), mp4: fileSource(mp4.path, mp4.size, mp4.sha256) } });
  }
  const refused = new Map<string, number>();
  const cuts = new Map<string, number>();
  const removed: string[] = [];

  const xmlReply = (ctx: RequestContext, body: string): Promise<void> => reply(ctx, 200, `<?xml version="1.0" encoding="UTF-8"?>\n${body}\n`, { 'Content-Type': 'text/xml' });
  const generalError = (ctx: RequestContext, code: number): Promise<void> =>
    xmlReply(
      ctx,
      `<ExportRecordingResponse xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="http://www.axis.com/vapix/http_cgi/recording/exportrecording1.xsd" SchemaVersion="1.0">\n  <GeneralError>\n    <ErrorCode>${code}</ErrorCode>\n    <ErrorDescription>${ERROR_TEXT[code] ?? 'Error'}</ErrorDescription>\n  </GeneralError>\n</ExportRecordingResponse>`,
    );

  const recordingXml = ({ recording }: Entry): string => {
    const stop = recording.stopMs;
    return `  <recording diskid="${attribute(recording.diskId)}" recordingid="${recording.recordingId}" starttime="${isoMicro(recording.startMs)}" starttimelocal="${localMicro(recording.startMs, timeZone)}" stoptime="${stop === undefined ? '' : isoMicro(stop)}" stoptimelocal="${stop === undefined ? '' : localMicro(stop, timeZone)}" recordingtype="continuous" eventid="continuous" eventtrigger="continuous" recordingstatus="${stop === undefined ? 'recording' : 'completed'}" source="1">\n    <video mimetype="video/x-h264" source="1" framerate="10:1" resolution="160x120" width="160" height="120"/>\n  </recording>`;
  };

  const list = (ctx: RequestContext): Promise<void> => {
    const query = decodedQuery(ctx.rawQuery);
    const recordingIds = query?.get('recordingid');
    const startText = query?.get('starttime');
    const stopText = query?.get('stoptime');
    if (query === undefined || (recordingIds === undefined && startText === undefined && stopText === undefined)) return generalError(ctx, 20);
    const maxText = query.get('maxnumberofresults');
    const firstText = query.get('startatresultnumber');
    const order = query.get('sortorder') ?? 'descending';
    if ((maxText !== undefined && !/^\d{1,6}$/.test(maxText)) || (firstText !== undefined && !/^\d{1,6}$/.test(firstText)) || (order !== 'ascending' && order !== 'descending')) return generalError(ctx, 20);
    const diskId = query.get('diskid');
    const startMs = startText === undefined ? undefined : Date.parse(startText);
    const stopMs = stopText === undefined ? undefined : Date.parse(stopText);
    if (Number.isNaN(startMs) || Number.isNaN(stopMs)) return generalError(ctx, 120);
    const ids = recordingIds === undefined || recordingIds === 'all' ? undefined : new Set(recordingIds.split(','));
    const matches = entries
      .filter(({ recording }) => (ids === undefined || ids.has(recording.recordingId)) && (diskId === undefined || diskId === '' || diskId === 'all' || diskId === recording.diskId))
      .filter(({ recording }) => (startMs === undefined || (recording.stopMs ?? Number.POSITIVE_INFINITY) >= startMs) && (stopMs === undefined || recording.startMs <= stopMs))
      .sort((a, b) => (order === 'ascending' ? a.recording.startMs - b.recording.startMs : b.recording.startMs - a.recording.startMs));
    const first = Math.max(0, Number(firstText ?? behaviour.firstResultNumber) - behaviour.firstResultNumber);
    const page = matches.slice(first, maxText === undefined ? undefined : first + Number(maxText));
    // numberofrecordings counts every match, not this page (as the firmware does).
    return xmlReply(
      ctx,
      `<root xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="http://www.axis.com/vapix/http_cgi/recording/list1.xsd">\n<recordings totalnumberofrecordings="${behaviour.listTotal ?? matches.length}" numberofrecordings="${behaviour.listTotal ?? matches.length}" >\n${page.map(recordingXml).join('\n')}\n${behaviour.extraListXml}</recordings></root>`,
    );
  };

  const exportRecording = async (ctx: RequestContext): Promise<void> => {
    const query = decodedQuery(ctx.rawQuery);
    if (query === undefined || query.get('schemaversion') === undefined || query.get('diskid') === undefined || query.get('exportformat') === undefined || query.get('recordingid') === undefined) return generalError(ctx, 20);
    const format = query.get('exportformat') as 'matroska' | 'mp4';
    if (!behaviour.formats.includes(format)) return generalError(ctx, 170);
    const entry = entries.find(({ recording }) => recording.recordingId === query.get('recordingid') && recording.diskId === query.get('diskid'));
    if (entry === undefined) return generalError(ctx, 110);
    const refusal = refused.get(entry.recording.recordingId);
    if (refusal !== undefined) return generalError(ctx, refusal);
    const source = entry.sources[format];
    // Still recording: what is on the card so far, a file without its end.
    const length = entry.recording.stopMs === undefined ? Math.floor(source.size / 2) : Math.min(source.size, cuts.get(entry.recording.recordingId) ?? source.size);
    const { startMs } = entry.recording;
    const stamp = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '_');
    const response = ctx.response;
    if (behaviour.closeDelimited) {
      response.shouldKeepAlive = false;
      response.useChunkedEncodingByDefault = false;
    }
    response.writeHead(200, {
      'Content-Type': format === 'matroska' ? 'video/x-matroska' : 'video/mp4',
      'Content-Disposition': `attachment; filename="${stamp(startMs)}_${stamp(entry.recording.stopMs ?? startMs)}.${format === 'matroska' ? 'mkv' : 'mp4'}"`,
      ...(behaviour.closeDelimited ? { Connection: 'close' } : {}),
    });
    for await (const chunk of source.open(0, length - 1)) {
      ctx.counters.bytesSent += (chunk as Buffer).length;
      if (!response.write(chunk)) await new Promise((resolve) => response.once('drain', resolve));
    }
    response.end();
  };

  const remove = (ctx: RequestContext): Promise<void> => {
    const query = decodedQuery(ctx.rawQuery);
    const idText = query?.get('recordingid');
    if (query === undefined || idText === undefined || idText === '') return generalError(ctx, 20);
    const diskId = query.get('diskid');
    const targets = idText === 'all' ? entries.map(({ recording }) => recording.recordingId) : idText.split(',');
    const rows = targets.map((id) => {
      const index = entries.findIndex(({ recording }) => recording.recordingId === id && (diskId === undefined || diskId === recording.diskId));
      const found = entries[index];
      if (found === undefined) return `<remove recordingid="${attribute(id)}" result="ERROR" errormsg="Recording not found" />`;
      if (found.recording.stopMs === undefined) return `<remove recordingid="${attribute(id)}" result="ERROR" errormsg="Recording in progress" />`;
      entries.splice(index, 1);
      removed.push(id);
      return `<remove recordingid="${attribute(id)}" result="OK" errormsg="" />`;
    });
    return xmlReply(ctx, `<root>\n${rows.join('\n')}\n</root>`);
  };

  const disks = (ctx: RequestContext): Promise<void> =>
    xmlReply(
      ctx,
      `<root xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="http://www.axis.com/vapix/http_cgi/disks/list.xsd">\n<disks numberofdisks="${behaviour.disks.length}">\n${behaviour.disks
        .map((disk, index) => `<disk diskid="${attribute(disk)}" name="" totalsize="31154688" freesize="30154688" cleanuplevel="90" cleanupmaxage="7" cleanuppolicy="fifo" locked="no" full="no" readonly="no" status="OK" filesystem="ext4" group="S${index}" requiredfilesystem="none" encryptionenabled="false" diskencrypted="false"/>`)
        .join('\n')}\n</disks>\n</root>`,
    );

  const routes: Record<string, (ctx: RequestContext) => Promise<void>> = {
    '/axis-cgi/record/list.cgi': list,
    '/axis-cgi/record/export/exportrecording.cgi': exportRecording,
    '/axis-cgi/record/remove.cgi': remove,
    '/axis-cgi/disks/list.cgi': disks,
  };
  const handler: ProfileHandler = {
    serialize: 'off',
    route: (method, path) => (routes[path] !== undefined && method === 'GET' ? { route: path.slice('/axis-cgi/'.length), resource: path } : undefined),
    handle: (ctx) => (routes[ctx.path] ?? list)(ctx),
  };
  const state: AxisEdgeSimState = {
    get recordings() {
      return entries.map(({ recording }) => recording);
    },
    removed,
    completeRecording: () => {
      for (const { recording } of entries) if (recording.stopMs === undefined) recording.stopMs = recording.startMs + recording.durationSec * 1000;
    },
    refuseExport: (id, code) => (code === undefined ? refused.delete(id) : refused.set(id, code)),
    cutExport: (id, bytes) => (bytes === undefined ? cuts.delete(id) : cuts.set(id, bytes)),
  };
  return { handler, state };
}
