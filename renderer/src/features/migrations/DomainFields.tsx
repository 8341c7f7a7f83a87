import { validateDomain } from '@shared/domains/domain-name';
import type { MovableResource } from './wizard-model';

/**
 * The domain of each application cloned into production (its first clone there): a subdomain of
 * the environment's base domain or a custom domain, checked as it is typed with the reason shown.
 * Left empty, the resource gets no domain. A promote keeps the domain production already has, so
 * resources that are updated get no field.
 */
export function DomainFields(props: { target: { name: string; production: boolean; domain: string }; resources: MovableResource[]; domains: Record<string, string>; onChange: (resourceId: string, domain: string) => void }) {
  const cloned = props.resources.filter((resource) => resource.badge === 'New' && resource.kind === 'application');
  if (!props.target.production || cloned.length === 0) return null;
  return (
    <fieldset className="domain-fields" data-testid="domain-fields">
      <legend>Domains in {props.target.name}</legend>
      <p className="muted">
        Each application gets its own https address in {props.target.name}; the proxy there gets its certificate.
        {props.target.domain ? ` Base domain: ${props.target.domain}.` : ' This environment has no base domain: enter a full domain.'} Leave empty for none.
      </p>
      {cloned.map((resource) => {
        const typed = props.domains[resource.resourceId] ?? '';
        const check = typed.trim() === '' ? null : validateDomain(typed);
        const id = `domain-${resource.resourceId}`;
        return (
          <div key={resource.resourceId} className="domain-field">
            <label htmlFor={id}>{resource.name}</label>
            <input
              id={id}
              data-testid={`domain-input-${resource.name}`}
              type="text"
              spellCheck={false}
              autoComplete="off"
              placeholder={props.target.domain ? `${resource.name}.${props.target.domain}` : 'shop.example.com'}
              value={typed}
              aria-invalid={check !== null && !check.ok}
              aria-describedby={`${id}-note`}
              onChange={(event) => props.onChange(resource.resourceId, event.target.value)}
            />
            <span id={`${id}-note`} className={check && !check.ok ? 'domain-note bad' : 'domain-note muted'} data-testid={`domain-note-${resource.name}`}>
              {check === null ? 'No domain' : check.ok ? `${check.url}${check.unicode ? ` (${check.unicode})` : ''}` : check.reason}
            </span>
          </div>
        );
      })}
    </fieldset>
  );
}

/** The typed domains worth sending to the planner: the chosen resources', non-empty. */
export function domainsToPlan(domains: Record<string, string>, chosen: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(domains).filter(([resourceId, domain]) => chosen.includes(resourceId) && domain.trim() !== ''));
}
