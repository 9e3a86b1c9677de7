// The design's dependency directions, enforced on every test run.
import { describe, expect, it } from 'vitest';

describe('dependency directions (scripts/check-deps.mjs)', () => {
  it('no folder under src imports against the design', async () => {
    const { violations } = await import('../../scripts/check-deps.mjs');
    expect(violations()).toEqual([]);
  });
});
