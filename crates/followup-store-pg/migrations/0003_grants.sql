-- Version 3: a client's grants to coaches, and who came into a workspace (the client sees
-- both). Outside row-level security like the rest of the directory: the gate reads them
-- before it knows which workspace a request may work in.
CREATE TABLE grants (
    workspace bigint NOT NULL,
    coach     bigint NOT NULL REFERENCES accounts(id),
    scope     text COLLATE "C" NOT NULL CHECK (scope IN ('view', 'edit')),
    until     text COLLATE "C",          -- the last day it holds (YYYY-MM-DD), if any
    granted   bigint NOT NULL,           -- seconds since 1970 (UTC)
    PRIMARY KEY (workspace, coach)
);
CREATE INDEX grants_coach ON grants(coach, workspace);

CREATE TABLE visits (
    workspace bigint NOT NULL,
    day       text COLLATE "C" NOT NULL,
    account   bigint NOT NULL REFERENCES accounts(id),
    first     bigint NOT NULL,
    last      bigint NOT NULL,
    requests  bigint NOT NULL,
    PRIMARY KEY (workspace, day, account)
);
