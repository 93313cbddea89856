import { describe, expect, it } from 'vitest';
import { redactUrl } from './redact-url.js';

describe('redactUrl', () => {
  it('drops the user name and the password of the userinfo', () => {
    expect(redactUrl('http://root:secret@192.0.2.7/axis-cgi/x')).toBe('http://192.0.2.7/axis-cgi/x');
    expect(redactUrl('https://admin:pw@cam.example:8443/cgi-bin/y?action=z')).toBe('https://cam.example:8443/cgi-bin/y?action=z');
  });

  it('drops a user name alone and a password alone', () => {
    expect(redactUrl('http://root@cam/')).toBe('http://cam/');
    expect(redactUrl('http://:secret@cam/')).toBe('http://cam/');
  });

  it('drops credentials that hold reserved or encoded characters, whole', () => {
    // The last @ ends the userinfo: the password is `p@ss:w`, not a host.
    const out = redactUrl('http://us%40er:p@ss:w@cam/x');
    expect(out).toBe('http://cam/x');
    expect(redactUrl('http://us%3Aer:p%2Fw%23rd@cam/x')).toBe('http://cam/x');
    expect(redactUrl('http://%E2%82%AC:%E2%82%AC@cam/')).toBe('http://cam/');
  });

  it('drops the fragment, keeps the path and the query as they were encoded', () => {
    expect(redactUrl('http://u:p@cam/a%20b/c?filename=a%26b.zip&x=1#token=abc')).toBe('http://cam/a%20b/c?filename=a%26b.zip&x=1');
    expect(redactUrl('http://cam/list?x=#')).toBe('http://cam/list?x=');
  });

  it('handles IPv6 hosts, default and odd ports, and non-special schemes', () => {
    expect(redactUrl('http://u:p@[::1]:8080/x')).toBe('http://[::1]:8080/x');
    expect(redactUrl('http://u:p@cam:80/x')).toBe('http://cam/x');
    expect(redactUrl('rtsp://admin:pw@cam:554/cam/realmonitor?channel=1')).toBe('rtsp://cam:554/cam/realmonitor?channel=1');
    expect(redactUrl('HTTP://U:P@CAM/X')).toBe('http://cam/X');
  });

  it('takes a URL object without changing it', () => {
    const url = new URL('http://root:secret@cam/x#y');
    expect(redactUrl(url)).toBe('http://cam/x');
    expect(url.href).toBe('http://root:secret@cam/x#y');
  });

  it('never echoes what is not a URL (it may hold the credentials)', () => {
    expect(redactUrl('root:secret@cam')).toBe('<invalid url>');
    expect(redactUrl('mailto:root:secret@cam')).toBe('<invalid url>');
    expect(redactUrl('')).toBe('<invalid url>');
    expect(redactUrl('cam/x')).toBe('<invalid url>');
    expect(redactUrl('http://root:secret@')).toBe('<invalid url>');
    expect(redactUrl('http://u:p@ca m/')).toBe('<invalid url>');
  });

  it('keeps a file: URL (no host, nothing to hide)', () => {
    expect(redactUrl('file:///srv/cam/a.mp4')).toBe('file:///srv/cam/a.mp4');
  });

  it('leaves a URL without credentials as it is', () => {
    expect(redactUrl('http://127.0.0.1:8080/local/timelapse2/api.cgi?list')).toBe('http://127.0.0.1:8080/local/timelapse2/api.cgi?list');
  });
});
