import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { BodySource } from './content.js';
import type { SimCounters } from './counters.js';
import type { FaultRule } from './faults.js';

/** What to send: a byte range of a source, with status and headers. */
export interface BodyPlan {
  source: BodySource;
  start: number;
  end: number;
  status: number;
  headers: Record<string, string | number>;
  /** `chunked`: no `Content-Length`, the body framed by chunks (HTTP/1.1), its size unknown up front. @default 'length' */
  framing?: 'length' | 'chunked';
  fault: FaultRule | undefined;
  counters: SimCounters;
  /** Injected sleep (tests may shorten it). */
  sleep: (ms: number) => Promise<void>;
}

function headerBlock(status: number, headers: Record<string, string | number>): string {
  let text = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
  for (const [name, value] of Object.entries(headers)) text += `${name}: ${value}\r\n`;
  return `${text}\r\n`;
}

async function writeChunk(target: ServerResponse | Socket, chunk: Buffer): Promise<boolean> {
  if (target.destroyed) return false;
  if (!target.write(chunk)) {
    // Whichever of drain/close comes first, the other wait (and its error listener) is removed: a
    // large body waits here thousands of times.
    const settled = new AbortController();
    const waits = [once(target, 'drain', { signal: settled.signal }), once(target, 'close', { signal: settled.signal })];
    try {
      await Promise.race(waits);
    } finally {
      settled.abort();
      for (const wait of waits) wait.catch(() => {});
    }
  }
  return !target.destroyed;
}

/**
 * Streams a body range with backpressure, applying body-level faults: TCP reset mid-body, short body
 * with `Connection: close`, stall, wrong `Content-Length`, slow rate. Counts bytes sent.
 */
export async function sendBody(request: IncomingMessage, response: ServerResponse, plan: BodyPlan): Promise<void> {
  const { source, start, end, fault, counters, sleep } = plan;
  const length = end >= start ? end - start + 1 : 0;
  const headers: Record<string, string | number> = plan.framing === 'chunked' ? { ...plan.headers } : { ...plan.headers, 'Content-Length': length };
  // A pipelined request (a keep-alive client asks for the next file as soon as it has every byte,
  // while this server still waits out a slow fault) gets its socket only once the previous response
  // has finished: wait for it instead of failing with a 500.
  if (!response.socket) {
    await new Promise<void>((resolve) => {
      response.once('socket', () => resolve());
      response.once('close', () => resolve());
    });
    if (!response.socket) return;
  }
  const wrapper = response.socket as Socket & { socket?: Socket };
  // Under the Timelapse2 1.x raw-byte wrapper the TCP socket is one level down.
  const socket = wrapper.socket ?? wrapper;

  if (fault?.kind === 'stall' && fault.afterBytes === undefined) await sleep(fault.ms);

  let limit = length;
  let raw = false;
  if (fault?.kind === 'short-body-close') {
    limit = Math.min(length, fault.afterBytes ?? Math.floor(length / 2));
    raw = true;
  }
  if (fault?.kind === 'wrong-content-length') {
    headers['Content-Length'] = Math.max(0, length + fault.delta);
    raw = true;
  }
  if (fault?.kind === 'reset-mid-body') limit = Math.min(length, fault.afterBytes ?? Math.floor(length / 2));

  let target: ServerResponse | Socket;
  if (raw) {
    // Bypass node:http, which would refuse a body that contradicts Content-Length.
    headers['Connection'] = 'close';
    response.detachSocket(wrapper);
    socket.write(headerBlock(plan.status, headers), 'latin1');
    target = socket;
  } else {
    response.writeHead(plan.status, headers);
    target = response;
  }
  if (request.method === 'HEAD' || length === 0) {
    if (raw) socket.end();
    else response.end();
    return;
  }

  const stream = source.open(start, start + limit - 1);
  let sent = 0;
  const stallAt = fault?.kind === 'stall' && fault.afterBytes !== undefined ? fault.afterBytes : -1;
  const bytesPerSec = fault?.kind === 'slow' ? Math.max(1, fault.bytesPerSec) : 0;
  const began = Date.now();
  try {
    for await (const data of stream) {
      let chunk = data as Buffer;
      while (chunk.length > 0) {
        let piece = chunk;
        if (stallAt >= 0 && sent < stallAt && sent + piece.length > stallAt) piece = piece.subarray(0, stallAt - sent);
        if (bytesPerSec > 0) piece = piece.subarray(0, Math.max(1, Math.floor(bytesPerSec / 20)));
        chunk = chunk.subarray(piece.length);
        if (!(await writeChunk(target, piece))) return;
        sent += piece.length;
        counters.bytesSent += piece.length;
        if (stallAt >= 0 && sent === stallAt) await sleep((fault as { ms: number }).ms);
        if (bytesPerSec > 0) {
          const due = began + (sent / bytesPerSec) * 1000;
          const wait = due - Date.now();
          if (wait > 0) await sleep(wait);
        }
      }
    }
  } finally {
    stream.destroy();
  }
  if (fault?.kind === 'reset-mid-body') {
    // Let the bytes already written reach the client, then send a TCP RST. The short pause lets the
    // client read them first: an RST discards whatever the peer has not read yet, headers included.
    await new Promise<void>((resolve) => (socket.writableLength === 0 ? resolve() : socket.once('drain', () => resolve())));
    await new Promise<void>((resolve) => setTimeout(resolve, 30));
    socket.resetAndDestroy();
    return;
  }
  if (raw) socket.end();
  else response.end();
}
