import { startTestServer } from '@patchbay/testing';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the test server, or empty when there is none. */
    postgresAdminUrl: string;
    /** Why the database tests are skipped, when they are. */
    postgresSkip: string;
  }
}

/** One PostgreSQL server for the whole run; every test file makes its own database in it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const outcome = await startTestServer();
  if ('skip' in outcome) {
    process.stderr.write(`\n[postgres tests] SKIPPED: ${outcome.skip}\n\n`);
    project.provide('postgresAdminUrl', '');
    project.provide('postgresSkip', outcome.skip);
    return async () => undefined;
  }
  project.provide('postgresAdminUrl', outcome.server.adminUrl);
  project.provide('postgresSkip', '');
  return () => outcome.server.stop();
}
