import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['shared/*/vitest.config.ts', 'servers/*/vitest.config.ts', 'packages/*/vitest.config.ts'],
  },
});
