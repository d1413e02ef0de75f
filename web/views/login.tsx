export function LoginForm(props: { next: string; idleHours: number; error?: string; notice?: string }) {
  return (
    <section class="login">
      {props.error && (
        <p class="flash flash-error" role="alert">
          <strong>Error: </strong>
          {props.error}
        </p>
      )}
      {props.notice && (
        <p class="flash flash-info" role="status">
          {props.notice}
        </p>
      )}
      <p>
        Log in with the admin token (<code>SWITCHYARD_ADMIN_TOKEN</code>) or another API token of this daemon. Your
        session ends after {props.idleHours} hours without activity, or when you log out; a restart of the daemon logs
        everyone out.
      </p>
      <form method="post" action="/login" data-busy="Logging in…">
        <input type="hidden" name="next" value={props.next} />
        <label for="token">Token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="current-password"
          required
          autofocus
          spellcheck={false}
        />
        <button type="submit" class="primary">
          Log in
        </button>
      </form>
    </section>
  );
}
