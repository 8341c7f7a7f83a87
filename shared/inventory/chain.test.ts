import { describe, expect, it } from 'vitest';
import { chainProblems, reorderChain, type ChainLink } from './chain';

const dev: ChainLink = { id: 'e1', name: 'dev', production: false };
const uat: ChainLink = { id: 'e2', name: 'uat', production: false };
const prod: ChainLink = { id: 'e3', name: 'production', production: true };

describe('chainProblems', () => {
  it('accepts dev → uat → production', () => expect(chainProblems([dev, uat, prod])).toEqual([]));
  it('rejects two environments with the same name, whatever the case', () =>
    expect(chainProblems([dev, { ...uat, name: 'DEV' }])).toEqual([expect.stringMatching(/Two environments are named "DEV"/)]));
  it('rejects an environment listed twice as a loop', () => expect(chainProblems([dev, uat, dev]).join(' ')).toMatch(/"dev" appears twice.*loop/));
  it('rejects a production environment that is not last', () =>
    expect(chainProblems([dev, prod, uat])).toEqual([expect.stringMatching(/"production" must be the last/)]));
  it('rejects two production environments', () =>
    expect(chainProblems([dev, { ...uat, production: true }, prod]).join(' ')).toMatch(/must be the last/));
});

describe('reorderChain', () => {
  it('reorders when every environment is listed once', () => {
    const { chain, problems } = reorderChain([uat, dev, prod], ['e1', 'e2', 'e3']);
    expect(problems).toEqual([]);
    expect(chain.map((link) => link.name)).toEqual(['dev', 'uat', 'production']);
  });
  it('rejects a cycle, a missing and an unknown environment', () => {
    expect(reorderChain([dev, uat, prod], ['e1', 'e2', 'e1', 'e3']).problems.join(' ')).toMatch(/appears twice/);
    expect(reorderChain([dev, uat, prod], ['e1', 'e3']).problems.join(' ')).toMatch(/leaves out "uat"/);
    expect(reorderChain([dev, uat, prod], ['e1', 'e2', 'e3', 'e9']).problems.join(' ')).toMatch(/no environment with id e9/);
  });
  it('rejects an order that puts production before another environment', () =>
    expect(reorderChain([dev, uat, prod], ['e1', 'e3', 'e2']).problems.join(' ')).toMatch(/must be the last/));
});
