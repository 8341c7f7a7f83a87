import { describe, expect, it } from 'vitest';
import { jumpHostsFor } from './jump-hosts';

const saved = [
  { id: 's-bastion', name: 'bastion', host: '203.0.113.10' },
  { id: 's-edge', name: 'edge', host: 'fd00::1' },
];

describe('jumpHostsFor', () => {
  it('finds each hop by name or address, in order, user and port ignored', () => {
    expect(jumpHostsFor(['bastion', 'ops@[fd00::1]:2200'], saved)).toEqual({ ids: ['s-bastion', 's-edge'], missing: [] });
    expect(jumpHostsFor(['jump@203.0.113.10:22'], saved)).toEqual({ ids: ['s-bastion'], missing: [] });
  });

  it('reports the hops no saved server stands for, instead of dropping them', () => {
    expect(jumpHostsFor(['bastion', 'inner-jump'], saved)).toEqual({ ids: ['s-bastion'], missing: ['inner-jump'] });
    expect(jumpHostsFor([], saved)).toEqual({ ids: [], missing: [] });
  });
});
