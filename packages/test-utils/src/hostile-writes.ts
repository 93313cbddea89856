import type { Socket } from 'node:net';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface TrickleOptions {
  /** ms between two bytes. @default 25 */
  paceMs?: number | undefined;
  /** After this many ms the rest goes at once (a client without a deadline then completes, late). @default 2000 */
  giveUpMs?: number | undefined;
  /** End the socket after the last byte. @default false */
  end?: boolean | undefined;
}

/**
 * Writes `bytes` one byte every `paceMs` (a server that trickles a head or a page to hold a client),
 * the rest at once after `giveUpMs`; stops when the client closes.
 */
export async function trickle(socket: Socket, bytes: Buffer | string, options: TrickleOptions = {}): Promise<void> {
  const data = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
  const until = Date.now() + (options.giveUpMs ?? 2000);
  let at = 0;
  for (; at < data.length && Date.now() < until; at += 1) {
    if (socket.destroyed) return;
    socket.write(data.subarray(at, at + 1));
    await pause(options.paceMs ?? 25);
  }
  if (socket.destroyed) return;
  if (options.end) socket.end(data.subarray(at));
  else socket.write(data.subarray(at));
}

/**
 * Writes `head`, then 16 KiB chunks of a chunked body as fast as the client takes them for `giveUpMs`
 * (a page that never ends), then its last chunk.
 */
export async function endlessChunkedBody(socket: Socket, head: string, giveUpMs = 2000): Promise<void> {
  socket.write(head);
  const chunk = Buffer.concat([Buffer.from('4000\r\n'), Buffer.alloc(0x4000, 0x78), Buffer.from('\r\n')]);
  const until = Date.now() + giveUpMs;
  while (Date.now() < until && !socket.destroyed) {
    if (!socket.write(chunk)) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), pause(50)]);
  }
  if (!socket.destroyed) socket.end('0\r\n\r\n');
}

/** Writes `interim` (a 1xx head) every `paceMs` for `giveUpMs`, then `final`. */
export async function repeatInterim(socket: Socket, interim: string, final: Buffer | string, options: { paceMs?: number; giveUpMs?: number } = {}): Promise<void> {
  const until = Date.now() + (options.giveUpMs ?? 2000);
  while (Date.now() < until) {
    if (socket.destroyed) return;
    socket.write(interim);
    await pause(options.paceMs ?? 25);
  }
  if (!socket.destroyed) socket.end(final);
}
