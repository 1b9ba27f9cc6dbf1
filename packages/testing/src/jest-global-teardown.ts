import type { Infrastructure } from './infrastructure';

/** Stops the containers that `globalSetup` started; the local broker and server stay up. */
export default async function globalTeardown(): Promise<void> {
  const infra = (globalThis as { __switchboardInfra?: Infrastructure }).__switchboardInfra;
  await infra?.stop();
}
