import { expect, type Locator, type Page } from '@playwright/test';
import { ShellPage } from './shell';

/** The Servers section and its dialogs. */
export class ServersPage {
  constructor(private readonly page: Page) {}

  /** Opens the section and waits until the list has loaded. */
  async open(): Promise<void> {
    await new ShellPage(this.page).goTo('Servers');
    await expect(this.page.locator('[data-servers-loaded]')).toHaveAttribute('data-servers-loaded', 'true');
  }

  /** The dialog currently open (Radix renders it with role=dialog). */
  dialog(name: string | RegExp): Locator {
    return this.page.getByRole('dialog', { name });
  }

  /** The card of one server in the list. */
  card(name: string): Locator {
    return this.page.getByRole('list', { name: 'Servers' }).getByRole('listitem', { name });
  }

  /** Reads an OpenSSH config file in the import dialog and picks one Host alias, opening the filled-in add dialog. */
  async importFromSshConfig(path: string, alias: string): Promise<Locator> {
    await this.page.getByRole('button', { name: 'Import from ~/.ssh/config' }).click();
    const importDialog = this.dialog('Import from SSH config');
    await importDialog.getByLabel('Config file', { exact: true }).fill(path);
    await importDialog.getByRole('button', { name: 'Read' }).click();
    await importDialog.getByRole('button', { name: `Add ${alias}` }).click();
    const edit = this.dialog('Add server');
    await expect(edit.getByLabel('Name', { exact: true })).toHaveValue(alias);
    return edit;
  }

  /** Status of each step of the last connection test, by step id. */
  async testSteps(dialog: Locator): Promise<Record<string, string | null>> {
    const steps = dialog.getByRole('list', { name: 'Connection test' }).getByRole('listitem');
    const result: Record<string, string | null> = {};
    for (const step of await steps.all()) result[(await step.getAttribute('data-step'))!] = await step.getAttribute('data-status');
    return result;
  }
}
