// Unit tests of the repository's scripts (run by `npm run test:unit` through turbo's root task).
module.exports = require('../jest.config.base.js').jestConfig(__dirname);
