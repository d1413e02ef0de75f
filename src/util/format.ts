/** 1536 → "1.5 KiB": binary units, one decimal below 10, for terminals and pages alike. */
export function formatBytes(n: number | null | undefined, empty = '-'): string {
  if (n === null || n === undefined) return empty;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** 0o644 → "0644": a file's permission bits as chmod takes them. */
export function formatMode(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}
