import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeDirs, setMode } from './fileModes.js';

const UNIT_SOURCE = fileURLToPath(new URL('../../../systemd/switchyard.service', import.meta.url));

/**
 * Installs the systemd unit with ExecStart pointing at this switchyard and the
 * config written by init, and an EnvironmentFile holding a fresh admin token
 * (created once, mode 0600; an existing one is kept, and made 0600 when it was not: `envModeWas`).
 */
export async function installUnit(options: {
  configFile: string;
  unitDir?: string;
  envFile?: string;
}): Promise<{ unit: string; envFile: string; tokenCreated: boolean; envModeWas: string | null }> {
  const unitDir = options.unitDir ?? '/etc/systemd/system';
  const envFile = options.envFile ?? path.join(path.dirname(options.configFile), 'env');
  const cli = fileURLToPath(new URL('../cli/main.js', import.meta.url));
  const template = await fs.readFile(UNIT_SOURCE, 'utf8');
  const unit = template
    .replace(/^ExecStart=.*$/m, `ExecStart=${process.execPath} ${cli} serve --config ${options.configFile}`)
    .replace(/^EnvironmentFile=.*$/m, `EnvironmentFile=${envFile}`);
  await makeDirs(unitDir, 0o755); // systemd's own folders are 0755
  const unitFile = path.join(unitDir, 'switchyard.service');
  await fs.writeFile(unitFile, unit, { mode: 0o644 });
  await setMode(unitFile, 0o644);

  const exists = await fs.access(envFile).then(
    () => true,
    () => false,
  );
  // An existing env file keeps its token, but never a mode that lets others read it.
  const envModeWas = exists ? await setMode(envFile, 0o600) : null;
  if (!exists) {
    await makeDirs(path.dirname(envFile), 0o700);
    const token = crypto.randomBytes(24).toString('base64url');
    await fs.writeFile(
      envFile,
      `# Secrets for switchyard (EnvironmentFile). Keep this file 0600.\nSWITCHYARD_ADMIN_TOKEN=${token}\n# GITHUB_TOKEN=\n`,
      { mode: 0o600 },
    );
  }
  return { unit: unitFile, envFile, tokenCreated: !exists, envModeWas };
}
