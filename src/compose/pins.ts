import fs from 'node:fs/promises';
import YAML from 'yaml';
import { pinFilePath } from '../config/stateFiles.js';
import type { ImagePins } from '../domain/images.js';

/**
 * The pin file: a compose override kept by switchyard (in its state dir, so the
 * compose repo's work tree stays clean) that sets `image: repo@sha256:…` for
 * every managed service. It is the last file of every compose command switchyard
 * runs, so what runs is exactly what was deployed.
 */
function renderPins(pins: ImagePins): string {
  const services = Object.fromEntries(Object.entries(pins).map(([name, image]) => [name, { image }]));
  return `# Written by switchyard; do not edit. Pins managed services to image digests.\n${YAML.stringify({ services })}`;
}

/** Writes the pin file atomically (temp file, fsync, rename), so compose never reads half of it. */
export async function writePins(stateDir: string, pins: ImagePins): Promise<string> {
  const file = pinFilePath(stateDir);
  const temp = `${file}.tmp-${process.pid}`;
  const handle = await fs.open(temp, 'w', 0o600);
  try {
    await handle.writeFile(renderPins(pins));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temp, file);
  return file;
}

export async function readPins(stateDir: string): Promise<ImagePins | null> {
  const text = await fs.readFile(pinFilePath(stateDir), 'utf8').catch(() => null);
  if (text === null) return null;
  const doc = YAML.parse(text) as { services?: Record<string, { image?: string }> } | null;
  return Object.fromEntries(
    Object.entries(doc?.services ?? {}).flatMap(([name, s]) => (s.image ? [[name, s.image]] : [])),
  );
}
