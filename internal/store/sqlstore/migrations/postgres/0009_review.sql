-- The rest of the content filter (M4): the review queue and frequency limits.

-- A business type's frequency limit: at most freq_limit messages to one
-- number within freq_window_us (0 = no limit).
ALTER TABLE business_types ADD COLUMN freq_limit BIGINT  NOT NULL DEFAULT 0;
ALTER TABLE business_types ADD COLUMN freq_window_us BIGINT  NOT NULL DEFAULT 0;

-- One row per request held for review, written by the accept transaction;
-- its messages wait in state 'held'. decided_at = 0 while waiting.
-- words: the review words found, as a JSON array.
CREATE TABLE holds (
    batch_id   BIGINT  PRIMARY KEY,
    account_id BIGINT  NOT NULL,
    business   TEXT    NOT NULL DEFAULT '',
    src        TEXT    NOT NULL DEFAULT '',
    content    TEXT    NOT NULL DEFAULT '',
    words      TEXT    NOT NULL DEFAULT '[]',
    messages   BIGINT  NOT NULL DEFAULT 0,
    held_at    BIGINT  NOT NULL DEFAULT 0,
    decision   TEXT    NOT NULL DEFAULT '',
    decided_by TEXT    NOT NULL DEFAULT '',
    decided_at BIGINT  NOT NULL DEFAULT 0,
    reason     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX holds_waiting ON holds (held_at, batch_id) WHERE decided_at = 0;
CREATE INDEX holds_decided ON holds (decided_at, batch_id) WHERE decided_at <> 0;

-- The messages that count against frequency limits: one row per message
-- of a limited business type accepted (not refused), at its acceptance.
-- Rows older than every window are pruned.
CREATE TABLE freq_sends (
    business   TEXT    NOT NULL,
    to_number  TEXT    NOT NULL,
    at         BIGINT  NOT NULL,
    message_id BIGINT  NOT NULL,
    PRIMARY KEY (business, to_number, at, message_id)
);
CREATE INDEX freq_sends_at ON freq_sends (at);
