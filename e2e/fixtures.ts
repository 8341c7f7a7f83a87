import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';

/** A browser-mode engine started for one test, with its own data folder. */
export interface Engine {
  url: string;
  dataDir: string;
  process: ChildProcess;
  output: () => string;
}

/** Starts `node out/main/browser.js` and waits for the address it prints. */
export async function startEngine(env: NodeJS.ProcessEnv = {}): Promise<Engine> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gantry-e2e-'));
  const child = spawn(process.execPath, ['out/main/browser.js'], {
    env: { ...process.env, ...env, GANTRY_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Engine did not start within 20 s:\n${output}`)), 20_000);
    child.stdout!.on('data', () => {
      const match = /Open: (\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`Engine exited with ${code}:\n${output}`)));
  });
  return { url, dataDir, process: child, output: () => output };
}

/** Stops an engine and removes its data folder. */
export async function stopEngine(engine: Engine): Promise<void> {
  if (engine.process.exitCode === null) {
    const exited = new Promise((resolve) => engine.process.once('exit', resolve));
    engine.process.kill('SIGTERM');
    await exited;
  }
  rmSync(engine.dataDir, { recursive: true, force: true });
}

/** Opens the app and waits until it says it is ready (never a sleep). */
export async function openApp(page: Page, engine: Engine): Promise<void> {
  await page.goto(engine.url);
  await expect(page.locator('[data-app-ready]')).toHaveAttribute('data-app-ready', 'true');
}

/** Console errors a test expects (e.g. a refused connection it provokes); anything else fails the test. */
export interface ConsoleGuard {
  /** Lets console errors matching `pattern` pass for the rest of this test. */
  allow(pattern: RegExp): void;
}

/**
 * A test that has its own engine. Its page is watched: a console error, an uncaught exception or
 * a Content-Security-Policy violation (e.g. an inline style the CSP blocks) fails the test, unless
 * the test allowed it through `consoleGuard`.
 */
export const test = base.extend<{ engine: Engine; consoleGuard: ConsoleGuard }>({
  // Playwright requires an object pattern here even when a fixture uses no other fixture.
  // eslint-disable-next-line no-empty-pattern
  engine: async ({}, use) => {
    const engine = await startEngine();
    await use(engine);
    await stopEngine(engine);
  },
  // eslint-disable-next-line no-empty-pattern
  consoleGuard: async ({}, use) => {
    await use({ allow: () => undefined });
  },
  page: async ({ page, consoleGuard }, use) => {
    const allowed: RegExp[] = [];
    const original = consoleGuard.allow;
    consoleGuard.allow = (pattern) => (allowed.push(pattern), original(pattern));
    const problems: string[] = [];
    // A CSP violation is reported as a DOM event too; make sure it reaches the console even where
    // the browser only reports it there for some kinds of violation.
    // (As source text: this file is type-checked without the DOM library.)
    await page.addInitScript({
      content: `document.addEventListener('securitypolicyviolation', (event) => {
        console.error('CSP violation: ' + event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline') + ' (' + event.sourceFile + ':' + event.lineNumber + ')');
      });`,
    });
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
    await use(page);
    const unexpected = problems.filter((problem) => !allowed.some((pattern) => pattern.test(problem)));
    if (unexpected.length > 0) throw new Error(`The page logged ${unexpected.length} error(s):\n${[...new Set(unexpected)].join('\n')}`);
  },
});

export { expect };
