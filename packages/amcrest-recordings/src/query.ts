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
 * The path part of a download URL: `/cgi-bin/RPC_Loadfile` + the file path, `/` kept, everything
 * outside RFC 3986 unreserved percent-encoded (spaces, `%`, `#`, `?`, non-ASCII as UTF-8). The
 * brackets `[` `]` and `@` of Dahua names (`[M][0@0][0].mp4`) stay raw by default: that is what the
 * firmware's own web UI and the `amcrest` Python library send and what cameras accept. A strict
 * RFC 3986 server refuses raw brackets in a path: `rawBrackets: false` encodes them (`%5B`, `%5D`, `%40`);
 * `downloadRecordings` switches to that form when the raw one is answered 400/404.
 */
export function encodeFilePath(filePath: string, options: { rawBrackets?: boolean } = {}): string {
  const withSlash = filePath.startsWith('/') ? filePath : `/${filePath}`;
  const raw = options.rawBrackets ?? true;
  return withSlash
    .split('/')
    .map((segment) => {
      const encoded = encodeURIComponent(segment);
      return raw ? encoded.replace(/%(5B|5D|40)/gi, (escape) => decodeURIComponent(escape)) : encoded;
    })
    .join('/');
}
