-- Version 4: who recorded each event, and what people are called.
-- events.actor is NULL for the owner themselves; otherwise the account (a coach under a grant)
-- that acted on the owner's behalf. It is not a foreign key on purpose: an event is history,
-- and outlives any account. The partial index keeps "what did others record here" cheap.
ALTER TABLE events ADD COLUMN actor bigint;
CREATE INDEX events_by_accounts ON events(owner, seq) WHERE actor IS NOT NULL;

-- A display name ("Sam Lee"), shown where a person reads who did something; NULL shows the
-- email.
ALTER TABLE accounts ADD COLUMN name text COLLATE "C";

-- A coach's own templates, used when they draft in any client's search. Keyed by the coach,
-- outside row-level security like the rest of the directory: no client owns them.
CREATE TABLE coach_templates (
    coach bigint NOT NULL REFERENCES accounts(id),
    name  text COLLATE "C" NOT NULL,
    text  text COLLATE "C" NOT NULL,
    PRIMARY KEY (coach, name)
);
