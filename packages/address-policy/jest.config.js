module.exports = require('../../jest.config.base.js').jestConfig(__dirname);
