-- Version 6: mail read from a client's mailbox (Event::MailRead), once per Message-ID:
-- headers and subject only, never a body. Owned, so under row-level security like every table
-- of a search.
CREATE TABLE mail (
    owner      bigint NOT NULL REFERENCES owners(id),
    message_id text COLLATE "C" NOT NULL,
    seq        bigint NOT NULL,
    thread     text COLLATE "C" NOT NULL,
    meaning    text COLLATE "C" NOT NULL,
    data       text COLLATE "C" NOT NULL,
    PRIMARY KEY (owner, message_id)
);
CREATE INDEX mail_thread ON mail(owner, thread, seq);
ALTER TABLE mail ENABLE ROW LEVEL SECURITY;
ALTER TABLE mail FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_only ON mail
    USING (owner = current_setting('followup.owner')::bigint)
    WITH CHECK (owner = current_setting('followup.owner')::bigint);
