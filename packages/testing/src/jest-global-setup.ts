import { provideInfrastructure, redactUrl } from './infrastructure';

/**
 * Jest `globalSetup` for the integration and end-to-end tiers: finds or starts real Kafka and
 * PostgreSQL once per run and hands their addresses to every test worker through the environment.
 * When neither can be had it throws, and the run fails: these tests never skip.
 */
export default async function globalSetup(): Promise<void> {
  const infra = await provideInfrastructure();
  process.env.KAFKA_BROKERS = infra.kafkaBrokers.join(',');
  process.env.DATABASE_URL = infra.databaseUrl;
  process.env.SWITCHBOARD_KAFKA_MODE = infra.kafkaMode;
  (globalThis as { __switchboardInfra?: typeof infra }).__switchboardInfra = infra;
  process.stderr.write(
    `\ntest infrastructure: Kafka ${infra.kafkaBrokers.join(',')} (${infra.kafkaMode}), ` +
      `PostgreSQL ${redactUrl(infra.databaseUrl)} (${infra.postgresMode})\n`,
  );
}
