-- Enterprise customers (A6): companies an organisation serves, and the
-- sending accounts that carry their traffic (reports by customer sum
-- those accounts' statistics counters).
CREATE TABLE enterprises (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL DEFAULT 0,
    name       TEXT    NOT NULL,
    contact    TEXT    NOT NULL DEFAULT '',
    phone      TEXT    NOT NULL DEFAULT '',
    address    TEXT    NOT NULL DEFAULT '',
    note       TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL DEFAULT 0,
    UNIQUE (org_id, name)
) STRICT;

CREATE TABLE enterprise_accounts (
    enterprise_id INTEGER NOT NULL,
    account_id    INTEGER NOT NULL,
    PRIMARY KEY (enterprise_id, account_id)
) STRICT, WITHOUT ROWID;
