-- Version 7: the agenda streams (issue 17), as SQLite's migration 8: beside each plan row the
-- contact's name folded and the rule, so one index gives the window in the agenda's order
-- (due, name with none first, rule, id; "C" collation, byte order as the program sorts); the
-- day from which today may move the item in that order (`reorder_on`); and the line, a small
-- binary record of the words the agenda prints (followup_core::line). The program fills them
-- from each row's JSON in the same transaction (lifting the policy's FORCE for that and
-- putting it back). No new table: `plan` keeps its row-level security.
ALTER TABLE plan ADD COLUMN name_key text COLLATE "C";
ALTER TABLE plan ADD COLUMN rule bigint NOT NULL DEFAULT 0;
ALTER TABLE plan ADD COLUMN reorder_on text COLLATE "C";
ALTER TABLE plan ADD COLUMN line bytea NOT NULL DEFAULT ''::bytea;
CREATE INDEX plan_agenda ON plan(owner, kind, due, name_key NULLS FIRST, rule, id) INCLUDE (line);
CREATE INDEX plan_moved ON plan(owner, kind, reorder_on) WHERE reorder_on IS NOT NULL;
