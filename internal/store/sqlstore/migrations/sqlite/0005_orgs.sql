-- Organisations (province → city → county) and who belongs where: every
-- sending account and every user hangs off an organisation; a partner
-- company is an account of kind 'partner' managed by an organisation.

CREATE TABLE orgs (
    id         INTEGER PRIMARY KEY,
    parent_id  INTEGER NOT NULL DEFAULT 0,
    level      INTEGER NOT NULL,
    code       TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX orgs_parent ON orgs (parent_id);

ALTER TABLE accounts ADD COLUMN org_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN kind TEXT NOT NULL DEFAULT 'unit';
ALTER TABLE users ADD COLUMN org_id INTEGER NOT NULL DEFAULT 0;
