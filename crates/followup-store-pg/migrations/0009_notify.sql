-- Version 9: changes to accounts and secrets are announced on channel `followup` as they
-- commit (issue 15; followup-store-pg's watch.rs). A team server remembers which account each
-- live secret opens; so that a change made anywhere (another server, the CLI, psql) is never
-- answered from memory, each is announced, from whichever process made it:
--   a <account>   an account, or one of its secrets, changed or went
--   all           a table was emptied: forget everything
-- PostgreSQL delivers announcements in commit order, before the listener's next
-- ReadyForQuery, so a server that asks its listening connection one heartbeat after a
-- request arrived has heard every change committed before it (watch.rs says why).
-- Workspace versions are not announced: every write moves one, and PostgreSQL commits
-- announcing transactions one at a time; the heartbeat reads them instead.

CREATE FUNCTION announce_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('followup', 'a ' || OLD.id);
    RETURN NULL;
END
$$;
CREATE TRIGGER accounts_announce AFTER UPDATE OR DELETE ON accounts
    FOR EACH ROW EXECUTE FUNCTION announce_account();

CREATE FUNCTION announce_secret() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('followup', 'a ' || OLD.account);
    IF TG_OP = 'UPDATE' AND NEW.account <> OLD.account THEN
        PERFORM pg_notify('followup', 'a ' || NEW.account);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER secrets_announce AFTER UPDATE OR DELETE ON secrets
    FOR EACH ROW EXECUTE FUNCTION announce_secret();

CREATE FUNCTION announce_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('followup', 'all');
    RETURN NULL;
END
$$;
CREATE TRIGGER accounts_emptied AFTER TRUNCATE ON accounts
    FOR EACH STATEMENT EXECUTE FUNCTION announce_all();
CREATE TRIGGER secrets_emptied AFTER TRUNCATE ON secrets
    FOR EACH STATEMENT EXECUTE FUNCTION announce_all();
