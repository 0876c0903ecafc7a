-- Running the SMS business: business types fully administrable (charging
-- mode, status-report need, service code and MO keywords, sending hours),
-- grants of business types to organisations and accounts, and the access
-- limits of (partner) accounts with a durable count of messages per day.

-- charge_mode: per_message, monthly, monthly_capped or free; monthly_fee
-- and monthly_cap in li. send_from/send_until: minutes after midnight in
-- the platform's time zone (equal = any time). mo_keywords: normalised,
-- comma-separated.
ALTER TABLE business_types ADD COLUMN charge_mode TEXT NOT NULL DEFAULT 'per_message';
ALTER TABLE business_types ADD COLUMN monthly_fee INTEGER NOT NULL DEFAULT 0;
ALTER TABLE business_types ADD COLUMN monthly_cap INTEGER NOT NULL DEFAULT 0;
ALTER TABLE business_types ADD COLUMN report_required INTEGER NOT NULL DEFAULT 1;
ALTER TABLE business_types ADD COLUMN service_code TEXT NOT NULL DEFAULT '';
ALTER TABLE business_types ADD COLUMN mo_keywords TEXT NOT NULL DEFAULT '';
ALTER TABLE business_types ADD COLUMN send_from INTEGER NOT NULL DEFAULT 0;
ALTER TABLE business_types ADD COLUMN send_until INTEGER NOT NULL DEFAULT 0;

-- Which business types an organisation ('org') or an account ('account')
-- may use; business '*' = every type, present and future.
CREATE TABLE business_grants (
    subject    TEXT    NOT NULL,
    subject_id INTEGER NOT NULL,
    business   TEXT    NOT NULL,
    created_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (subject, subject_id, business)
) STRICT, WITHOUT ROWID;
-- Accounts that exist before grants keep sending whatever they could.
INSERT INTO business_grants (subject, subject_id, business, created_at) SELECT 'account', id, '*', 0 FROM accounts;

-- ip_allow: comma-separated CIDRs ('' = any address); tps_limit: messages
-- per second; daily_quota: messages per day (0 = no limit).
CREATE TABLE account_limits (
    account_id  INTEGER PRIMARY KEY,
    ip_allow    TEXT    NOT NULL DEFAULT '',
    tps_limit   INTEGER NOT NULL DEFAULT 0,
    daily_quota INTEGER NOT NULL DEFAULT 0,
    updated_at  INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Messages accepted per account and day (yyyymmdd in the platform's time
-- zone), written by the accept transaction itself.
CREATE TABLE account_daily (
    account_id INTEGER NOT NULL,
    day        INTEGER NOT NULL,
    messages   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, day)
) STRICT, WITHOUT ROWID;
