import { useState } from 'react';
import type { RequestOf } from '@shared/ipc/contract';
import { databaseType, resourceKind, type DatabaseType, type ResourceKind } from '@shared/spec/resource-spec';
import { Dialog, DialogFooter } from '../../components/Dialog';
import { invoke } from '../../lib/api';
import { guessFromImage } from './adopt-guess';
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
  const imageRef = graph?.discovery.find((item) => item.environmentId === environmentId)?.unadopted.find((item) => item.containerName === containerName)?.imageRef ?? '';
  const [guess] = useState(() => guessFromImage(imageRef));
  const [kind, setKind] = useState<ResourceKind>(guess.kind);
  const [database, setDatabase] = useState<DatabaseType>(guess.databaseType ?? 'postgresql');
  const [tags, setTags] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function adopt() {
    setBusy(true);
    const resource: RequestOf<'resources:adopt'>['resource'] = existing
      ? { resourceId: existing }
      : { name, kind, databaseType: kind === 'database' ? database : null, tags: tags.split(',').map((tag) => tag.trim()).filter(Boolean) };
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
              </>
            ) : null}
            <label htmlFor="adopt-tags">Tags</label>
            <input id="adopt-tags" value={tags} onChange={(e) => setTags(e.target.value)} placeholder="frontend, critical (optional)" />
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

/** A resource name from a container name: `shop-web-1` → `shop-web-1`, `Shop_Web` → `shop_web`. */
function suggestName(containerName: string): string {
  return containerName.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 63);
}
