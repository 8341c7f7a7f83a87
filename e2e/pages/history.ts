import { expect, type Locator, type Page } from '@playwright/test';
import { ShellPage } from './shell';

/** The History section: filters, the migration history and a resource's spec timeline. */
export class HistoryPage {
  constructor(private readonly page: Page) {}

  /** Opens the section and waits until the history has loaded. */
  async open(): Promise<void> {
    await new ShellPage(this.page).goTo('History');
    await expect(this.page.locator('[data-history-loaded]')).toHaveAttribute('data-history-loaded', 'true');
  }

  /** Sets one filter by its label and the option's label. */
  async filter(label: 'Project' | 'Environment' | 'Resource' | 'Status', option: string): Promise<void> {
    const select = this.page.getByRole('group', { name: 'Filters' }).getByLabel(label);
    await expect(select).toBeEnabled();
    await select.selectOption({ label: option });
  }

  /** Rows of the migration history table. */
  rows(): Locator {
    return this.page.getByRole('table', { name: 'Migration history' }).getByTestId('migration-row');
  }

  /** Entries of the spec timeline, newest first. */
  timelineEntries(): Locator {
    return this.page.getByTestId('timeline-entry');
  }
}
