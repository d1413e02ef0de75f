import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context as HonoContext } from 'hono';
import { failed } from '../src/errors.js';

const TYPES: Record<string, string> = {
  'app.css': 'text/css; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
};

interface Asset {
  body: string;
  type: string;
  version: string;
}

/**
 * The UI's only assets, served by the daemon itself (no CDN: the UI works
 * offline). They are plain files in web/assets/, read once; tsc does not copy
 * them, so the compiled module (dist/web/) finds them in the package's web/.
 */
function assetsDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'assets'), path.join(here, '..', '..', 'web', 'assets')];
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'app.css')));
  if (!found) throw failed(`web UI assets not found (looked in ${candidates.join(', ')})`);
  return found;
}

let loaded: Map<string, Asset> | undefined;
function assets(): Map<string, Asset> {
  if (!loaded) {
    const dir = assetsDir();
    loaded = new Map(
      Object.entries(TYPES).map(([name, type]) => {
        const body = fs.readFileSync(path.join(dir, name), 'utf8');
        return [name, { body, type, version: createHash('sha256').update(body).digest('hex').slice(0, 10) }];
      }),
    );
  }
  return loaded;
}

/** URL with a content hash, so a browser may cache it for good and still sees a new version at once. */
export function assetUrl(name: keyof typeof TYPES & string): string {
  return `/assets/${name}?v=${assets().get(name)!.version}`;
}

export function serveAsset(c: HonoContext): Response {
  const asset = assets().get(c.req.param('name') ?? '');
  if (!asset) return c.text('not found', 404);
  const current = c.req.query('v') === asset.version;
  return c.body(asset.body, 200, {
    'Content-Type': asset.type,
    'Cache-Control': current ? 'public, max-age=31536000, immutable' : 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
}
