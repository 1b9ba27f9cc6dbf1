import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { InjectConfig, ServiceConfigModule } from './service-config.module';

interface ExampleConfig {
  GREETING: string;
}

@Injectable()
class Greeter {
  constructor(@InjectConfig() private readonly config: ExampleConfig) {}

  greet(): string {
    return this.config.GREETING;
  }
}

describe('ServiceConfigModule', () => {
  it('hands the parsed configuration to any provider that injects it', async () => {
    const config: ExampleConfig = { GREETING: 'hello' };
    @Module({ imports: [ServiceConfigModule.forRoot(config)], providers: [Greeter] })
    class ExampleModule {}
    const app = await NestFactory.createApplicationContext(ExampleModule, { logger: false });
    try {
      expect(app.get(Greeter).greet()).toBe('hello');
    } finally {
      await app.close();
    }
  });
});
