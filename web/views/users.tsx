import { ROLES, type User } from '../../src/app/index.js';
import type { Session } from '../auth/sessions.js';
import { CsrfField, Notice, TableWrap, Time } from './bits.js';

export interface UsersPage {
  users: User[];
  /** A user just added and their token: shown on this one answer, never again. */
  added?: { name: string; role: string; token: string };
}

/** Named users: add one (its token shown once), change a role, remove one. Admins only. */
export function UsersView({ page, session }: { page: UsersPage; session: Session }) {
  return (
    <>
      {page.added && <NewToken added={page.added} />}
      <section aria-labelledby="add-title">
        <h2 id="add-title">Add a user</h2>
        <form method="post" action="/users" class="inline-form" data-busy="Adding…">
          <CsrfField session={session} />
          <label for="name">Name</label>
          <input id="name" type="text" name="name" required maxlength={63} autocomplete="off" spellcheck={false} />
          <label for="role">Role</label>
          <RoleSelect id="role" value="viewer" />
          <button type="submit">Add user</button>
        </form>
        <p class="muted">
          viewer reads everything but backup files; operator also deploys, rolls back, backs up and drills; admin also
          manages users.
        </p>
      </section>
      <section aria-labelledby="users-title">
        <h2 id="users-title">Users</h2>
        {page.users.length === 0 ? (
          <p>No users yet: only the configured tokens and the admin token can log in.</p>
        ) : (
          <TableWrap label="Users">
            <table class="stack">
              <caption>Users, by name</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col">Added</th>
                  <th scope="col">By</th>
                  <th scope="col">Remove</th>
                </tr>
              </thead>
              <tbody>
                {page.users.map((u) => (
                  <UserRow user={u} session={session} />
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>
    </>
  );
}

function UserRow({ user, session }: { user: User; session: Session }) {
  const path = `/users/${encodeURIComponent(user.name)}`;
  return (
    <tr>
      <td data-label="Name">{user.name}</td>
      <td data-label="Role">
        <form method="post" action={`${path}/role`} class="inline-form">
          <CsrfField session={session} />
          <RoleSelect id={`role-${user.name}`} value={user.role} label={`Role of ${user.name}`} />
          <button type="submit" aria-label={`Change the role of ${user.name}`}>
            Change
          </button>
        </form>
      </td>
      <td data-label="Added">
        <Time iso={user.createdAt} />
      </td>
      <td data-label="By">{user.createdBy}</td>
      <td data-label="Remove">
        <form method="post" action={`${path}/remove`}>
          <CsrfField session={session} />
          <button type="submit" class="danger">
            Remove {user.name}
          </button>
        </form>
      </td>
    </tr>
  );
}

function RoleSelect(props: { id: string; value: string; label?: string }) {
  return (
    <select id={props.id} name="role" aria-label={props.label}>
      {ROLES.map((r) => (
        <option value={r} selected={r === props.value}>
          {r}
        </option>
      ))}
    </select>
  );
}

function NewToken({ added }: { added: NonNullable<UsersPage['added']> }) {
  return (
    <Notice tone="ok" title={`User ${added.name} added (${added.role})`} role="status">
      <p>
        Their token, shown only this once (only its sha256 is kept). Copy it now (select it, then Ctrl+C or ⌘C) and hand
        it to {added.name} privately; if it is lost, remove the user and add them again.
      </p>
      <p>
        <label for="new-token">Token of {added.name}</label>
        <input id="new-token" type="text" class="token" readonly value={added.token} spellcheck={false} />
      </p>
    </Notice>
  );
}
