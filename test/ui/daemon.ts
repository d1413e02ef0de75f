import fs from 'node:fs';
import path from 'node:path';
import { startServer, type RunningServer } from '../../src/main/daemon.js';
import { SCREENSHOTS, type TestBrowser } from '../fixtures/browser.js';
import type { TestContext } from '../fixtures/context.js';
import { createSampleApp, sampleAppContext, type SampleApp, type VersionName } from '../fixtures/sampleApp.js';

export const TOKEN = 'ui-test-admin-token-0123456789';

export interface UiDaemon {
  sample: SampleApp;
  ctx: TestContext;
  server: RunningServer;
  url: string;
  stop(): Promise<void>;
}

/**
 * The real daemon (API and UI) on a free loopback port, managing a sample app started by hand from v1. `port`: a
 * known one instead, for a CLI that reaches the daemon at `server.listen`.
 */
export async function startUiDaemon(versions: VersionName[], port = 0): Promise<UiDaemon> {
  const sample = createSampleApp({ versions });
  sample.startByHand();
  const ctx = sampleAppContext(sample, `server: { listen: "127.0.0.1:${port}" }`);
  const server = await startServer(ctx, { SWITCHYARD_ADMIN_TOKEN: TOKEN });
  return {
    sample,
    ctx,
    server,
    url: server.url,
    async stop() {
      await server.close();
      ctx.cleanup();
      sample.cleanup();
    },
  };
}

/** Logs in through the form, as a person would. */
export async function logIn(browser: TestBrowser, url: string, token = TOKEN): Promise<void> {
  const { page } = browser;
  await page.goto(`${url}/login`);
  await page.getByLabel('Token', { exact: true }).fill(token);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(`${url}/`);
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
}

/** Each test file records what its pages weigh next to its screenshots. */
export function saveWeights(browser: TestBrowser, file: string): void {
  fs.writeFileSync(path.join(SCREENSHOTS, `weights-${file}.json`), `${JSON.stringify(browser.weights, null, 2)}\n`);
}

/** The page as it is now, at 1280 and 390 px, light and dark (<name>-<width>-<scheme>.png); back to 1280 light after. */
export async function screenshotEveryWay(browser: TestBrowser, name: string): Promise<void> {
  const { page } = browser;
  for (const width of [1280, 390]) {
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ colorScheme });
      await browser.screenshot(`${name}-${width}-${colorScheme}`);
    }
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.emulateMedia({ colorScheme: 'light' });
}
