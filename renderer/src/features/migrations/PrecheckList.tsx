import type { Precheck } from '@shared/migration/prechecks';
import { groupPrechecks } from './wizard-model';

const severityLabels: Record<Precheck['severity'], string> = { blocking: 'Blocking', warning: 'Warning', ok: 'OK' };

/** Pre-check results, blocking first; a port conflict offers the free port the engine suggests. */
export function PrecheckList({ prechecks, onUsePort }: { prechecks: readonly Precheck[]; onUsePort?: (check: Precheck) => void }) {
  return (
    <div className="prechecks" data-testid="prechecks">
      {groupPrechecks(prechecks).map((group) => (
        <section key={group.severity} aria-label={`${severityLabels[group.severity]} pre-checks`}>
          <ul className="precheck-list">
            {group.checks.map((check) => (
              <li key={check.id} className={`precheck precheck-${check.severity}`} data-severity={check.severity}>
                <span className="precheck-mark">{severityLabels[check.severity]}</span>
                <span className="precheck-message">{check.message}</span>
                {check.suggestion && onUsePort ? (
                  <button type="button" className="secondary small" onClick={() => onUsePort(check)}>
                    Use port {check.suggestion.hostPort}
                  </button>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
