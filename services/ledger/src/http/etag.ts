import { HttpProblem } from './codes.js';

/** `ETag` of a stream read: its revision as a weak tag, `W/"<revision>"` (`W/"-1"` before any event). */
export function etagFor(revision: number | null): string {
  return `W/"${revision ?? -1}"`;
}

/** The revision an `If-Match` header names, or undefined when there is none. */
export function revisionFromIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*(?:W\/)?"(-1|\d{1,15})"\s*$/.exec(header);
  if (match === null) throw new HttpProblem('LDG_HTTP_BAD_PRECONDITION');
  return Number(match[1]);
}
