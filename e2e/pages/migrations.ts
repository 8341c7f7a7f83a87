import { expect, type Locator, type Page } from '@playwright/test';
import { ShellPage } from './shell';

/** Wizard steps as `data-step` names them. */
export type WizardStepName = 'source' | 'resources' | 'prechecks' | 'review' | 'options' | 'confirm' | 'dry-run';

/** The Migrations section: list, the migrate wizard and a migration's detail page. */
export class MigrationsPage {
  constructor(private readonly page: Page) {}

  /** Opens the section's list and waits until migrations have loaded. */
  async open(): Promise<void> {
    await new ShellPage(this.page).goTo('Migrations');
    const back = this.page.getByRole('button', { name: '← All migrations' });
    if (await back.isVisible()) await back.click();
    await expect(this.page.locator('[data-migrations-loaded]')).toHaveAttribute('data-migrations-loaded', 'true');
  }

  /** The wizard dialog. */
  wizard(): Locator {
    return this.page.getByTestId('migrate-wizard');
  }

  /** Waits until the wizard shows `step`. */
  async atStep(step: WizardStepName): Promise<void> {
    await expect(this.wizard()).toHaveAttribute('data-step', step);
  }

  /** Clicks the wizard's main button (Continue / Start migration / Request approval). */
  async continue(): Promise<void> {
    await this.page.getByRole('dialog').getByRole('button', { name: /^(Continue|Start migration|Request approval)$/ }).click();
  }

  /** The main button of the wizard. */
  mainButton(): Locator {
    return this.page.getByRole('dialog').getByRole('button', { name: /^(Continue|Start migration|Request approval)$/ });
  }

  /** Why the wizard cannot go on (footer), when it cannot. */
  blockedReason(): Locator {
    return this.page.getByTestId('wizard-blocked');
  }

  /** Opens "New migration" and picks project and source environment. */
  async startNew(project: string, source: string): Promise<void> {
    await this.page.getByRole('button', { name: 'New migration' }).click();
    await this.atStep('source');
    await this.wizard().getByLabel('Project').selectOption({ label: project });
    await this.wizard().getByLabel('Migrate from').selectOption({ label: source });
    await this.continue();
    await this.atStep('resources');
  }

  /** The checkbox row of a resource in the resources step. */
  resource(name: string): Locator {
    return this.wizard().locator('label.resource-choice', { hasText: name });
  }

  /** Waits for the pre-checks of a fresh plan. */
  async prechecksShown(): Promise<Locator> {
    await this.atStep('prechecks');
    const list = this.page.getByTestId('prechecks');
    await expect(list).toBeVisible({ timeout: 60_000 });
    return list;
  }

  /** The detail page. */
  detail(): Locator {
    return this.page.getByTestId('migration-detail');
  }

  /** Waits until the detail page shows `status` (a `data-status` value). */
  async detailStatus(status: string | RegExp, timeout = 180_000): Promise<void> {
    await expect(this.detail()).toHaveAttribute('data-status', status, { timeout });
  }
}
