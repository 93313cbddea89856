import { endlessChunkedBody } from './hostile-writes.js';
import { startRawHttpServer, type RawHttpServer } from './raw-http-server.js';

/** A {@link RawHttpServer} that answers with a page that never ends, and says when the client let go. */
export interface EndlessAnswerServer extends RawHttpServer {
  /** Settles when the first connection closes (the client gave up on the answer). */
  clientLetGo: Promise<void>;
}

/**
 * Answers every request with `head` and then a chunked body written as fast as the client takes it
 * for `giveUpMs`: for checking that a client caps what it reads of an answer and lets the connection go.
 */
export async function startEndlessAnswerServer(head: string, giveUpMs = 20_000): Promise<EndlessAnswerServer> {
  let released!: () => void;
  const clientLetGo = new Promise<void>((resolve) => (released = resolve));
  const server = await startRawHttpServer((socket) => {
    socket.once('close', released);
    return endlessChunkedBody(socket, head, giveUpMs);
  });
  return Object.assign(server, { clientLetGo });
}
