/**
 * @module targets/safetensors-header
 * Mutations that know the safetensors layout (u64 header length, JSON header, data): wrong
 * dtypes, shapes and offsets, overlapping tensors, header lengths past the file or past 2^53.
 */
import { concat } from '../mutate/bytes';
import { deep, expandNesting, mutateJson, ODD_KEYS } from '../mutate/json';
import { mutateText } from '../mutate/text';
import { Prng } from '../prng';

type Header = Record<string, { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | unknown>;

export function splitSafetensors(bytes: Uint8Array): { header: Header; data: Uint8Array } {
  const length = Number(Buffer.from(bytes).readBigUInt64LE(0));
  return { header: JSON.parse(Buffer.from(bytes.subarray(8, 8 + length)).toString('utf8')) as Header, data: bytes.subarray(8 + length) };
}

export function joinSafetensors(headerText: string, data: Uint8Array, length?: bigint): Uint8Array {
  const json = Buffer.from(headerText, 'utf8');
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(length ?? BigInt(json.length));
  return concat(head, json, data);
}

const DTYPES = ['F16', 'BF16', 'F64', 'I8', 'BOOL', 'f32', 'F32 ', 'Q4_0', '', 'F8_E4M3'];
const SHAPES: unknown[] = [[], [0], [-1, 8], [1e308], [2 ** 53, 2], ['8'], [8.5], [8, 0], [1, 1, 1, 1, 1, 1, 1, 1], 8, null];

type Entry = { dtype?: unknown; shape?: unknown; data_offsets?: unknown };

/** Edits of one tensor's entry, given every entry (to copy another's offsets). */
const ENTRY_EDITS: Readonly<Record<string, (rng: Prng, e: Entry, all: Entry[]) => void>> = {
  dtype: (rng, e) => void (e.dtype = rng.pick(DTYPES)),
  shape: (rng, e) => void (e.shape = structuredClone(rng.pick(SHAPES))),
  reverseShape: (_rng, e) => void (Array.isArray(e.shape) && e.shape.reverse()),
  offsets(rng, e) {
    const [b, end] = Array.isArray(e.data_offsets) ? (e.data_offsets as number[]) : [0, 0];
    e.data_offsets = rng.pick([[0, 0], [end, b], [b, end + 4], [b + 4, end + 4], [0, 2 ** 53 + 2], [-4, end], [1.5, end], [b], [b, end, end], `${b},${end}`]);
  },
  overlap: (rng, e, all) => void (e.data_offsets = structuredClone(rng.pick(all).data_offsets)),
  drop: (_rng, e) => void delete e.data_offsets,
  /** A field nested deeper than JSON.stringify (or String) can recurse, which messages quoting it must survive. */
  deep: (rng, e) => void (e[rng.pick(['dtype', 'shape', 'data_offsets'] as const)] = deep(rng, 100_000)),
};

/** A mutated safetensors file: its header's entries, its JSON, its text or its length field. */
export function mutateSafetensors(rng: Prng, bytes: Uint8Array): { bytes: Uint8Array; applied: string[] } {
  const { header, data } = splitSafetensors(bytes);
  const tensorNames = () => Object.keys(header).filter((n) => n !== '__metadata__');
  const roll = rng.next();
  if (roll < 0.45) {
    const applied: string[] = [];
    for (let n = rng.range(1, 2); n > 0; n--) {
      const names = tensorNames();
      const name = rng.pick(names);
      if (rng.chance(0.15)) {
        // A valid entry under an odd name: the loaders' messages quote the names they meet.
        const renamed = rng.pick(ODD_KEYS.filter((k) => !(k in header)));
        Object.defineProperty(header, renamed, { value: header[name], enumerable: true, writable: true, configurable: true });
        delete header[name];
        applied.push(`safetensors.rename(${name} -> ${JSON.stringify(renamed).slice(0, 20)})`);
        if (rng.chance(0.5)) {
          // Broken too, so that the header's own messages quote the name.
          const edit = rng.pick(Object.keys(ENTRY_EDITS).filter((k) => k !== 'overlap'));
          ENTRY_EDITS[edit](rng, header[renamed] as Entry, []);
          applied.push(`safetensors.${edit}(renamed)`);
        }
        continue;
      }
      const edit = rng.pick(Object.keys(ENTRY_EDITS));
      ENTRY_EDITS[edit](rng, header[name] as Entry, names.map((k) => header[k] as Entry));
      applied.push(`safetensors.${edit}(${name})`);
    }
    return { bytes: joinSafetensors(expandNesting(JSON.stringify(header)), data), applied };
  }
  if (roll < 0.7) {
    const m = mutateJson(rng, header);
    return { bytes: joinSafetensors(expandNesting(JSON.stringify(m.value) ?? 'null'), data), applied: m.applied };
  }
  if (roll < 0.85) {
    // Indented half the time, as some writers do: a parser's message then quotes line breaks.
    const m = mutateText(rng, JSON.stringify(header, null, rng.chance(0.5) ? 2 : undefined));
    return { bytes: joinSafetensors(m.text, data), applied: m.applied };
  }
  const json = JSON.stringify(header);
  const length = rng.pick([0n, 1n, BigInt(json.length - 1), BigInt(json.length + 1), 2n ** 53n + 1n, 2n ** 64n - 1n, 100_000_008n]);
  return { bytes: joinSafetensors(json, data, length), applied: [`safetensors.length(${length})`] };
}
