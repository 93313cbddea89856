/**
 * A URL safe to show in a message, an error or a log: `http://root:pw@cam/x#frag` → `http://cam/x`.
 * Drops the user name, the password and the fragment (never sent to a server, and where a token
 * sometimes hides); keeps the query, which no camera API we speak uses for secrets and which tells
 * requests apart (`?filename=`, `?action=`). Never throws: text that is not a URL becomes
 * `<invalid url>`, since echoing it could echo the credentials it holds. So does a URL without a
 * host other than `file:` — `root:secret@cam` parses as scheme `root:` and path `secret@cam`.
 */
export function redactUrl(url: URL | string): string {
  try {
    const copy = new URL(url);
    if (copy.host === '' && copy.protocol !== 'file:') return INVALID;
    copy.username = '';
    copy.password = '';
    copy.hash = '';
    return copy.href;
  } catch {
    return INVALID;
  }
}

const INVALID = '<invalid url>';
