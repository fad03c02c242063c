-- Version 2: the team server's directory (followup-store's `Directory`): accounts, the
-- workspace each client owns, and the secrets that let people in, kept as hashes. Not keyed by
-- owner and so not under row-level security: a sign-in looks an email up before anyone is
-- known. The app decides who may open which workspace (followup-app's accounts.rs).

-- Workspaces are owners of the store's tables. Number 1 is a one-person book's owner, so a
-- team's start at 2.
CREATE SEQUENCE workspace_ids START 2;

CREATE TABLE accounts (
    id            bigserial PRIMARY KEY,
    email         text COLLATE "C" NOT NULL UNIQUE,
    role          text COLLATE "C" NOT NULL CHECK (role IN ('admin', 'coach', 'client')),
    password_hash text COLLATE "C",
    disabled      boolean NOT NULL DEFAULT false,
    workspace     bigint UNIQUE
);

-- Sessions, API tokens and invitations: SHA-256 of a random value shown once. Times are
-- seconds since 1970 (UTC).
CREATE TABLE secrets (
    id      bigserial PRIMARY KEY,
    kind    text COLLATE "C" NOT NULL CHECK (kind IN ('session', 'token', 'invitation')),
    hash    text COLLATE "C" NOT NULL UNIQUE,
    account bigint NOT NULL REFERENCES accounts(id),
    label   text COLLATE "C" NOT NULL,
    created bigint NOT NULL,
    expires bigint,
    revoked boolean NOT NULL DEFAULT false
);
CREATE INDEX secrets_account ON secrets(account, kind);
