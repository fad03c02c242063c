-- Version 2: per-owner settings that are not part of the job search's story (the calendar feed's
-- secret token). Not events: a secret must not travel in an export.
CREATE TABLE settings (
    owner INTEGER NOT NULL,
    key   TEXT    NOT NULL,
    value TEXT    NOT NULL,
    PRIMARY KEY (owner, key)
) WITHOUT ROWID;
