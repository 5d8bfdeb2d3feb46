/**
 * @module format
 * Numbers as people read them in tables, tooltips and on axes.
 */

/** An integer with thousands separators (fixed, so output does not depend on the locale). */
export function formatInteger(v: number): string {
  return Math.round(v).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A measured value: integers in full, others to 4 significant digits, extremes in exponent form. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return formatInteger(v);
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e6 ? String(Number(v.toPrecision(4))) : v.toExponential(2);
}

// Unit, suffix, and the largest value from which an axis uses it: k only from 10k, so
// that an axis up to 8,000 keeps its plain numbers.
const UNITS: [number, string, number][] = [
  [1e12, 'T', 1e12],
  [1e9, 'G', 1e9],
  [1e6, 'M', 1e6],
  [1e3, 'k', 1e4],
];

/**
 * A tick label: as many decimals as the step needs, large values in k, M, G or T, so that
 * labels stay short enough not to collide (the step is 1, 2 or 5 times a power of ten).
 */
export function formatTick(v: number, step: number, largest: number): string {
  if (v === 0) return '0';
  const [unit, suffix] = UNITS.find(([, , from]) => Math.abs(largest) >= from) ?? [1, ''];
  const decimals = Math.max(0, -Math.floor(Math.log10(step / unit) + 1e-9));
  return (v / unit).toFixed(Math.min(decimals, 20)) + suffix;
}

/** A file size in binary units. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  for (; bytes >= 1024 && i < units.length - 1; i++) bytes /= 1024;
  return i === 0 ? `${bytes} B` : `${bytes.toFixed(1)} ${units[i]}`;
}

/** A duration: seconds below a minute, then minutes and seconds, then hours and minutes. */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  if (s < 60) return `${Number(s.toPrecision(s < 10 ? 2 : 3))} s`;
  const total = Math.round(s);
  if (total < 3600) return `${Math.floor(total / 60)} min ${total % 60} s`;
  return `${Math.floor(total / 3600)} h ${Math.floor((total % 3600) / 60)} min`;
}

/** ↓ for an objective to minimize, ↑ for one to maximize. */
export function arrow(direction: string): string {
  return direction === 'maximize' ? '↑' : '↓';
}
