-- Version 4: ids come from a per-owner allocator instead of MAX(id) + 1 (safe only under
-- SQLite's single write lock; a server's concurrent writers would collide), and each owner has
-- a change version that every committed write moves (caches key on it, per owner).
CREATE TABLE ids (
    owner  INTEGER NOT NULL,
    entity TEXT    NOT NULL,   -- organization, contact, job, touch, plan-key
    next   INTEGER NOT NULL,
    PRIMARY KEY (owner, entity)
) WITHOUT ROWID;
INSERT INTO ids (owner, entity, next) SELECT owner, 'organization', MAX(id) + 1 FROM organizations GROUP BY owner;
INSERT INTO ids (owner, entity, next) SELECT owner, 'contact', MAX(id) + 1 FROM contacts GROUP BY owner;
INSERT INTO ids (owner, entity, next) SELECT owner, 'job', MAX(id) + 1 FROM jobs GROUP BY owner;
INSERT INTO ids (owner, entity, next) SELECT owner, 'touch', MAX(id) + 1 FROM touches GROUP BY owner;
INSERT INTO ids (owner, entity, next) SELECT owner, 'plan-key', MAX(id) + 1 FROM plan_keys GROUP BY owner;
ALTER TABLE owners ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
