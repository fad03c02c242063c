-- Version 3: the holidays a person imported (`import holidays`), by the calendar they came
-- from, written by the `holidays-kept` event in the same transaction as the replan they cause,
-- so a kill leaves both or neither.
CREATE TABLE holidays (
    owner  INTEGER NOT NULL,
    source TEXT    NOT NULL,
    day    TEXT    NOT NULL,
    PRIMARY KEY (owner, source, day)
) WITHOUT ROWID;
