// The Kubernetes tier (`npm run test:k8s`): infra/k8s checked against a real kube-apiserver, etcd,
// controller manager and scheduler built from Go modules, with kwok's simulated nodes. The
// migration runner is checked against the real PostgreSQL that the shared global setup provides.
const path = require('node:path');
const base = require('../../../jest.config.base.js').jestConfig(path.join(__dirname, '..', '..'), {
  tier: 'int',
});

module.exports = {
  ...base,
  rootDir: __dirname,
  testRegex: '\\.k8s-spec\\.ts$',
  testTimeout: 300_000,
  maxWorkers: 1,
};
