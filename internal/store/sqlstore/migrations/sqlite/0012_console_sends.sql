-- The console's sends (web send, file import): one row per submission,
-- tied to every batch the core made for it. A send's id is its first
-- batch's. A file of 100,000 numbers makes ten batches (the core takes at
-- most 10,000 numbers per request), a personalised file one per distinct
-- text: the send is what the console's batch page shows as one.
CREATE TABLE console_sends (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id),
    user_id     INTEGER NOT NULL DEFAULT 0,
    username    TEXT    NOT NULL DEFAULT '',
    kind        TEXT    NOT NULL,
    business    TEXT    NOT NULL DEFAULT '',
    content     TEXT    NOT NULL DEFAULT '',
    file_name   TEXT    NOT NULL DEFAULT '',
    total       INTEGER NOT NULL DEFAULT 0,
    accepted    INTEGER NOT NULL DEFAULT 0,
    refused     INTEGER NOT NULL DEFAULT 0,
    schedule_at INTEGER NOT NULL DEFAULT 0,
    state       TEXT    NOT NULL,
    error       TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL DEFAULT 0,
    updated_at  INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX console_sends_account ON console_sends (account_id, id);

CREATE TABLE console_send_batches (
    send_id  INTEGER NOT NULL,
    batch_id INTEGER NOT NULL,
    PRIMARY KEY (send_id, batch_id)
) STRICT, WITHOUT ROWID;
