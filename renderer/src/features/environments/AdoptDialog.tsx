import { useState } from 'react';
import type { RequestOf } from '@shared/ipc/contract';
import type { InventoryGraph } from '@shared/inventory/model';
import { databaseType, resourceKind, type DatabaseType, type ResourceKind } from '@shared/spec/resource-spec';
import { Dialog, DialogFooter } from '../../components/Dialog';
import { invoke } from '../../lib/api';
import { guessFromImage, guessLinks, type LinkCandidate } from './adopt-guess';
import { useEnvironments } from './store';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useDialogs } from '../shell/dialogs';

/** Adopts an existing container: as a new resource, or as an existing resource's container in this environment. */
export function AdoptDialog({ environmentId, containerName }: { environmentId: string; containerName: string }) {
  const close = useDialogs((state) => state.close);
  const change = useEnvironments((state) => state.change);
  const graph = useEnvironments((state) => state.graph);
  const environment = graph?.environments.find((item) => item.id === environmentId);
  const [existing, setExisting] = useState('');
  const [name, setName] = useState(() => suggestName(containerName));
  const discovered = graph?.discovery.find((item) => item.environmentId === environmentId)?.unadopted.find((item) => item.containerName === containerName);
  // The engine's database detection (image, env, command, labels) first; else the image name.
  const [guess] = useState(() => (discovered?.databaseGuess ? { kind: 'database' as const, databaseType: discovered.databaseGuess.type } : guessFromImage(discovered?.imageRef ?? '')));
  // Pre-ticked: the resources whose container here the env names (e.g. DATABASE_URL's host); the operator can untick.
  const [links, setLinks] = useState(() => new Set(guessLinks(discovered?.env ?? {}, linkCandidates(graph, environmentId))));
  const toggleLink = (id: string, on: boolean) =>
    setLinks((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const [kind, setKind] = useState<ResourceKind>(guess.kind);
  const [database, setDatabase] = useState<DatabaseType>(guess.databaseType ?? 'postgresql');
  const [tags, setTags] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function adopt() {
    setBusy(true);
    const resource: RequestOf<'resources:adopt'>['resource'] = existing
      ? { resourceId: existing }
      : { name, kind, databaseType: kind === 'database' ? database : null, tags: tags.split(',').map((tag) => tag.trim()).filter(Boolean), links: [...links] };
    const failure = await change(() => invoke('resources:adopt', { environmentId, container: containerName, resource }));
    setBusy(false);
    if (failure) return setError(failure);
    close();
  }

  return (
    <Dialog open onClose={close} title={`Adopt ${containerName}`} description={`Gantry records this container's spec in ${environment?.name ?? 'this environment'}; from then on, changes made outside Gantry show as drifted.`}>
      <form
        className="form-grid"
        onSubmit={(event) => {
          event.preventDefault();
          void adopt();
        }}
      >
        <label htmlFor="adopt-existing">Resource</label>
        <select id="adopt-existing" value={existing} onChange={(e) => setExisting(e.target.value)}>
          <option value="">A new resource</option>
          {graph?.resources.map((resource) => (
            <option key={resource.id} value={resource.id}>
              {resource.name}
            </option>
          ))}
        </select>
        {existing ? null : (
          <>
            <label htmlFor="adopt-name">Name</label>
            <input id="adopt-name" value={name} onChange={(e) => setName(e.target.value)} required />
            <label htmlFor="adopt-kind">Kind</label>
            <select id="adopt-kind" value={kind} onChange={(e) => setKind(e.target.value as ResourceKind)}>
              {resourceKind.options.map((option) => (
                <option key={option}>{option}</option>
              ))}
            </select>
            {kind === 'database' ? (
              <>
                <label htmlFor="adopt-database">Database</label>
                <select id="adopt-database" value={database} onChange={(e) => setDatabase(e.target.value as DatabaseType)}>
                  {databaseType.options.map((option) => (
                    <option key={option}>{option}</option>
                  ))}
                </select>
                {discovered?.databaseGuess ? (
                  <span className="field-hint" data-testid="database-guess">
                    {discovered.databaseGuess.sure ? `Detected ${discovered.databaseGuess.type} (${discovered.databaseGuess.reason}).` : `Probably ${discovered.databaseGuess.type} (${discovered.databaseGuess.reason}), but not sure: check it.`}
                  </span>
                ) : null}
              </>
            ) : null}
            <label htmlFor="adopt-tags">Tags</label>
            <input id="adopt-tags" value={tags} onChange={(e) => setTags(e.target.value)} placeholder="frontend, critical (optional)" />
            {graph?.resources.length ? (
              <fieldset className="adopt-links" data-testid="adopt-links">
                <legend>Uses</legend>
                {graph.resources.map((other) => (
                  <label key={other.id} className="inline-check">
                    <input type="checkbox" checked={links.has(other.id)} onChange={(event) => toggleLink(other.id, event.target.checked)} />
                    {other.name} <span className="muted">({other.kind})</span>
                  </label>
                ))}
                <p className="field-hint">Ticked where this container&apos;s env names that resource&apos;s container here.</p>
              </fieldset>
            ) : null}
          </>
        )}
      </form>
      <DialogFooter status={<ErrorBanner message={error} inline />}>
        <button type="button" className="secondary" onClick={close}>
          Cancel
        </button>
        <button type="button" onClick={() => void adopt()} disabled={busy || (!existing && !name)}>
          Adopt
        </button>
      </DialogFooter>
    </Dialog>
  );
}

/** Each resource of the project with the container it has in this environment. */
function linkCandidates(graph: InventoryGraph | null, environmentId: string): LinkCandidate[] {
  return (graph?.cells ?? []).flatMap((cell) => (cell.environmentId === environmentId && cell.container ? [{ resourceId: cell.resourceId, containerName: cell.container.containerName }] : []));
}

/** A resource name from a container name: `shop-web-1` → `shop-web-1`, `Shop_Web` → `shop_web`. */
function suggestName(containerName: string): string {
  return containerName.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 63);
}
