// One lint configuration for the whole monorepo; CI runs it with zero warnings allowed.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/schemas/**',
      '.local/**',
      '.turbo/**',
      '**/coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'error',
    },
  },
  {
    // Services reach Kafka only through packages/kafka's typed API (TopicPublisher,
    // TopicConsumers, ConfigTopicFollower). Test beds and benches may use kafkajs as an outside
    // client to watch or feed topics.
    files: ['apps/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'kafkajs',
              message: "Use @switchboard/kafka's TopicPublisher / TopicConsumers instead.",
            },
          ],
          patterns: [{ group: ['kafkajs/*'], message: 'Use @switchboard/kafka instead.' }],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportSpecifier[imported.name=/^(BatchingProducer|BatchConsumer)$/]',
          message:
            'Produce with TopicPublisher and consume with TopicConsumers (catalog topics, typed values).',
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: [
      '**/*.spec.ts',
      '**/*.int-spec.ts',
      '**/*.e2e-spec.ts',
      '**/bench/**/*.ts',
      'infra/**',
      'scripts/**',
    ],
    rules: { 'no-console': 'off' },
  },
  prettier,
);
