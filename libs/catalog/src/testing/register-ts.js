// For the tests' child processes (`node -r .../register-ts.js child.ts`): loads TypeScript
// through swc and resolves @carve/<lib> to libs/<lib>/src, as jest.preset.js does, so a child
// runs the sources under test, as the test itself does, with no build.
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const { transformSync } = require('@swc/core');

const LIBS = path.resolve(__dirname, '..', '..', '..');
const OPTIONS = { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } };

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const lib = /^@carve\/([a-z-]+)$/.exec(request);
  return resolveFilename.call(this, lib ? path.join(LIBS, lib[1], 'src', 'index.ts') : request, ...rest);
};

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), { ...OPTIONS, filename });
  module._compile(code, filename);
};
