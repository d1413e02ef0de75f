import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { startBackupSchedule, watchBackupAge } from '../backup/index.js';
import { recoverInterruptedOperations } from '../app/ports/deploy.js';
import type { Config } from '../config/index.js';
import type { Runtime } from '../app/runtime.js';
import { startOffsiteWorker } from '../offsite/worker.js';
import { LogFollows } from '../logs/follows.js';
import { httpApp } from './http.js';
import { liveRuntime, reloadedRuntime } from './runtime.js';
import { Switchyard } from '../app/index.js';
import { closeConnections } from '../server/shutdown.js';
import { resolveTokens } from '../server/tokens.js';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
  /**
   * Applies a new config: tokens, schedule, database, webhooks, services; the listen address and state dir need a
   * restart. A config that leaves no token is refused (rejects) before anything changes.
   */
  reload(next: Config): Promise<void>;
}

/** Starts the daemon: crash recovery first, then the API, then the scheduler. */
export async function startServer(first: Runtime, env: NodeJS.ProcessEnv = process.env): Promise<RunningServer> {
  let ctx = first; // a reload swaps in a new one (reloadedRuntime); what runs keeps the one it started with
  const tokens = resolveTokens(ctx.config, env, ctx.redactor); // refuse to start without a token, before anything else
  // Every operation the API, the UI or the schedule starts recovers first too (src/deploy/operation.ts).
  const recovered = await recoverInterruptedOperations(ctx);
  for (const r of recovered.operations) ctx.log.warn('recovered an interrupted operation', { ...r });

  const switchyard = new Switchyard(() => ctx); // the one per daemon: its Access holds the tokens a reload replaces
  switchyard.access.replaceTokens(tokens);
  const follows = new LogFollows();
  const app = httpApp(switchyard, { follows });
  const listen = ctx.config.server.listen;
  const at = listen.lastIndexOf(':');
  const hostname = listen.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  const port = Number(listen.slice(at + 1));

  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname, port }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  let schedule = startBackupSchedule(ctx);
  const live = liveRuntime(() => ctx);
  const notifiers = new Set([ctx.notifier]); // each reload's webhooks, all delivered before the daemon exits
  const stopWatchingAge = watchBackupAge(live);
  const offsite = startOffsiteWorker(live);
  const stopWaking = ctx.backupDone.on(() => offsite.kick()); // a new backup goes off-site now, not at the next pass
  ctx.log.info('switchyard listening', { url });

  return {
    url,
    async reload(next) {
      const tokens = resolveTokens(next, env, ctx.redactor); // every identity from the new config, or no reload
      if (next.stateDir !== ctx.config.stateDir || next.server.listen !== ctx.config.server.listen) {
        ctx.log.warn('stateDir and server.listen change only on restart');
      }
      await schedule?.stop();
      ctx = reloadedRuntime(ctx, next, env);
      notifiers.add(ctx.notifier);
      switchyard.access.replaceTokens(tokens);
      schedule = startBackupSchedule(ctx);
      ctx.log.info('config reloaded', { tokens: switchyard.access.tokenNames() });
    },
    // No new requests from now on; a running operation reaches its end (or, after SIGTERM, its next step boundary).
    close: async () => {
      follows.closeAll(); // a followed log never holds the shutdown: its page is told the stream ended
      const connectionsClosed = closeConnections(server);
      stopWatchingAge();
      await schedule?.stop();
      stopWaking();
      await offsite.stop();
      while (ctx.shutdown.operationsInProgress() > 0) await new Promise((r) => setTimeout(r, 200));
      if (ctx.shutdown.stoppedBefore)
        ctx.log.warn('stopped an operation at a step boundary; the next start recovers', {
          before: ctx.shutdown.stoppedBefore,
          signal: ctx.shutdown.stopSignal,
        });
      await connectionsClosed;
      await Promise.all([...notifiers].map((n) => n.idle()));
    },
  };
}
