import {
  type DynamicModule,
  Injectable,
  Module,
  type OnModuleInit,
  Optional,
} from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  type DatabaseMigrationsMode,
  type DatabaseTransportEnv,
  ErrorTranslation,
  ReadinessService,
} from '@switchboard/service-kit';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { translateDatabaseError } from './database-unavailable.error';
import { dataSourceOptions, type ServiceDatabaseOptions } from './data-source-options';
import { migrateSchema, PendingMigrationsError, verifySchema } from './migrations';
import { postgresConnection } from './postgres-connection';
import { serviceRole } from './service-role';

/** The database settings every service that owns tables reads (see `databaseEnv`). */
export interface DatabaseServiceEnv extends DatabaseTransportEnv {
  DATABASE_POOL_SIZE: number;
  DATABASE_MIGRATIONS: DatabaseMigrationsMode;
}

export interface DatabaseModuleOptions extends ServiceDatabaseOptions {
  /**
   * `run` (the default) applies pending migrations before the service starts; `verify` refuses to
   * start (PendingMigrationsError, exit 1) while any is pending.
   */
  migrationsMode?: DatabaseMigrationsMode;
  /** The command the refusal names; `node apps/<schema>/dist/migrate.js` by default. */
  migrateCommand?: string;
}

/** The module's options as a service gives them: where its schema is, what it maps and migrates. */
export type ServiceSchemaOptions = Omit<
  ServiceDatabaseOptions,
  'url' | 'ssl' | 'poolSize' | 'role'
>;

/** Reports the database in readiness, and teaches the error filter that it can be down (503). */
@Injectable()
class DatabaseReadiness implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly readiness: ReadinessService,
    @Optional() private readonly errors?: ErrorTranslation,
  ) {}

  onModuleInit(): void {
    this.errors?.register(translateDatabaseError);
    this.readiness.register({
      name: 'postgres',
      check: async () => {
        await this.dataSource.query('SELECT 1');
      },
    });
  }
}

/**
 * PostgreSQL for a service that owns tables. At start, by DATABASE_MIGRATIONS: `run` creates its
 * schema and applies pending migrations (under the same advisory lock as the migration command);
 * `verify` only checks that none is pending and otherwise refuses to start, naming them. Both as
 * the login; the pool then runs as the service's role (`role`), which reaches only what the
 * migrations granted it. Never `synchronize`. Reports the database in `/health/ready`; while
 * PostgreSQL is unreachable, requests that need it are answered 503 `database_unavailable` with
 * Retry-After.
 */
@Module({})
export class DatabaseModule {
  /**
   * The module as a service configures it: URL, pool size and TLS from its env; its pool runs as
   * `serviceRole(schema)`, which its migrations create and grant its own schema to.
   */
  static forService(env: DatabaseServiceEnv, options: ServiceSchemaOptions): DynamicModule {
    const connection = postgresConnection(env);
    return DatabaseModule.forRoot({
      url: connection.connectionString,
      ssl: connection.ssl,
      poolSize: env.DATABASE_POOL_SIZE,
      migrationsMode: env.DATABASE_MIGRATIONS,
      role: serviceRole(options.schema),
      ...options,
    });
  }

  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    const { migrationsMode = 'run', migrateCommand, ...database } = options;
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: async () => {
            if (migrationsMode === 'run') await migrateSchema(database);
            return {
              ...dataSourceOptions(database),
              // Connecting is retried; a schema that lacks migrations stays so until someone acts.
              toRetry: (err: unknown) => !(err instanceof PendingMigrationsError),
            };
          },
          dataSourceFactory: async (typeOrmOptions?: DataSourceOptions) => {
            if (migrationsMode === 'verify') await verifySchema(database, migrateCommand);
            return new DataSource(typeOrmOptions ?? dataSourceOptions(database)).initialize();
          },
        }),
      ],
      providers: [DatabaseReadiness],
      exports: [TypeOrmModule],
    };
  }
}
