module.exports = { ...require('../../jest.preset.js'), displayName: 'trigger', setupFiles: ['<rootDir>/../../libs/catalog/src/testing/setup.ts'] };
