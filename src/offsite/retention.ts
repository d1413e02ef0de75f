import type { OffsiteRetentionPorts } from './ports.js';
import { oneLine } from '../errors.js';
import type { Bucket } from './bucket.js';
import { readBucket } from './catalog.js';
import { manifestKey, type Manifest } from './manifest.js';
import { selectOffsiteExpired } from './queue.js';

/**
 * Deletes the off-site copies retention selects (offsite.keep, separate from the
 * local policy). Only keys a switchyard manifest names, under the prefix; the
 * object goes first and the manifest last, so an interrupted deletion leaves a
 * manifest the next run finishes, never an object nothing would clean up.
 */
export async function applyOffsiteRetention(
  ports: OffsiteRetentionPorts,
  bucket: Bucket,
  now = ports.clock.now(),
): Promise<Manifest[]> {
  const keep = ports.config.offsite?.keep;
  if (!keep) return [];
  const { manifests } = await readBucket(bucket);
  const removed: Manifest[] = [];
  for (const m of selectOffsiteExpired(manifests, keep, now)) {
    try {
      await bucket.delete(m.object.key);
      await bucket.delete(manifestKey(bucket.prefix, m.fileName));
      // When it was deleted, from the clock: `now` only decides what has expired (a caller may move it).
      ports.store.audit.record(
        { actor: 'retention', action: 'offsite.prune', target: m.object.key, outcome: 'ok' },
        ports.clock.now(),
      );
      removed.push(m);
    } catch (e) {
      ports.log.error('off-site retention could not delete a copy', { key: m.object.key, error: oneLine(e) });
    }
  }
  if (removed.length) ports.log.info('off-site retention removed copies', { count: removed.length });
  return removed;
}
