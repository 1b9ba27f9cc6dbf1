import type { PoolClient, QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/** A statement run often on the hot path: parsed and planned once per pooled connection. */
export interface PreparedStatement {
  /** Unique per text across the service: PostgreSQL keeps it under this name on each connection. */
  readonly name: string;
  readonly text: string;
}

/**
 * Runs a named (prepared) statement on a connection of the data source's pool and returns its
 * rows. Planning a batch statement over `unnest` arrays costs PostgreSQL about as much as running
 * it for a handful of rows, so statements run on every batch are prepared once per connection
 * instead of planned on every call. TypeORM's `query` cannot name a statement, hence the pooled
 * `pg` client; a client whose query failed is discarded rather than reused.
 */
export async function runPrepared<T extends QueryResultRow>(
  dataSource: DataSource,
  statement: PreparedStatement,
  values: unknown[],
): Promise<T[]> {
  const driver = dataSource.driver as PostgresDriver;
  const [client, release] = (await driver.obtainMasterConnection()) as [
    PoolClient,
    (destroy?: boolean) => void,
  ];
  try {
    const result = await client.query<T>({ name: statement.name, text: statement.text, values });
    release();
    return result.rows;
  } catch (err) {
    release(true);
    throw err;
  }
}
