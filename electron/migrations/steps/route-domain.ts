import { z } from 'zod';
import { caddyAdminRoute } from '@shared/domains/proxy-routing';
import { CaddyAdmin } from '../../domains/caddy-admin';
import { defineStep } from './step-module';

const caddyRoute = z.looseObject({ '@id': z.string(), match: z.array(z.unknown()), handle: z.array(z.unknown()), terminal: z.literal(true).optional() });

/**
 * Routes a domain to a container through a plain Caddy's admin API (a route under an `@id`), or
 * with `remove` takes that route away (the rollback of a clone). The route that had that `@id` before (none on a first clone, the old domain on a change) is
 * journaled before anything is written, so undo puts it back, or removes the route when there
 * was none. Label-reading proxies (Traefik, caddy-docker-proxy) need no step: their labels are on
 * the container the create step makes.
 */
export const routeDomainStep = defineStep({
  kind: 'route-domain',
  result: z.object({ previous: caddyRoute.nullable() }),
  intent: (step) => ({ routeId: step.params.routeId, domain: step.params.domain }),
  async run(step, context, job) {
    const admin = new CaddyAdmin(context.target);
    const previous = await admin.route(step.params.routeId, job.signal);
    job.checkpoint({ previous: previous as z.infer<typeof caddyRoute> | null });
    if (step.params.remove) {
      await admin.removeRoute(step.params.routeId, job.signal);
      job.log('info', `Caddy on ${context.target.label} no longer routes ${step.params.domain}`);
      return { previous: previous as z.infer<typeof caddyRoute> | null };
    }
    await admin.putRoute(caddyAdminRoute({ containerName: step.params.containerName, domain: step.params.domain, dial: step.params.dial }), job.signal);
    job.log('info', `Caddy on ${context.target.label} routes ${step.params.domain} to ${step.params.dial}${previous ? ' (replacing the previous route)' : ''}`);
    return { previous: previous as z.infer<typeof caddyRoute> | null };
  },
  async undo(step, context, done) {
    // No checkpoint: the step never wrote anything.
    if (!done || done.previous === undefined) return;
    const admin = new CaddyAdmin(context.target);
    if (done.previous) await admin.putRoute(done.previous as unknown as ReturnType<typeof caddyAdminRoute>);
    else await admin.removeRoute(step.params.routeId);
  },
  async verify(step, context, outcome) {
    const route = await new CaddyAdmin(context.target).route(step.params.routeId);
    const routesDomain = JSON.stringify(route?.match ?? []).includes(JSON.stringify(step.params.domain));
    // Removing: done means gone; undone means back as it was, which only the journal knows.
    if (step.params.remove) return outcome === 'done' && routesDomain ? [`Caddy still routes ${step.params.domain} (route ${step.params.routeId})`] : [];
    if (outcome === 'undone' && routesDomain) return [`Caddy still routes ${step.params.domain} (route ${step.params.routeId})`];
    if (outcome === 'done' && !routesDomain) return [`Caddy does not route ${step.params.domain} (route ${step.params.routeId} missing)`];
    return [];
  },
});
