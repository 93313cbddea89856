import { randomUUID } from 'node:crypto';
import { descendants, escapeXmlText, childText, type XmlElement } from '@camdl/internal';

/** One page of a `CMSearchResult`. */
export interface SearchPage {
  /** The `version` attribute: `1.0` firmware ignores `searchResultPostion`. */
  version: string | undefined;
  /** `responseStatusStrg`: `OK` (last page), `MORE`, `NO MATCHES`. */
  status: string;
  /** `numOfMatches` as sent (items in this answer), when a number. */
  numOfMatches: number | undefined;
  /** Every `searchMatchItem`, wherever it sits (a single item may come without a list). */
  items: XmlElement[];
}

/** A fresh `searchID`: a UUID, upper case as the web UI sends it (the device refuses other shapes). */
export function newSearchId(): string {
  return randomUUID().toUpperCase();
}

export interface SearchRequest {
  searchId: string;
  trackId: number;
  /** `YYYY-MM-DDTHH:MM:SSZ` in the device's sense. */
  startTime: string;
  endTime: string;
  maxResults: number;
  position: number;
}

/** The `CMSearchDescription` body, with the device's own spelling `searchResultPostion`. */
export function searchDescription(request: SearchRequest): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<CMSearchDescription>\n' +
    `<searchID>${escapeXmlText(request.searchId)}</searchID>\n` +
    `<trackList><trackID>${request.trackId}</trackID></trackList>\n` +
    `<timeSpanList><timeSpan><startTime>${request.startTime}</startTime><endTime>${request.endTime}</endTime></timeSpan></timeSpanList>\n` +
    `<maxResults>${request.maxResults}</maxResults>\n` +
    `<searchResultPostion>${request.position}</searchResultPostion>\n` +
    '<metadataList><metadataDescriptor>//recordType.meta.std-cgi.com</metadataDescriptor></metadataList>\n' +
    '</CMSearchDescription>\n'
  );
}

/** Reads a `CMSearchResult`; undefined when the answer is something else. */
export function parseSearchPage(root: XmlElement | undefined): SearchPage | undefined {
  if (root?.name !== 'CMSearchResult') return undefined;
  const status = (childText(root, 'responseStatusStrg') ?? '').toUpperCase();
  const count = childText(root, 'numOfMatches');
  return {
    version: root.attributes['version'],
    status,
    numOfMatches: count !== undefined && /^\d{1,9}$/.test(count) ? Number(count) : undefined,
    items: descendants(root, 'searchMatchItem'),
  };
}
