-- Hongyan schema, SQLite. Times are unix microseconds (0 = unset), durations
-- microseconds, booleans 0/1: the same representation on every database.
-- STRICT makes SQLite refuse a value of the wrong type, as PostgreSQL would.
-- Statements end with ';' at the end of a line (see migrate.go).

CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,
    balance       INTEGER NOT NULL DEFAULT 0,
    service_code  TEXT    NOT NULL DEFAULT '',
    callback_url  TEXT    NOT NULL DEFAULT '',
    secret        TEXT    NOT NULL DEFAULT '',
    password_hash TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE api_keys (
    hash       BLOB    PRIMARY KEY,
    prefix     TEXT    NOT NULL DEFAULT '',
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    created_at INTEGER NOT NULL DEFAULT 0,
    revoked    INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX api_keys_account ON api_keys (account_id);

CREATE TABLE business_types (
    code              TEXT    PRIMARY KEY,
    name              TEXT    NOT NULL DEFAULT '',
    priority          INTEGER NOT NULL DEFAULT 0,
    max_retries       INTEGER NOT NULL DEFAULT 0,
    retry_interval_us INTEGER NOT NULL DEFAULT 0,
    max_segments      INTEGER NOT NULL DEFAULT 0,
    at_least_once     INTEGER NOT NULL DEFAULT 0,
    validity_us       INTEGER NOT NULL DEFAULT 0,
    enabled           INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE batches (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    client_ref TEXT    NOT NULL DEFAULT '',
    total      INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL DEFAULT 0
) STRICT;
-- The idempotency key: one batch per (account, client_ref) when a ref is given.
CREATE UNIQUE INDEX batches_client_ref ON batches (account_id, client_ref) WHERE client_ref <> '';

CREATE TABLE messages (
    id            INTEGER PRIMARY KEY,
    batch_id      INTEGER NOT NULL REFERENCES batches (id),
    account_id    INTEGER NOT NULL REFERENCES accounts (id),
    to_number     TEXT    NOT NULL,
    src           TEXT    NOT NULL DEFAULT '',
    content       TEXT    NOT NULL DEFAULT '',
    business      TEXT    NOT NULL DEFAULT '',
    priority      INTEGER NOT NULL DEFAULT 0,
    segments      INTEGER NOT NULL DEFAULT 1,
    operator      TEXT    NOT NULL DEFAULT '',
    gateway       TEXT    NOT NULL DEFAULT '',
    state         TEXT    NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_attempt  INTEGER NOT NULL DEFAULT 0,
    schedule_at   INTEGER NOT NULL DEFAULT 0,
    in_flight     INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL DEFAULT 0,
    submitted_at  INTEGER NOT NULL DEFAULT 0,
    done_at       INTEGER NOT NULL DEFAULT 0,
    operator_code TEXT    NOT NULL DEFAULT '',
    -- Timeline lines kept on the row instead of in events (see events).
    accept_ev     INTEGER NOT NULL DEFAULT 0,  -- line id of the accept line (0 = none here)
    accept_note   TEXT    NOT NULL DEFAULT '', -- its detail; its time is created_at
    queue_ev      INTEGER NOT NULL DEFAULT 0,  -- line id of "queued" for attempt 1 (0 = none here)
    queued_at     INTEGER NOT NULL DEFAULT 0,  -- its time; its gateway and operator are the row's
    final_seg     INTEGER NOT NULL DEFAULT 0   -- seq whose report made the message final (0 = none)
) STRICT;
CREATE INDEX messages_account_to ON messages (account_id, to_number, id);
CREATE INDEX messages_batch ON messages (batch_id, id);
-- Pending (not final) messages, for recovery. Invariant kept by the store:
-- done_at = 0 exactly while the state is not final. Keyed on done_at rather
-- than state because done_at is written once, at the final transition, so
-- the accepted → queued → submitted updates never touch this index (a
-- partial index on state costs every one of them a delete and an insert).
CREATE INDEX messages_pending ON messages (created_at, id) WHERE done_at = 0;

-- No foreign key to messages: segments are written only by the store's
-- hot paths (MarkQueued, RecordSubmits), each for a message it has just read
-- in the same transaction, and messages are never deleted; the check would
-- cost a look-up of the message on every segment written.
CREATE TABLE segments (
    message_id   INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    gateway      TEXT    NOT NULL DEFAULT '',
    op_msg_id    TEXT    NOT NULL DEFAULT '',
    state        TEXT    NOT NULL,
    code         TEXT    NOT NULL DEFAULT '',
    submitted_at INTEGER NOT NULL DEFAULT 0,
    done_at      INTEGER NOT NULL DEFAULT 0,
    submit_ev    INTEGER NOT NULL DEFAULT 0,  -- line id of "submitted" (0 = none here)
    submit_code  TEXT    NOT NULL DEFAULT '', -- its result code (code is the report's later)
    report_ev    INTEGER NOT NULL DEFAULT 0,  -- line id of the final "report" (0 = none here)
    PRIMARY KEY (message_id, seq)
) STRICT, WITHOUT ROWID;
-- Report matching by operator id; the gateway in the key lets matching
-- read the index alone. (A segment has a row once its submit is answered,
-- so nearly every row has an operator id: see MarkQueued.)
CREATE INDEX segments_op_msg_id ON segments (op_msg_id, gateway);

-- A message's timeline (?trace=1). The routine lines every message has are
-- not rows here: "accepted", "queued" (attempt 1), "submitted" (per segment)
-- and the final "report" (per segment) are kept in columns of the message
-- and segment rows the hot paths write anyway (accept_ev, queue_ev,
-- submit_ev, report_ev and the data beside them), which saves four rows and
-- four index entries per message. What is not routine (retries, refusals,
-- finishes, reports not final, recovery, callers' lines) is a row here. Every
-- line, here or there, has an id from one sequence, so Events merges them in
-- the order they were written; a line kept on a row whose data is about to
-- change (the first "queued" when a message is queued again) is first moved
-- here with its id.
-- Line ids come from the counters row 'timeline' (read and advanced by
-- the one writer in each write transaction).
CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES messages (id),
    at         INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    segment    INTEGER NOT NULL DEFAULT 0,
    detail     TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX events_message ON events (message_id);

-- Counters the store allocates from (the timeline's line ids).
CREATE TABLE counters (
    name  TEXT    PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT;
INSERT INTO counters (name, value) VALUES ('timeline', 1);

-- Reports whose operator id matched no segment (yet): kept, never dropped.
CREATE TABLE unmatched_reports (
    id          INTEGER PRIMARY KEY,
    gateway     TEXT    NOT NULL DEFAULT '',
    op_msg_id   TEXT    NOT NULL,
    state       TEXT    NOT NULL DEFAULT '',
    code        TEXT    NOT NULL DEFAULT '',
    to_number   TEXT    NOT NULL DEFAULT '',
    at          INTEGER NOT NULL DEFAULT 0,
    received_at INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX unmatched_reports_op_msg_id ON unmatched_reports (op_msg_id);

CREATE TABLE mo (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL DEFAULT 0,
    from_number TEXT    NOT NULL DEFAULT '',
    to_number   TEXT    NOT NULL DEFAULT '',
    content     TEXT    NOT NULL DEFAULT '',
    operator    TEXT    NOT NULL DEFAULT '',
    gateway     TEXT    NOT NULL DEFAULT '',
    keyword     TEXT    NOT NULL DEFAULT '',
    received_at INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX mo_account ON mo (account_id, id);

CREATE TABLE pushes (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL DEFAULT 0,
    kind       TEXT    NOT NULL,
    ref_id     INTEGER NOT NULL DEFAULT 0,
    url        TEXT    NOT NULL DEFAULT '',
    body       BLOB    NOT NULL DEFAULT x'',
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    INTEGER NOT NULL DEFAULT 0,
    done       INTEGER NOT NULL DEFAULT 0,
    last_error TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX pushes_due ON pushes (next_at, id) WHERE done = 0;
CREATE INDEX pushes_ref ON pushes (ref_id, kind);

CREATE TABLE push_attempts (
    id          INTEGER PRIMARY KEY,
    push_id     INTEGER NOT NULL REFERENCES pushes (id),
    at          INTEGER NOT NULL DEFAULT 0,
    http_status INTEGER NOT NULL DEFAULT 0,
    error       TEXT    NOT NULL DEFAULT '',
    duration_us INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX push_attempts_push ON push_attempts (push_id, id);
