import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

/**
 * node:http refuses raw non-ASCII bytes in the request target (`HPE_INVALID_URL`), while Apache in
 * front of the Timelapse2 ACAP passes them through. This wrapper rewrites each such byte in a request
 * line to the marker `%%XX` (never valid percent-encoding) so the parser accepts it; the handler
 * turns the marker back into the raw byte with {@link restoreRawBytes}.
 */
export class RawRequestLineSocket extends Duplex {
  private inRequestLine = true;
  private headEnd = 0;

  constructor(readonly socket: Socket) {
    super();
    socket.on('data', (chunk: Buffer) => {
      if (!this.push(this.rewrite(chunk))) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('close', () => this.destroy());
    socket.on('error', (error) => this.destroy(error));
  }

  private rewrite(chunk: Buffer): Buffer {
    const out: number[] = [];
    for (const byte of chunk) {
      if (this.inRequestLine) {
        if (byte === 0x0a) {
          this.inRequestLine = false;
          this.headEnd = 1;
        }
        if (byte >= 0x80) {
          for (const c of Buffer.from(`%%${byte.toString(16).toUpperCase().padStart(2, '0')}`, 'latin1')) out.push(c);
          continue;
        }
      } else if (byte === 0x0a) {
        this.headEnd++;
        if (this.headEnd >= 2) this.inRequestLine = true;
      } else if (byte !== 0x0d) {
        this.headEnd = 0;
      }
      out.push(byte);
    }
    return Buffer.from(out);
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.socket.write(chunk, encoding, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy(error ?? undefined);
    callback(error);
  }

  setTimeout(ms: number, callback?: () => void): this {
    this.socket.setTimeout(ms, callback);
    return this;
  }

  setNoDelay(noDelay?: boolean): this {
    this.socket.setNoDelay(noDelay);
    return this;
  }

  setKeepAlive(enable?: boolean, delay?: number): this {
    this.socket.setKeepAlive(enable, delay);
    return this;
  }

  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }
}

/** Turns `%%XX` markers back into raw bytes (as latin1 characters, like node:http presents bytes). */
export function restoreRawBytes(target: string): string {
  return target.replace(/%%([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}
