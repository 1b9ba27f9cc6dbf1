/** Anything that runs one SQL statement: a migration's QueryRunner, a DataSource, a pg Client. */
export interface SqlRunner {
  query(sql: string): Promise<unknown>;
}

const identifier = /^[a-z_][a-z0-9_]*$/;

/** A schema or role name, checked to be a plain lower-case identifier before it meets SQL. */
export function sqlIdentifier(name: string, what = 'identifier'): string {
  if (!identifier.test(name) || name.length > 63) throw new Error(`Invalid ${what} "${name}"`);
  return name;
}

/**
 * The PostgreSQL role a service's connections run as, named after the schema it owns
 * (`switchboard_delivery`). A NOLOGIN role: the service's login becomes it at connection start,
 * so the login's own rights (owner of every schema, often more) never reach a query. Fixed, not
 * configured: another service's migration grants it by this name (the normalizer's audit views
 * to `switchboard_subscriptions`), as a schema name is fixed.
 */
export function serviceRole(schema: string): string {
  return `switchboard_${sqlIdentifier(schema, 'schema name')}`;
}

/**
 * Creates the NOLOGIN role unless it exists. Roles belong to the whole cluster, so migrations of
 * several databases (parallel tests, two services' migration containers) may create it at the
 * same moment: the loser's duplicate is caught. A login without CREATEROLE works when an operator
 * created the role beforehand.
 */
export async function ensureServiceRole(runner: SqlRunner, role: string): Promise<void> {
  sqlIdentifier(role, 'role name');
  await runner.query(`
    DO $$
    BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN
        CREATE ROLE "${role}" NOLOGIN;
      END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL; -- created by a concurrent migration
    END
    $$`);
}

/**
 * The migration step that confines a service to its schema: ensures its role
 * (`serviceRole(schema)`), makes the migrating login a member so the service can run as it with
 * the same login, and grants the role what the service needs on its own schema only: USAGE (not
 * CREATE), reading and writing every table, using every sequence, the same on every table and
 * sequence the login creates there later (default privileges), and only reading the migration
 * history. PostgreSQL grants nothing on a schema to PUBLIC, so the role reaches no other schema
 * unless that schema's owner grants it (as the normalizer does for its audit views).
 */
export async function grantSchemaToServiceRole(runner: SqlRunner, schema: string): Promise<void> {
  const role = serviceRole(schema);
  await ensureServiceRole(runner, role);
  // A superuser may become any role. Otherwise the login needs the membership: CREATEROLE gives
  // it the right to grant it to itself; without that, an operator grants memberships by hand.
  await runner.query(`
    DO $$
    BEGIN
      IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        GRANT "${role}" TO CURRENT_USER;
      END IF;
    EXCEPTION
      WHEN unique_violation THEN
        NULL; -- granted by a concurrent migration
      WHEN insufficient_privilege THEN
        RAISE NOTICE 'Cannot grant role % to %: grant it to the login the service runs with',
          '${role}', current_user;
    END
    $$`);
  await runner.query(`GRANT USAGE ON SCHEMA "${schema}" TO "${role}"`);
  await runner.query(
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "${schema}" TO "${role}"`,
  );
  await runner.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "${schema}" TO "${role}"`);
  await runner.query(
    `ALTER DEFAULT PRIVILEGES IN SCHEMA "${schema}" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "${role}"`,
  );
  await runner.query(
    `ALTER DEFAULT PRIVILEGES IN SCHEMA "${schema}" GRANT USAGE, SELECT ON SEQUENCES TO "${role}"`,
  );
  // DATABASE_MIGRATIONS=verify reads the history as the role; only migrations write it.
  await runner.query(`REVOKE INSERT, UPDATE, DELETE ON "${schema}".migrations FROM "${role}"`);
}

/** Undoes `grantSchemaToServiceRole`'s grants (the role and the membership stay: other databases may use them). */
export async function revokeSchemaFromServiceRole(
  runner: SqlRunner,
  schema: string,
): Promise<void> {
  const role = serviceRole(schema);
  await runner.query(
    `ALTER DEFAULT PRIVILEGES IN SCHEMA "${schema}" REVOKE ALL ON SEQUENCES FROM "${role}"`,
  );
  await runner.query(
    `ALTER DEFAULT PRIVILEGES IN SCHEMA "${schema}" REVOKE ALL ON TABLES FROM "${role}"`,
  );
  await runner.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA "${schema}" FROM "${role}"`);
  await runner.query(`REVOKE ALL ON ALL TABLES IN SCHEMA "${schema}" FROM "${role}"`);
  await runner.query(`REVOKE ALL ON SCHEMA "${schema}" FROM "${role}"`);
}
