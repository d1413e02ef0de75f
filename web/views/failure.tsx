import { type Deployment, type FailureReport, failureTitle } from '../../src/app/index.js';
import { StatusBadge, Time } from './bits.js';

/**
 * Why an operation failed, first on its page: each failing container's reason,
 * its last health-check results and its last log lines, as captured before the
 * next step recreated it. The `n`th report of the record (0: the operation's own
 * failure, then its undo's) is #failure, #failure-1, …
 */
export function FailureView({
  report,
  d,
  n,
}: {
  report: FailureReport;
  d: Pick<Deployment, 'kind' | 'status'>;
  n: number;
}) {
  const id = n === 0 ? 'failure' : `failure-${n}`;
  return (
    <section id={id} class="failure" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{failureTitle(d, report.step)}</h2>
      <p>
        Step <strong>{report.step}</strong> failed: {report.headline}
      </p>
      {report.containers.map((c) => (
        <article class="failing" aria-labelledby={`${id}-${c.name}`}>
          <h3 id={`${id}-${c.name}`}>
            Service {c.service} <code>{c.name}</code>{' '}
            <StatusBadge status={c.state === 'running' ? c.health : 'stopped'} label={c.reason} />
          </h3>
          {c.healthChecks.length > 0 && (
            <details open>
              <summary>Last {c.healthChecks.length} health checks</summary>
              <ol class="plain health-checks">
                {c.healthChecks.map((h) => (
                  <li>
                    <Time iso={h.at} age={false} />: exit {h.exitCode}
                    {h.output && <pre class="log short">{h.output}</pre>}
                  </li>
                ))}
              </ol>
            </details>
          )}
          <p class="muted">
            Last {c.logs.length} log line{c.logs.length === 1 ? '' : 's'} of the container, as it was when the step
            failed (kept by switchyard):
          </p>
          <pre class="log container-log" role="log" tabindex={0} aria-label={`Log of ${c.name}`}>
            {c.logs.length ? `${c.logs.join('\n')}\n` : '(the container wrote nothing)'}
          </pre>
        </article>
      ))}
    </section>
  );
}
