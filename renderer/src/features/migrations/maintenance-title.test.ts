import { describe, expect, it } from 'vitest';
import type { MigrationPlan } from '@shared/migration/plan';
import type { MigrationStep } from '@shared/migration/steps';
import { maintenanceTitle } from './maintenance-title';

const planWith = (steps: MigrationStep[]) => ({ steps }) as unknown as MigrationPlan;
const backup: MigrationStep = { id: 'backup-database:db', kind: 'backup-database', title: 'Back up production-db', resourceId: 'db', undo: null, params: { containerName: 'production-db', resourceName: 'db' } };

describe('the title of a maintenance run', () => {
  it('names a rotation and a restore by what they do', () => {
    const rotate: MigrationStep = { id: 'set-database-password:db', kind: 'set-database-password', title: 'Set a new password', resourceId: 'db', undo: 'Set the previous password again', params: { containerName: 'production-db', resourceName: 'db', variable: 'POSTGRES_PASSWORD' } };
    const restore: MigrationStep = { id: 'restore-database:db', kind: 'restore-database', title: 'Restore', resourceId: 'db', undo: 'Put back the backup taken just before', params: { containerName: 'production-db', resourceName: 'db', backupId: 'db/x', file: '/root/.gantry/backups/db/x', sha256: 'a', contentChecksum: 'b' } };
    expect(maintenanceTitle({ plan: planWith([backup, rotate]), rollbackOf: null, targetName: 'production', domainChange: null })).toBe('Rotate credentials of db in production');
    expect(maintenanceTitle({ plan: planWith([backup, restore]), rollbackOf: null, targetName: 'production', domainChange: null })).toBe('Restore db in production from a backup');
  });

  it('names a domain change and its undo by how the run was started, not by its steps', () => {
    const route: MigrationStep = { id: 'route-domain:web', kind: 'route-domain', title: 'Route shop.example.com', resourceId: 'web', undo: 'Put the previous route back', params: { containerName: 'production-web', routeId: 'gantry-production-web', dial: 'production-web:8080', domain: 'shop.example.com' } };
    const change = { resourceName: 'web', from: 'old.example.com', to: 'shop.example.com', undo: false };
    expect(maintenanceTitle({ plan: planWith([backup, route]), rollbackOf: null, targetName: 'production', domainChange: change })).toBe('Change domain of web in production');
    expect(maintenanceTitle({ plan: planWith([route]), rollbackOf: 'm1', targetName: 'production', domainChange: { ...change, undo: true } })).toBe('Undo of domain change of web in production');
    expect(maintenanceTitle({ plan: null, rollbackOf: 'm1', targetName: 'production', domainChange: { ...change, undo: true } })).toBe('Undo of domain change of web in production');
    // A first clone into production routes a domain as well; it keeps its migration title.
    expect(maintenanceTitle({ plan: planWith([route]), rollbackOf: null, targetName: 'production', domainChange: null })).toBeNull();
  });

  it('leaves migrations and rollbacks to their usual title', () => {
    expect(maintenanceTitle({ plan: planWith([backup]), rollbackOf: null, targetName: 'production', domainChange: null })).toBeNull();
    expect(maintenanceTitle({ plan: null, rollbackOf: null, targetName: 'production', domainChange: null })).toBeNull();
    expect(maintenanceTitle({ plan: planWith([backup]), rollbackOf: 'm1', targetName: 'production', domainChange: null })).toBeNull();
  });
});
