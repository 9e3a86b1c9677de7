import { describe, expect, it } from 'vitest';
import { checkLabLimits, checkWireLimits, QUORUM_PACKET_MAX } from './limits';

describe('limits', () => {
  it('agree with each other as shipped', () => {
    expect(checkLabLimits()).toEqual([]);
  });

  it('say which limit a jute.maxbuffer would break', () => {
    expect(checkWireLimits(QUORUM_PACKET_MAX)).toEqual([expect.stringContaining('leaves no room'), expect.stringContaining('reply buffer')]);
    expect(checkWireLimits(512)).toEqual([expect.stringContaining('below 1024')]);
  });
});
