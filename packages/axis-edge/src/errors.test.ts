import { errorFromAnotherCopy } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { AxisEdgeError, isAxisEdgeError } from './errors.js';

describe('AxisEdgeError', () => {
  it('takes (message, { code, …context, cause })', () => {
    const cause = new Error('inner');
    const error = new AxisEdgeError('refused', { code: 'ERR_AXIS_EDGE_DEVICE', url: 'http://cam/axis-cgi/x', status: 200, errorCode: 110, recordingId: 'r1', cause });
    expect(error).toMatchObject({ name: 'AxisEdgeError', code: 'ERR_AXIS_EDGE_DEVICE', status: 200, errorCode: 110, recordingId: 'r1' });
    expect(error.cause).toBe(cause);
  });

  it('isAxisEdgeError accepts another copy of the package, optionally of one code', () => {
    const foreign = errorFromAnotherCopy('AxisEdgeError', 'x', { code: 'ERR_AXIS_EDGE_INCOMPLETE' });
    expect(foreign instanceof AxisEdgeError).toBe(false);
    expect(isAxisEdgeError(foreign)).toBe(true);
    expect(isAxisEdgeError(foreign, 'ERR_AXIS_EDGE_INCOMPLETE')).toBe(true);
    expect(isAxisEdgeError(foreign, 'ERR_AXIS_EDGE_AUTH')).toBe(false);
    expect(isAxisEdgeError(errorFromAnotherCopy('TimelapseError', 'x', { code: 'ERR_AXIS_EDGE_AUTH' }))).toBe(false);
  });
});
