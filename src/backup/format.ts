/**
 * How a stored backup file holds its pg_dump archive. The one place that knows:
 * naming, the backup writer, every reader (restore, drill, download, the
 * off-site copy) and temp-file recovery ask here.
 *
 *   - `zstd`: `pg_dump --format=custom --compress=0` inside a zstd frame, then
 *     a skippable frame with its data sizes (archiveIndex.ts),
 *     `…_<reason>.dump.zst`; read back with `zstd -dc FILE | pg_restore …`.
 *   - `custom`: a custom-format archive as pg_dump wrote it, `…_<reason>.dump`,
 *     with pg_dump's own zlib (backups.compression.method gzip, and every backup
 *     taken before zstd) or none; pg_restore reads it as it is.
 */
export type BackupFormat = 'zstd' | 'custom';

export type CompressionMethod = 'zstd' | 'gzip' | 'none';

interface FormatFacts {
  suffix: string;
  /** For downloads. */
  contentType: string;
}

const FORMATS: Record<BackupFormat, FormatFacts> = {
  zstd: { suffix: '.dump.zst', contentType: 'application/zstd' },
  custom: { suffix: '.dump', contentType: 'application/octet-stream' },
};

/** The format a compression method writes. */
export function formatFor(method: CompressionMethod): BackupFormat {
  return method === 'zstd' ? 'zstd' : 'custom';
}

/** The format of a stored file, from its name (names are switchyard's own, see naming.ts). */
export function backupFormat(fileName: string): BackupFormat {
  return fileName.endsWith(FORMATS.zstd.suffix) ? 'zstd' : 'custom';
}

export const formatSuffix = (format: BackupFormat) => FORMATS[format].suffix;
export const contentTypeOf = (fileName: string) => FORMATS[backupFormat(fileName)].contentType;

/** Every suffix a stored backup can have, for recognising our own temp files. */
export const BACKUP_SUFFIXES = Object.values(FORMATS).map((f) => f.suffix);
