-- Version 5: a coach's private notes on the clients who granted them access (issue 15's
-- caseload). Keyed by the coach, outside row-level security like the rest of the directory:
-- nothing in a client's workspace (its rows, its export, its API) reads this table.
CREATE TABLE coach_notes (
    coach     bigint NOT NULL REFERENCES accounts(id),
    workspace bigint NOT NULL,
    text      text NOT NULL,
    updated   bigint NOT NULL,           -- seconds since 1970 (UTC)
    PRIMARY KEY (coach, workspace)
);
