import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'syscall',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Child processes and the waiter's worker run the compiled package: keep dist/ current.
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
