-- Signatures and templates (issue 4 item 4): a sending unit's signatures
-- (【中国邮政】) and message templates with {variables}, each owned by an
-- account (account_id) or an organisation (org_id, account_id 0), and
-- approved or rejected by a platform administrator. Times in microseconds.

CREATE TABLE signatures (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL DEFAULT 0,
    org_id      INTEGER NOT NULL DEFAULT 0,
    text        TEXT    NOT NULL,
    is_default  INTEGER NOT NULL DEFAULT 0,
    state       TEXT    NOT NULL DEFAULT 'pending',
    reason      TEXT    NOT NULL DEFAULT '',
    created_by  TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL DEFAULT 0,
    reviewed_by TEXT    NOT NULL DEFAULT '',
    reviewed_at INTEGER NOT NULL DEFAULT 0,
    UNIQUE (account_id, org_id, text)
) STRICT;

CREATE TABLE templates (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL DEFAULT 0,
    org_id      INTEGER NOT NULL DEFAULT 0,
    code        TEXT    NOT NULL,
    business    TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'pending',
    reason      TEXT    NOT NULL DEFAULT '',
    created_by  TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL DEFAULT 0,
    reviewed_by TEXT    NOT NULL DEFAULT '',
    reviewed_at INTEGER NOT NULL DEFAULT 0,
    UNIQUE (account_id, org_id, code)
) STRICT;

-- One row whose version every write of a signature or template raises,
-- so that each node's cache notices a change with one cheap read.
CREATE TABLE template_version (
    id      INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO template_version (id, version) VALUES (1, 0);

-- Business types: a template may be required (free text refused), the
-- unit's signature put before or after the text ('none', 'prefix',
-- 'suffix'), and an unsubscribe text appended (回T退订).
ALTER TABLE business_types ADD COLUMN template_required INTEGER NOT NULL DEFAULT 0;
ALTER TABLE business_types ADD COLUMN signature TEXT NOT NULL DEFAULT 'none';
ALTER TABLE business_types ADD COLUMN unsubscribe_text TEXT NOT NULL DEFAULT '';
