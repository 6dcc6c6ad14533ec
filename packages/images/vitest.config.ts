import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'images',
    include: ['test/**/*.test.ts'],
    // Builds run one after the other (the first makes the shared build stage the rest reuse).
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 1_200_000,
  },
});
