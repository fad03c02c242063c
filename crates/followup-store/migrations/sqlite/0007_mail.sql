-- Version 7: mail read from the person's mailbox (Event::MailRead), once per Message-ID. The
-- record is JSON (headers and subject only, never a body); the thread (folded subject) is a
-- column because a reply without threading headers is matched by it.
CREATE TABLE mail (
    owner      INTEGER NOT NULL,
    message_id TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    thread     TEXT    NOT NULL,
    meaning    TEXT    NOT NULL,
    data       TEXT    NOT NULL,
    PRIMARY KEY (owner, message_id)
) WITHOUT ROWID;
CREATE INDEX mail_thread ON mail(owner, thread, seq);
