/** The report's stylesheet: system fonts only, so nothing is fetched. */
export const PAGE_CSS = `
:root { color-scheme: light; --ink: #1f2933; --muted: #616e7c; --line: #d9dee4; --accent: #d9480f; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1180px; padding: 24px 28px 48px; color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 22px; margin: 0 0 4px; word-break: break-all; }
h2 { font-size: 17px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
.subtitle { color: var(--muted); margin: 0 0 16px; }
.note { color: var(--muted); font-style: italic; margin: 6px 0; }
.status { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600;
  background: #e4e7eb; color: var(--ink); }
.status-complete, .status-done, .status-finished { background: #d3f9d8; color: #1b5e20; }
.status-failed, .status-error { background: #ffe3e3; color: #a61e1e; }
.status-running { background: #fff3bf; color: #7a5b00; }
table { border-collapse: collapse; margin: 8px 0; }
.wide { overflow-x: auto; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { font-weight: 600; background: #f5f7fa; white-space: nowrap; }
th.group { text-align: center; border-bottom: 1px solid #c3cad3; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.facts th { background: none; color: var(--muted); font-weight: 500; }
.files { list-style: none; margin: 0; padding: 0; white-space: nowrap; }
.files span { color: var(--muted); margin-left: 6px; }
pre { background: #f5f7fa; padding: 10px 12px; overflow: auto; max-height: 420px; font-size: 12px; }
details summary { cursor: pointer; color: var(--muted); margin-top: 8px; }
.plots { display: flex; flex-wrap: wrap; gap: 16px; }
/* A table lets the caption wrap at the width of its plot instead of widening the figure. */
figure { margin: 0; display: table; }
figcaption { display: table-caption; caption-side: bottom; color: var(--muted); font-size: 12px; }
svg.plot { max-width: 100%; height: auto; background: #fff; }
svg.plot text { fill: var(--ink); }
svg.plot .axis-title { font-weight: 600; }
svg.plot circle[data-trial]:hover { stroke: var(--ink); stroke-width: 2; }
h3 { font-size: 15px; margin: 20px 0 6px; word-break: break-all; }
table.tasks { align-self: flex-start; }
table.tasks tr.full td { color: var(--muted); font-style: italic; }
a { color: #1c5fb8; }
`;
