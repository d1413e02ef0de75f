import { inputError } from '../../errors.js';
import { formatTime } from '../../util/format.js';
import { parseCommand } from '../args.js';
import { cliActor, openApp, table, type Io } from '../io.js';

const USAGE = 'usage: switchyard user add NAME --role ROLE | list | remove NAME | role NAME ROLE';

/**
 * `switchyard user …`: named users and their roles. Whoever may write the state dir (root or the
 * daemon's user) manages them; each change is audited as `cli:<unix user>`.
 */
export async function userCommand(argv: string[], io: Io): Promise<void> {
  const [sub, ...rest] = argv;
  const { common, values, positionals } = parseCommand(rest, { role: { type: 'string' } }, 2);
  const need = (n: number) => {
    if (positionals.length !== n) throw inputError(USAGE);
  };
  const { users } = openApp(common, io);
  const actor = cliActor(io.env);
  switch (sub) {
    case 'add': {
      need(1);
      if (values.role === undefined) throw inputError('user add needs --role viewer|operator|admin');
      const { user, token } = users.add(actor, { name: positionals[0], role: values.role });
      if (common.json) return io.out(JSON.stringify({ user, token }));
      return io.out(`user ${user.name} added (${user.role}). Their token, shown only this once:\n${token}`);
    }
    case 'list': {
      need(0);
      const list = users.list(actor);
      if (common.json) return io.out(JSON.stringify({ users: list }));
      if (list.length === 0) return io.out('no users');
      return io.out(
        table(
          ['NAME', 'ROLE', 'ADDED', 'BY'],
          list.map((u) => [u.name, u.role, formatTime(u.createdAt), u.createdBy]),
        ),
      );
    }
    case 'remove': {
      need(1);
      users.remove(actor, positionals[0]!);
      return io.out(common.json ? JSON.stringify({ removed: positionals[0] }) : `user ${positionals[0]} removed`);
    }
    case 'role': {
      need(2);
      const user = users.setRole(actor, positionals[0]!, positionals[1]);
      return io.out(common.json ? JSON.stringify({ user }) : `user ${user.name} is now ${user.role}`);
    }
    default:
      throw inputError(USAGE);
  }
}
