-- Console sessions (H1), shared by every node and kept across restarts.
-- A session is found by the SHA-256 of its id; the id is never stored.
CREATE TABLE console_sessions (
    id_hash    BLOB    PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    username   TEXT    NOT NULL,
    role       TEXT    NOT NULL,
    csrf       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX console_sessions_user ON console_sessions (user_id);

-- Secrets every console node must share (the login form's CSRF key).
CREATE TABLE console_secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT, WITHOUT ROWID;
