-- Version 10: an owner's version and one of their settings, read in one snapshot, by one
-- prepared statement for a whole caseload (issue 15). A caseload of 40 clients sent a string
-- of 160 simple queries (BEGIN, set_config, the SELECT, COMMIT for each client), which
-- PostgreSQL parsed and planned anew every time: with one connection reading caseloads
-- beside 64 clients, the server answered about a quarter fewer of the clients' requests.
-- As owner_version (migration 8) does, the function sets the owner for its own statement's
-- transaction only, so row-level security still decides what it reads; its one SELECT takes
-- one snapshot, so the setting is the one committed with that version.
CREATE FUNCTION owner_version_and_setting(o bigint, k text, OUT ver bigint, OUT val text)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('followup.owner', o::text, true);
    SELECT (SELECT w.version FROM owners w WHERE w.id = o),
           (SELECT s.value FROM settings s WHERE s.owner = o AND s.key = k)
      INTO ver, val;
END
$$;
