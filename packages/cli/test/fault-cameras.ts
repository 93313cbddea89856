import { closeAfterEach, deterministicBytes, makeTempDir, startFaultServer, type FaultServer, type TempDir } from '@camdl/test-utils';

/**
 * One fault server and one temporary output directory per test, both closed after it: call at the top
 * level of a test file; the returned function starts them.
 */
export function useFaultCamera(tempPrefix: string): () => Promise<{ server: FaultServer; dir: TempDir }> {
  const track = closeAfterEach();
  let server: FaultServer | undefined;
  let dir: TempDir | undefined;
  return async () => {
    server = track(await startFaultServer());
    dir = track(await makeTempDir(tempPrefix));
    return { server, dir };
  };
}

/** An archive of a fault Timelapse camera: what the listing says and what the download sends. */
export interface FaultArchive {
  filename: string;
  /** The bytes served for `download?filename=`. */
  content: Buffer;
  /** The size in the listing. @default content.length */
  listedSize?: number;
  /** Served with this Content-Type. @default video/mp4 (3.x) or video/x-msvideo (1.x) */
  contentType?: string;
  headers?: Record<string, string>;
  bytesPerSecond?: number;
  /** Require this exact Authorization on the download (never matched = every login refused). */
  authorization?: string;
}

/** A well-formed MP4 container (an ISO-BMFF `ftyp` box, then one `mdat` box to the end) of `size` bytes. */
export function mp4Bytes(size: number, seed = 1): Buffer {
  const bytes = deterministicBytes(size, seed);
  bytes.writeUInt32BE(24, 0);
  bytes.write('ftypisom', 4, 'latin1');
  bytes.writeUInt32BE(0x200, 12);
  bytes.write('isomavc1', 16, 'latin1');
  bytes.writeUInt32BE(size - 24, 24);
  bytes.write('mdat', 28, 'latin1');
  return bytes;
}

/** A real-looking AVI (`RIFF <size-8> AVI LIST`) of `size` bytes. */
export function aviBytes(size: number, seed = 1): Buffer {
  const bytes = deterministicBytes(size, seed);
  bytes.write('RIFF', 0, 'latin1');
  bytes.writeUInt32LE(size - 8, 4);
  bytes.write('AVI LIST', 8, 'latin1');
  return bytes;
}

/**
 * Serves a Timelapse2 1.x (`version` 1.x) or Timelapse 3.x camera on a fault server: `app`, the
 * `archive` listing (or `listing` as given: any body), every `download?filename=`, and DELETE.
 */
export function serveTimelapse(
  server: FaultServer,
  archives: readonly FaultArchive[],
  options: { version?: string; listing?: string; listingContentType?: string } = {},
): void {
  const version = options.version ?? '3.1.5';
  const v3 = Number.parseInt(version, 10) >= 3;
  server.setFile('/local/timelapse2/app', {
    content: Buffer.from(JSON.stringify({ manifest: { acapPackageConf: { setup: { version } } }, settings: { retentionMonths: 1 } })),
    contentType: 'application/json',
    etag: false,
    lastModified: false,
    ranges: false,
  });
  const listing =
    options.listing ??
    JSON.stringify(
      archives.map((archive, index) => ({
        id: 'QKXBTRWA',
        filename: archive.filename,
        size: archive.listedSize ?? archive.content.length,
        frames: 10,
        fps: 10,
        first: 1727560800000 + index * 86_400_000,
        last: 1727560800000 + index * 86_400_000 + 1000,
        ...(v3 ? { container: 'mp4', codec: 'h264' } : {}),
      })),
    );
  server.setFile('/local/timelapse2/archive', {
    content: Buffer.from(listing),
    contentType: options.listingContentType ?? 'application/json',
    etag: false,
    lastModified: false,
    ranges: false,
  });
  for (const archive of archives) {
    const query = v3 ? encodeURIComponent(archive.filename) : archive.filename;
    server.setFile(`/local/timelapse2/download?filename=${query}`, {
      content: archive.content,
      contentType: archive.contentType ?? (v3 ? 'video/mp4' : 'video/x-msvideo'),
      // 1.x: no Range, no validators; 3.x (>= 3.1.1): Range and an ETag.
      ranges: v3,
      etag: v3,
      lastModified: false,
      ...(archive.headers ? { headers: archive.headers } : {}),
      ...(archive.bytesPerSecond ? { bytesPerSecond: archive.bytesPerSecond } : {}),
      ...(archive.authorization ? { authorization: archive.authorization } : {}),
    });
    server.setFile(`/local/timelapse2/archive?filename=${query}`, { content: Buffer.alloc(0), deletable: true });
  }
}

/** The DELETE requests the camera received (by request-target). */
export function deletes(server: FaultServer): string[] {
  return server.requests.filter((request) => request.method === 'DELETE').map((request) => request.target);
}

/** The GET requests of downloads. */
export function downloadRequests(server: FaultServer): string[] {
  return server.requests.filter((request) => request.method === 'GET' && request.path === '/local/timelapse2/download').map((request) => request.target);
}

/** A Dahua key=value body. */
export function keyValues(lines: Record<string, string | number>): Buffer {
  return Buffer.from(`${Object.entries(lines).map(([key, value]) => `${key}=${value}`).join('\r\n')}\r\n`);
}

/** One `findNextFile` page of `count` items starting at `first` minutes past 10:00 on 2026-01-16. */
export function searchPage(first: number, count: number): Buffer {
  const lines: Record<string, string | number> = { found: count };
  for (let i = 0; i < count; i += 1) {
    const minute = first + i;
    const at = (m: number): string => `2026-01-16 ${String(10 + Math.floor(m / 60) % 14).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}:00`;
    lines[`items[${i}].Channel`] = 0;
    lines[`items[${i}].Duration`] = 60;
    lines[`items[${i}].StartTime`] = at(minute);
    lines[`items[${i}].EndTime`] = at(minute + 1);
    lines[`items[${i}].FilePath`] = `/mnt/sd/2026-01-16/001/dav/10/${first}-${i}.mp4`;
    lines[`items[${i}].Length`] = 1000;
    lines[`items[${i}].Type`] = 'dav';
  }
  return keyValues(lines);
}

const text = (body: Buffer | string): { content: Buffer; contentType: string; etag: false; lastModified: false; ranges: false } => ({
  content: typeof body === 'string' ? Buffer.from(body) : body,
  contentType: 'text/plain',
  etag: false,
  lastModified: false,
  ranges: false,
});

export const AMCREST_START = '2026-01-16T10:00:00';
export const AMCREST_END = '2026-01-16T11:00:00';
/** The `findFile` request of that search. */
export const AMCREST_FIND_FILE =
  '/cgi-bin/mediaFileFind.cgi?action=findFile&object=7&condition.Channel=1&condition.StartTime=2026-01-16%2010:00:00&condition.EndTime=2026-01-16%2011:00:00&condition.Types[0]=mp4&condition.VideoStream=Main';

/**
 * Serves an Amcrest camera on a fault server: device info, a search for `AMCREST_START`..`AMCREST_END`
 * on channel 1 whose `findNextFile` answers `pages` in turn (then `found=0`), and `files` by FilePath.
 */
export function serveAmcrest(server: FaultServer, pages: readonly Buffer[], files: Record<string, Buffer> = {}): void {
  const cgi = (query: string): string => `/cgi-bin/${query}`;
  for (const action of ['getDeviceType', 'getSerialNo', 'getSoftwareVersion', 'getMachineName']) {
    server.setFile(cgi(`magicBox.cgi?action=${action}`), text(`result=x\r\n`));
  }
  server.setFile(cgi('global.cgi?action=getCurrentTime'), text('result=2026-01-16 12:00:00\r\n'));
  server.setFile(cgi('mediaFileFind.cgi?action=factory.create'), text('result=7\r\n'));
  server.setFile(AMCREST_FIND_FILE, text('OK\r\n'));
  const next = cgi('mediaFileFind.cgi?action=findNextFile&object=7&count=100');
  server.setFile(next, text(pages[0] ?? 'found=0\r\n'));
  server.queueFaults(next, ...pages.map((content) => ({ kind: 'change', content }) as const), { kind: 'change', content: Buffer.from('found=0\r\n') });
  server.setFile(cgi('mediaFileFind.cgi?action=close&object=7'), text('OK\r\n'));
  server.setFile(cgi('mediaFileFind.cgi?action=destroy&object=7'), text('OK\r\n'));
  for (const [path, content] of Object.entries(files)) {
    server.setFile(cgi(`RPC_Loadfile${path}`), { content, contentType: 'Application/octet-stream', etag: false, lastModified: false, ranges: false });
  }
}
