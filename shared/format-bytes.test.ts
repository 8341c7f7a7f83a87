import { describe, expect, it } from 'vitest';
import { formatBytes } from './format-bytes';

describe('formatBytes', () => {
  it('says sizes the way people read them', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(24_879_104)).toBe('24 MiB');
    expect(formatBytes(5 * 1024 ** 4 * 1024)).toBe('5120 TiB');
  });
});
