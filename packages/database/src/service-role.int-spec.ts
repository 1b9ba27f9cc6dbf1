import { randomBytes } from 'node:crypto';
import { eventually, useTestDatabase } from '@switchboard/testing';
import { Client } from 'pg';
import { ensureServiceRole } from './service-role';

describe(ensureServiceRole.name, () => {
  const database = useTestDatabase('service_role');

  it('creates a role once when two migrations ensure it at the same moment', async () => {
    // given a role no one has made yet, and two migrations' transactions
    const role = `switchboard_race_${randomBytes(6).toString('hex')}`;
    const first = new Client({ connectionString: database.url });
    const second = new Client({ connectionString: database.url });
    await first.connect();
    await second.connect();
    try {
      await first.query('BEGIN');
      await second.query('BEGIN');

      // when the first creates it, and the second tries while the first has not committed
      await ensureServiceRole(first, role);
      const secondPid = (await second.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))
        .rows[0]!.pid;
      const secondEnsures = ensureServiceRole(second, role);
      secondEnsures.catch(() => undefined);
      await eventually(
        async () => {
          const { rows } = await database.client.query<{ waiting: string | null }>(
            'SELECT wait_event_type AS waiting FROM pg_stat_activity WHERE pid = $1',
            [secondPid],
          );
          return rows[0]?.waiting === 'Lock' ? true : undefined;
        },
        { what: "the second transaction waiting on the first one's role" },
      );
      await first.query('COMMIT');

      // then the second finds it made, and both transactions commit
      await expect(secondEnsures).resolves.toBeUndefined();
      await second.query('COMMIT');
      const { rows } = await database.client.query<{ rolcanlogin: boolean }>(
        'SELECT rolcanlogin FROM pg_roles WHERE rolname = $1',
        [role],
      );
      expect(rows).toEqual([{ rolcanlogin: false }]);
    } finally {
      await first.end();
      await second.end();
      await database.client.query(`DROP ROLE IF EXISTS ${role}`);
    }
  });

  it('refuses a role name that is not a plain identifier', async () => {
    await expect(ensureServiceRole(database.client, 'x"; DROP TABLE y; --')).rejects.toThrow(
      'Invalid role name',
    );
  });
});
