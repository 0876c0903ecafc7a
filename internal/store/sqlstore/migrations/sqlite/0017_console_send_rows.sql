-- Durable console sends (H2): the units a send hands to the core (the
-- numbers that share a text, or a template's rows, at most a request's
-- worth) are stored when the send starts, so that a run cut short by a
-- crash or a restart is continued from its first unfinished unit, by this
-- node or another. A run is owned through a lease (node, token, expiry)
-- renewed while it runs; ready = 1 once every unit is stored. Both tables
-- lose the send's rows when it finishes.
CREATE TABLE console_send_runs (
    send_id     INTEGER PRIMARY KEY,
    template    TEXT    NOT NULL DEFAULT '',
    personal    INTEGER NOT NULL DEFAULT 0,
    units       INTEGER NOT NULL DEFAULT 0,
    ready       INTEGER NOT NULL DEFAULT 0,
    lease_node  INTEGER NOT NULL DEFAULT 0,
    lease_token TEXT    NOT NULL DEFAULT '',
    lease_until INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX console_send_runs_lease ON console_send_runs (lease_until);

-- numbers: the unit's numbers joined by ","; vars: a template's variables
-- per number as a JSON array ('' = free text); n: how many numbers; code:
-- the refusal that refused the unit ('' = accepted, or not done yet).
CREATE TABLE console_send_units (
    send_id INTEGER NOT NULL,
    unit    INTEGER NOT NULL,
    text    TEXT    NOT NULL DEFAULT '',
    numbers TEXT    NOT NULL,
    vars    TEXT    NOT NULL DEFAULT '',
    n       INTEGER NOT NULL DEFAULT 0,
    done    INTEGER NOT NULL DEFAULT 0,
    code    TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (send_id, unit)
) STRICT;
