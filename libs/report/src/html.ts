/**
 * @module html
 * Escaping and the page shell every report shares.
 */
import { PAGE_CSS } from './style';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** `text` safe inside HTML text and inside quoted attributes (all five special characters). */
export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** A fragment of an element id (lowercase letters, digits and dashes) for any name. */
export function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'x';
}

/** `base`, or `base` with a number appended when `taken` has it already; the result is added to `taken`. */
export function uniqueId(taken: Set<string>, base: string): string {
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}

/**
 * A relative link to the file at `segments` inside the report's folder: each segment
 * percent-encoded, so none can make a `javascript:` or other absolute URL and '/', spaces or
 * `#` stay part of a name; empty, '.' and '..' segments are left out (a browser reads `%2E%2E`
 * as '..' too), so the link can neither leave the folder (`../../etc/passwd`) nor become one
 * to the disk's root or another host (`/etc/passwd`, `//host/x`).
 */
export function relativeHrefOf(segments: readonly unknown[]): string {
  const kept = segments.map(String).filter((s) => s !== '' && s !== '.' && s !== '..');
  return kept.map(encodeURIComponent).join('/') || '.';
}

/** `relativeHrefOf` of a '/'-separated file path (`models/small/model.onnx`). */
export function relativeHref(path: string): string {
  return relativeHrefOf(String(path).split('/'));
}

/** A paragraph in the muted style used for missing data and skipped values. */
export function note(text: string): string {
  return `<p class="note">${escapeHtml(text)}</p>`;
}

/**
 * A complete HTML document. The Content-Security-Policy forbids every fetch and every
 * script, so a report stays self-contained even if a future section forgets to be.
 */
export function page(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${PAGE_CSS}</style>`,
    `</head><body>${body}</body></html>`,
    '',
  ].join('\n');
}

/** A titled section of a page. */
export function section(id: string, title: string, body: string): string {
  return `<section id="${escapeHtml(id)}"><h2>${escapeHtml(title)}</h2>${body}</section>`;
}

/** A value for a table cell or fact: escaped, or a dash when missing. */
export function orDash(value: unknown): string {
  return value === undefined || value === null || value === '' ? '—' : escapeHtml(value);
}
