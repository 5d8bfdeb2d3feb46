/**
 * @module json
 * JSON as the commands write it: indented for people, with arrays of numbers kept on one
 * line so long lists (scores, value lists, histogram counts) stay readable.
 */

/** Indented JSON with arrays of numbers on one line, ending with a newline. */
export function compactJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2).replace(/\[[-\d.e+,\s]*\]/g, (array) => array.replace(/\s+/g, ''))}\n`;
}
