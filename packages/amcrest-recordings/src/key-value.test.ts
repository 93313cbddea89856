import { describe, expect, it } from 'vitest';
import { checkCameraBody, classifyErrorBody, parseKeyValueBody } from './key-value.js';
import { isAmcrestError } from './errors.js';

const PAGE = [
  'found=2',
  'items[0].Channel=0',
  'items[0].Duration=480',
  'items[0].EndTime=2020-01-06 06:13:00',
  'items[0].Events[0]=VideoMotion',
  'items[0].FilePath=/mnt/sd/2020-01-06/001/dav/06/06.05.00-06.13.00[M][0@0][0].mp4',
  'items[0].Flags[0]=Event',
  'items[0].Length=248362892',
  'items[0].StartTime=2020-01-06 06:05:00',
  'items[0].Type=dav',
  'items[1].Events[1]=AlarmLocal',
  'items[1].Events[0]=VideoMotion',
  'items[1].FilePath=/mnt/sd/x.mp4',
].join('\r\n');

describe('parseKeyValueBody', () => {
  it('expands items[0].Events[0] keys into nested objects and arrays', () => {
    const { data, flat } = parseKeyValueBody(`${PAGE}\r\n`);
    expect(flat.get('found')).toBe('2');
    expect(data).toEqual({
      found: '2',
      items: [
        {
          Channel: '0',
          Duration: '480',
          EndTime: '2020-01-06 06:13:00',
          Events: ['VideoMotion'],
          FilePath: '/mnt/sd/2020-01-06/001/dav/06/06.05.00-06.13.00[M][0@0][0].mp4',
          Flags: ['Event'],
          Length: '248362892',
          StartTime: '2020-01-06 06:05:00',
          Type: 'dav',
        },
        { Events: ['VideoMotion', 'AlarmLocal'], FilePath: '/mnt/sd/x.mp4' },
      ],
    });
  });

  it('accepts bare \\n, a BOM, blank lines and splits only at the first =', () => {
    const { data, unparsed } = parseKeyValueBody('\ufeffa=b=c==\n\n  \nurl=http://x/?q=1&r=2\nOK\n');
    expect(data).toEqual({ a: 'b=c==', url: 'http://x/?q=1&r=2' });
    expect(unparsed).toEqual(['OK']);
  });

  it('keeps an empty value and values with spaces as sent', () => {
    expect(parseKeyValueBody('a=\r\nb= x y \r\n').data).toEqual({ a: '', b: ' x y ' });
  });

  it('survives adversarial keys without pollution or huge arrays', () => {
    const body = [
      '__proto__.polluted=1',
      'constructor.prototype.polluted=1',
      'a[999999999]=x',
      'b=1',
      'b.c=2',
      'd.e=1',
      'd=2',
      'f[0]=1',
      'f.g=2',
      '[0]=x',
      '=novalue',
      'h..i=1',
      'j[x]=1',
      'k[0][1]=deep',
    ].join('\n');
    const { data, flat, unparsed } = parseKeyValueBody(body);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(data).toEqual({ b: '1', d: { e: '1' }, f: ['1'], k: [[undefined, 'deep']] });
    expect(flat.get('a[999999999]')).toBe('x');
    expect(flat.get('d')).toBe('2');
    expect(unparsed).toEqual(['=novalue']);
  });

  it('later duplicates win', () => {
    expect(parseKeyValueBody('a=1\na=2').data).toEqual({ a: '2' });
  });
});

describe('error bodies', () => {
  it.each([
    ['Error\r\nBad Request!\r\n', 'ERR_AMCREST_BAD_REQUEST'],
    ['Error\nNot Implemented!', 'ERR_AMCREST_NOT_IMPLEMENTED'],
    ['Error\r\nInvalid Authority!\r\n', 'ERR_AMCREST_INVALID_AUTHORITY'],
    ['\r\nError\r\nSomething else\r\n', 'ERR_AMCREST_BAD_RESPONSE'],
  ])('classifies %j', (body, code) => {
    expect(classifyErrorBody(body)?.code).toBe(code);
  });

  it('does not take key=value bodies for errors', () => {
    expect(classifyErrorBody('found=0\r\n')).toBeUndefined();
    expect(classifyErrorBody('ErrorCode=1\r\n')).toBeUndefined();
    expect(classifyErrorBody('')).toBeUndefined();
  });

  it('throws for an error body even with status 200, with the code and url', () => {
    let caught: unknown;
    try {
      checkCameraBody('Error\r\nBad Request!\r\n', 200, 'http://cam/cgi-bin/x.cgi');
    } catch (error) {
      caught = error;
    }
    expect(isAmcrestError(caught, 'ERR_AMCREST_BAD_REQUEST')).toBe(true);
    expect(caught).toMatchObject({ status: 200, url: 'http://cam/cgi-bin/x.cgi' });
  });

  it('maps a bare non-2xx status', () => {
    expect(() => checkCameraBody('', 501, 'u')).toThrow(expect.objectContaining({ code: 'ERR_AMCREST_NOT_IMPLEMENTED' }));
    expect(() => checkCameraBody('<html>oops</html>', 500, 'u')).toThrow(expect.objectContaining({ code: 'ERR_AMCREST_HTTP_STATUS' }));
    expect(checkCameraBody('result=12\r\n', 200, 'u').flat.get('result')).toBe('12');
  });
});

describe('error bodies whose first line contains "="', () => {
  it('"Error: Error -1 getting param in name=Lighting[0][0]" is an error', () => {
    expect(classifyErrorBody('Error: Error -1 getting param in name=Lighting[0][0]\r\n')).toMatchObject({ code: 'ERR_AMCREST_BAD_RESPONSE' });
    expect(() => checkCameraBody('Error: Error -1 getting param in name=Lighting[0][0]\r\n', 200, 'http://cam/cgi-bin/configManager.cgi')).toThrow(
      expect.objectContaining({ code: 'ERR_AMCREST_BAD_RESPONSE', status: 200 }),
    );
  });

  it('a key named Error or ErrorCode stays a key=value record', () => {
    expect(classifyErrorBody('Error=0\r\n')).toBeUndefined();
    expect(classifyErrorBody('ErrorCode=12\r\nresult=ok\r\n')).toBeUndefined();
  });
});
