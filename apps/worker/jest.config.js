module.exports = { ...require('../../jest.preset.js'), displayName: 'worker', setupFiles: ['<rootDir>/../../libs/catalog/src/testing/setup.ts'] };
