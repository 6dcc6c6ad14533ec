import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'git',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The server's git must not see this machine's own config (identity, aliases, signing):
    // every repository a test makes carries the config it needs.
    env: { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
  },
});
