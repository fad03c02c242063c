-- Version 5: deleting a contact or an opportunity, and retracting a touch, are events that can
-- be undone. The rows they remove move here with why they went (`Removal` in lib.rs), so the
-- live tables and every query on them stay as they were, and a restore moves them back.
-- Link rows (job_contacts, touch_contacts) stay: every read joins them to a live table.
CREATE TABLE removed_contacts (
    owner INTEGER NOT NULL,
    id    INTEGER NOT NULL,
    name  TEXT    NOT NULL,
    data  TEXT    NOT NULL,
    why   TEXT    NOT NULL,
    PRIMARY KEY (owner, id)
) WITHOUT ROWID;

CREATE TABLE removed_jobs (
    owner  INTEGER NOT NULL,
    id     INTEGER NOT NULL,
    org_id INTEGER NOT NULL,
    title  TEXT    NOT NULL,
    stage  TEXT    NOT NULL,
    data   TEXT    NOT NULL,
    why    TEXT    NOT NULL,
    PRIMARY KEY (owner, id)
) WITHOUT ROWID;

CREATE TABLE removed_touches (
    owner  INTEGER NOT NULL,
    id     INTEGER NOT NULL,
    date   TEXT    NOT NULL,
    job_id INTEGER,
    data   TEXT    NOT NULL,
    why    TEXT    NOT NULL,
    PRIMARY KEY (owner, id)
) WITHOUT ROWID;
CREATE INDEX removed_touches_why ON removed_touches(owner, why);
