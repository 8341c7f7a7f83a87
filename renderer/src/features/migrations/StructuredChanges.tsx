import type { ResourceDiff } from '@shared/migration/diff';
import { SecretValue, type RevealValue } from './SecretValue';
import { badgeOfMode, changeTone } from './wizard-model';

/**
 * What a migration changes in one resource, colour-coded: green added, red removed, yellow
 * changed. Every value arrives masked from the engine; with `reveal` (a plan that can still be
 * started), the operator can ask to see one masked value at a time.
 */
export function StructuredChanges({ diff, reveal }: { diff: ResourceDiff; reveal?: RevealValue }) {
  const nothing =
    diff.attributes.length + diff.envAdded.length + diff.rewired.length + diff.linksCreated.length + diff.volumesCreated.length + diff.domainLeftBehind.length === 0;
  return (
    <section className="changes" aria-label={`Changes to ${diff.name}`} data-testid={`changes-${diff.name}`}>
      <h3>
        {diff.name} <span className={`badge badge-${badgeOfMode(diff.mode, diff.unchanged).toLowerCase()}`}>{badgeOfMode(diff.mode, diff.unchanged)}</span>
        <span className="muted"> compared with {diff.baseline === 'source' ? 'the source (nothing runs in the target yet)' : 'what runs in the target now'}</span>
      </h3>
      {nothing ? <p className="muted">Nothing changes.</p> : null}
      <ul className="change-list">
        {diff.attributes.map((change) => {
          const tone = changeTone(change);
          return (
            <li key={`attr:${change.path}`} className={`change change-${tone}`} data-tone={tone}>
              <span className="change-mark" aria-label={tone}>{tone === 'added' ? '+' : tone === 'removed' ? '−' : '~'}</span>
              <code className="change-path">{change.path}</code>
              <span className="change-values">
                {change.before !== null ? <SecretValue shown={change.before} side="before" field={{ kind: 'attribute', path: change.path }} reveal={reveal} /> : null}
                {change.before !== null && change.after !== null ? ' → ' : null}
                {change.after !== null ? <SecretValue shown={change.after} side="after" field={{ kind: 'attribute', path: change.path }} reveal={reveal} /> : null}
              </span>
            </li>
          );
        })}
        {diff.envAdded.map((env) => (
          <li key={`env:${env.key}`} className="change change-added" data-tone="added">
            <span className="change-mark" aria-label="added">+</span>
            <code className="change-path">env {env.key}</code>
            <span className="change-values">
              <SecretValue shown={env.value} side="after" field={{ kind: 'env', key: env.key }} reveal={reveal} />
            </span>
          </li>
        ))}
        {diff.rewired.map((rewire) => (
          <li key={`rewire:${rewire.site}:${rewire.key}`} className="change change-changed" data-tone="changed">
            <span className="change-mark" aria-label="changed">~</span>
            <code className="change-path">
              {rewire.site} {rewire.key}
            </code>
            <span className="change-values">
              {rewire.site === 'schedule' ? (
                <>
                  <del>{rewire.before}</del> → <ins>{rewire.after}</ins>
                </>
              ) : (
                <>
                  <SecretValue shown={rewire.before} side="before" field={{ kind: 'rewired', site: rewire.site, key: rewire.key }} reveal={reveal} /> →{' '}
                  <SecretValue shown={rewire.after} side="after" field={{ kind: 'rewired', site: rewire.site, key: rewire.key }} reveal={reveal} />
                </>
              )}{' '}
              <span className="muted">(rewired to the target&apos;s instance)</span>
            </span>
          </li>
        ))}
        {diff.volumesCreated.map((volume) => (
          <li key={`volume:${volume}`} className="change change-added" data-tone="added">
            <span className="change-mark" aria-label="added">+</span>
            <code className="change-path">volume</code>
            <span className="change-values">
              <ins>{volume}</ins> <span className="muted">(new, empty)</span>
            </span>
          </li>
        ))}
        {diff.linksCreated.map((link) => (
          <li key={`link:${link.toResourceId}`} className="change change-added" data-tone="added">
            <span className="change-mark" aria-label="added">+</span>
            <code className="change-path">link</code>
            <span className="change-values">
              <ins>
                {link.toName} ({link.toContainerName})
              </ins>
            </span>
          </li>
        ))}
        {diff.domainLeftBehind.map((key) => (
          <li key={`domain:${key}`} className="change change-removed" data-tone="removed">
            <span className="change-mark" aria-label="removed">−</span>
            <code className="change-path">{key}</code>
            <span className="change-values">
              <del>source domain</del> <span className="muted">(left behind: the target keeps its own domain)</span>
            </span>
          </li>
        ))}
      </ul>
      {diff.envKeptFromTarget.length > 0 ? <p className="muted">Kept from the target: {diff.envKeptFromTarget.join(', ')}.</p> : null}
    </section>
  );
}
