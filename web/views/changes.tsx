import { type ChangedCommit, parseConventional, type VersionChanges } from '../../src/app/index.js';
import { CommitTypeBadge, Time } from './bits.js';

/** What a deploy changes: the commits it adds or takes away, the migration files, the tag's message. */
export function ChangesView({ changes: c, notes }: { changes: VersionChanges; notes: string | null }) {
  return (
    <section aria-labelledby="changes-title">
      <h2 id="changes-title">What changes</h2>
      {c.direction === 'same' && <p>Same commit as what runs now: no code changes.</p>}
      {c.direction === 'unknown' && (
        <p class="muted">
          The commits in between are not known{c.error ? ` (${c.error})` : ': no running commit recorded'}.
        </p>
      )}
      {c.added.length > 0 && (
        <CommitList
          id="commits-added"
          title={`${c.added.length}${c.truncated ? '+' : ''} commit(s) added`}
          commits={c.added}
        />
      )}
      {c.removed.length > 0 && (
        <CommitList
          id="commits-removed"
          title={`${c.removed.length}${c.truncated ? '+' : ''} commit(s) taken away (this version is older)`}
          commits={c.removed}
        />
      )}
      {c.direction !== 'same' && c.direction !== 'unknown' && (
        <>
          <h3>Migration files</h3>
          {c.migrations.length ? (
            <ul id="migrations">
              {c.migrations.map((m) => (
                <li>
                  <code>{m.path}</code> ({MIGRATION_STATUS[m.status] ?? m.status})
                </li>
              ))}
            </ul>
          ) : (
            <p>No migration file changes.</p>
          )}
        </>
      )}
      {!notes && c.tagMessage && (
        <>
          <h3>Tag message</h3>
          <pre class="notes" id="tag-message">
            {c.tagMessage}
          </pre>
        </>
      )}
    </section>
  );
}

const MIGRATION_STATUS: Record<string, string> = { A: 'added', M: 'modified', D: 'deleted', T: 'type changed' };

function CommitList({ id, title, commits }: { id: string; title: string; commits: ChangedCommit[] }) {
  return (
    <>
      <h3>{title}</h3>
      <ol id={id} class="plain commits">
        {commits.map((commit) => {
          const cc = parseConventional(commit.subject);
          return (
            <li>
              <code title={commit.sha}>{commit.sha.slice(0, 7)}</code>{' '}
              <CommitTypeBadge type={cc.type} breaking={cc.breaking} />{' '}
              {cc.scope && <span class="scope">{cc.scope}</span>} {cc.subject}{' '}
              <span class="muted">
                — {commit.author}, <Time iso={commit.date} />
              </span>
            </li>
          );
        })}
      </ol>
    </>
  );
}
