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
    expect(maintenanceTitle({ plan: planWith([backup, rotate]), rollbackOf: null, targetName: 'production' })).toBe('Rotate credentials of db in production');
    expect(maintenanceTitle({ plan: planWith([backup, restore]), rollbackOf: null, targetName: 'production' })).toBe('Restore db in production from a backup');
  });

  it('leaves migrations and rollbacks to their usual title', () => {
    expect(maintenanceTitle({ plan: planWith([backup]), rollbackOf: null, targetName: 'production' })).toBeNull();
    expect(maintenanceTitle({ plan: null, rollbackOf: null, targetName: 'production' })).toBeNull();
    expect(maintenanceTitle({ plan: planWith([backup]), rollbackOf: 'm1', targetName: 'production' })).toBeNull();
  });
});
