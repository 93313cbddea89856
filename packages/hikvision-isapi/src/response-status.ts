import { childText, type XmlElement } from '@camdl/internal';

/** An ISAPI `ResponseStatus` answer. */
export interface ResponseStatus {
  statusCode: number | undefined;
  statusString: string | undefined;
  subStatusCode: string | undefined;
}

const SHORT_TEXT = /^[\w .-]{1,64}$/;

/** The `ResponseStatus` of an answer, when it is one. */
export function responseStatusOf(root: XmlElement | undefined): ResponseStatus | undefined {
  if (root?.name !== 'ResponseStatus') return undefined;
  const code = childText(root, 'statusCode');
  const statusString = childText(root, 'statusString');
  const subStatusCode = childText(root, 'subStatusCode');
  return {
    statusCode: code !== undefined && /^\d{1,3}$/.test(code) ? Number(code) : undefined,
    statusString: statusString !== undefined && SHORT_TEXT.test(statusString) ? statusString : undefined,
    subStatusCode: subStatusCode !== undefined && SHORT_TEXT.test(subStatusCode) ? subStatusCode : undefined,
  };
}

/** `statusCode 4 (Invalid Operation, notSupport)` for messages. */
export function describeResponseStatus(status: ResponseStatus): string {
  const detail = [status.statusString, status.subStatusCode].filter((each) => each !== undefined).join(', ');
  return `statusCode ${status.statusCode ?? '?'}${detail ? ` (${detail})` : ''}`;
}
