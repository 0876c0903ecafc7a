-- Subscriptions (M8) and charging per subscriber and month (B1: monthly,
-- monthly_capped). Times in microseconds, money in li; month is yyyymm in
-- the platform's time zone.

-- A business type offered for subscription: users send DG+code / TD+code;
-- account_id is the service provider, who pushes and is charged.
CREATE TABLE sub_services (
    business   TEXT    PRIMARY KEY,
    code       TEXT    NOT NULL UNIQUE,
    account_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL DEFAULT 0
) STRICT;

-- One row per number and service, kept when cancelled (history);
-- re-subscribing makes it active again with a new since.
CREATE TABLE subscriptions (
    business     TEXT    NOT NULL,
    number       TEXT    NOT NULL,
    active       INTEGER NOT NULL DEFAULT 1,
    source       TEXT    NOT NULL DEFAULT '',
    since        INTEGER NOT NULL DEFAULT 0,
    cancelled_at INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (business, number)
) STRICT, WITHOUT ROWID;
CREATE INDEX subscriptions_number ON subscriptions (number);

-- What each number was charged per account, business type and month:
-- total li reserved or charged, monthly fees among them (0 or 1), and the
-- messages that carried a fee. Written by the accept transaction itself;
-- a released reservation gives back (sub_charges says how much).
CREATE TABLE sub_months (
    account_id INTEGER NOT NULL,
    business   TEXT    NOT NULL,
    month      INTEGER NOT NULL,
    number     TEXT    NOT NULL,
    total      INTEGER NOT NULL DEFAULT 0,
    monthly    INTEGER NOT NULL DEFAULT 0,
    messages   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, business, month, number)
) STRICT, WITHOUT ROWID;

-- Each message's part of a sub_months total (amount li, monthly 1 when it
-- carries the month's monthly fee); deleted when its reservation is
-- released without a charge.
CREATE TABLE sub_charges (
    message_id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    business   TEXT    NOT NULL,
    month      INTEGER NOT NULL,
    number     TEXT    NOT NULL,
    amount     INTEGER NOT NULL,
    monthly    INTEGER NOT NULL DEFAULT 0
) STRICT;
