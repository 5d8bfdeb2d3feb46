/**
 * @module format
 * How messages show values, so every error quotes what it got the same way: strings in
 * quotes, numbers and booleans as written, objects as short JSON.
 */

/** A value as a message shows it, cut short when long. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'function') return 'a function';
  if (typeof value !== 'object' || value === null) return String(value);
  const type = Array.isArray(value) ? 'an array' : 'an object';
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    // A cycle or a BigInt inside: the type alone still tells the user what was given.
    return type;
  }
  if (json === undefined) return type;
  return json.length > 60 ? `${type} (${json.slice(0, 50)}...)` : json;
}
