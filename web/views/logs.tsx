import type { LogsPage } from '../../src/app/index.js';
import { Notice } from './bits.js';

/**
 * A service's container log: the last lines as the server read them (the page works without its
 * script), then followed live (web/assets/app.js: the stream's snapshot replaces them, log lines append).
 */
export function LogsView({ page }: { page: LogsPage }) {
  const { shown } = page;
  return (
    <>
      <nav aria-label="Services" class="inline-form">
        <span>Service:</span>
        <ul class="plain inline">
          {page.services.map((s) => (
            <li>
              <a href={`/logs/${encodeURIComponent(s)}`} aria-current={shown?.service === s ? 'page' : undefined}>
                {s}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {shown === null ? (
        <p>Choose a service to read its container's log, live. Configured secrets are shown as ***.</p>
      ) : (
        <div data-events={`/logs/${encodeURIComponent(shown.service)}/events?tail=${shown.tail}`}>
          <Notice tone="info" title="Live">
            <p>
              The last {shown.tail} lines of <code>{shown.container}</code> (stdout and stderr), then each new line as
              it is written. Configured secrets are shown as ***.
            </p>
            <p id="live-status" role="status"></p>
          </Notice>
          <section aria-labelledby="log-title">
            <h2 id="log-title">Log of {shown.service}</h2>
            <pre id="log" class="log" role="log" tabindex={0} aria-labelledby="log-title">
              {shown.lines.length ? `${shown.lines.join('\n')}\n` : ''}
            </pre>
          </section>
        </div>
      )}
    </>
  );
}
