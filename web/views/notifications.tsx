import { maskCredentialUrl } from '../../src/util/redact.js';
import { TableWrap } from './bits.js';

/** What this section shows of the config's `notify`: the config's own value fits it as it is. */
export interface NotifySettings {
  webhooks: Array<{ url: string; format: string; events?: readonly string[]; onlyFailures: boolean }>;
  timeoutSeconds: number;
  retries: number;
}

/**
 * Where notifications go and which events each webhook gets, read-only: the config file sets them. A webhook's URL
 * is its credential (Slack and Discord carry the token in the path), so it is shown masked.
 */
export function NotificationSettings({ notify }: { notify: NotifySettings }) {
  return (
    <section aria-labelledby="notify-title">
      <h2 id="notify-title">Notifications</h2>
      {notify.webhooks.length === 0 ? (
        <p>
          No webhook is configured (<code>notify.webhooks</code> in the config file): nobody is told of a failed deploy
          or backup.
        </p>
      ) : (
        <TableWrap label="Webhooks">
          <table class="stack" id="webhooks">
            <caption>Webhooks, from the config file</caption>
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Format</th>
                <th scope="col">Events</th>
                <th scope="col">Outcomes</th>
              </tr>
            </thead>
            <tbody>
              {notify.webhooks.map((hook) => (
                <tr>
                  <td data-label="URL" class="detail">
                    <code>{maskCredentialUrl(hook.url)}</code>
                  </td>
                  <td data-label="Format">{hook.format}</td>
                  <td data-label="Events">{hook.events ? hook.events.join(', ') : 'every event'}</td>
                  <td data-label="Outcomes">{hook.onlyFailures ? 'failures only' : 'every outcome'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <p class="muted">
        Each delivery waits up to {notify.timeoutSeconds} s and is tried again up to {notify.retries} times.
      </p>
    </section>
  );
}
