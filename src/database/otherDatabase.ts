import type { DatabaseTarget } from './target.js';

/**
 * `target`'s server, reached the same way, but database `name` by default (a kept database, dumped as a
 * backup of the live one). pg_dump is given it as a connection string, so that no name reads as one.
 */
export function onDatabase(target: DatabaseTarget, name: string): DatabaseTarget {
  return {
    database: name,
    description: `${target.description}, its database "${name}"`,
    get readsHostFiles() {
      return target.readsHostFiles;
    },
    reach: async () => onDatabase(await target.reach(), name),
    spawn: (tool, args, options = {}) => target.spawn(tool, args, { ...options, database: options.database ?? name }),
    dump: (args) => target.dump([...args, `--dbname=dbname=${conninfoValue(name)}`]),
    session: (database = name) => target.session(database),
    tempFile: () => target.tempFile(),
  };
}

/** A libpq connection-string value: quoted, its quotes and backslashes escaped. */
const conninfoValue = (value: string) => `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;
