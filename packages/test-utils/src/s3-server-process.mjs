// Runs s3rver (an S3 protocol server) in its own process for the tests: 127.0.0.1, port 0, a throwaway
// directory and a key pair of its own. Prints one JSON line {port} once listening, then one JSON line per
// request answered ({method, url, status}) so a test can count what reached the server.
//
// s3rver 3.7 checks a SigV4 request's access key id but not its signature: the signature is checked here, so a
// wrong secret is refused (403 SignatureDoesNotMatch) as by a real store.
//
// s3rver 3.7 has no ListParts and no AbortMultipartUpload; both are added here over its own upload
// directory (parts are the files `N` with `N.md5` written once a part was received whole), answering as S3
// documents, behind s3rver's own signature check. `listParts` makes ListParts answer as other stores do: pages of
// `pageSize` parts, ETags `bare` (unquoted, upper case) or as `entity` (&quot;), no `NextPartNumberMarker`, no part `Size`; `listObjects`, ListObjectsV2 in
// pages of `pageSize` keys, without `NextContinuationToken` (`nextToken: false`).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import S3rver from 's3rver';
import AWSAccount from 's3rver/lib/models/account.js';
import authentication from 's3rver/lib/middleware/authentication.js';

const { directory, accessKeyId, secretAccessKey, buckets, tls, listParts = {}, listObjects = {} } = JSON.parse(process.argv[2]);
AWSAccount.DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);
AWSAccount.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');

const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: buckets.map((name) => ({ name })), ...(tls ? { key: tls.key, cert: tls.cert } : {}) });

const escapeXml = (text) => String(text).replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]);

function noSuchUpload(ctx, uploadId) {
  ctx.status = 404;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message><UploadId>${escapeXml(uploadId)}</UploadId></Error>`;
}

async function multipartExtras(ctx, next) {
  const match = /^\/([^/]+)\/(.+)$/.exec(ctx.path);
  const uploadId = ctx.query.uploadId;
  if (!match || typeof uploadId !== 'string' || !['GET', 'DELETE'].includes(ctx.method)) return next();
  if (!/^[0-9a-f]+$/.test(uploadId)) return noSuchUpload(ctx, uploadId);
  const [, bucket, key] = match;
  const uploadDir = path.join(directory, bucket, '._S3rver_uploads', uploadId);
  let storedKey;
  try {
    storedKey = await readFile(path.join(uploadDir, 'key'), 'utf8');
  } catch {
    return noSuchUpload(ctx, uploadId);
  }
  if (storedKey !== decodeURIComponent(key)) return noSuchUpload(ctx, uploadId);
  if (ctx.method === 'DELETE') {
    await rm(uploadDir, { recursive: true, force: true });
    ctx.status = 204;
    return;
  }
  const names = await readdir(uploadDir);
  const numbers = names.filter((name) => /^\d+$/.test(name) && names.includes(`${name}.md5`)).map(Number).sort((a, b) => a - b);
  const marker = Number(ctx.query['part-number-marker'] ?? 0);
  const maxParts = Math.min(listParts.pageSize ?? 1000, Number(ctx.query['max-parts'] ?? 1000));
  const after = numbers.filter((number) => number > marker);
  const page = after.slice(0, maxParts);
  const parts = await Promise.all(
    page.map(async (number) => {
      const info = await stat(path.join(uploadDir, String(number)));
      const md5 = await readFile(path.join(uploadDir, `${number}.md5`), 'utf8');
      const etag = listParts.etag === 'bare' ? md5.toUpperCase() : listParts.etag === 'entity' ? `&quot;${md5}&quot;` : `"${md5}"`;
      return `<Part><PartNumber>${number}</PartNumber><LastModified>${info.mtime.toISOString()}</LastModified><ETag>${etag}</ETag>${listParts.size === false ? '' : `<Size>${info.size}</Size>`}</Part>`;
    }),
  );
  const truncated = after.length > page.length;
  ctx.type = 'application/xml';
  ctx.body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<ListPartsResult><Bucket>${escapeXml(bucket)}</Bucket><Key>${escapeXml(storedKey)}</Key><UploadId>${uploadId}</UploadId>` +
    `<PartNumberMarker>${marker}</PartNumberMarker>${listParts.nextMarker === false ? '' : `<NextPartNumberMarker>${page.at(-1) ?? marker}</NextPartNumberMarker>`}<MaxParts>${maxParts}</MaxParts>` +
    `<IsTruncated>${truncated}</IsTruncated>${parts.join('')}</ListPartsResult>`;
}

const rfc3986 = (text) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Whether a SigV4 Authorization header was computed with the server's secret (the body hash is taken as sent). */
function signatureMatches(request) {
  const header = request.headers.authorization ?? '';
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(header);
  if (!match) return true; // not SigV4 by header: left to s3rver
  const [, keyId, date, region, service, signedHeaders, signature] = match;
  if (keyId !== accessKeyId) return true; // s3rver answers InvalidAccessKeyId
  const [rawPath, rawQuery = ''] = request.url.split('?');
  const query = rawQuery
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const [name, value = ''] = pair.split('=');
      return [rfc3986(decodeURIComponent(name.replace(/\+/g, ' '))), rfc3986(decodeURIComponent(value.replace(/\+/g, ' ')))];
    })
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const names = signedHeaders.split(';');
  const headers = names.map((name) => `${name}:${String(request.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonical = [request.method, rawPath, query, headers, signedHeaders, request.headers['x-amz-content-sha256'] ?? 'UNSIGNED-PAYLOAD'].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', request.headers['x-amz-date'] ?? '', scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
  let key = `AWS4${secretAccessKey}`;
  for (const part of [date, region, service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  const expected = createHmac('sha256', key).update(toSign).digest();
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

const auth = authentication();
// After s3rver's logger, before its router: the signature is checked first, as for every other operation.
server.middleware.splice(1, 0, async (ctx, next) => {
  const match = /^\/([^/]+)\/(.+)$/.exec(ctx.path);
  if (match && typeof ctx.query.uploadId === 'string' && ['GET', 'DELETE'].includes(ctx.method)) {
    ctx.params = { bucket: match[1], key: decodeURIComponent(match[2]) };
    return auth(ctx, () => multipartExtras(ctx, next));
  }
  return next();
});
server.middleware.unshift(async (ctx, next) => {
  // A marker the parent sends to know every earlier request's line has reached it.
  if (ctx.path === '/' && typeof ctx.query['camdl-flush'] === 'string') {
    process.stdout.write(`${JSON.stringify({ flush: ctx.query['camdl-flush'] })}\n`);
    ctx.body = '';
    return;
  }
  try {
    if (!signatureMatches(ctx.req)) {
      ctx.status = 403;
      ctx.type = 'application/xml';
      ctx.body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided. Check your key and signing method.</Message></Error>';
      return;
    }
    await next();
  } finally {
    ctx.res.once('finish', () => process.stdout.write(`${JSON.stringify({ method: ctx.method, url: ctx.url, status: ctx.status })}\n`));
  }
});

// Just before s3rver's router (inside its XML rendering): ListObjectsV2 is answered through s3rver's V1 listing,
// because s3rver's own continuation tokens use DES, which OpenSSL 3 refuses (a truncated V2 listing answers 500).
// The token is the last key listed; `listObjects` sets the page size and can leave the token out.
// s3rver lists keys in the order it walks its folders (`cam/…` before `cam-2/…`) where S3 orders them by their
// UTF-8 bytes, and skips whole folders that sort before a marker by that walk: without a delimiter, the prefix is
// read whole (up to s3rver's 1000 keys) and sorted, filtered and paged here as S3 does.
const tokenOf = (key) => Buffer.from(key, 'utf8').toString('base64url');
const compareKeys = (a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
server.middleware.splice(server.middleware.length - 1, 0, async (ctx, next) => {
  if (ctx.method !== 'GET' || ctx.query['list-type'] !== '2') return next();
  const { 'list-type': _type, 'continuation-token': token, 'start-after': startAfter, 'fetch-owner': _owner, 'max-keys': requested, ...rest } = ctx.query;
  const marker = typeof token === 'string' ? Buffer.from(token, 'base64url').toString('utf8') : startAfter;
  const maxKeys = Math.min(listObjects.pageSize ?? 1000, requested !== undefined && /^\d+$/.test(requested) ? Number(requested) : 1000);
  const sorted = rest.delimiter === undefined;
  ctx.query = { ...rest, ...(sorted ? { 'max-keys': '1000' } : { ...(marker ? { marker } : {}), 'max-keys': String(maxKeys) }) };
  await next();
  const result = ctx.body?.ListBucketResult;
  if (!result) return;
  if (sorted) {
    if (result.IsTruncated) throw new Error('the test S3 server sorts at most 1000 keys under one prefix');
    const after = (result.Contents ?? []).filter((object) => !marker || compareKeys(object.Key, marker) > 0).sort((a, b) => compareKeys(a.Key, b.Key));
    result.Contents = after.slice(0, maxKeys);
    result.IsTruncated = after.length > maxKeys;
    result.MaxKeys = maxKeys;
  }
  const contents = result.Contents ?? [];
  delete result.Marker;
  delete result.NextMarker;
  result.KeyCount = contents.length;
  if (typeof token === 'string') result.ContinuationToken = token;
  else if (startAfter) result.StartAfter = startAfter;
  if (result.IsTruncated && listObjects.nextToken !== false && contents.length > 0) result.NextContinuationToken = tokenOf(contents.at(-1).Key);
});

server.run().then(
  ({ port }) => process.stdout.write(`${JSON.stringify({ port })}\n`),
  (error) => {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exit(1);
  },
);
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
