/**
 * @module backend-contract
 * The checks every catalog backend must pass, for the built-in backends' tests and for a
 * third-party backend's: round trips, listing, removal, a multi-part-sized streaming upload,
 * and that a failed write leaves nothing behind.
 */
import { isUserError } from '@carve/engine';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { CatalogBackend } from './backend';
import { CatalogError } from './errors';

export interface BackendContractOptions {
  /** A local folder the contract may write its source files into. */
  readonly scratch: string;
  /** Keys go under it, so the contract can run in a catalog that holds other objects. @default 'contract/' */
  readonly prefix?: string;
  /** The large file's size: above S3's 5 MiB part size, so an S3 backend uploads it in parts. @default 12 MiB */
  readonly largeFileBytes?: number;
}

/** Bytes of `size` from a position-dependent pattern, so a misplaced part shows as a difference. */
function pattern(size: number, seed: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed + (i >> 12)) & 0xff;
  return bytes;
}

/**
 * Runs the contract on `backend`, which must start with nothing under `prefix`, and leaves
 * nothing there. Throws one CatalogError ('backend_contract_failed') listing every failed check.
 */
export async function runCatalogBackendContract(backend: CatalogBackend, options: BackendContractOptions): Promise<void> {
  const { scratch, prefix = 'contract/', largeFileBytes = 12 * 1024 * 1024 } = options;
  const failures: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) failures.push(what);
  };
  const key = (name: string) => `${prefix}${name}`;

  check(typeof backend.describe() === 'string' && backend.describe() !== '', 'describe() returns a non-empty string');
  check((await backend.list(prefix)).length === 0, `starts with nothing under '${prefix}'`);

  const small = pattern(1000, 1);
  await backend.putBytes(key('a/small.bin'), small);
  check(small.equals((await backend.get(key('a/small.bin'))) ?? Buffer.alloc(0)), 'get returns the bytes putBytes stored');
  await backend.putBytes(key('a/small.bin'), Buffer.from('replaced'));
  check((await backend.get(key('a/small.bin')))?.toString() === 'replaced', 'putBytes replaces an object');
  await backend.putBytes(key('empty'), new Uint8Array(0));
  check((await backend.get(key('empty')))?.length === 0, 'an empty object reads back empty (not missing)');
  check((await backend.get(key('missing'))) === undefined, 'get of a missing key is undefined');
  check(await backend.exists(key('a/small.bin')), 'exists is true for a stored object');
  check(!(await backend.exists(key('missing'))), 'exists is false for a missing key');
  check(!(await backend.exists(key('a'))), 'exists is false for a "folder" (a prefix of keys)');

  const large = pattern(largeFileBytes, 2);
  const source = nodePath.join(scratch, 'large.bin');
  await fs.writeFile(source, large);
  await backend.putFile(key('b/large.bin'), source);
  check(large.equals((await backend.get(key('b/large.bin'))) ?? Buffer.alloc(0)), `putFile stores a ${largeFileBytes}-byte file intact`);

  const failed = await backend.putFile(key('b/never.bin'), nodePath.join(scratch, 'no-such-file')).then(
    () => 'resolved',
    (e: unknown) => (isUserError(e) && e.message.includes(backend.describe()) ? 'ok' : `rejected with ${String(e)}`),
  );
  check(failed === 'ok', `putFile of a missing source rejects with a UserError naming the catalog (it ${failed === 'resolved' ? 'resolved' : failed})`);
  check(!(await backend.exists(key('b/never.bin'))), 'a failed putFile leaves no object');

  const all = [key('a/small.bin'), key('b/large.bin'), key('empty')];
  check(same(await backend.list(prefix), all), `list('${prefix}') gives every key, sorted: ${all.join(', ')}`);
  check(same(await backend.list(key('a/')), [key('a/small.bin')]), 'list of a folder gives its keys only');
  check(same(await backend.list(key('e')), [key('empty')]), 'list takes a plain string prefix, not only folders');

  await backend.remove(key('a/'));
  check(same(await backend.list(prefix), [key('b/large.bin'), key('empty')]), 'remove of a folder removes its keys and nothing else');
  await backend.remove(prefix);
  check((await backend.list(prefix)).length === 0, 'remove of the prefix leaves nothing under it');

  if (failures.length > 0) {
    throw new CatalogError(`catalog backend ${backend.describe()} fails the contract:\n${failures.map((f) => `- ${f}`).join('\n')}`, 'backend_contract_failed', failures);
  }
}

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
