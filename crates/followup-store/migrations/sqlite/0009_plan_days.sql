-- Version 9: per-day extents (issue 17). The agenda's table sizes its columns from the widest
-- cell of each; walking the window twice (once to measure, once to print) cost a third of the
-- agenda. Beside the plan, one row per owner and day holds what the table needs of that day's
-- firm follow-ups (followup_core::line::Extent: how many, the largest number, the actions and
-- channels as bit sets, the widest whom, whether any has a note), folded again at commit for
-- each day a write touched. `version` is the line version it was folded from: extents of
-- another version are not used (the agenda walks instead).
CREATE TABLE plan_days (
    owner INTEGER NOT NULL,
    due TEXT NOT NULL,
    rows INTEGER NOT NULL,
    id_max INTEGER NOT NULL,
    actions INTEGER NOT NULL,
    channels INTEGER NOT NULL,
    who_max INTEGER NOT NULL,
    notes INTEGER NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (owner, due)
) WITHOUT ROWID;
-- A loose row is one today may change (a place that can move, words that can change: the
-- line's reorder_on or restyle_on): it is left out of its day's extent and measured on its
-- own, found through this partial index, which costs the many firm rows nothing. Rows whose
-- line this migration cannot read count as loose.
ALTER TABLE plan ADD COLUMN loose INTEGER NOT NULL DEFAULT 0;
CREATE INDEX plan_loose ON plan(owner, kind, due) WHERE loose <> 0;
