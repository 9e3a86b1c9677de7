import { describe, expect, it } from 'vitest';
import { sameOrigin } from './origin';

describe('sameOrigin', () => {
  const lab = 'http://127.0.0.1:4000';
  it('accepts the lab origin and its pages', () => {
    expect(sameOrigin('http://127.0.0.1:4000', lab)).toBe(true);
    expect(sameOrigin('http://127.0.0.1:4000/?token=ab#x', lab)).toBe(true);
  });
  it('refuses credentials tricks, port prefixes, other schemes and garbage', () => {
    for (const bad of [
      'http://127.0.0.1:4000@evil.example/',
      'http://127.0.0.1:4000.evil.example/',
      'http://127.0.0.1:40001/',
      'https://127.0.0.1:4000/',
      'http://localhost:4000/',
      'ws://127.0.0.1:4000/ws',
      'null',
      'not a url',
      '',
      null,
      undefined,
    ]) {
      expect(sameOrigin(bad, lab), String(bad)).toBe(false);
    }
  });
});
