/**
 * Matching an SSH config's ProxyJump hops to saved servers. A hop is found by server name (the
 * Host alias it was imported as) or by host address; a hop that matches nothing is reported, so
 * an imported server never silently connects directly when its config says it goes through a
 * bastion.
 */

/** The saved servers for each hop, in order, and the hops no saved server stands for. */
export function jumpHostsFor(proxyJump: readonly string[], servers: readonly { id: string; name: string; host: string }[]): { ids: string[]; missing: string[] } {
  const ids: string[] = [];
  const missing: string[] = [];
  for (const hop of proxyJump) {
    const address = hop.replace(/^.*@/, '');
    const bracketed = /^\[(.*)\](?::\d+)?$/.exec(address);
    const host = bracketed ? bracketed[1]! : address.split(':').length === 2 ? address.replace(/:\d+$/, '') : address;
    const found = servers.find((server) => server.name === hop || server.name === host || server.host === host);
    if (found) ids.push(found.id);
    else missing.push(hop);
  }
  return { ids, missing };
}
