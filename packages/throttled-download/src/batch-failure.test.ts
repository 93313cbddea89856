import { describe, expect, it } from 'vitest';
import { recordBatchFailure, type BatchItem } from './batch-failure.js';
import type { TransferEvent } from './transfer-event.js';

describe('recordBatchFailure', () => {
  const item = (): BatchItem<string> => ({ recording: 'rec-1', path: '/tmp/rec-1.mp4', status: 'not-started' });

  it('a failure is recorded and told; the batch goes on unless the error ends every later item', () => {
    const events: TransferEvent<string>[] = [];
    const outcome = item();
    const stops = recordBatchFailure(outcome, new Error('reset'), { emit: (event) => events.push(event), stopsBatch: () => false });
    expect(stops).toBe(false);
    expect(outcome).toMatchObject({ status: 'failed', error: { message: 'reset' } });
    expect(events).toEqual([{ type: 'fail', item: 'rec-1', path: '/tmp/rec-1.mp4', error: outcome.error }]);
    expect(recordBatchFailure(item(), 'refused', { emit: () => {}, stopsBatch: (error) => error === 'refused' })).toBe(true);
  });

  it('an interrupted item stops the batch without a fail event', () => {
    const events: TransferEvent<string>[] = [];
    const outcome = item();
    expect(recordBatchFailure(outcome, new Error('aborted'), { signal: AbortSignal.abort(), emit: (event) => events.push(event), stopsBatch: () => false })).toBe(true);
    expect(outcome.status).toBe('interrupted');
    expect(events).toEqual([]);
  });
});
