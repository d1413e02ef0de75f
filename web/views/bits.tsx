import type { Child } from 'hono/jsx';
import type { Session } from '../auth/sessions.js';
import { formatAge, formatTime, formatUtcTime, shortImage, shortSha } from '../lib/format.js';

type Tone = 'ok' | 'bad' | 'warn' | 'busy' | 'muted';

/** Every status is a word and a symbol, never a colour alone. */
const LOOKS: Record<string, { icon: string; tone: Tone; label?: string }> = {
  running: { icon: '…', tone: 'busy' },
  succeeded: { icon: '✓', tone: 'ok' },
  ok: { icon: '✓', tone: 'ok' },
  passed: { icon: '✓', tone: 'ok' },
  verified: { icon: '✓', tone: 'ok' },
  failed: { icon: '✗', tone: 'bad' },
  'not verified': { icon: '✗', tone: 'bad' },
  'rolled-back': { icon: '↺', tone: 'warn', label: 'failed, rolled back' },
  'rollback-failed': { icon: '✗', tone: 'bad', label: 'ROLLBACK FAILED' },
  interrupted: { icon: '!', tone: 'warn' },
  superseded: { icon: '!', tone: 'muted', label: 'superseded (interrupted, not undone)' },
  pending: { icon: '…', tone: 'busy' },
  skipped: { icon: '–', tone: 'muted' },
  pruned: { icon: '–', tone: 'muted', label: 'pruned (file deleted)' },
  unknown: { icon: '?', tone: 'muted', label: 'no CI data' },
  healthy: { icon: '✓', tone: 'ok' },
  unhealthy: { icon: '✗', tone: 'bad' },
  starting: { icon: '…', tone: 'busy' },
  stopped: { icon: '■', tone: 'bad' },
  up: { icon: '✓', tone: 'ok', label: 'running' },
  none: { icon: '–', tone: 'muted', label: 'no healthcheck' },
};

export function StatusBadge(props: { status: string; label?: string }) {
  const look = LOOKS[props.status] ?? { icon: '•', tone: 'muted' as Tone };
  return (
    <span class={`badge tone-${look.tone}`}>
      <span aria-hidden="true">{look.icon}</span> {props.label ?? look.label ?? props.status}
    </span>
  );
}

/** A time in the reader's zone (readerZone: the browser's), to the second; UTC on hover. */
export function Time(props: { iso: string | null | undefined; age?: boolean }) {
  if (!props.iso) return <span>—</span>;
  return (
    <time datetime={props.iso} title={formatUtcTime(props.iso)}>
      <span class="when">{formatTime(props.iso)}</span>
      {props.age !== false && <span class="age"> ({formatAge(props.iso)} ago)</span>}
    </time>
  );
}

export const Sha = (props: { sha: string | null | undefined }) => (
  <code title={props.sha ?? undefined}>{shortSha(props.sha)}</code>
);

export const Image = (props: { ref_: string }) => (
  <code class="image" title={props.ref_}>
    {shortImage(props.ref_)}
  </code>
);

/** A boxed message whose first word says what it is, for readers who cannot see its colour. */
export function Notice(props: {
  tone: 'info' | 'warn' | 'danger' | 'ok';
  title: string;
  children?: Child;
  role?: 'alert' | 'status';
}) {
  return (
    <div class={`notice notice-${props.tone}`} role={props.role}>
      <p class="notice-title">
        <strong>{props.title}</strong>
      </p>
      {props.children}
    </div>
  );
}

export const CsrfField = (props: { session: Session }) => (
  <input type="hidden" name="_csrf" value={props.session.csrf} />
);

/** Conventional-commit type as a small labelled badge ("feat", "fix!", …). */
export function CommitTypeBadge(props: { type: string | null; breaking: boolean }) {
  if (!props.type) return null;
  return (
    <span class={`cc cc-${props.type}`} title={props.breaking ? 'breaking change' : undefined}>
      {props.type}
      {props.breaking ? '!' : ''}
    </span>
  );
}

/** A table that scrolls sideways on a narrow screen instead of overflowing the page. */
export function TableWrap(props: { label: string; children?: Child }) {
  return (
    <section class="table-wrap" aria-label={props.label} tabindex={0}>
      {props.children}
    </section>
  );
}
