import type { ApiToken, Role } from '../app/index.js';
import { configError } from '../errors.js';
import { sha256 } from '../util/hash.js';
import type { SecretSink } from '../util/redact.js';

/** What of the config names the API's tokens (`server.tokens`). */
export interface TokenConfig {
  server: { tokens: readonly { name: string; role: Role; sha256: string }[] };
}

/** The admin token from the environment (always `admin`) and the hashed tokens from config, each with its role. */
export function resolveTokens(config: TokenConfig, env: NodeJS.ProcessEnv, secrets: SecretSink): ApiToken[] {
  const tokens: ApiToken[] = config.server.tokens.map((t) => ({
    name: t.name,
    role: t.role,
    sha256: Buffer.from(t.sha256, 'hex'),
  }));
  const admin = env.SWITCHYARD_ADMIN_TOKEN;
  if (admin !== undefined && admin !== '') {
    if (admin.length < 16) throw configError('SWITCHYARD_ADMIN_TOKEN: must be at least 16 characters');
    secrets.register(admin);
    tokens.push({ name: 'admin', role: 'admin', sha256: sha256(admin) });
  }
  if (tokens.length === 0) {
    throw configError(
      'no API token: set SWITCHYARD_ADMIN_TOKEN or server.tokens (the API is never served without one)',
    );
  }
  return tokens;
}
