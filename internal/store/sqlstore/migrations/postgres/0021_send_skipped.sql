-- What a console send left out before it started: contacts of a group
-- lacking a template's variable, rows of a file that were invalid,
-- duplicate or blacklisted. Shown on the batch page beside what was sent.
ALTER TABLE console_sends ADD COLUMN skipped BIGINT NOT NULL DEFAULT 0;
