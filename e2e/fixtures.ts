import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect, type Browser, type Page } from '@playwright/test';
import { recordDom, type DomRecorder } from './dom-dumps';

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
  page: async ({ page, consoleGuard, browser }, use, testInfo) => {
    // Every page the test visits is kept in its output folder (dom/, one subfolder per extra
    // browser context the test opens) for the secret sweep (e2e/secret-scan.ts).
    const recorders: DomRecorder[] = [await recordDom(page.context(), testInfo.outputPath('dom'))];
    const restoreNewContext = recordNewContexts(browser, (name) => testInfo.outputPath('dom', name), recorders);
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
    try {
      await use(page);
    } finally {
      restoreNewContext();
      for (const recorder of recorders) await recorder.flush('end-of-test');
    }
    const unexpected = problems.filter((problem) => !allowed.some((pattern) => pattern.test(problem)));
    if (unexpected.length > 0) throw new Error(`The page logged ${unexpected.length} error(s):\n${[...new Set(unexpected)].join('\n')}`);
  },
});

/**
 * Makes `browser.newContext()` record its pages too while a test runs (e.g. a second operator's
 * window), snapshotting them once more before they close; returns what puts it back.
 */
function recordNewContexts(browser: Browser, folder: (name: string) => string, recorders: DomRecorder[]): () => void {
  const original = browser.newContext.bind(browser);
  browser.newContext = async (...args: Parameters<Browser['newContext']>) => {
    const context = await original(...args);
    const recorder = await recordDom(context, folder(`context-${recorders.length + 1}`));
    recorders.push(recorder);
    const close = context.close.bind(context);
    context.close = async (...closeArgs: Parameters<typeof context.close>) => {
      await recorder.flush('before-close');
      return close(...closeArgs);
    };
    return context;
  };
  return () => {
    browser.newContext = original;
  };
}

export { expect };
