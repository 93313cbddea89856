import { describe, expect, it } from 'vitest';
import { assignErrorFields, codedErrorGuard, errorCause, requestMessage } from './coded-error.js';

interface SampleErrorOptions {
  code: 'ERR_SAMPLE_ONE' | 'ERR_SAMPLE_TWO';
  url?: string;
  status?: number;
  cause?: unknown;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type -- the fields are set by assignErrorFields
interface SampleError extends Readonly<Omit<SampleErrorOptions, 'cause'>> {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
class SampleError extends Error {
  constructor(message: string, options: SampleErrorOptions) {
    super(requestMessage(message, options), errorCause(options));
    assignErrorFields(this, 'SampleError', options, ['url', 'status']);
  }
}

const isSampleError = codedErrorGuard(SampleError, 'SampleError', ['ERR_SAMPLE_']);

function foreign(name: string, fields: Record<string, unknown>): Error {
  const error = new (class extends Error {})('x');
  Object.defineProperty(error, 'name', { value: name });
  return Object.assign(error, fields);
}

describe('coded errors', () => {
  it('sets the code and every named field, undefined included, and a cause only when given', () => {
    const cause = new Error('inner');
    const error = new SampleError('refused', { code: 'ERR_SAMPLE_ONE', url: 'http://cam/x', cause });
    expect(error.message).toBe('[GET] "http://cam/x": refused');
    expect(Object.keys(error)).toEqual(['name', 'code', 'url', 'status']);
    expect(error).toMatchObject({ name: 'SampleError', code: 'ERR_SAMPLE_ONE', url: 'http://cam/x', status: undefined });
    expect(error.cause).toBe(cause);
    const bare = new SampleError('bad', { code: 'ERR_SAMPLE_TWO' });
    expect(bare.message).toBe('bad');
    expect('cause' in bare).toBe(false);
  });

  it('the guard accepts its class and another copy by name and code prefix, optionally of one code', () => {
    expect(isSampleError(new SampleError('x', { code: 'ERR_SAMPLE_ONE' }))).toBe(true);
    expect(isSampleError(new SampleError('x', { code: 'ERR_SAMPLE_ONE' }), 'ERR_SAMPLE_TWO')).toBe(false);
    expect(isSampleError(foreign('SampleError', { code: 'ERR_SAMPLE_TWO' }), 'ERR_SAMPLE_TWO')).toBe(true);
    expect(isSampleError(foreign('SampleError', { code: 'ERR_OTHER' }))).toBe(false);
    expect(isSampleError(foreign('SampleError', { code: 42 }))).toBe(false);
    expect(isSampleError(foreign('OtherError', { code: 'ERR_SAMPLE_ONE' }))).toBe(false);
    expect(isSampleError({ name: 'SampleError', code: 'ERR_SAMPLE_ONE', message: 'x' })).toBe(false);
    expect(isSampleError(undefined)).toBe(false);
  });
});
