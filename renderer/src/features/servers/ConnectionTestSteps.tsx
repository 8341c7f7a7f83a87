import type { ConnectionTestStep } from '@shared/servers/server-schemas';

const MARKS: Record<ConnectionTestStep['status'], string> = { ok: '✓', failed: '✗', skipped: '–', 'needs-confirmation': '?' };

/** The result of each step of "Test connection". */
export function ConnectionTestSteps({ steps }: { steps: ConnectionTestStep[] }) {
  return (
    <ol className="test-steps" aria-label="Connection test">
      {steps.map((step) => (
        <li key={step.id} className="test-step" data-step={step.id} data-status={step.status}>
          <span className="step-mark" aria-hidden>
            {MARKS[step.status]}
          </span>
          <strong>{step.title}</strong>
          <span>
            {step.message}
            {step.ms !== null && step.status === 'ok' ? ` (${step.ms} ms)` : ''}
          </span>
        </li>
      ))}
    </ol>
  );
}
