// Loaded before every test file (vitest.config.mts setupFiles). Under CI=true a test whose
// needs are missing is not skipped (test/support/needs.ts): it fails here, before it runs,
// saying what the machine lacks.
import { beforeEach } from 'vitest';

beforeEach((ctx) => {
  const missing = ctx.task.meta.missingInCi;
  if (missing) throw new Error(missing);
});
