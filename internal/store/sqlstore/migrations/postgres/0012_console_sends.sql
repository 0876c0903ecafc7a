-- The console's sends (web send, file import): one row per submission,
-- tied to every batch the core made for it. A send's id is its first
-- batch's. A file of 100,000 numbers makes ten batches (the core takes at
-- most 10,000 numbers per request), a personalised file one per distinct
-- text: the send is what the console's batch page shows as one.
CREATE TABLE console_sends (
    id          BIGINT  PRIMARY KEY,
    account_id  BIGINT  NOT NULL REFERENCES accounts (id),
    user_id     BIGINT  NOT NULL DEFAULT 0,
    username    TEXT    NOT NULL DEFAULT '',
    kind        TEXT    NOT NULL,
    business    TEXT    NOT NULL DEFAULT '',
    content     TEXT    NOT NULL DEFAULT '',
    file_name   TEXT    NOT NULL DEFAULT '',
    total       BIGINT  NOT NULL DEFAULT 0,
    accepted    BIGINT  NOT NULL DEFAULT 0,
    refused     BIGINT  NOT NULL DEFAULT 0,
    schedule_at BIGINT  NOT NULL DEFAULT 0,
    state       TEXT    NOT NULL,
    error       TEXT    NOT NULL DEFAULT '',
    created_at  BIGINT  NOT NULL DEFAULT 0,
    updated_at  BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX console_sends_account ON console_sends (account_id, id);

CREATE TABLE console_send_batches (
    send_id  BIGINT NOT NULL,
    batch_id BIGINT NOT NULL,
    PRIMARY KEY (send_id, batch_id)
);
