import { parseCommand } from '../args.js';
import { openApp, table, type Io } from '../io.js';

export async function versionsCommand(argv: string[], io: Io): Promise<void> {
  const { common } = parseCommand(argv, {}, 0);
  const result = await openApp(common, io).versions.list();
  if (common.json) return io.out(JSON.stringify(result));
  io.out(`sources: git ${result.sources.git}; github ${result.sources.github}`);
  io.out(
    table(
      ['', 'REF', 'KIND', 'COMMIT', 'CI', 'IMAGES', 'FAILED', 'SUBJECT'],
      result.versions.map((v) => [
        v.current ? '*' : '',
        v.ref,
        v.kind,
        v.sha7,
        v.ci.state,
        v.images.available ? 'ok' : `missing ${v.images.missing.length}`,
        v.failed ? `#${v.failed.id}` : '',
        (v.commit?.subject ?? v.name ?? '').slice(0, 60),
      ]),
    ),
  );
}
