/**
 * Percent-encodes a query key or value the way Dahua firmware parses it: a space is `%20` (never `+`,
 * which the firmware reads literally and answers 400), while `:`, `[`, `]`, `.`, `,` stay raw as in
 * the API documentation (`condition.StartTime=2026-01-16%2020:00:00`, `condition.Types[0]=mp4`).
 */
export function encodeQueryComponent(text: string): string {
  return encodeURIComponent(text).replace(/%(3A|5B|5D|2C)/gi, (encoded) => decodeURIComponent(encoded));
}

/** `action=findFile&object=1&condition.StartTime=2026-01-16%2020:00:00` — keys in the given order. */
export function buildQuery(params: ReadonlyArray<readonly [string, string | number]>): string {
  return params.map(([key, value]) => `${encodeQueryComponent(key)}=${encodeQueryComponent(String(value))}`).join('&');
}

/**
 * The path part of a download URL: `/cgi-bin/RPC_Loadfile` + the file path, with `/` and the brackets
 * `[` `]` `@` kept raw (what the firmware's own web UI and the `amcrest` Python library send, and what
 * every tested device accepts) and everything else outside RFC 3986 unreserved percent-encoded
 * (spaces, `%`, `#`, `?`, non-ASCII as UTF-8).
 */
export function encodeFilePath(filePath: string): string {
  const withSlash = filePath.startsWith('/') ? filePath : `/${filePath}`;
  return withSlash
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%(5B|5D|40)/gi, (encoded) => decodeURIComponent(encoded)))
    .join('/');
}
