module.exports = { ...require('../../jest.preset.js'), displayName: 'catalog', setupFiles: ['<rootDir>/src/testing/setup.ts'] };
