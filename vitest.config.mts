import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts', 'e2e/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Multi-process tests start real servers; two cores do not like many at once.
    maxWorkers: 2,
    pool: 'forks',
    // Under CI=true, a test whose judge is missing fails before it runs (test/support/needs.ts).
    setupFiles: ['test/support/needs-setup.ts'],
    // expect.poll waits for a condition; vitest's default gives up after 1 s, which a loaded
    // machine (two cores, several servers and a browser) can exceed for any UI update or
    // server round trip. The limit only bounds a hang: a poll returns as soon as it holds.
    expect: { poll: { timeout: 30_000 } },
  },
});
