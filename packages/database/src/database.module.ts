import {
  type DynamicModule,
  Injectable,
  Module,
  type OnModuleInit,
  Optional,
} from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ErrorTranslation, ReadinessService } from '@switchboard/service-kit';
import { DataSource } from 'typeorm';
import { translateDatabaseError } from './database-unavailable.error';
import {
  dataSourceOptions,
  ensureSchema,
  type ServiceDatabaseOptions,
} from './data-source-options';

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
  static forRoot(options: ServiceDatabaseOptions): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: async () => {
            await ensureSchema(options.url, options.schema);
            return { ...dataSourceOptions(options), migrationsRun: true };
          },
        }),
      ],
      providers: [DatabaseReadiness],
      exports: [TypeOrmModule],
    };
  }
}
