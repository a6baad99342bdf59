import { defineConfig } from 'vitest/config';

// One vitest config per package; this root config only lists them, so that
// `vitest` at the top runs every project in one report.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*'],
  },
});
