import { describe, expect, it } from 'vitest';
import type { ResourceView } from '@shared/inventory/model';
import { filterResources, linkedNames, noFilter, tagsOf } from './graph-filter';

function resource(id: string, kind: ResourceView['kind'], tags: string[], links: string[] = []): ResourceView {
  return { id, name: `${id}-name`, kind, databaseType: null, tags, links, scheduledTasks: [] };
}

const resources = [resource('web', 'application', ['shop', 'frontend'], ['db']), resource('db', 'database', ['shop']), resource('mail', 'service', ['infra'])];

describe('filterResources', () => {
  it('shows every resource when no filter is set', () => {
    expect(filterResources(resources, noFilter).map((r) => r.id)).toEqual(['web', 'db', 'mail']);
  });

  it('keeps only the chosen kind', () => {
    expect(filterResources(resources, { kind: 'database', tag: '' }).map((r) => r.id)).toEqual(['db']);
  });

  it('keeps only resources carrying the chosen tag', () => {
    expect(filterResources(resources, { kind: '', tag: 'shop' }).map((r) => r.id)).toEqual(['web', 'db']);
  });

  it('combines kind and tag, and can match nothing', () => {
    expect(filterResources(resources, { kind: 'application', tag: 'shop' }).map((r) => r.id)).toEqual(['web']);
    expect(filterResources(resources, { kind: 'service', tag: 'shop' })).toEqual([]);
  });
});

describe('tagsOf', () => {
  it('lists each tag once, sorted', () => {
    expect(tagsOf(resources)).toEqual(['frontend', 'infra', 'shop']);
  });
});

describe('linkedNames', () => {
  it('names the linked resources and skips links to resources that no longer exist', () => {
    const web = resource('web', 'application', [], ['db', 'gone']);
    expect(linkedNames(web, resources)).toEqual(['db-name']);
  });
});
