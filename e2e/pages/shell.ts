import { expect, type Page } from '@playwright/test';

/** The app shell: the navigation and whatever section is showing. */
export class ShellPage {
  constructor(private readonly page: Page) {}

  /** Opens a section by its navigation label and waits for its heading. */
  async goTo(section: 'Environments' | 'Migrations' | 'Approvals' | 'History' | 'Servers' | 'Settings'): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: section }).click();
    await expect(this.page.getByRole('heading', { level: 1, name: section })).toBeVisible();
  }
}
