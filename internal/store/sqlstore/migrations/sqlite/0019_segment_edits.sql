-- Edits of the number segment table (号段) kept on top of the data file:
-- prefix → operator and ported numbers (携号转网) → operator, operator ''
-- meaning removed. segment_edit_version moves at every change so that
-- every node notices and rebuilds its routing table.
CREATE TABLE segment_edits (
    kind       TEXT    NOT NULL,
    seg_key    TEXT    NOT NULL,
    operator   TEXT    NOT NULL DEFAULT '',
    updated_by TEXT    NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, seg_key)
) STRICT, WITHOUT ROWID;

CREATE TABLE segment_edit_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
) STRICT;

INSERT INTO segment_edit_version (id, version) VALUES (1, 0);
