/**
 * Tests and benchmarks name everything they create on a lab server with a tag of their own, so
 * cleaning up removes exactly that and nothing another test left running.
 */

/** A shell line for a lab server that removes every container, volume and network whose name contains `tag`; it always succeeds. */
export function removeTaggedCommand(tag: string): string {
  return [
    `docker rm -fv $(docker ps -aq --filter name=${tag}) >/dev/null 2>&1`,
    `docker volume rm $(docker volume ls -q --filter name=${tag}) >/dev/null 2>&1`,
    `docker network rm $(docker network ls -q --filter name=${tag}) >/dev/null 2>&1`,
    'true',
  ].join('; ');
}
