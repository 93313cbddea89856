import type { TransferEvent } from './transfer-event.js';

/** What a sequential batch (one recording after the other) keeps of each item. */
export interface BatchItem<Item> {
  recording: Item;
  path: string;
  status: string;
  error?: Error | undefined;
}

/**
 * Records why one item of a sequential batch failed: `interrupted` when `signal` aborted it (its `.part` stays for
 * the next run), else `failed` with a `fail` event. Returns whether the batch stops: on an interruption, and on an
 * error `stopsBatch` says ends every later item too (a refused login: trying again would lock the account).
 */
export function recordBatchFailure<Item>(
  outcome: BatchItem<Item>,
  error: unknown,
  options: { signal?: AbortSignal | undefined; emit: (event: TransferEvent<Item>) => void; stopsBatch: (error: unknown) => boolean },
): boolean {
  outcome.error = error instanceof Error ? error : new Error(String(error));
  if (options.signal?.aborted) {
    outcome.status = 'interrupted';
    return true;
  }
  outcome.status = 'failed';
  options.emit({ type: 'fail', item: outcome.recording, path: outcome.path, error: outcome.error });
  return options.stopsBatch(error);
}
