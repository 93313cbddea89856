import { describe, expect, it } from 'vitest';
import { parseCameraHost } from '../src/camera-url.js';
import { isExitError } from '../src/exit-error.js';

describe('parseCameraHost', () => {
  it.each([
    ['192.168.0.90', 'http://192.168.0.90/'],
    ['192.168.0.90:8080', 'http://192.168.0.90:8080/'],
    ['cam.example.com', 'http://cam.example.com/'],
    ['https://cam.example.com:8443', 'https://cam.example.com:8443/'],
    ['http://cam.example.com/', 'http://cam.example.com/'],
    ['[::1]:8080', 'http://[::1]:8080/'],
    ['  kitchen.cameras.home.com  ', 'http://kitchen.cameras.home.com/'],
  ])('%s -> %s', (input, expected) => {
    expect(parseCameraHost(input).href).toBe(expected);
  });

  it.each(['', 'ftp://cam', 'http://admin:secret@cam', 'http://', 'http://exa mple.com'])('refuses %j with exit code 2', (input) => {
    let caught: unknown;
    try {
      parseCameraHost(input);
    } catch (error) {
      caught = error;
    }
    expect(isExitError(caught)).toBe(true);
    expect((caught as { exitCode: number }).exitCode).toBe(2);
    expect(String((caught as Error).message)).not.toContain('secret');
  });
});
