-- Version 8: the agenda streams (issue 17). Beside each plan row, what the agenda needs to list
-- it without decoding its JSON (followup_core::line::Compact): the contact's name folded and
-- the rule, so that one index gives the window in the agenda's order (due, name, rule, id);
-- the day from which today may move the item in that order (`reorder_on`: those few rows are
-- read whole and sorted apart); and the line, a small binary record of the words the agenda
-- prints, with a head that repeats the item's number, due date and the days today changes it
-- (so a walk reads this one column). The columns are filled from each row's JSON by the
-- program in the same transaction as this migration (SQL cannot word a why).
ALTER TABLE plan ADD COLUMN name_key TEXT;
ALTER TABLE plan ADD COLUMN rule INTEGER NOT NULL DEFAULT 0;
ALTER TABLE plan ADD COLUMN reorder_on TEXT;
ALTER TABLE plan ADD COLUMN line BLOB NOT NULL DEFAULT x'';
-- Covering: the agenda's walk reads this index alone, in order, and never the JSON.
CREATE INDEX plan_agenda ON plan(owner, kind, due, name_key, rule, id, line);
-- The few rows whose place can move, found without walking the window; partial, so the rows
-- that never move (most) cost no entry here.
CREATE INDEX plan_moved ON plan(owner, kind, reorder_on) WHERE reorder_on IS NOT NULL;
