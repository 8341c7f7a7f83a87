import { z } from 'zod';
import { GantryError } from '@shared/ipc/result';
import { shellQuote } from '../../servers/remote-host';
import { defineStep } from './step-module';

/**
 * Links live in the project; on the server a link holds when both containers share a
 * user-defined network, where Docker resolves one's name for the other. This step checks that
 * for real; it changes nothing, so there is nothing to undo.
 */
export const linkResourcesStep = defineStep({
  kind: 'link-resources',
  result: z.object({ checked: z.number() }),
  async run(step, context, job) {
    const own = context.resources.get(step.resourceId ?? '')?.target.containerName;
    if (!own) throw new GantryError('internal', `The plan has no container for ${step.resourceId ?? 'this step'}.`);
    const names = [own, ...step.params.links.map((link) => link.toContainerName)];
    const inspected = await context.target.exec(`docker inspect --format '{{.Name}} {{range $name, $_ := .NetworkSettings.Networks}}{{$name}} {{end}}' ${names.map(shellQuote).join(' ')}`, { signal: job.signal });
    const networks = new Map(
      inspected.stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [name = '', ...joined] = line.trim().split(/\s+/);
          return [name.replace(/^\//, ''), new Set(joined.filter((network) => !['bridge', 'host', 'none'].includes(network)))] as const;
        }),
    );
    for (const link of step.params.links) {
      if (!networks.has(link.toContainerName)) {
        throw new GantryError('link_missing', `${own} uses ${link.toContainerName}, which does not exist on ${context.target.label}. Migrate it first (or include it in this migration).`);
      }
      const shared = [...(networks.get(own) ?? [])].filter((network) => networks.get(link.toContainerName)?.has(network));
      if (shared.length === 0) {
        throw new GantryError('link_unreachable', `${own} and ${link.toContainerName} share no user-defined Docker network on ${context.target.label}, so ${own} cannot reach it by name. Connect both to one network (docker network connect), then migrate again.`);
      }
      job.log('info', `${own} reaches ${link.toContainerName} on network ${shared.join(', ')}`);
    }
    return { checked: step.params.links.length };
  },
});
