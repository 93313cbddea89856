/** The stable string `code` of any error that has one (ours, undici's, Node's), else undefined. */
function codeOf(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'the network is unreachable',
  ENOTFOUND: 'no such host (DNS)',
  EAI_AGAIN: 'the host name could not be resolved now (DNS)',
  ETIMEDOUT: 'timed out',
  UND_ERR_CONNECT_TIMEOUT: 'timed out while connecting',
  UND_ERR_HEADERS_TIMEOUT: 'timed out waiting for an answer',
  UND_ERR_SOCKET: 'the connection was closed',
};

const TLS_PLAINTEXT = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST', 'EPROTO']);
const TLS_CERTIFICATE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS_CERT/;

/** Every `code` along the `cause` chain, outermost first. */
export function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth += 1) {
    const code = codeOf(current);
    if (code !== undefined) codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

/** `http://host:port` of the URL an error carries (`url` field), when it has one. */
export function originOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth += 1) {
    const url = (current as { url?: unknown }).url;
    if (typeof url === 'string') {
      try {
        return new URL(url).origin;
      } catch {
        return undefined;
      }
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export interface NetworkProblemOptions {
  /** What to do about an untrusted certificate, in the words of the tool (its flags or config keys). @default `pass --ca-file with its CA, or --insecure for a self-signed camera` */
  certificateHint?: string;
}

/**
 * The one wording of every camdl tool for "the camera could not be reached": `cannot reach the camera
 * at http://host:port: connection refused`, `https://host:port does not answer TLS: try http://host:port`,
 * or an untrusted certificate. Undefined when the error is not about reaching the camera.
 */
export function networkProblem(error: unknown, options: NetworkProblemOptions = {}): string | undefined {
  const codes = codesOf(error);
  const origin = originOf(error);
  const at = origin ? ` at ${origin}` : '';
  if (codes.some((code) => TLS_PLAINTEXT.has(code))) {
    const plain = origin?.replace(/^https:/, 'http:');
    return `${origin ?? 'the camera'} does not answer TLS: try ${plain ?? 'http://'}`;
  }
  const certificate = codes.find((code) => TLS_CERTIFICATE.test(code));
  if (certificate) return `cannot trust the camera's certificate${at} (${certificate}): ${options.certificateHint ?? 'pass --ca-file with its CA, or --insecure for a self-signed camera'}`;
  for (const code of codes) {
    const reason = NETWORK_REASONS[code];
    if (reason) return `cannot reach the camera${at}: ${reason}`;
  }
  return undefined;
}
