/**
 * What a command opened and main closes when it ends, however it ends (the app's SQLite store). Kept apart from
 * io.ts so that main, which loads for `--help` too, loads nothing heavy.
 */
export const closeAtEnd: Array<() => void> = [];

export function closeOpened(): void {
  for (const close of closeAtEnd.splice(0)) close();
}
