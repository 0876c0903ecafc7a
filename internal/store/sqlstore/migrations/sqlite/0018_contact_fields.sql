-- Custom fields of address-book contacts (单位, 地址, 生日 …): a contact's
-- own name → value pairs. group_id is the contact's group, kept here so
-- that a group's columns (its fields' names) and its deletion need no join.
CREATE TABLE contact_fields (
    contact_id INTEGER NOT NULL REFERENCES contacts (id),
    group_id   INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    value      TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (contact_id, name)
) STRICT;
CREATE INDEX contact_fields_group ON contact_fields (group_id, name);
