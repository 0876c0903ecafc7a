-- Business rules, first part: prepaid/postpaid money with reservations and
-- a ledger, fees per business type, the blacklist, forbidden words and the
-- record of refusals.

-- reserved: fees of accepted messages not yet final (li); what may still be
-- spent is balance + credit_limit - reserved.
ALTER TABLE accounts ADD COLUMN reserved INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN credit_limit INTEGER NOT NULL DEFAULT 0;

-- fee: what the message costs when charged (li, all segments); charge_on:
-- '' free, 'delivered' or 'submitted'; charged: what was taken at its final state.
ALTER TABLE messages ADD COLUMN fee INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN charge_on TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN charged INTEGER NOT NULL DEFAULT 0;

ALTER TABLE business_types ADD COLUMN fee_per_segment INTEGER NOT NULL DEFAULT 0;
ALTER TABLE business_types ADD COLUMN charge_on TEXT NOT NULL DEFAULT 'delivered';

-- Every movement of a balance. Charges are one row per account per write
-- round (messages = how many); each message keeps its own charge in messages.charged.
CREATE TABLE ledger (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL,
    at            INTEGER NOT NULL DEFAULT 0,
    kind          TEXT    NOT NULL,
    amount        INTEGER NOT NULL,
    balance_after INTEGER NOT NULL,
    messages      INTEGER NOT NULL DEFAULT 0,
    note          TEXT    NOT NULL DEFAULT '',
    actor         TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX ledger_account ON ledger (account_id, id);

-- business '' = every business type.
CREATE TABLE blacklist (
    number     TEXT    NOT NULL,
    business   TEXT    NOT NULL DEFAULT '',
    reason     TEXT    NOT NULL DEFAULT '',
    source     TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (number, business)
) STRICT;

CREATE TABLE filter_words (
    id         INTEGER PRIMARY KEY,
    word       TEXT    NOT NULL UNIQUE,
    action     TEXT    NOT NULL,
    created_at INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Requests and numbers refused by a rule (blacklist, content filter, …),
-- counted against the sending account.
CREATE TABLE refusals (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    business   TEXT    NOT NULL DEFAULT '',
    kind       TEXT    NOT NULL,
    number     TEXT    NOT NULL DEFAULT '',
    detail     TEXT    NOT NULL DEFAULT '',
    at         INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX refusals_account ON refusals (account_id, at);
