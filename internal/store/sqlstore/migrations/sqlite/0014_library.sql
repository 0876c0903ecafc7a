-- The number library (A5): categories owned by an organisation, their
-- numbers with region and tags, and the organisations a category is
-- granted to. Tags are kept as ",a,b," so that one tag is a LIKE '%,a,%'.
CREATE TABLE number_categories (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL DEFAULT 0,
    name       TEXT    NOT NULL,
    note       TEXT    NOT NULL DEFAULT '',
    created_by TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL DEFAULT 0,
    UNIQUE (org_id, name)
) STRICT;

CREATE TABLE number_entries (
    category_id INTEGER NOT NULL,
    number      TEXT    NOT NULL,
    province    TEXT    NOT NULL DEFAULT '',
    city        TEXT    NOT NULL DEFAULT '',
    operator    TEXT    NOT NULL DEFAULT '',
    tags        TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (category_id, number)
) STRICT, WITHOUT ROWID;
CREATE INDEX number_entries_region ON number_entries (province, city, category_id);
CREATE INDEX number_entries_number ON number_entries (number);

CREATE TABLE number_grants (
    category_id INTEGER NOT NULL,
    org_id      INTEGER NOT NULL,
    PRIMARY KEY (category_id, org_id)
) STRICT, WITHOUT ROWID;

-- Customer information (A9): one record per organisation and phone.
CREATE TABLE customers (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL DEFAULT 0,
    phone      TEXT    NOT NULL,
    name       TEXT    NOT NULL DEFAULT '',
    occupation TEXT    NOT NULL DEFAULT '',
    age        INTEGER NOT NULL DEFAULT 0,
    income     TEXT    NOT NULL DEFAULT '',
    fields     TEXT    NOT NULL DEFAULT '',
    source     TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL DEFAULT 0,
    UNIQUE (org_id, phone)
) STRICT;
CREATE INDEX customers_org ON customers (org_id, id);

-- Survey keywords: a reply "KEYWORD name occupation age income" to an
-- account of the organisation (or one below it) fills a customer record.
CREATE TABLE surveys (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL DEFAULT 0,
    keyword    TEXT    NOT NULL,
    reply      TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL DEFAULT 0,
    UNIQUE (org_id, keyword)
) STRICT;
