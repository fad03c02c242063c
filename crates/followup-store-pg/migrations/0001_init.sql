-- followup's PostgreSQL schema, version 1: the tables of SQLite's migrations 1 to 5 together
-- (crates/followup-store/migrations/sqlite), holding the same JSON. Migrations are append-only:
-- never edit a shipped file, add the next one.
--
-- Every table carries `owner`, and row-level security (at the end) holds each transaction to
-- the owner in the transaction-local setting `followup.owner`, whatever a query forgets.
--
-- Text is `COLLATE "C"` throughout: byte order, as SQLite's BINARY, whatever locale the
-- database was created with (ISO dates compare as dates), and lower() on it folds ASCII only,
-- as SQLite's NOCASE does; name look-ups go through lower() indexes.

CREATE TABLE owners (
    id      bigint PRIMARY KEY,
    name    text COLLATE "C" NOT NULL,
    -- Moved by every committed write of the owner: caches of derived views key on it.
    version bigint NOT NULL DEFAULT 0
);

-- The log: every change, in order. The tables below are what it implies.
CREATE TABLE events (
    seq         bigserial PRIMARY KEY,
    owner       bigint NOT NULL REFERENCES owners(id),
    recorded_on text COLLATE "C" NOT NULL,
    kind        text COLLATE "C" NOT NULL,
    payload     text COLLATE "C" NOT NULL
);
CREATE INDEX events_owner ON events(owner, seq);

CREATE TABLE organizations (
    owner bigint NOT NULL,
    id    bigint NOT NULL,
    name  text COLLATE "C" NOT NULL,
    PRIMARY KEY (owner, id)
);
CREATE UNIQUE INDEX organizations_name ON organizations(owner, lower(name));

CREATE TABLE contacts (
    owner bigint NOT NULL,
    id    bigint NOT NULL,
    name  text COLLATE "C" NOT NULL,
    data  text COLLATE "C" NOT NULL,
    PRIMARY KEY (owner, id)
);
CREATE INDEX contacts_name ON contacts(owner, lower(name));

CREATE TABLE jobs (
    owner  bigint NOT NULL,
    id     bigint NOT NULL,
    org_id bigint NOT NULL,
    title  text COLLATE "C" NOT NULL,
    stage  text COLLATE "C" NOT NULL,
    data   text COLLATE "C" NOT NULL,
    PRIMARY KEY (owner, id)
);
CREATE INDEX jobs_stage ON jobs(owner, stage);

CREATE TABLE job_contacts (
    owner      bigint NOT NULL,
    job_id     bigint NOT NULL,
    contact_id bigint NOT NULL,
    PRIMARY KEY (owner, contact_id, job_id)
);

CREATE TABLE touches (
    owner  bigint NOT NULL,
    id     bigint NOT NULL,
    date   text COLLATE "C" NOT NULL,
    job_id bigint,
    data   text COLLATE "C" NOT NULL,
    PRIMARY KEY (owner, id)
);
CREATE INDEX touches_job ON touches(owner, job_id, date);

CREATE TABLE touch_contacts (
    owner      bigint NOT NULL,
    contact_id bigint NOT NULL,
    touch_id   bigint NOT NULL,
    PRIMARY KEY (owner, contact_id, touch_id)
);

-- `seq` is the seq of the `snoozed` event that made the row.
CREATE TABLE snoozes (
    owner   bigint NOT NULL,
    seq     bigint NOT NULL,
    subject text COLLATE "C" NOT NULL,
    key     text COLLATE "C" NOT NULL,
    data    text COLLATE "C" NOT NULL,
    PRIMARY KEY (owner, subject, seq)
);

-- The derived plan. Keys give each item a short number that survives a full replan.
CREATE TABLE plan_keys (
    owner bigint NOT NULL,
    id    bigint NOT NULL,
    key   text COLLATE "C" NOT NULL,
    PRIMARY KEY (owner, id)
);
CREATE UNIQUE INDEX plan_keys_key ON plan_keys(owner, key);

CREATE TABLE plan (
    owner   bigint NOT NULL,
    kind    text COLLATE "C" NOT NULL,   -- 'follow-up' or 'occasion'
    due     text COLLATE "C" NOT NULL,   -- natural due date; for occasions the recorded date
    id      bigint NOT NULL,
    subject text COLLATE "C" NOT NULL,
    md      bigint NOT NULL,             -- month * 100 + day, for occasions in a window
    data    text COLLATE "C" NOT NULL,
    PRIMARY KEY (owner, kind, due, id)
);
CREATE UNIQUE INDEX plan_id ON plan(owner, id);
CREATE INDEX plan_subject ON plan(owner, subject);
CREATE INDEX plan_md ON plan(owner, kind, md);

-- Per-owner settings that are not events (a secret must not travel in an export).
CREATE TABLE settings (
    owner bigint NOT NULL,
    key   text COLLATE "C" NOT NULL,
    value text COLLATE "C" NOT NULL,
    PRIMARY KEY (owner, key)
);

-- The holidays a person imported, by the calendar they came from.
CREATE TABLE holidays (
    owner  bigint NOT NULL,
    source text COLLATE "C" NOT NULL,
    day    text COLLATE "C" NOT NULL,
    PRIMARY KEY (owner, source, day)
);

-- Per-owner id allocators: the row is locked by the transaction that moves it, so concurrent
-- writers can never take the same number.
CREATE TABLE ids (
    owner  bigint NOT NULL,
    entity text COLLATE "C" NOT NULL,   -- organization, contact, job, touch, plan-key
    next   bigint NOT NULL,
    PRIMARY KEY (owner, entity)
);

-- Removed records, with why they went (`Removal` in followup-store), so a restore can bring
-- them back exactly. Link rows (job_contacts, touch_contacts) stay.
CREATE TABLE removed_contacts (
    owner bigint NOT NULL,
    id    bigint NOT NULL,
    name  text COLLATE "C" NOT NULL,
    data  text COLLATE "C" NOT NULL,
    why   text COLLATE "C" NOT NULL,
    PRIMARY KEY (owner, id)
);

CREATE TABLE removed_jobs (
    owner  bigint NOT NULL,
    id     bigint NOT NULL,
    org_id bigint NOT NULL,
    title  text COLLATE "C" NOT NULL,
    stage  text COLLATE "C" NOT NULL,
    data   text COLLATE "C" NOT NULL,
    why    text COLLATE "C" NOT NULL,
    PRIMARY KEY (owner, id)
);

CREATE TABLE removed_touches (
    owner  bigint NOT NULL,
    id     bigint NOT NULL,
    date   text COLLATE "C" NOT NULL,
    job_id bigint,
    data   text COLLATE "C" NOT NULL,
    why    text COLLATE "C" NOT NULL,
    PRIMARY KEY (owner, id)
);
CREATE INDEX removed_touches_why ON removed_touches(owner, why);

-- Row-level security on every owner's table: a row is seen, and may be written, only by a
-- transaction whose `followup.owner` is its owner. FORCE, because the application connects as
-- the tables' owner, whom policies otherwise spare. Unset, current_setting() fails: a query
-- outside a transaction of the store errors instead of seeing everyone.
ALTER TABLE owners ENABLE ROW LEVEL SECURITY;
ALTER TABLE owners FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_only ON owners
    USING (id = current_setting('followup.owner')::bigint)
    WITH CHECK (id = current_setting('followup.owner')::bigint);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['events', 'organizations', 'contacts', 'jobs', 'job_contacts',
        'touches', 'touch_contacts', 'snoozes', 'plan_keys', 'plan', 'settings', 'holidays',
        'ids', 'removed_contacts', 'removed_jobs', 'removed_touches']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY owner_only ON %I
            USING (owner = current_setting(''followup.owner'')::bigint)
            WITH CHECK (owner = current_setting(''followup.owner'')::bigint)', t);
    END LOOP;
END
$$;
