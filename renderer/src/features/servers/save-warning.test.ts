import { describe, expect, it } from 'vitest';
import type { ConnectionTestStep } from '@shared/servers/server-schemas';
import { saveWarning } from './save-warning';

const step = (id: ConnectionTestStep['id'], status: ConnectionTestStep['status'], message = ''): ConnectionTestStep => ({ id, title: id, status, message, errorCode: null, ms: null });

describe('saveWarning', () => {
  it('warns about a server whose connection was never tested, not about an unchanged one', () => {
    expect(saveWarning(null, true)).toMatch(/^This server was not tested/);
    expect(saveWarning(null, false)).toBeNull();
  });

  it('names the first failed step of the last test', () => {
    const warning = saveWarning([step('tcp', 'ok'), step('auth', 'failed', 'the password was not accepted'), step('exec', 'skipped')], false);
    expect(warning).toBe('The last test failed at “auth”: the password was not accepted. Gantry saves it anyway if you ask, but cannot use it until that is fixed.');
  });

  it('says nothing once every step passed', () => {
    expect(saveWarning([step('tcp', 'ok'), step('docker', 'ok')], true)).toBeNull();
  });
});
