/**
 * @module @carve/names
 * The names that arrive from outside (run specs, command-line flags, trigger requests and job
 * parameters, manifests read back from a catalog) and become file paths, S3 keys or module
 * paths: run ids, object keys and plugin package names. They are checked here and nowhere
 * else, so the catalog, the cloud trigger, the worker and the plugin loader refuse the same
 * names for the same reasons; the package loads nothing, so the trigger's small bundle checks
 * them exactly as the CLI does.
 *
 * Each check returns why a name is refused, a phrase that follows the quoted name in a message
 * (`object key "../x" must not have empty, '.' or '..' segments`), or undefined when the name
 * is allowed. `nameRefusal` gives the whole phrase; callers raise their own UserError with it,
 * prefixed by where the name came from (`--run`, `model.checkpoint`, the request's key).
 */

/** Letters, digits, '.', '_' and '-', 1 to 100 of them: safe as a folder name, an S3 key part and a shell word. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** The suffix of temporary files (the local catalog's writes, the worker's downloads); no key may end with it. */
export const TEMP_SUFFIX = '.carve-tmp';

/** S3's limit on the length of a key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

/** The longest file name ext4, XFS and APFS allow (255 bytes; NTFS 255 UTF-16 units): a longer segment cannot be a local file. */
export const MAX_SEGMENT_BYTES = 255;

/** npm's limit on the length of a package name. */
export const MAX_PACKAGE_NAME_LENGTH = 214;

/**
 * Characters no key may hold: control characters (NUL, DEL, the C1 range), format characters
 * (the bidirectional overrides and isolates such as U+202E, zero-width spaces and joiners, the
 * byte order mark), lone surrogates (no UTF-8 form), and the line and paragraph separators.
 */
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

/** A combining mark at the start of a segment has nothing to combine with: it only disguises the segment. */
const LEADING_MARK = /^\p{M}/u;

/**
 * npm's rule for a package name: an optional `@scope/`, then letters, digits, '-', '.' and '_',
 * not starting with '.' or '_'. Upper case is allowed, as npm still installs old packages named so. A name
 * of this form has no path segments: it can only be resolved from a `node_modules` folder.
 */
const PACKAGE_NAME = /^(?:@[a-z0-9-][a-z0-9._-]*\/)?[A-Za-z0-9-][A-Za-z0-9._-]*$/;

const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** `U+202E`: how messages name a character. */
function codePoint(character: string): string {
  return `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Why `id` is not a run id, or undefined when it is one. */
export function runIdProblem(id: unknown): string | undefined {
  if (typeof id === 'string' && RUN_ID_PATTERN.test(id)) return undefined;
  return "is not valid: use 1 to 100 letters, digits, '.', '_' and '-', starting with a letter or digit (like 20261128-2042-1a2b3c)";
}

/**
 * Why `key` is not an object key, or undefined when it is one. A key is a '/'-separated relative
 * path (`runs/<id>/front.json`) that means the same object in a bucket and the same file in a
 * folder on every system: no absolute path, no '.' or '..' segment, not even one spelled with
 * fullwidth or compatibility characters that a normalizing system would read as one, no
 * backslash, no invisible or direction-changing character, composed accents only (so two
 * spellings of one name cannot be two objects), and short enough for S3 and for a file system.
 */
export function keyProblem(key: unknown): string | undefined {
  if (typeof key !== 'string') return 'is not a string';
  if (key === '') return 'is empty';
  if (key.startsWith('/') || key.endsWith('/')) return "must not start or end with '/'";
  if (key.includes('\\')) return "must not hold backslashes ('\\' separates folders on Windows)";
  const forbidden = FORBIDDEN.exec(key);
  if (forbidden) return `must not hold ${codePoint(forbidden[0])}: control, invisible and direction-changing characters are refused`;
  const segments = key.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) return "must not have empty, '.' or '..' segments";
  if (key.normalize('NFC') !== key) return 'must be in Unicode normal form C: write accented letters precomposed, not as a letter and a combining character';
  for (const segment of segments) {
    const mark = LEADING_MARK.exec(segment);
    if (mark) return `must not have a segment that starts with a combining character (${codePoint(mark[0])})`;
    const folded = segment.normalize('NFKC');
    if (folded === '.' || folded === '..' || /[/\\]/.test(folded)) {
      return `must not have a segment that reads as '.', '..', '/' or '\\' once normalized (${quoteName(segment)} holds fullwidth or compatibility characters)`;
    }
    if (utf8Bytes(segment) > MAX_SEGMENT_BYTES) return `must not have a segment longer than ${MAX_SEGMENT_BYTES} bytes (one has ${utf8Bytes(segment)})`;
  }
  if (utf8Bytes(key) > MAX_KEY_BYTES) return `must be at most ${MAX_KEY_BYTES} bytes long (it has ${utf8Bytes(key)})`;
  if (key.endsWith(TEMP_SUFFIX)) return `must not end with '${TEMP_SUFFIX}' (kept for temporary files)`;
  return undefined;
}

/**
 * Why `name` is not the name of an installed package, or undefined when it is one. Plugins are
 * installed packages named as in their package.json; a path (`./local`, `../x`, `/abs`,
 * `pkg/sub`) is refused, so that only a package someone installed and named is ever loaded.
 */
export function packageNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name === '') return 'is not a package name';
  if (name.length <= MAX_PACKAGE_NAME_LENGTH && PACKAGE_NAME.test(name)) return undefined;
  const install = 'plugins are installed packages, named as in their package.json (install a local one with `npm install ./my-plugin`)';
  if (/^[./\\~]|\\|^[A-Za-z]:|\/.*\/|^[^@].*\//.test(name)) return `is a path, not a package name: ${install}`;
  if (name.length > MAX_PACKAGE_NAME_LENGTH) return `is longer than npm's ${MAX_PACKAGE_NAME_LENGTH} characters: ${install}`;
  return `is not an npm package name (letters, digits, '-', '.' and '_', optionally after @scope/): ${install}`;
}

/** The kinds of name checked here, and the checks. */
const CHECKS = {
  'run id': runIdProblem,
  'object key': keyProblem,
  'plugin package': packageNameProblem,
} as const;

export type NameKind = keyof typeof CHECKS;

/**
 * Why `value` is refused as a `kind`, as one line a message can hold (`run id "../x" is not
 * valid: ...`), or undefined when it is allowed.
 */
export function nameRefusal(kind: NameKind, value: unknown): string | undefined {
  const problem = CHECKS[kind](value);
  return problem === undefined ? undefined : `${kind} ${quoteName(value)} ${problem}`;
}

/** How many characters of a name a message shows. */
const SHOWN = 120;

/** Characters that would not be seen, or would move the text around them, in a message: all but the plain space. */
const HIDDEN = /(?! )[\p{C}\p{Z}\p{M}]/gu;

/**
 * `value` quoted for a message: as JSON writes it, with every control, format, separator and
 * combining character escaped too (`"\u202Efdp.exe"`), so a hostile name can neither break the
 * message's line nor reorder or hide its text; a long one is cut, with its length.
 */
export function quoteName(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  const characters = [...text];
  const long = characters.length > SHOWN;
  const quoted = JSON.stringify(long ? `${characters.slice(0, SHOWN).join('')}…` : text).replace(HIDDEN, (c) => {
    const code = c.codePointAt(0)!;
    return code > 0xffff ? `\\u{${code.toString(16).toUpperCase()}}` : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
  });
  return long ? `${quoted} (${characters.length} characters)` : quoted;
}
