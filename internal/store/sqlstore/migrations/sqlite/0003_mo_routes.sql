-- MO routes: a user's reply to a service code (and, optionally, starting
-- with a keyword) goes to one business of one account, pushed to the
-- route's URL (or the account's receive URL when empty).

CREATE TABLE mo_routes (
    id           INTEGER PRIMARY KEY,
    service_code TEXT    NOT NULL,
    keyword      TEXT    NOT NULL DEFAULT '',
    account_id   INTEGER NOT NULL,
    business     TEXT    NOT NULL DEFAULT '',
    url          TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (service_code, keyword)
) STRICT;

ALTER TABLE mo ADD COLUMN business TEXT NOT NULL DEFAULT '';
ALTER TABLE mo ADD COLUMN route_id INTEGER NOT NULL DEFAULT 0;
