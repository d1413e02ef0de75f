/**
 * The client programs that a dump, a restore and a read-back need from this host: psql loads a large
 * table's rows over several sessions (splitTable.ts).
 */
export const HOST_CLIENTS = ['pg_dump', 'pg_restore', 'psql'] as const;
export type HostClient = (typeof HOST_CLIENTS)[number];

/**
 * Why this host's client programs may not stand in for the container's, or null when they may
 * (pure). Only the server's own major version will do: pg_dump refuses an older server, and a newer
 * pg_dump writes archives in a format the container's pg_restore cannot read, so a backup would no
 * longer restore the way README's hand recipes and the disaster-recovery runbook do it, inside the
 * container. `hostMajors` holds null for a program this host lacks.
 */
export function hostClientsMismatch(hostMajors: Record<HostClient, number | null>, serverMajor: number): string | null {
  for (const tool of HOST_CLIENTS) {
    const major = hostMajors[tool];
    if (major === null) return `this host has no ${tool}`;
    if (major !== serverMajor) return `this host's ${tool} is ${major}, the server ${serverMajor}`;
  }
  return null;
}

/** Where libpq in the container looks for the server, as `docker exec pg_dump` would: Debian's builds, then upstream's. */
export const CONTAINER_SOCKET_DIRS = ['/var/run/postgresql', '/tmp'] as const;
export const DEFAULT_PORT = 5432;
