/** One outcome worth telling someone about. */
export interface Notification {
  event: 'deploy' | 'rollback' | 'backup' | 'drill' | 'backup-stale' | 'restore' | 'offsite' | 'offsite-stale';
  ok: boolean;
  /** One line for a human: what happened. */
  summary: string;
  at: string;
  /** Machine-readable details: ids, refs, file names (never secrets). */
  details: Record<string, unknown>;
}

/** The body for each webhook flavour: generic JSON, Slack's `text`, Discord's `content`. */
export function webhookBody(format: 'generic' | 'slack' | 'discord', n: Notification, host: string): unknown {
  const line = `${n.ok ? '✅' : '❌'} switchyard on ${host}: ${n.summary}`;
  switch (format) {
    case 'slack':
      return { text: line };
    case 'discord':
      return { content: line.slice(0, 2000), allowed_mentions: { parse: [] } };
    default:
      return { source: 'switchyard', host, ...n };
  }
}
