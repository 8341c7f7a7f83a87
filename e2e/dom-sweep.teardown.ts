/**
 * After every e2e run: the DOM snapshots of every page every test visited (e2e/dom-dumps.ts)
 * must hold none of the secrets the specs and the lab seed, in clear or encoded. A hit fails the
 * run and names the snapshot file, the secret (by label) and the encoding.
 */
import { execFileSync } from 'node:child_process';
import type { FullConfig } from '@playwright/test';
import type { LabDetails } from '../lab/lab-client';
import { describeFindings, domDumpFiles, findSecrets, knownFixtureSecrets } from './secret-scan';

/** The lab's details when the lab script can say them; without them only the specs' literals are searched. */
function labDetails(): LabDetails | undefined {
  try {
    return JSON.parse(execFileSync('bash', ['lab/lab.sh', 'env'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as LabDetails;
  } catch {
    return undefined;
  }
}

/** Playwright's global teardown. */
export default function sweepDomDumps(config: FullConfig): void {
  const roots = [...new Set(config.projects.map((project) => project.outputDir))];
  const files = roots.flatMap((root) => domDumpFiles(root));
  const findings = roots.flatMap((root) => findSecrets(files.filter((file) => file.startsWith(root)), knownFixtureSecrets(labDetails()), root));
  console.log(`DOM secret sweep: ${files.length} snapshot files of this run searched, ${findings.length} secret(s) found.`);
  if (findings.length > 0) throw new Error(`A seeded secret is on a page an e2e test visited:\n${describeFindings(findings)}`);
}
