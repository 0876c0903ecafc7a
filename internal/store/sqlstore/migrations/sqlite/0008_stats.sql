-- Statistics (B4) and settlement (B3): counters kept by the hot path in
-- the same transactions as the messages they count (see store/stats.go).
--
-- A series is one combination of account, business type, operator,
-- gateway and state ('accepted' = every message accepted; 'submitted' =
-- segments, and messages whole, the operator accepted; or the final state
-- messages went to); created the first time it is counted, never changed.
-- The counters are per series and hour, and the same counts summed per
-- day and per month, so that a month's report reads the daily rows and a
-- year's the monthly ones: only the edges of a range that are not whole
-- days read hours. bucket: unix seconds of the start of the hour / day /
-- month in Asia/Shanghai (UTC+8). fees: li charged.
CREATE TABLE stats_series (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    business   TEXT    NOT NULL DEFAULT '',
    operator   TEXT    NOT NULL DEFAULT '',
    gateway    TEXT    NOT NULL DEFAULT '',
    state      TEXT    NOT NULL
) STRICT;
CREATE UNIQUE INDEX stats_series_key ON stats_series (account_id, business, operator, gateway, state);

CREATE TABLE stats_hourly (
    bucket   INTEGER NOT NULL,
    series   INTEGER NOT NULL,
    messages INTEGER NOT NULL DEFAULT 0,
    segments INTEGER NOT NULL DEFAULT 0,
    fees     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, series)
) STRICT, WITHOUT ROWID;

CREATE TABLE stats_daily (
    bucket   INTEGER NOT NULL,
    series   INTEGER NOT NULL,
    messages INTEGER NOT NULL DEFAULT 0,
    segments INTEGER NOT NULL DEFAULT 0,
    fees     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, series)
) STRICT, WITHOUT ROWID;

CREATE TABLE stats_monthly (
    bucket   INTEGER NOT NULL,
    series   INTEGER NOT NULL,
    messages INTEGER NOT NULL DEFAULT 0,
    segments INTEGER NOT NULL DEFAULT 0,
    fees     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, series)
) STRICT, WITHOUT ROWID;

-- The messages stored before this version, counted once by the same rules
-- (times are unix microseconds).
CREATE TEMP TABLE stats_backfill AS
SELECT created_at / 3600000000 * 3600 AS bucket, account_id, business, operator, '' AS gateway,
       'accepted' AS state, 1 AS messages, segments, 0 AS fees
FROM messages
UNION ALL
SELECT done_at / 3600000000 * 3600, account_id, business, operator, gateway, state, 1, segments, charged
FROM messages WHERE done_at <> 0
UNION ALL
SELECT submitted_at / 3600000000 * 3600, account_id, business, operator, gateway, 'submitted', 1, 0, 0
FROM messages WHERE submitted_at <> 0
UNION ALL
SELECT s.submitted_at / 3600000000 * 3600, m.account_id, m.business, m.operator, s.gateway, 'submitted', 0, 1, 0
FROM segments s JOIN messages m ON m.id = s.message_id WHERE s.submitted_at <> 0;

INSERT INTO stats_series (account_id, business, operator, gateway, state)
SELECT DISTINCT account_id, business, operator, gateway, state FROM stats_backfill
ORDER BY account_id, business, operator, gateway, state;

INSERT INTO stats_hourly (bucket, series, messages, segments, fees)
SELECT b.bucket, s.id, SUM(b.messages), SUM(b.segments), SUM(b.fees)
FROM stats_backfill b JOIN stats_series s ON s.account_id = b.account_id AND s.business = b.business
 AND s.operator = b.operator AND s.gateway = b.gateway AND s.state = b.state
GROUP BY b.bucket, s.id;

DROP TABLE stats_backfill;

INSERT INTO stats_daily (bucket, series, messages, segments, fees)
SELECT (bucket + 28800) / 86400 * 86400 - 28800, series, SUM(messages), SUM(segments), SUM(fees)
FROM stats_hourly GROUP BY 1, 2;

INSERT INTO stats_monthly (bucket, series, messages, segments, fees)
SELECT CAST(strftime('%s', bucket + 28800, 'unixepoch', 'start of month') AS INTEGER) - 28800,
       series, SUM(messages), SUM(segments), SUM(fees)
FROM stats_daily GROUP BY 1, 2;
