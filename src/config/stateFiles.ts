import path from 'node:path';

/** The pin file (src/compose/pins.ts) in the state dir: where compose reads the digests switchyard pinned. */
export function pinFilePath(stateDir: string): string {
  return path.join(stateDir, 'pins.compose.yml');
}
