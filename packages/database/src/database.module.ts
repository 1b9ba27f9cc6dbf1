import { type DynamicModule, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ReadinessService } from '@switchboard/service-kit';
import { DataSource } from 'typeorm';
import {
  dataSourceOptions,
  ensureSchema,
  type ServiceDatabaseOptions,
} from './data-source-options';

@Injectable()
class DatabaseReadiness implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly readiness: ReadinessService,
  ) {}

  onModuleInit(): void {
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
 * start (never `synchronize`), and reports the database in `/health/ready`.
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
