import { inputError } from '../../errors.js';
import { formatTime } from '../../util/format.js';
import { addUser, removeUser, setUserRole, userPortsOf } from '../../users/manage.js';
import { parseCommand } from '../args.js';
import { cliActor, openContext, table, type Io } from '../io.js';

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
  const ctx = openContext(common, io);
  try {
    const ports = userPortsOf(
      ctx,
      ctx.config.server.tokens.map((t) => t.name),
    );
    const actor = cliActor(io.env).name;
    switch (sub) {
      case 'add': {
        need(1);
        if (values.role === undefined) throw inputError('user add needs --role viewer|operator|admin');
        const { user, token } = addUser(ports, { name: positionals[0], role: values.role, actor });
        if (common.json) return io.out(JSON.stringify({ user, token }));
        return io.out(`user ${user.name} added (${user.role}). Their token, shown only this once:\n${token}`);
      }
      case 'list': {
        need(0);
        const users = ctx.store.users.list();
        if (common.json) return io.out(JSON.stringify({ users }));
        if (users.length === 0) return io.out('no users');
        return io.out(
          table(
            ['NAME', 'ROLE', 'ADDED', 'BY'],
            users.map((u) => [u.name, u.role, formatTime(u.createdAt), u.createdBy]),
          ),
        );
      }
      case 'remove': {
        need(1);
        removeUser(ports, { name: positionals[0]!, actor });
        return io.out(common.json ? JSON.stringify({ removed: positionals[0] }) : `user ${positionals[0]} removed`);
      }
      case 'role': {
        need(2);
        const user = setUserRole(ports, { name: positionals[0]!, role: positionals[1], actor });
        return io.out(common.json ? JSON.stringify({ user }) : `user ${user.name} is now ${user.role}`);
      }
      default:
        throw inputError(USAGE);
    }
  } finally {
    ctx.store.close();
  }
}
