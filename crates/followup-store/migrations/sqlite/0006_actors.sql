-- Version 6: who recorded each event. NULL is the owner themselves (every event of a one-file
-- book); on the team server it is the account (a coach under a grant) that acted on the
-- owner's behalf. The partial index keeps "what did others record here" cheap: such events are
-- few beside the owner's own.
ALTER TABLE events ADD COLUMN actor INTEGER;
CREATE INDEX events_by_accounts ON events(owner, seq) WHERE actor IS NOT NULL;
