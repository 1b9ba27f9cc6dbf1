// Shared Jest settings: SWC transpiles TypeScript with decorator metadata for NestJS.
// Tiers are chosen by file suffix: *.spec.ts (unit), *.int-spec.ts (real Kafka and
// PostgreSQL), *.e2e-spec.ts (services wired together), *.fuzz-spec.ts (hostile input against
// the services as processes).
const path = require('node:path');

const tiers = {
  unit: '\\.spec\\.ts$',
  int: '\\.int-spec\\.ts$',
  e2e: '\\.e2e-spec\\.ts$',
  fuzz: '\\.fuzz-spec\\.ts$',
  chaos: '\\.chaos-spec\\.ts$',
};

function jestConfig(dir, { tier = process.env.TEST_TIER ?? 'unit' } = {}) {
  const pattern = tiers[tier];
  if (!pattern)
    throw new Error(`Unknown TEST_TIER "${tier}" (expected unit, int, e2e, fuzz or chaos)`);
  const needsInfra = tier !== 'unit';
  return {
    rootDir: dir,
    testEnvironment: 'node',
    testRegex: pattern,
    testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    transform: {
      '^.+\\.ts$': [
        '@swc/jest',
        {
          jsc: {
            parser: { syntax: 'typescript', decorators: true },
            transform: { legacyDecorator: true, decoratorMetadata: true },
            target: 'es2023',
          },
          module: { type: 'commonjs' },
        },
      ],
    },
    moduleFileExtensions: ['ts', 'js', 'json'],
    globalSetup: needsInfra
      ? path.join(__dirname, 'packages/testing/dist/jest-global-setup.js')
      : undefined,
    globalTeardown: needsInfra
      ? path.join(__dirname, 'packages/testing/dist/jest-global-teardown.js')
      : undefined,
    testTimeout: needsInfra ? 120_000 : 10_000,
    maxWorkers: needsInfra ? 1 : '50%',
  };
}

module.exports = { jestConfig };
