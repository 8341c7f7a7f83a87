import { expect, type Locator, type Page } from '@playwright/test';
import { ShellPage } from './shell';

/** The Environments section: projects, the chain and the environment graph. */
export class EnvironmentsPage {
  constructor(private readonly page: Page) {}

  /** Opens the section and waits until projects have loaded. */
  async open(): Promise<void> {
    await new ShellPage(this.page).goTo('Environments');
    await expect(this.page.locator('[data-environments-loaded]')).toHaveAttribute('data-environments-loaded', 'true');
  }

  /** The dialog currently open. */
  dialog(name: string | RegExp): Locator {
    return this.page.getByRole('dialog', { name });
  }

  /** Creates a project through the New project dialog. */
  async createProject(name: string, chain: string): Promise<void> {
    await this.page.getByRole('button', { name: 'New project' }).first().click();
    const dialog = this.dialog('New project');
    await dialog.getByLabel('Name').fill(name);
    await dialog.getByLabel('Environments').fill(chain);
    await dialog.getByRole('button', { name: 'Create project' }).click();
    await expect(dialog).toBeHidden();
  }

  /** The environment names in chain order, as the graph shows them. */
  environmentNames(): Promise<string[]> {
    return this.page.getByTestId('environment-name').allTextContents();
  }

  /** The column head of one environment. */
  environment(name: string): Locator {
    return this.page.getByRole('columnheader', { name, exact: true });
  }

  /** The graph cell of one resource in one environment. */
  cell(resource: string, environment: string): Locator {
    return this.page.getByRole('row', { name: resource, exact: true }).locator(`[data-testid="inventory-cell"][data-environment="${environment}"]`);
  }

  /** The error banner of the page. */
  error(): Locator {
    return this.page.getByTestId('environments-error');
  }
}
