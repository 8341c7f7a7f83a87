import { describe, expect, it } from 'vitest';
import { aliasHint } from './ssh-connect';

describe('an unresolvable host name', () => {
  it('that looks like an ssh_config Host alias points to Import', () => {
    expect(aliasHint('prod-box')).toContain('"Import from ~/.ssh/config"');
  });

  it('that is a dotted name or an address gets no such hint', () => {
    expect(aliasHint('db.example.test')).toBe('');
    expect(aliasHint('10.0.0.1')).toBe('');
  });
});
