import {
  type DynamicModule,
  Injectable,
  Module,
  type OnModuleInit,
  Optional,
} from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  type DatabaseTransportEnv,
  ErrorTranslation,
  ReadinessService,
} from '@switchboard/service-kit';
import { DataSource } from 'typeorm';
import { translateDatabaseError } from './database-unavailable.error';
import {
  dataSourceOptions,
  ensureSchema,
  type ServiceDatabaseOptions,
} from './data-source-options';
import { postgresConnection } from './postgres-connection';

/** The database settings every service that owns tables reads (see `databaseEnv`). */
export interface DatabaseServiceEnv extends DatabaseTransportEnv {
  DATABASE_POOL_SIZE: number;
}

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
 * PostgreSQL for a service that owns tables: creates its schema, runs pending migrations at
 * start (never `synchronize`), and reports the database in `/health/ready`. While PostgreSQL is
 * unreachable, requests that need it are answered 503 `database_unavailable` with Retry-After.
 */
@Module({})
export class DatabaseModule {
  /** The module as a service configures it: URL, pool size and TLS from its env. */
  static forService(
    env: DatabaseServiceEnv,
    options: Omit<ServiceDatabaseOptions, 'url' | 'ssl' | 'poolSize'>,
  ): DynamicModule {
    const connection = postgresConnection(env);
    return DatabaseModule.forRoot({
      url: connection.connectionString,
      ssl: connection.ssl,
      poolSize: env.DATABASE_POOL_SIZE,
      ...options,
    });
  }

  static forRoot(options: ServiceDatabaseOptions): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: async () => {
            await ensureSchema(options.url, options.schema, options.ssl);
            return { ...dataSourceOptions(options), migrationsRun: true };
          },
        }),
      ],
      providers: [DatabaseReadiness],
      exports: [TypeOrmModule],
    };
  }
}
