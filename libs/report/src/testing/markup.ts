/** The markup of the `<svg id="…">` with this id, or '' when there is none (plots hold no nested svg). */
export function svgById(html: string, id: string): string {
  const start = html.indexOf(`<svg id="${id}"`);
  return start < 0 ? '' : html.slice(start, html.indexOf('</svg>', start));
}

/** How often `needle` occurs in `text`. */
export function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}
