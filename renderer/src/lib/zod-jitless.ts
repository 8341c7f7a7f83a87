/**
 * Imported first by main.tsx: the CSP has no 'unsafe-eval', so zod must not even probe for
 * `new Function` (the probe itself is reported as a CSP violation). Schemas are checked the
 * interpreted way, which is plenty fast for IPC payloads.
 */
import { z } from 'zod';

z.config({ jitless: true });
