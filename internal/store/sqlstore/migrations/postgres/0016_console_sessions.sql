-- Console sessions (H1), shared by every node and kept across restarts.
-- A session is found by the SHA-256 of its id; the id is never stored.
CREATE TABLE console_sessions (
    id_hash    BYTEA  PRIMARY KEY,
    user_id    BIGINT NOT NULL,
    username   TEXT   NOT NULL,
    role       TEXT   NOT NULL,
    csrf       TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL
);
CREATE INDEX console_sessions_user ON console_sessions (user_id);

-- Secrets every console node must share (the login form's CSRF key).
CREATE TABLE console_secrets (
    name  TEXT  PRIMARY KEY,
    value BYTEA NOT NULL
);
