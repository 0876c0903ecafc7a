-- Console and administration users, and their API tokens (stored as SHA-256).
-- Roles and organisations grow with the business-management work.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL DEFAULT '',
    role          TEXT    NOT NULL,
    account_id    INTEGER NOT NULL DEFAULT 0,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE user_tokens (
    hash       BLOB    PRIMARY KEY,
    prefix     TEXT    NOT NULL DEFAULT '',
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL DEFAULT 0,
    revoked    INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX user_tokens_user ON user_tokens (user_id);
