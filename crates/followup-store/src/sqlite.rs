//! The embedded SQLite backend: one file, WAL, append-only migrations run on open.

use std::path::Path;

use followup_core::agenda::Planned;
use followup_core::model::{Contact, ContactId, Job, JobId, OrgRef, OwnerId, Touch, TouchId};
use followup_core::plan::{Action, FollowUp, PlanKey, Snooze, Subject};
use followup_core::{Event, OrgId};
use jiff::civil::Date;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Entity, Mode, Recorded, Result, Store, StoreError, Tx, open_stages};

/// Append-only: a shipped migration is never edited, a new one is added at the end.
const MIGRATIONS: &[&str] = &[include_str!("../migrations/sqlite/0001_init.sql")];

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// A followup database in one SQLite file.
pub struct SqliteStore {
    conn: Connection,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// A database newer than this binary is refused untouched.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        let shown = path.display().to_string();
        let wrap = |source| StoreError::Open {
            path: shown.clone(),
            source,
        };
        let conn = Connection::open(path).map_err(wrap)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(wrap)?;
        let found: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(wrap)?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::Newer {
                path: shown,
                found,
                supported: SCHEMA_VERSION,
            });
        }
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(wrap)?;
        let mut store = SqliteStore { conn };
        store.migrate(found)?;
        Ok(store)
    }

    /// An in-memory database, for tests.
    pub fn in_memory() -> Result<SqliteStore> {
        let conn = Connection::open_in_memory()?;
        let mut store = SqliteStore { conn };
        store.migrate(0)?;
        Ok(store)
    }

    fn migrate(&mut self, from: i64) -> Result<()> {
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
            tx.commit()?;
        }
        Ok(())
    }
}

impl Store for SqliteStore {
    fn begin(&mut self, owner: OwnerId, mode: Mode) -> Result<Box<dyn Tx + '_>> {
        let behavior = match mode {
            Mode::Read => TransactionBehavior::Deferred,
            Mode::Write => TransactionBehavior::Immediate,
        };
        let tx = self.conn.transaction_with_behavior(behavior)?;
        tx.execute(
            "INSERT OR IGNORE INTO owners (id, name) VALUES (?1, ?2)",
            params![owner.0, format!("owner {}", owner.0)],
        )
        .ok();
        Ok(Box::new(SqliteTx { tx, owner: owner.0 }))
    }
}

struct SqliteTx<'c> {
    tx: rusqlite::Transaction<'c>,
    owner: i64,
}

fn to_json<T: Serialize>(v: &T) -> String {
    // Our own types always serialize; a failure here is a bug, not bad input.
    serde_json::to_string(v).expect("serializable")
}

fn from_json<T: DeserializeOwned>(table: &'static str, id: impl ToString, s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt {
        table,
        id: id.to_string(),
        detail: e.to_string(),
    })
}

fn subject_text(s: Subject) -> String {
    match s {
        Subject::Contact(c) => format!("contact/{c}"),
        Subject::Job(j) => format!("job/{j}"),
    }
}

fn event_kind(e: &Event) -> &'static str {
    match e {
        Event::OrganizationAdded { .. } => "organization-added",
        Event::ContactAdded { .. } => "contact-added",
        Event::ContactEdited { .. } => "contact-edited",
        Event::JobAdded { .. } => "job-added",
        Event::JobStageChanged { .. } => "job-stage-changed",
        Event::JobContactLinked { .. } => "job-contact-linked",
        Event::TouchLogged { .. } => "touch-logged",
        Event::Snoozed { .. } => "snoozed",
    }
}

impl SqliteTx<'_> {
    fn put_contact(&self, c: &Contact) -> Result<()> {
        self.tx.execute(
            "INSERT INTO contacts (owner, id, name, data) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (owner, id) DO UPDATE SET name = excluded.name, data = excluded.data",
            params![self.owner, c.id.0, c.name, to_json(c)],
        )?;
        Ok(())
    }

    fn put_job(&self, j: &Job) -> Result<()> {
        self.tx.execute(
            "INSERT INTO jobs (owner, id, org_id, title, stage, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (owner, id) DO UPDATE SET org_id = excluded.org_id, title = excluded.title,
                 stage = excluded.stage, data = excluded.data",
            params![
                self.owner,
                j.id.0,
                j.organization.id.0,
                j.title,
                j.stage.as_str(),
                to_json(j)
            ],
        )?;
        for c in &j.contacts {
            self.tx.execute(
                "INSERT OR IGNORE INTO job_contacts (owner, job_id, contact_id) VALUES (?1, ?2, ?3)",
                params![self.owner, j.id.0, c.0],
            )?;
        }
        Ok(())
    }

    fn need_job(&self, id: JobId) -> Result<Job> {
        self.job(id)?.ok_or(StoreError::Missing {
            what: "job",
            id: id.to_string(),
        })
    }

    fn link(&self, job: JobId, contact: ContactId) -> Result<()> {
        let mut j = self.need_job(job)?;
        if !j.contacts.contains(&contact) {
            j.contacts.push(contact);
            self.put_job(&j)?;
        }
        Ok(())
    }

    fn query_json<T: DeserializeOwned>(
        &self,
        table: &'static str,
        sql: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<T>> {
        let mut stmt = self.tx.prepare_cached(sql)?;
        let rows = stmt.query_map(args, |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, data) = row?;
            out.push(from_json(table, id, &data)?);
        }
        Ok(out)
    }

    fn planned(&self, sql: &str, args: impl rusqlite::Params) -> Result<Vec<Planned>> {
        let mut stmt = self.tx.prepare_cached(sql)?;
        let rows = stmt.query_map(args, |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, data) = row?;
            let item: FollowUp = from_json("plan", id, &data)?;
            out.push(Planned { id, item });
        }
        Ok(out)
    }

    fn key_id(&mut self, key: &PlanKey) -> Result<i64> {
        if let Some(id) = self.plan_id(key)? {
            return Ok(id);
        }
        // Numbers start at 1: 0 is the pipeline item, which belongs to no subject.
        let id: i64 = self.tx.query_row(
            "SELECT COALESCE(MAX(id), 0) + 1 FROM plan_keys WHERE owner = ?1",
            params![self.owner],
            |r| r.get(0),
        )?;
        self.tx.execute(
            "INSERT INTO plan_keys (owner, id, key) VALUES (?1, ?2, ?3)",
            params![self.owner, id, key.to_string()],
        )?;
        Ok(id)
    }
}

impl Tx for SqliteTx<'_> {
    fn next_id(&mut self, entity: Entity) -> Result<i64> {
        let table = match entity {
            Entity::Organization => "organizations",
            Entity::Contact => "contacts",
            Entity::Job => "jobs",
            Entity::Touch => "touches",
        };
        let sql = format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {table} WHERE owner = ?1");
        Ok(self.tx.query_row(&sql, params![self.owner], |r| r.get(0))?)
    }

    fn append(&mut self, recorded_on: Date, event: &Event) -> Result<()> {
        self.tx.execute(
            "INSERT INTO events (owner, recorded_on, kind, payload) VALUES (?1, ?2, ?3, ?4)",
            params![
                self.owner,
                recorded_on.to_string(),
                event_kind(event),
                to_json(event)
            ],
        )?;
        let seq = self.tx.last_insert_rowid();
        match event {
            Event::OrganizationAdded { id, name } => {
                self.tx.execute(
                    "INSERT INTO organizations (owner, id, name) VALUES (?1, ?2, ?3)",
                    params![self.owner, id.0, name],
                )?;
            }
            Event::ContactAdded { contact } => self.put_contact(contact)?,
            Event::ContactEdited { id, patch } => {
                let c = self.contact(*id)?.ok_or(StoreError::Missing {
                    what: "contact",
                    id: id.to_string(),
                })?;
                self.put_contact(&patch.apply(&c))?;
            }
            Event::JobAdded { job } => self.put_job(job)?,
            Event::JobStageChanged { id, stage } => {
                let mut j = self.need_job(*id)?;
                j.stage = *stage;
                self.put_job(&j)?;
            }
            Event::JobContactLinked { id, contact } => self.link(*id, *contact)?,
            Event::TouchLogged { touch } => {
                self.tx.execute(
                    "INSERT INTO touches (owner, id, date, job_id, data) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![
                        self.owner,
                        touch.id.0,
                        touch.date.to_string(),
                        touch.job.map(|j| j.0),
                        to_json(touch)
                    ],
                )?;
                for c in &touch.contacts {
                    self.tx.execute(
                        "INSERT OR IGNORE INTO touch_contacts (owner, contact_id, touch_id) VALUES (?1, ?2, ?3)",
                        params![self.owner, c.0, touch.id.0],
                    )?;
                    if let Some(j) = touch.job {
                        self.link(j, *c)?;
                    }
                }
            }
            Event::Snoozed { key, until, after } => {
                let s = Snooze {
                    key: *key,
                    until: *until,
                    after: *after,
                };
                self.tx.execute(
                    "INSERT INTO snoozes (owner, seq, key, data) VALUES (?1, ?2, ?3, ?4)",
                    params![self.owner, seq, key.to_string(), to_json(&s)],
                )?;
            }
        }
        Ok(())
    }

    fn commit(self: Box<Self>) -> Result<()> {
        self.tx.commit()?;
        Ok(())
    }

    fn is_empty(&self) -> Result<bool> {
        let n: i64 = self.tx.query_row(
            "SELECT COUNT(*) FROM (SELECT 1 FROM events WHERE owner = ?1 LIMIT 1)",
            params![self.owner],
            |r| r.get(0),
        )?;
        Ok(n == 0)
    }

    fn events(&self) -> Result<Vec<Recorded>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT seq, recorded_on, payload FROM events WHERE owner = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map(params![self.owner], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, on, payload) = row?;
            let recorded_on = on.parse().map_err(|e: jiff::Error| StoreError::Corrupt {
                table: "events",
                id: seq.to_string(),
                detail: e.to_string(),
            })?;
            out.push(Recorded {
                seq,
                recorded_on,
                event: from_json("events", seq, &payload)?,
            });
        }
        Ok(out)
    }

    fn organization_named(&self, name: &str) -> Result<Option<OrgRef>> {
        Ok(self
            .tx
            .query_row(
                "SELECT id, name FROM organizations WHERE owner = ?1 AND name = ?2 COLLATE NOCASE",
                params![self.owner, name.trim()],
                |r| {
                    Ok(OrgRef {
                        id: OrgId(r.get(0)?),
                        name: r.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    fn contact(&self, id: ContactId) -> Result<Option<Contact>> {
        Ok(self
            .query_json(
                "contacts",
                "SELECT id, data FROM contacts WHERE owner = ?1 AND id = ?2",
                params![self.owner, id.0],
            )?
            .pop())
    }

    fn contacts(&self) -> Result<Vec<Contact>> {
        self.query_json(
            "contacts",
            "SELECT id, data FROM contacts WHERE owner = ?1 ORDER BY id",
            params![self.owner],
        )
    }

    fn contacts_named(&self, name: &str) -> Result<Vec<Contact>> {
        let exact = self.query_json(
            "contacts",
            "SELECT id, data FROM contacts WHERE owner = ?1 AND name = ?2 COLLATE NOCASE ORDER BY id",
            params![self.owner, name.trim()],
        )?;
        if !exact.is_empty() {
            return Ok(exact);
        }
        let pattern = format!("%{}%", like_escape(name.trim()));
        self.query_json(
            "contacts",
            "SELECT id, data FROM contacts WHERE owner = ?1 AND name LIKE ?2 ESCAPE '\\' ORDER BY id",
            params![self.owner, pattern],
        )
    }

    fn job(&self, id: JobId) -> Result<Option<Job>> {
        Ok(self
            .query_json(
                "jobs",
                "SELECT id, data FROM jobs WHERE owner = ?1 AND id = ?2",
                params![self.owner, id.0],
            )?
            .pop())
    }

    fn jobs(&self) -> Result<Vec<Job>> {
        self.query_json(
            "jobs",
            "SELECT id, data FROM jobs WHERE owner = ?1 ORDER BY id",
            params![self.owner],
        )
    }

    fn jobs_matching(&self, text: &str) -> Result<Vec<Job>> {
        let t = text.trim();
        let exact = self.query_json(
            "jobs",
            "SELECT j.id, j.data FROM jobs j JOIN organizations o ON o.owner = j.owner AND o.id = j.org_id
             WHERE j.owner = ?1 AND (j.title = ?2 COLLATE NOCASE OR o.name = ?2 COLLATE NOCASE
                 OR (o.name || ': ' || j.title) = ?2 COLLATE NOCASE)
             ORDER BY j.id",
            params![self.owner, t],
        )?;
        if !exact.is_empty() {
            return Ok(exact);
        }
        let pattern = format!("%{}%", like_escape(t));
        self.query_json(
            "jobs",
            "SELECT j.id, j.data FROM jobs j JOIN organizations o ON o.owner = j.owner AND o.id = j.org_id
             WHERE j.owner = ?1 AND (o.name || ': ' || j.title) LIKE ?2 ESCAPE '\\'
             ORDER BY j.id",
            params![self.owner, pattern],
        )
    }

    fn jobs_of_contact(&self, id: ContactId) -> Result<Vec<Job>> {
        self.query_json(
            "jobs",
            "SELECT j.id, j.data FROM jobs j JOIN job_contacts jc
                 ON jc.owner = j.owner AND jc.job_id = j.id
             WHERE j.owner = ?1 AND jc.contact_id = ?2 ORDER BY j.id",
            params![self.owner, id.0],
        )
    }

    fn open_job_count(&self) -> Result<u32> {
        let stages = open_stages();
        let n: i64 = self.tx.query_row(
            "SELECT COUNT(*) FROM jobs WHERE owner = ?1 AND stage IN (?2, ?3, ?4, ?5)",
            params![self.owner, stages[0], stages[1], stages[2], stages[3]],
            |r| r.get(0),
        )?;
        Ok(n as u32)
    }

    fn touches_of_contact(&self, id: ContactId) -> Result<Vec<Touch>> {
        self.query_json(
            "touches",
            "SELECT t.id, t.data FROM touches t JOIN touch_contacts tc
                 ON tc.owner = t.owner AND tc.touch_id = t.id
             WHERE t.owner = ?1 AND tc.contact_id = ?2 ORDER BY t.date, t.id",
            params![self.owner, id.0],
        )
    }

    fn touches_of_job(&self, id: JobId) -> Result<Vec<Touch>> {
        self.query_json(
            "touches",
            "SELECT id, data FROM touches WHERE owner = ?1 AND job_id = ?2 ORDER BY date, id",
            params![self.owner, id.0],
        )
    }

    fn newest_touch(&self) -> Result<Option<TouchId>> {
        let n: Option<i64> = self.tx.query_row(
            "SELECT MAX(id) FROM touches WHERE owner = ?1",
            params![self.owner],
            |r| r.get(0),
        )?;
        Ok(n.map(TouchId))
    }

    fn snoozes(&self, subject: Subject) -> Result<Vec<Snooze>> {
        let prefix = format!("{}/%", subject_text(subject));
        self.query_json(
            "snoozes",
            "SELECT seq, data FROM snoozes WHERE owner = ?1 AND key LIKE ?2 ORDER BY seq",
            params![self.owner, prefix],
        )
    }

    fn replace_plan(&mut self, subject: Subject, items: &[FollowUp]) -> Result<()> {
        let subj = subject_text(subject);
        self.tx.execute(
            "DELETE FROM plan WHERE owner = ?1 AND subject = ?2",
            params![self.owner, subj],
        )?;
        for item in items {
            debug_assert_eq!(item.key.subject, subject);
            let id = self.key_id(&item.key)?;
            let kind = if item.action == Action::Occasion {
                "occasion"
            } else {
                "follow-up"
            };
            let md = i64::from(item.due.month()) * 100 + i64::from(item.due.day());
            self.tx.execute(
                "INSERT INTO plan (owner, id, subject, kind, due, md, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![self.owner, id, subj, kind, item.due.to_string(), md, to_json(item)],
            )?;
        }
        Ok(())
    }

    fn clear_plan(&mut self) -> Result<()> {
        self.tx
            .execute("DELETE FROM plan WHERE owner = ?1", params![self.owner])?;
        Ok(())
    }

    fn plan_window(&self, from: Date, until: Date) -> Result<Vec<Planned>> {
        let mut out = self.planned(
            "SELECT id, data FROM plan WHERE owner = ?1 AND kind = 'follow-up' AND due <= ?2 ORDER BY id",
            params![self.owner, until.to_string()],
        )?;
        // Occasions by day of the year; a window over New Year is two ranges, and a window of a
        // year or more takes them all.
        let md = |d: Date| i64::from(d.month()) * 100 + i64::from(d.day());
        let ranges: Vec<(i64, i64)> = if (until - from).get_days() >= 365 || until < from {
            vec![(0, 9999)]
        } else if md(from) <= md(until) && from.year() == until.year() {
            vec![(md(from), md(until))]
        } else {
            vec![(md(from), 1231), (101, md(until))]
        };
        for (lo, hi) in ranges {
            // 29 February shows on 28 February in other years: widen by that one day.
            let hi_ext = if hi == 228 { 229 } else { hi };
            out.extend(self.planned(
                "SELECT id, data FROM plan WHERE owner = ?1 AND kind = 'occasion' AND md BETWEEN ?2 AND ?3 ORDER BY id",
                params![self.owner, lo, hi_ext],
            )?);
        }
        out.sort_by_key(|p| p.id);
        out.dedup_by_key(|p| p.id);
        Ok(out)
    }

    fn plan_all(&self) -> Result<Vec<Planned>> {
        self.planned(
            "SELECT id, data FROM plan WHERE owner = ?1 ORDER BY id",
            params![self.owner],
        )
    }

    fn plan_item(&self, id: i64) -> Result<Option<Planned>> {
        Ok(self
            .planned(
                "SELECT id, data FROM plan WHERE owner = ?1 AND id = ?2",
                params![self.owner, id],
            )?
            .pop())
    }

    fn plan_id(&self, key: &PlanKey) -> Result<Option<i64>> {
        Ok(self
            .tx
            .query_row(
                "SELECT id FROM plan_keys WHERE owner = ?1 AND key = ?2",
                params![self.owner, key.to_string()],
                |r| r.get(0),
            )
            .optional()?)
    }
}

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
