import { notFound } from '../errors.js';
import type { BackupRecord, Deployment, Store } from '../store/index.js';

/** The one "find it or 404" of every area: a deployment by id. */
export function deploymentOr404(store: Pick<Store, 'deployments'>, id: number): Deployment {
  const d = store.deployments.get(id);
  if (!d) throw notFound(`deployment ${id} does not exist`);
  return d;
}

/** The one "find it or 404" of every area: a backup by id. */
export function backupOr404(store: Pick<Store, 'backups'>, id: number): BackupRecord {
  const b = store.backups.get(id);
  if (!b) throw notFound(`backup ${id} does not exist`);
  return b;
}
