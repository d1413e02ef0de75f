export { backupNow, drillNow, listBackups, getBackup, type BackupListing } from './service.js';
export { createBackup, type BackupRequest } from './create.js';
export { runDrill, drillMarkdown, type DrillReport } from './drill.js';
export { applyRetention, selectExpired, type RetentionPolicy } from './retention.js';
export { recoverInterruptedBackups } from './recover.js';
export { startBackupSchedule } from './schedule.js';
export { sha256File } from './checksum.js';
export { backupFileName, utcStamp } from './naming.js';
export { allowedBackupAgeMs, staleBackupHours, watchBackupAge } from './staleness.js';
