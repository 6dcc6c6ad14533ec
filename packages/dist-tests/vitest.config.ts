import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'dist',
    include: ['test/**/*.test.ts'],
    // Cold npm installs through a registry that proxies the public one.
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
