-- Administration: login tokens that expire, failed logins kept across
-- restarts and nodes (the lockout), and the audit log of every
-- administrative change.

-- expires_at: unix µs after which the token no longer works; 0 = never
-- (the demo's printed token, tokens made by the CLI's operator).
ALTER TABLE user_tokens ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0;

-- Failed logins per name typed, whether or not such a user exists, so the
-- lock reveals nothing. failures count from first_at; a name is refused
-- until locked_until. A success deletes the row.
CREATE TABLE login_failures (
    name         TEXT    PRIMARY KEY,
    failures     INTEGER NOT NULL DEFAULT 0,
    first_at     INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Who changed what, with the object before and after (JSON). Written in the
-- same transaction as the change; never updated or deleted. org_id is the
-- organisation the object belongs to (0 = platform-wide), for scoping.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    user_id     INTEGER NOT NULL DEFAULT 0,
    username    TEXT    NOT NULL DEFAULT '',
    action      TEXT    NOT NULL,
    object_type TEXT    NOT NULL,
    object_id   TEXT    NOT NULL DEFAULT '',
    org_id      INTEGER NOT NULL DEFAULT 0,
    before_json TEXT    NOT NULL DEFAULT '',
    after_json  TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_log_object ON audit_log (object_type, object_id, id);
CREATE INDEX audit_log_user ON audit_log (username, id);
CREATE INDEX audit_log_org ON audit_log (org_id, id);

