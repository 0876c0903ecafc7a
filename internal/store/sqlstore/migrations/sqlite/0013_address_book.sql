-- The address book (A7): groups of contacts, personal (owner_id: a user)
-- or shared (org_id: an organisation, seen by its subtree's users). A
-- number is in a group once; a group's name is unique per owner.
CREATE TABLE contact_groups (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    owner_id   INTEGER NOT NULL DEFAULT 0,
    org_id     INTEGER NOT NULL DEFAULT 0,
    note       TEXT    NOT NULL DEFAULT '',
    created_by TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE UNIQUE INDEX contact_groups_name ON contact_groups (owner_id, org_id, name);
CREATE INDEX contact_groups_org ON contact_groups (org_id);

CREATE TABLE contacts (
    id         INTEGER PRIMARY KEY,
    group_id   INTEGER NOT NULL REFERENCES contact_groups (id),
    number     TEXT    NOT NULL,
    name       TEXT    NOT NULL DEFAULT '',
    note       TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE UNIQUE INDEX contacts_number ON contacts (group_id, number);
CREATE INDEX contacts_group ON contacts (group_id, id);

-- The console's inbox (P2) shows the conversation with one number: its
-- MO by sender, newest first.
CREATE INDEX mo_from ON mo (from_number, id);
