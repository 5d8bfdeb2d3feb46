/**
 * @module testing/hostile-names
 * Names an attacker (or an accident) could put in a spec, a flag, a request or a manifest to
 * leave a folder or an S3 prefix, or to hide what a name is: the table every entry point's
 * test refuses. Each is a single path segment or a path, to be used alone (a run id, a plugin
 * package) or after a prefix (`requests/<name>`, `s3://bucket/inputs/<name>`).
 */

/** [what it is, the name]. */
export const HOSTILE_NAMES: readonly (readonly [string, string])[] = [
  ['a parent segment', '../x'],
  ['many parent segments', '../../../../../../tmp/carve-escaped'],
  ['a parent segment inside', 'a/../../b'],
  ['an absolute path', '/tmp/carve-escaped'],
  ['backslashes', '..\\..\\carve-escaped'],
  ['a Windows drive', 'C:\\carve-escaped'],
  ['a NUL byte', 'ok\u0000../../x'],
  ['a newline', 'a\n../b'],
  ['fullwidth dots', '\uff0e\uff0e/carve-escaped'],
  ['a two-dot leader', '\u2025/carve-escaped'],
  ['a fullwidth solidus', '\uff0e\uff0e\uff0fcarve-escaped'],
  ['a right-to-left override', '\u202egnp.exe'],
  ['a zero-width space', 'front\u200b.json'],
  ['a line separator', 'a\u2028b'],
  ['a decomposed accent', 'cafe\u0301'],
  ['a leading combining character', '\u0338x'],
  ['an overlong segment', 'a'.repeat(300)],
  ['an overlong path', `${'a'.repeat(200)}/`.repeat(6) + 'x'],
  ['a lone dot', '.'],
  ['an empty name', ''],
];
