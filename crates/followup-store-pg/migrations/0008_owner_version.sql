-- Version 8: one owner's data version in one prepared statement (issue 15). Every cached
-- request of the team server reads it; as a string of simple queries (BEGIN, set_config, the
-- SELECT, COMMIT) PostgreSQL parsed and planned four statements each time. The function sets
-- the owner for its own statement's transaction only (set_config's is_local), so row-level
-- security still decides what the SELECT sees: it names the owner as explicitly as that
-- string did, and reads nothing else.
CREATE FUNCTION owner_version(o bigint) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('followup.owner', o::text, true);
    RETURN (SELECT version FROM owners WHERE id = o);
END
$$;
