import type { Config } from '../config/index.js';
import type { DockerClient } from '../docker/client.js';
import { serviceTarget } from './serviceTarget.js';
import type { DatabaseTarget } from './target.js';
import { urlTarget } from './urlTarget.js';

export function databaseTarget(
  config: Config,
  docker: () => DockerClient,
  projectName: () => Promise<string>,
): DatabaseTarget {
  const db = config.database;
  return db.mode === 'url' ? urlTarget(db.url) : serviceTarget(docker(), projectName, db);
}

export type { DatabaseTarget, DumpProcess, SqlSession, PgTool, TempFile } from './target.js';
export { withSession } from './target.js';
export { inspectDatabase, compareFacts, serverMajor, type DatabaseFacts } from './inspect.js';
export { quoteIdent, quoteLiteral } from './sql.js';
export { probeHostTools, toolVersion, type HostTools } from './hostTools.js';
export { onDatabase } from './otherDatabase.js';
