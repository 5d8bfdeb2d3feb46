// Shared jest settings: TypeScript through @swc/jest (types are checked by `build`),
// and workspace packages resolved to their sources so tests never need a prior build.
const path = require('node:path');

module.exports = {
  testEnvironment: path.join(__dirname, 'tools/jest/shared-typed-array-environment.js'),
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  moduleNameMapper: {
    '^@carve/test-assets$': path.join(__dirname, 'tools/jest/assets.ts'),
    '^@carve/test-tfjs$': path.join(__dirname, 'tools/jest/tfjs.ts'),
    '^@carve/test-hf-onnx$': path.join(__dirname, 'tools/jest/hf-onnx.ts'),
    '^@carve/test-llama-cpp$': path.join(__dirname, 'tools/jest/llama-cpp.ts'),
    '^@carve/([a-z-]+)$': path.join(__dirname, 'libs/$1/src/index.ts'),
  },
  testMatch: ['<rootDir>/src/**/*.test.ts'],
  // Tests assert results, never durations: the timeout only ends a hung test, and must not
  // fail a slow machine.
  testTimeout: 15 * 60 * 1000,
  moduleFileExtensions: ['ts', 'js', 'json'],
  reporters: ['default', path.join(__dirname, 'tools/jest/summary-reporter.js')],
};
