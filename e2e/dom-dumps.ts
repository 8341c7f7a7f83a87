/**
 * Keeps what every page of an e2e test showed, so a secret sweep can search it afterwards: each
 * settled state of the DOM (after a load, a hash change, or once mutations pause; at least every
 * 2 s while the page keeps changing, e.g. a running migration) goes to `<outputDir>/dom/` as the
 * serialised document (`.html`) and its visible text plus the values of its fields (`.txt`).
 * Two things are left out on purpose, both a user's own act rather than Gantry showing a secret:
 * the clear text of a value the user asked to reveal (`[data-revealed]`, shown on demand) and what
 * the user typed into a password field. Each snapshot says how many it left out.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';

/** One snapshot as the page sends it. */
interface DomSnapshot {
  reason: string;
  url: string;
  html: string;
  text: string;
  revealed: number;
}

/** The page side (as source text: this folder is type-checked without the DOM library). */
const PAGE_SCRIPT = `(() => {
  if (window.top !== window || window.__gantrySnapshot) return;
  const REVEALED = '[revealed on request]';
  const take = (reason) => {
    if (!document.documentElement || typeof window.__gantryDomSnapshot !== 'function') return;
    const revealedValues = [...document.querySelectorAll('[data-revealed]')].map((node) => node.textContent || '').filter(Boolean);
    const copy = document.documentElement.cloneNode(true);
    copy.querySelectorAll('[data-revealed]').forEach((node) => { node.textContent = REVEALED; });
    copy.querySelectorAll('input[type="password"]').forEach((node) => node.removeAttribute('value'));
    let text = document.body ? document.body.innerText : '';
    for (const value of revealedValues) text = text.split(value).join(REVEALED);
    const fields = [...document.querySelectorAll('input:not([type="password"]), textarea, select')]
      .map((node) => (node.getAttribute('aria-label') || node.id || node.name || node.tagName.toLowerCase()) + ' = ' + node.value);
    window.__gantryDomSnapshot({ reason, url: location.href, html: copy.outerHTML, text: text + '\\n\\n--- field values ---\\n' + fields.join('\\n'), revealed: revealedValues.length }).catch(() => undefined);
  };
  window.__gantrySnapshot = take;
  let quiet = null;
  let firstPending = 0;
  const settle = () => {
    const now = Date.now();
    if (!firstPending) firstPending = now;
    clearTimeout(quiet);
    if (now - firstPending > 2000) { firstPending = 0; take('changing'); return; }
    quiet = setTimeout(() => { firstPending = 0; take('settled'); }, 300);
  };
  const start = () => {
    new MutationObserver(settle).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
    take('load');
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
  window.addEventListener('hashchange', () => setTimeout(() => take('navigation'), 50));
})();`;

/** Records the DOM of every page of one browser context. */
export interface DomRecorder {
  /** Takes a snapshot of every open page now (e.g. at the end of a test or a step). */
  flush(reason: string): Promise<void>;
  /** How many snapshots were written. */
  count(): number;
}

/** Starts recording every page of `context` (open now or later) into `dir`. */
export async function recordDom(context: BrowserContext, dir: string): Promise<DomRecorder> {
  mkdirSync(dir, { recursive: true });
  const seen = new Set<string>();
  let written = 0;
  const pageNames = new Map<Page, number>();
  const save = (page: Page | undefined, snapshot: DomSnapshot) => {
    const hash = createHash('sha256').update(snapshot.html).update(snapshot.text).digest('hex');
    if (seen.has(hash)) return;
    seen.add(hash);
    const pageNumber = page ? (pageNames.get(page) ?? pageNames.set(page, pageNames.size + 1).get(page)!) : 0;
    const base = join(dir, `page${pageNumber}-${String(++written).padStart(4, '0')}-${snapshot.reason}`);
    const header = `url: ${snapshot.url}\nrevealed on request (left out): ${snapshot.revealed}\n\n`;
    writeFileSync(`${base}.html`, `<!-- ${snapshot.url} -->\n${snapshot.html}`);
    writeFileSync(`${base}.txt`, header + snapshot.text);
  };
  await context.exposeBinding('__gantryDomSnapshot', ({ page }, snapshot: DomSnapshot) => save(page, snapshot));
  await context.addInitScript({ content: PAGE_SCRIPT });
  return {
    async flush(reason) {
      for (const page of context.pages()) {
        if (page.isClosed()) continue;
        await page.evaluate(`window.__gantrySnapshot && window.__gantrySnapshot(${JSON.stringify(reason)})`).catch(() => undefined);
      }
      // The binding's answer arrives asynchronously; one round trip per page lets it land.
      for (const page of context.pages()) if (!page.isClosed()) await page.evaluate('1').catch(() => undefined);
    },
    count: () => written,
  };
}
