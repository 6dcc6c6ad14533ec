import { defineConfig } from 'vitest/config';

// CI runs the README's `pnpm test` line exactly as written; it asks for a machine-readable report
// (for its "N passed, N failed" line) through the environment instead of extra arguments.
const report = process.env.PATCHBAY_TEST_REPORT;

export default defineConfig({
  test: {
    projects: [
      'shared/*/vitest.config.ts',
      'servers/*/vitest.config.ts',
      'packages/*/vitest.config.ts',
      // The repository's own machinery: the GitHub workflows, the release and image set-up.
      { test: { name: 'repo', include: ['test/**/*.test.ts'], testTimeout: 60_000 } },
    ],
    ...(report ? { reporters: ['default', 'json'], outputFile: { json: report } } : {}),
  },
});
