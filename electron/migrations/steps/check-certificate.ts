import { z } from 'zod';
import { waitForCertificate } from '../../domains/certificate-probe';
import { defineStep } from './step-module';

/**
 * After deploy: waits until https on the domain answers with a certificate for that domain from
 * an ACME issuer (not a self-signed or placeholder one), asked from the target server. A
 * certificate that never comes does not fail the run: it completes with a warning naming why.
 * Nothing to undo (it only reads).
 */
export const checkCertificateStep = defineStep({
  kind: 'check-certificate',
  result: z.object({ ok: z.boolean(), message: z.string(), issuer: z.string().nullable(), notAfter: z.string().nullable(), httpStatus: z.number().nullable() }),
  async run(step, context, job) {
    const { domain } = step.params;
    let attempts = 0;
    const report = await waitForCertificate(context.target, domain, {
      timeoutMs: step.params.timeoutMs,
      signal: job.signal,
      onAttempt: (attempt) => {
        attempts++;
        if (!attempt.ok) job.progress(Math.min(90, attempts * 5), attempt.message);
      },
    });
    const issuer = report.certificate?.issuer ?? null;
    if (report.ok) job.log('info', `${report.message}${step.params.acmeIssuer ? ` (ACME issuer ${step.params.acmeIssuer})` : ''}`);
    else {
      const warning = `${domain}: no valid certificate after ${Math.round(step.params.timeoutMs / 1000)} s — ${report.message}`;
      context.warnings.push(warning);
      job.log('warn', warning);
    }
    return { ok: report.ok, message: report.message, issuer, notAfter: report.certificate?.notAfter ?? null, httpStatus: report.httpStatus };
  },
});
