import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { installInterruptHandler } from './interrupt.js';

function fakeProcess(): NodeJS.Process {
  return new EventEmitter() as unknown as NodeJS.Process;
}

describe('installInterruptHandler', () => {
  it('first SIGINT stops gently, the second aborts', () => {
    const proc = fakeProcess();
    let clock = 0;
    const seen: string[] = [];
    const interrupt = installInterruptHandler({ process: proc, now: () => clock, onStop: () => seen.push('stop'), onAbort: () => seen.push('abort') });
    proc.emit('SIGINT');
    expect(interrupt.stopSignal.aborted).toBe(true);
    expect(interrupt.signal.aborted).toBe(false);
    clock += 1000;
    proc.emit('SIGINT');
    expect(interrupt.signal.aborted).toBe(true);
    expect(interrupt.state).toBe('abort');
    expect(seen).toEqual(['stop', 'abort']);
    interrupt.dispose();
  });

  it('two SIGINTs within the debounce window count once (a wrapper forwarding the terminal Ctrl+C)', () => {
    const proc = fakeProcess();
    let clock = 0;
    const interrupt = installInterruptHandler({ process: proc, now: () => clock });
    proc.emit('SIGINT');
    clock += 5;
    proc.emit('SIGINT');
    expect(interrupt.state).toBe('stop');
    expect(interrupt.signal.aborted).toBe(false);
    interrupt.dispose();
  });

  it('SIGTERM aborts at once, like a second Ctrl+C, and is told apart', () => {
    const proc = fakeProcess();
    const seen: string[] = [];
    const interrupt = installInterruptHandler({ process: proc, onTerminate: () => seen.push('terminate') });
    proc.emit('SIGTERM');
    expect(interrupt.stopSignal.aborted).toBe(true);
    expect(interrupt.signal.aborted).toBe(true);
    expect(interrupt.state).toBe('terminate');
    expect(seen).toEqual(['terminate']);
    interrupt.dispose();
    expect(proc.listenerCount('SIGINT')).toBe(0);
  });
});
