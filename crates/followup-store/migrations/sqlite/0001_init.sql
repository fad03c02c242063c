-- followup's SQLite schema, version 1. Migrations are append-only: never edit a shipped file.
-- Every table carries `owner`: a transaction for one owner never reads another's rows.
-- Tables keyed by (owner, ...) are WITHOUT ROWID: clustered on that key, so one owner's rows
-- are read in key order without a second look-up per row.

CREATE TABLE owners (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);
INSERT INTO owners (id, name) VALUES (1, 'me');

-- The log: every change, in order. The tables below are what it implies.
CREATE TABLE events (
    seq         INTEGER PRIMARY KEY,
    owner       INTEGER NOT NULL REFERENCES owners(id),
    recorded_on TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    payload     TEXT    NOT NULL
);
CREATE INDEX events_owner ON events(owner, seq);

CREATE TABLE organizations (
    owner INTEGER NOT NULL,
    id    INTEGER NOT NULL,
    name  TEXT    NOT NULL,
    PRIMARY KEY (owner, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX organizations_name ON organizations(owner, name COLLATE NOCASE);

CREATE TABLE contacts (
    owner INTEGER NOT NULL,
    id    INTEGER NOT NULL,
    name  TEXT    NOT NULL,
    data  TEXT    NOT NULL,
    PRIMARY KEY (owner, id)
) WITHOUT ROWID;
CREATE INDEX contacts_name ON contacts(owner, name COLLATE NOCASE);

CREATE TABLE jobs (
    owner  INTEGER NOT NULL,
    id     INTEGER NOT NULL,
    org_id INTEGER NOT NULL,
    title  TEXT    NOT NULL,
    stage  TEXT    NOT NULL,
    data   TEXT    NOT NULL,
    PRIMARY KEY (owner, id)
) WITHOUT ROWID;
CREATE INDEX jobs_stage ON jobs(owner, stage);

CREATE TABLE job_contacts (
    owner      INTEGER NOT NULL,
    job_id     INTEGER NOT NULL,
    contact_id INTEGER NOT NULL,
    PRIMARY KEY (owner, contact_id, job_id)
) WITHOUT ROWID;

CREATE TABLE touches (
    owner  INTEGER NOT NULL,
    id     INTEGER NOT NULL,
    date   TEXT    NOT NULL,
    job_id INTEGER,
    data   TEXT    NOT NULL,
    PRIMARY KEY (owner, id)
) WITHOUT ROWID;
CREATE INDEX touches_job ON touches(owner, job_id, date);

CREATE TABLE touch_contacts (
    owner      INTEGER NOT NULL,
    contact_id INTEGER NOT NULL,
    touch_id   INTEGER NOT NULL,
    PRIMARY KEY (owner, contact_id, touch_id)
) WITHOUT ROWID;

CREATE TABLE snoozes (
    owner   INTEGER NOT NULL,
    seq     INTEGER NOT NULL,
    subject TEXT    NOT NULL,
    key     TEXT    NOT NULL,
    data    TEXT    NOT NULL,
    PRIMARY KEY (owner, subject, seq)
) WITHOUT ROWID;

-- The derived plan. Keys give each item a short number that survives a full replan.
CREATE TABLE plan_keys (
    owner INTEGER NOT NULL,
    id    INTEGER NOT NULL,
    key   TEXT    NOT NULL,
    PRIMARY KEY (owner, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX plan_keys_key ON plan_keys(owner, key);

-- Clustered on (owner, kind, due, id): the agenda, "follow-ups due by D", is one ordered
-- range read.
CREATE TABLE plan (
    owner   INTEGER NOT NULL,
    kind    TEXT    NOT NULL,   -- 'follow-up' or 'occasion'
    due     TEXT    NOT NULL,   -- natural due date; for occasions the recorded date
    id      INTEGER NOT NULL,
    subject TEXT    NOT NULL,
    md      INTEGER NOT NULL,   -- month * 100 + day, for finding occasions in a window
    data    TEXT    NOT NULL,
    PRIMARY KEY (owner, kind, due, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX plan_id ON plan(owner, id);
CREATE INDEX plan_subject ON plan(owner, subject);
CREATE INDEX plan_md ON plan(owner, kind, md);
