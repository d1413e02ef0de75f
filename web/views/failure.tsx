import type { FailureReport } from '../../src/deploy/failureReport.js';
import { StatusBadge, Time } from './bits.js';

/**
 * Why a deploy failed, first on its page: each failing container's reason, its
 * last health-check results and its last log lines, as captured before the
 * automatic rollback recreated it.
 */
export function FailureView({ report }: { report: FailureReport }) {
  return (
    <section id="failure" aria-labelledby="failure-title">
      <h2 id="failure-title">Why it failed</h2>
      <p>
        Step <strong>{report.step}</strong> failed: {report.headline}
      </p>
      {report.containers.map((c) => (
        <article class="failing" aria-labelledby={`failing-${c.name}`}>
          <h3 id={`failing-${c.name}`}>
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
            Last {c.logs.length} log line{c.logs.length === 1 ? '' : 's'} of the container (kept by switchyard; the
            rollback replaced it):
          </p>
          <pre class="log container-log" role="log" tabindex={0} aria-label={`Log of ${c.name}`}>
            {c.logs.length ? `${c.logs.join('\n')}\n` : '(the container wrote nothing)'}
          </pre>
        </article>
      ))}
    </section>
  );
}
