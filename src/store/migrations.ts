/**
 * Schema migrations, applied in order on open. PRAGMA user_version records how
 * many have run; a migration is never edited once released, only appended.
 */
export const migrations: readonly string[] = [
  `
  CREATE TABLE backups (
    id                 INTEGER PRIMARY KEY,
    file_name          TEXT NOT NULL UNIQUE,
    temp_name          TEXT NOT NULL,
    database_name      TEXT NOT NULL,
    reason             TEXT NOT NULL CHECK (reason IN ('manual','scheduled','pre-deploy','pre-rollback')),
    note               TEXT,
    actor              TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('running','ok','failed','pruned')),
    error              TEXT,
    created_at         TEXT NOT NULL,
    finished_at        TEXT,
    size_bytes         INTEGER,
    sha256             TEXT,
    server_version     TEXT,
    row_counts         TEXT,
    schema_fingerprint TEXT,
    deployment_id      INTEGER REFERENCES deployments(id),
    owner_pid          INTEGER
  );
  CREATE INDEX backups_created ON backups(created_at);

  CREATE TABLE deployments (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('deploy','rollback')),
    ref           TEXT,
    status        TEXT NOT NULL,
    actor         TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    finished_at   TEXT,
    error         TEXT,
    detail        TEXT
  );

  CREATE TABLE drills (
    id            INTEGER PRIMARY KEY,
    backup_id     INTEGER NOT NULL REFERENCES backups(id),
    started_at    TEXT NOT NULL,
    restore_ms    INTEGER,
    verified      INTEGER NOT NULL,
    issues        TEXT NOT NULL,
    actor         TEXT NOT NULL
  );
  CREATE INDEX drills_backup ON drills(backup_id);

  CREATE TABLE audit (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    target   TEXT,
    outcome  TEXT NOT NULL CHECK (outcome IN ('ok','failed','refused')),
    detail   TEXT
  );

  -- At most one row: the operation that holds the lock, and the process holding it.
  CREATE TABLE lock (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    operation   TEXT NOT NULL,
    pid         INTEGER NOT NULL,
    boot_id     TEXT NOT NULL,
    acquired_at TEXT NOT NULL
  );
  `,
  // Deployments: what was deployed, what it replaced (the rollback target), and each step.
  `
  ALTER TABLE deployments ADD COLUMN commit_sha TEXT;
  ALTER TABLE deployments ADD COLUMN tag TEXT;
  ALTER TABLE deployments ADD COLUMN previous_commit TEXT;
  ALTER TABLE deployments ADD COLUMN images TEXT;
  ALTER TABLE deployments ADD COLUMN previous_images TEXT;
  ALTER TABLE deployments ADD COLUMN backup_id INTEGER REFERENCES backups(id);
  ALTER TABLE deployments ADD COLUMN rollback_of INTEGER REFERENCES deployments(id);
  ALTER TABLE deployments ADD COLUMN owner_pid INTEGER;

  CREATE TABLE deployment_steps (
    id            INTEGER PRIMARY KEY,
    deployment_id INTEGER NOT NULL REFERENCES deployments(id),
    seq           INTEGER NOT NULL,
    name          TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('running','ok','failed','skipped')),
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    error         TEXT,
    detail        TEXT,
    UNIQUE (deployment_id, seq)
  );
  `,
  // Compose output of each deployment, so history shows it after a restart and from any process.
  `
  CREATE TABLE deployment_output (
    id            INTEGER PRIMARY KEY,
    deployment_id INTEGER NOT NULL REFERENCES deployments(id),
    at            TEXT NOT NULL,
    line          TEXT NOT NULL
  );
  CREATE INDEX deployment_output_by_deployment ON deployment_output(deployment_id, id);
  `,
  // Named users: a role each, and only the sha256 of their token (the token is shown once).
  `
  CREATE TABLE users (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL CHECK (role IN ('viewer','operator','admin')),
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL
  );
  CREATE INDEX audit_by_actor ON audit(actor, id);
  `,
  // Columns nothing reads: a deployment's process is known from the lock, its details from its steps.
  `
  ALTER TABLE deployments DROP COLUMN owner_pid;
  ALTER TABLE deployments DROP COLUMN detail;
  `,
  // Drills: the row counts the restored copy had, so the report compares expected and restored per table.
  `
  ALTER TABLE drills ADD COLUMN restored_row_counts TEXT;
  `,
  // Off-site copies: one queue row per backup to copy, and restores from the bucket recorded as deployments of kind
  // 'restore'. SQLite cannot alter a CHECK, so deployments is rebuilt (migrate() runs with foreign keys off).
  `
  CREATE TABLE offsite_uploads (
    backup_id       INTEGER PRIMARY KEY REFERENCES backups(id),
    state           TEXT NOT NULL CHECK (state IN ('pending','uploading','uploaded','failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    error           TEXT,
    object_key      TEXT,
    uploaded_at     TEXT,
    pair            TEXT,
    owner_pid       INTEGER,
    updated_at      TEXT NOT NULL
  );

  CREATE TABLE deployments_next (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('deploy','rollback','restore')),
    ref             TEXT,
    status          TEXT NOT NULL,
    actor           TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    finished_at     TEXT,
    error           TEXT,
    commit_sha      TEXT,
    tag             TEXT,
    previous_commit TEXT,
    previous_images TEXT,
    images          TEXT,
    backup_id       INTEGER REFERENCES backups(id),
    rollback_of     INTEGER REFERENCES deployments(id)
  );
  INSERT INTO deployments_next (id, kind, ref, status, actor, created_at, finished_at, error, commit_sha, tag,
                                previous_commit, previous_images, images, backup_id, rollback_of)
    SELECT id, kind, ref, status, actor, created_at, finished_at, error, commit_sha, tag,
           previous_commit, previous_images, images, backup_id, rollback_of FROM deployments;
  DROP TABLE deployments;
  ALTER TABLE deployments_next RENAME TO deployments;
  `,
  // Each backup's column names per table, so a rollback's plan can name the columns its restore drops or brings back.
  `
  ALTER TABLE backups ADD COLUMN columns TEXT;
  `,
];
