/**
 * @module dims
 * Tensor dimensions that may be symbolic. A symbolic dimension is a product of named
 * sizes with an integer coefficient, written canonically ("B*T", "4*T"), so that shape
 * inference can follow reshapes such as [B, T, C] -> [B*T, C] -> [B, T, C].
 */

/** One dimension: a known size, or a symbolic product such as "B", "B*T" or "8*T". */
export type Dim = number | string;
export type Shape = readonly Dim[];

interface Monomial {
  coef: number;
  factors: string[]; // sorted symbol names, repeated for powers
}

const SYMBOL = /^[A-Za-z_][A-Za-z0-9_]*$/;

function parse(dim: Dim): Monomial {
  if (typeof dim === 'number') return { coef: dim, factors: [] };
  let coef = 1;
  const factors: string[] = [];
  for (const part of dim.split('*').map((p) => p.trim())) {
    if (/^\d+$/.test(part)) coef *= Number(part);
    else if (SYMBOL.test(part)) factors.push(part);
    else throw new Error(`invalid symbolic dimension '${dim}': '${part}' is neither a name nor an integer`);
  }
  return { coef, factors: factors.sort() };
}

function format(m: Monomial): Dim {
  if (m.factors.length === 0) return m.coef;
  if (m.coef === 0) return 0;
  return (m.coef === 1 ? [] : [String(m.coef)]).concat(m.factors).join('*');
}

/** Canonical form of a dimension ("T*B" becomes "B*T", "1*T" becomes "T"). */
export function normalizeDim(dim: Dim): Dim {
  if (typeof dim === 'number') {
    if (!Number.isInteger(dim) || dim < 0) throw new Error(`invalid dimension ${dim}: must be a non-negative integer`);
    return dim;
  }
  return format(parse(dim));
}

export function isStatic(dim: Dim): dim is number {
  return typeof dim === 'number';
}

export function dimEquals(a: Dim, b: Dim): boolean {
  return normalizeDim(a) === normalizeDim(b);
}

export function dimMul(a: Dim, b: Dim): Dim {
  const x = parse(a);
  const y = parse(b);
  return format({ coef: x.coef * y.coef, factors: [...x.factors, ...y.factors].sort() });
}

/** a / b when it divides exactly (symbolically), else undefined. */
export function dimDiv(a: Dim, b: Dim): Dim | undefined {
  const x = parse(a);
  const y = parse(b);
  if (y.coef === 0 || x.coef % y.coef !== 0) return undefined;
  const rest = [...x.factors];
  for (const f of y.factors) {
    const i = rest.indexOf(f);
    if (i < 0) return undefined;
    rest.splice(i, 1);
  }
  return format({ coef: x.coef / y.coef, factors: rest });
}

export function shapeSize(shape: Shape): Dim {
  return shape.reduce<Dim>((acc, d) => dimMul(acc, d), 1);
}

export function isStaticShape(shape: Shape): shape is readonly number[] {
  return shape.every(isStatic);
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Resolves symbolic dimensions against concrete sizes (e.g. { B: 8, T: 64 }). */
export function evaluateDim(dim: Dim, sizes: Readonly<Record<string, number>>): number {
  if (typeof dim === 'number') return dim;
  const m = parse(dim);
  let value = m.coef;
  for (const f of m.factors) {
    const v = sizes[f];
    if (v === undefined) throw new Error(`symbolic dimension '${f}' has no value (known: ${Object.keys(sizes).join(', ') || 'none'})`);
    value *= v;
  }
  return value;
}

/**
 * NumPy-style broadcast of two shapes, or an error message when they cannot broadcast.
 * A symbolic dimension broadcasts against 1 and against itself; against a different
 * known size or symbol it is reported as a mismatch, because the graph could not be
 * checked statically.
 */
export function broadcastShapes(a: Shape, b: Shape): Dim[] | string {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const x = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const y = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    if (x === 1) out.push(y);
    else if (y === 1 || dimEquals(x, y)) out.push(x);
    else return `cannot broadcast ${formatShape(a)} with ${formatShape(b)} (axis ${i}: ${x} vs ${y})`;
  }
  return out;
}
