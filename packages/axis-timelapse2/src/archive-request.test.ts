import { describe, expect, it } from 'vitest';
import { timelapseCapabilities } from './api.js';
import { buildArchiveRequest, timelapse2V1UnsupportedReason, timelapse3RawUnsupportedReason } from './archive-request.js';

const base = new URL('http://cam:8080/');
const archive = (filename: string, id = 'QKXBTRWA') => ({ id, filename });

describe('Timelapse2 1.x: the raw name in the query', () => {
  it('sends sub-delims and other safe characters raw', () => {
    const request = buildArchiveRequest(base, 'timelapse2-v1', archive("a+b=c(1)!$,;@~'x%y.avi"));
    expect(request.rawTarget).toBe("/local/timelapse2/download?filename=a+b=c(1)!$,;@~'x%y.avi");
    // A URL parser re-encodes the apostrophe: that form goes to the digest uri, the raw one on the wire.
    expect(request.url).toBe("http://cam:8080/local/timelapse2/download?filename=a+b=c(1)!$,;@~%27x%y.avi");
  });

  it('sends non-ASCII names as raw UTF-8 bytes', () => {
    const request = buildArchiveRequest(base, 'timelapse2-v1', archive('Café.avi'));
    expect(Buffer.from(request.rawTarget!, 'latin1').toString('utf8')).toBe('/local/timelapse2/download?filename=Café.avi');
    expect(request.url).toContain('Caf%C3%A9.avi');
  });

  it('needs no rewrite for plain names', () => {
    expect(buildArchiveRequest(base, 'timelapse2-v1', archive('North_Gate_2025_09_30_0000.avi')).rawTarget).toBeUndefined();
  });

  it.each(['Tom_&_Jerry.avi', 'Cam_#2.avi', 'with space.avi', 'ctl\u0001.avi'])('refuses %j clearly', (name) => {
    expect(timelapse2V1UnsupportedReason(name)).toMatch(/Timelapse2 1\.x cannot match/);
    expect(() => buildArchiveRequest(base, 'timelapse2-v1', archive(name))).toThrow(expect.objectContaining({ code: 'ERR_TIMELAPSE_UNSUPPORTED_NAME' }));
  });

  it.each(['Tokyo\u3000Tower.avi', 'nb\u00a0sp.avi', 'en\u2002space.avi', 'bom\ufeff.avi'])('sends a name with a non-ASCII space (%j) as its raw UTF-8 bytes', (name) => {
    // The app turns only the ASCII space into `_`; other spaces are multi-byte UTF-8 a request line carries.
    expect(timelapse2V1UnsupportedReason(name)).toBeUndefined();
    expect(Buffer.from(buildArchiveRequest(base, 'timelapse2-v1', archive(name)).rawTarget!, 'latin1').toString('utf8')).toBe(`/local/timelapse2/download?filename=${name}`);
    expect(timelapse3RawUnsupportedReason(name.replace('.avi', '.mp4'))).toBeUndefined();
  });

  it('builds DELETE archive?filename= the same way', () => {
    expect(buildArchiveRequest(base, 'timelapse2-v1', archive("O'Brien.avi"), 'delete').rawTarget).toBe("/local/timelapse2/archive?filename=O'Brien.avi");
  });
});

describe('Timelapse 3.x and TimelapseMe: encodeURIComponent', () => {
  it('percent-encodes for 3.x', () => {
    const request = buildArchiveRequest(base, 'timelapse3', archive("Tom_&_Jerry_#2_O'B_Café.mp4"));
    expect(request.url).toBe("http://cam:8080/local/timelapse2/download?filename=Tom_%26_Jerry_%232_O'B_Caf%C3%A9.mp4".replace("O'B", 'O%27B'));
    expect(request.rawTarget).toBeUndefined();
  });

  it('refuses path separators and controls on 3.x', () => {
    expect(() => buildArchiveRequest(base, 'timelapse3', archive('a/b.mp4'))).toThrow(expect.objectContaining({ code: 'ERR_TIMELAPSE_UNSUPPORTED_NAME' }));
    expect(() => buildArchiveRequest(base, 'timelapse3', archive('tab\t.mp4'))).toThrow(expect.objectContaining({ code: 'ERR_TIMELAPSE_UNSUPPORTED_NAME' }));
  });

  it('asks 3.1.3+ for a name with DEL (storage_name_is_safe refuses only bytes below 0x20)', () => {
    expect(buildArchiveRequest(base, 'timelapse3', archive('del\u007f.mp4')).url).toBe('http://cam:8080/local/timelapse2/download?filename=del%7F.mp4');
  });

  it('uses export + file on TimelapseMe, and has no delete', () => {
    expect(buildArchiveRequest(base, 'timelapseme', archive('a&b.avi', 'X 1')).url).toBe('http://cam:8080/local/timelapseme/archives?export=X%201&file=a%26b.avi');
    // urllib.parse.quote("O'Brien (1) ü*!~ a/b.avi"), as the seed tool built it
    expect(buildArchiveRequest(base, 'timelapseme', archive("O'Brien (1) ü*!~ a/b.avi", 'QK')).url).toBe(
      'http://cam:8080/local/timelapseme/archives?export=QK&file=O%27Brien%20%281%29%20%C3%BC%2A%21~%20a/b.avi',
    );
    expect(() => buildArchiveRequest(base, 'timelapseme', archive('a.avi'), 'delete')).toThrow(expect.objectContaining({ code: 'ERR_TIMELAPSE_UNSUPPORTED_OPERATION' }));
  });

  it('keeps a base path prefix', () => {
    expect(buildArchiveRequest(new URL('https://proxy/cam1/'), 'timelapse3', archive('a.mp4')).url).toBe('https://proxy/cam1/local/timelapse2/download?filename=a.mp4');
  });
});

describe('Timelapse 3.0.0–3.1.2: the raw name, as on 1.x', () => {
  it('sends the raw UTF-8 name when asked for the raw spelling', () => {
    const request = buildArchiveRequest(base, 'timelapse3', archive("O'Brien_Café.mp4"), 'download', 'raw');
    expect(Buffer.from(request.rawTarget!, 'latin1').toString('utf8')).toBe("/local/timelapse2/download?filename=O'Brien_Café.mp4");
    expect(buildArchiveRequest(base, 'timelapse3', archive("O'Brien.mp4"), 'delete', 'raw').rawTarget).toBe("/local/timelapse2/archive?filename=O'Brien.mp4");
  });

  it.each(['Tom_&_Jerry.mp4', 'Cam_#2.mp4', 'with space.mp4'])('names the version in the reason for %j', (name) => {
    expect(timelapse3RawUnsupportedReason(name)).toMatch(/Timelapse 3\.0\.0–3\.1\.2 cannot match/);
    expect(() => buildArchiveRequest(base, 'timelapse3', archive(name), 'download', 'raw')).toThrow(expect.objectContaining({ code: 'ERR_TIMELAPSE_UNSUPPORTED_NAME' }));
  });

  it('still refuses what every 3.x refuses', () => {
    expect(timelapse3RawUnsupportedReason('a/b.mp4')).toMatch(/path separator/);
  });
});

describe('timelapseCapabilities: spelling and Range by the version GET app reports', () => {
  it.each([
    ['timelapse2-v1', '1.2.3', 'raw', false],
    ['timelapse3', '3.0.0', 'raw', false],
    ['timelapse3', '3.1.0', 'raw', false],
    ['timelapse3', '3.1.1', 'raw', true],
    ['timelapse3', '3.1.2', 'raw', true],
    ['timelapse3', '3.1.3', 'encoded', true],
    ['timelapse3', '3.2', 'encoded', true],
    ['timelapse3', undefined, undefined, undefined],
    ['timelapse3', 'beta', undefined, undefined],
  ] as const)('%s %s → %s, ranges %s', (api, version, spelling, ranges) => {
    expect(timelapseCapabilities(api, version)).toEqual({ querySpelling: spelling, ranges });
  });
});
