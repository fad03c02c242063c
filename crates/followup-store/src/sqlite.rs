//! The embedded SQLite backend: one file in WAL, append-only migrations run on open, one
//! writer connection and a pool of reader connections, so a read never queues behind a write.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use followup_core::agenda::Planned;
use followup_core::line::{Compact, Extent, Line, VERSION as LINE_VERSION};
use followup_core::model::{Contact, ContactId, Job, JobId, OrgRef, OwnerId, Touch, TouchId};
use followup_core::plan::{FollowUp, PlanKey, Snooze, Subject};
use followup_core::{Event, MailMeaning, MailRecord, OrgId};
use jiff::civil::Date;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::ops::ControlFlow;

use crate::{
    AccountId, Appended, DERIVED, Entity, PlanRow, ReadTx, Recorded, Removal, Result, RowBody,
    Store, StoreError, Trash, WriteTx, derived_end, is_derived, lock_within, month_day,
    occasion_ranges, open_stages, plan_kind, subject_from_text, subject_text,
};

/// How long a writer waits for another process's write to end before saying so: long enough
/// for a `log` behind another `log`, short enough that nobody stares at a silent terminal.
const BUSY_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Idle reader connections kept open; more are opened when more reads run at once.
const IDLE_READERS: usize = 16;

/// The plan keys' sequence in the `ids` table.
const PLAN_KEY: &str = "plan-key";

/// True when SQLite gave up waiting for another connection's lock.
fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// The one way a driver error becomes a store error: a lock wait that ran out is
/// [`StoreError::Busy`] wherever it happens (at BEGIN, at a statement, at COMMIT), a broken
/// unique key is a conflict, and the rest keeps SQLite's words without its type.
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        if is_busy(&e) {
            return StoreError::Busy {
                path: "the database".into(),
            };
        }
        if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) {
            return StoreError::Conflict {
                what: "a row",
                detail: e.to_string(),
            };
        }
        StoreError::Backend(Box::new(e))
    }
}

/// Append-only: a shipped migration is never edited, a new one is added at the end.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/sqlite/0001_init.sql"),
    include_str!("../migrations/sqlite/0002_settings.sql"),
    include_str!("../migrations/sqlite/0003_holidays.sql"),
    include_str!("../migrations/sqlite/0004_ids_versions.sql"),
    include_str!("../migrations/sqlite/0005_removed.sql"),
    include_str!("../migrations/sqlite/0006_actors.sql"),
    include_str!("../migrations/sqlite/0007_mail.sql"),
    include_str!("../migrations/sqlite/0008_plan_lines.sql"),
    include_str!("../migrations/sqlite/0009_plan_days.sql"),
];

/// The migration after which every plan row carries its compact columns, filled by
/// [`fill_plan_lines`] in the same transaction.
const PLAN_LINES_MIGRATION: usize = 8;

/// The migration after which every follow-up row says whether it is loose and every day has
/// its extent, filled by [`fill_loose`] and [`fill_days`] in the same transaction.
const PLAN_DAYS_MIGRATION: usize = 9;

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// A followup database in one SQLite file.
///
/// Writes go through one connection behind a mutex (SQLite has one writer per file anyway;
/// other processes are held off by its lock and [`BUSY_WAIT`]). Reads take a connection of
/// their own from a pool: in WAL each sees the last commit before it began and never waits for
/// the writer. An in-memory database has only the one connection, so there reads wait too.
pub struct SqliteStore {
    writer: Mutex<Connection>,
    /// Idle reader connections; `None` for an in-memory database.
    readers: Option<Mutex<Vec<Connection>>>,
    /// The file, as errors name it.
    path: String,
}

/// A connection held for one transaction.
enum Held<'s> {
    Writer(MutexGuard<'s, Connection>),
    Reader {
        conn: Option<Connection>,
        pool: &'s Mutex<Vec<Connection>>,
    },
}

impl std::ops::Deref for Held<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        match self {
            Held::Writer(g) => g,
            Held::Reader { conn, .. } => conn.as_ref().expect("held until dropped"),
        }
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        if let Held::Reader { conn, pool } = self
            && let Some(c) = conn.take()
        {
            // Only a connection outside any transaction goes back: one left inside (a
            // ROLLBACK that failed) would hand its stale snapshot to every later read.
            if !c.is_autocommit() && c.execute_batch("ROLLBACK").is_err() {
                return;
            }
            if !c.is_autocommit() {
                return;
            }
            let mut idle = lock(pool);
            if idle.len() < IDLE_READERS {
                idle.push(c);
            }
        }
    }
}

/// A poisoned lock only means another thread panicked mid-transaction; SQLite rolled it back.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// A database newer than this binary is refused untouched.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        SqliteStore::open_with(path, true)
    }

    /// Opens the database at `path` only if it exists: a mistyped path for a command that
    /// only reads must not leave an empty database (and folders) behind.
    pub fn open_existing(path: &Path) -> Result<SqliteStore> {
        SqliteStore::open_with(path, false)
    }

    fn open_with(path: &Path, create: bool) -> Result<SqliteStore> {
        let shown = path.display().to_string();
        let wrap = |e: rusqlite::Error| StoreError::Open {
            path: shown.clone(),
            detail: e.to_string(),
        };
        let busy_or = |e: rusqlite::Error| {
            if is_busy(&e) {
                StoreError::Busy {
                    path: shown.clone(),
                }
            } else {
                wrap(e)
            }
        };
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        } else if !path.is_file() {
            return Err(StoreError::NoDatabase { path: shown });
        }
        let conn = Connection::open_with_flags(path, flags).map_err(|e| {
            if !create && e.sqlite_error_code() == Some(rusqlite::ErrorCode::CannotOpen) {
                StoreError::NoDatabase {
                    path: shown.clone(),
                }
            } else {
                wrap(e)
            }
        })?;
        conn.busy_timeout(BUSY_WAIT).map_err(wrap)?;
        let found: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(busy_or)?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::Newer {
                path: shown,
                found,
                supported: SCHEMA_VERSION,
            });
        }
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(busy_or)?;
        tune(&conn).map_err(wrap)?;
        let store = SqliteStore {
            writer: Mutex::new(conn),
            readers: Some(Mutex::new(Vec::new())),
            path: shown,
        };
        store.migrate(found)?;
        Ok(store)
    }

    /// This store without a pool of readers: reads use the one connection (a command that
    /// does one thing at a time, where a second connection would only cost its opening).
    pub fn single_connection(mut self) -> SqliteStore {
        self.readers = None;
        self
    }

    /// An in-memory database (tests, commands that need no data): one connection, which the
    /// reads share with the writer.
    pub fn in_memory() -> Result<SqliteStore> {
        let conn = Connection::open_in_memory()?;
        tune(&conn)?;
        let store = SqliteStore {
            writer: Mutex::new(conn),
            readers: None,
            path: ":memory:".into(),
        };
        store.migrate(0)?;
        Ok(store)
    }

    fn migrate(&self, from: i64) -> Result<()> {
        let mut conn = lock(&self.writer);
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(|e| self.busy(e))?;
            tx.execute_batch(sql)?;
            if i + 1 == PLAN_LINES_MIGRATION {
                fill_plan_lines(&tx)?;
            }
            if i + 1 == PLAN_DAYS_MIGRATION {
                fill_loose(&tx)?;
                fill_days(&tx, Days::Every)?;
            }
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
            tx.commit().map_err(|e| self.busy(e))?;
        }
        Ok(())
    }

    /// A driver error named with this database's path when it is a lock wait.
    fn busy(&self, e: rusqlite::Error) -> StoreError {
        if is_busy(&e) {
            StoreError::Busy {
                path: self.path.clone(),
            }
        } else {
            e.into()
        }
    }

    /// The writer connection, waiting at most [`BUSY_WAIT`] for this process's other writer
    /// (SQLite's own busy timeout only covers other processes).
    fn held_writer(&self) -> Result<Held<'_>> {
        lock_within(&self.writer, BUSY_WAIT)
            .map(Held::Writer)
            .ok_or_else(|| StoreError::Busy {
                path: self.path.clone(),
            })
    }

    /// A reader connection: an idle one, or a new one on the same file.
    fn reader(&self) -> Result<Held<'_>> {
        let Some(pool) = &self.readers else {
            return self.held_writer();
        };
        let idle = lock(pool).pop();
        let conn = match idle {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_WRITE
                        | OpenFlags::SQLITE_OPEN_URI
                        | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map_err(|e| StoreError::Open {
                    path: self.path.clone(),
                    detail: e.to_string(),
                })?;
                c.busy_timeout(BUSY_WAIT)?;
                tune(&c)?;
                // A reader cannot write, whatever a bug in a caller tries.
                c.pragma_update(None, "query_only", true)?;
                // Readers share the file's pages through the OS (memory-mapped) rather than
                // each growing a private cache: sixteen idle readers must not hold sixteen
                // copies of a coach's database.
                c.pragma_update(None, "cache_size", -8192)?;
                c.pragma_update(None, "mmap_size", 1i64 << 30)?;
                c
            }
        };
        Ok(Held::Reader {
            conn: Some(conn),
            pool,
        })
    }
}

/// Fills the compact columns of every plan row, every owner's, from its JSON (migration 8).
fn fill_plan_lines(conn: &Connection) -> Result<()> {
    let mut rows = Vec::new();
    {
        let mut stmt = conn.prepare("SELECT owner, kind, due, id, data FROM plan")?;
        let mut q = stmt.query([])?;
        while let Some(r) = q.next()? {
            let id: i64 = r.get(3)?;
            let data = r.get_ref(4)?.as_bytes().map_err(|e| StoreError::Corrupt {
                table: "plan",
                id: id.to_string(),
                detail: e.to_string(),
            })?;
            let item: FollowUp = from_json_bytes("plan", id, data)?;
            let key: (i64, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
            rows.push((key, id, Compact::of(id, &item)));
        }
    }
    let mut stmt = conn.prepare(
        "UPDATE plan SET name_key = ?5, rule = ?6, reorder_on = ?7, line = ?8
         WHERE owner = ?1 AND kind = ?2 AND due = ?3 AND id = ?4",
    )?;
    for ((owner, kind, due), id, c) in rows {
        stmt.execute(params![
            owner,
            kind,
            due,
            id,
            c.name_key,
            c.rule.0,
            c.reorder_on.map(|d| d.to_string()),
            c.line
        ])?;
    }
    Ok(())
}

/// Marks the follow-ups today may change as loose, every owner's (migration 9): those whose
/// line has a day from which it moves or changes its words, and those whose line this build
/// cannot read (measured whole, as the walk reads them).
fn fill_loose(conn: &Connection) -> Result<()> {
    let mut loose = Vec::new();
    {
        let mut stmt = conn.prepare("SELECT owner, id, line FROM plan WHERE kind = 'follow-up'")?;
        let mut q = stmt.query([])?;
        while let Some(r) = q.next()? {
            let bytes = r.get_ref(2)?.as_blob().unwrap_or_default();
            if Line::decode(bytes).is_none_or(|l| !Extent::is_firm(&l.head)) {
                loose.push((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?));
            }
        }
    }
    let mut stmt = conn.prepare("UPDATE plan SET loose = 1 WHERE owner = ?1 AND id = ?2")?;
    for (owner, id) in loose {
        stmt.execute(params![owner, id])?;
    }
    Ok(())
}

/// Which days' extents [`fill_days`] folds again.
enum Days<'a> {
    /// Every owner's (a migration).
    Every,
    /// One owner's.
    Owner(i64),
    /// One owner's, on one day (`YYYY-MM-DD`, as the plan keeps it).
    Day(i64, &'a str),
}

/// Folds the extents of `days` again from their plan rows' lines ([`Extent`]): the rows
/// deleted, then one per owner and day with firm lines written. A line this build cannot
/// read makes its day's extent of version 0, which readers do not use.
fn fill_days(conn: &Connection, days: Days<'_>) -> Result<()> {
    // INDEXED BY: the covering index holds the line, in the day's order.
    let (delete, select, args): (&str, &str, Vec<&dyn rusqlite::ToSql>) = match &days {
        Days::Every => (
            "DELETE FROM plan_days",
            "SELECT owner, due, line FROM plan WHERE kind = 'follow-up' ORDER BY owner, due",
            vec![],
        ),
        Days::Owner(o) => (
            "DELETE FROM plan_days WHERE owner = ?1",
            "SELECT owner, due, line FROM plan INDEXED BY plan_agenda
             WHERE owner = ?1 AND kind = 'follow-up' ORDER BY due",
            vec![o],
        ),
        Days::Day(o, d) => (
            "DELETE FROM plan_days WHERE owner = ?1 AND due = ?2",
            "SELECT owner, due, line FROM plan INDEXED BY plan_agenda
             WHERE owner = ?1 AND kind = 'follow-up' AND due = ?2",
            vec![o, d],
        ),
    };
    conn.prepare_cached(delete)?.execute(&args[..])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO plan_days (owner, due, rows, id_max, actions, channels, who_max, notes, version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    let mut put = |owner: i64, due: &str, e: &Extent, readable: bool| -> Result<()> {
        if e.rows > 0 || !readable {
            insert.execute(params![
                owner,
                due,
                e.rows,
                e.id_max,
                e.actions,
                e.channels,
                e.who_max,
                e.notes,
                if readable { LINE_VERSION } else { 0 }
            ])?;
        }
        Ok(())
    };
    let mut stmt = conn.prepare_cached(select)?;
    let mut q = stmt.query(&args[..])?;
    // The day being folded: its owner, date, extent, and whether every line read.
    let mut open: Option<(i64, String, Extent, bool)> = None;
    while let Some(r) = q.next()? {
        let owner: i64 = r.get(0)?;
        let due = r.get_ref(1)?.as_str().map_err(|e| StoreError::Corrupt {
            table: "plan",
            id: "?".into(),
            detail: e.to_string(),
        })?;
        if open
            .as_ref()
            .is_some_and(|(o, d, _, _)| *o != owner || d != due)
        {
            let (o, d, e, ok) = open.take().expect("an open day");
            put(o, &d, &e, ok)?;
        }
        let (_, _, e, ok) = open.get_or_insert_with(|| {
            let date = due.parse().unwrap_or(Date::MIN);
            (owner, due.to_string(), Extent::empty(date), true)
        });
        match Line::decode(r.get_ref(2)?.as_blob().unwrap_or_default()) {
            Some(l) if Extent::is_firm(&l.head) => e.add(&l),
            Some(_) => {}
            None => *ok = false,
        }
    }
    if let Some((o, d, e, ok)) = open {
        put(o, &d, &e, ok)?;
    }
    Ok(())
}

/// Settings every connection gets.
fn tune(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_prepared_statement_cache_capacity(64);
    // The bundled SQLite has STAT4, which re-prepares a statement whenever a bound value
    // might change its plan: half the time of a 30,000-row import. Our plans do not depend
    // on values (INDEXED BY where it matters), so ask for stable plans.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    // A bigger page cache only grows as pages are used: small commands stay small.
    conn.pragma_update(None, "cache_size", -65536)?;
    // Each change runs in a savepoint (all or nothing), whose undo pages SQLite keeps in a
    // sub-journal: in a temporary file by default, a write to disk per page of a 30,000-row
    // import (a tenth of its time). In memory they are as safe: the sub-journal is thrown away
    // at commit and means nothing after a crash (the WAL is what recovers).
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(())
}

impl Store for SqliteStore {
    fn read(&self, owner: OwnerId) -> Result<Box<dyn ReadTx + '_>> {
        let conn = self.reader()?;
        conn.execute_batch("BEGIN DEFERRED")
            .map_err(|e| self.busy(e))?;
        // From here a failure drops the transaction, which rolls back.
        let tx = SqliteTx {
            tx: conn,
            owner: owner.0,
            open: true,
            actor: None,
            appended: Appended::default(),
            derived: BTreeSet::new(),
            days: std::cell::RefCell::new(Some(BTreeSet::new())),
            path: &self.path,
        };
        // BEGIN alone takes no snapshot: SQLite starts the read at the first statement, so a
        // commit between here and then would show. Reading now fixes the snapshot at open.
        tx.tx
            .execute_batch("SELECT 1 FROM owners LIMIT 1")
            .map_err(|e| self.busy(e))?;
        Ok(Box::new(tx))
    }

    fn write(&self, owner: OwnerId) -> Result<Box<dyn WriteTx + '_>> {
        let conn = self.held_writer()?;
        if !conn.is_autocommit() {
            // A transaction a failed ROLLBACK left open: end it before starting this one.
            conn.execute_batch("ROLLBACK").map_err(|e| self.busy(e))?;
        }
        conn.execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| self.busy(e))?;
        let tx = SqliteTx {
            tx: conn,
            owner: owner.0,
            open: true,
            actor: None,
            appended: Appended::default(),
            derived: BTreeSet::new(),
            days: std::cell::RefCell::new(Some(BTreeSet::new())),
            path: &self.path,
        };
        // The embedded default has owner 1 from the first migration; the team server's
        // accounts create owners explicitly. Reads never write.
        tx.exec(
            "INSERT OR IGNORE INTO owners (id, name) VALUES (?1, ?2)",
            params![owner.0, format!("owner {}", owner.0)],
        )?;
        Ok(Box::new(tx))
    }

    fn version(&self, owner: OwnerId) -> Result<u64> {
        let conn = self.reader()?;
        let v: Option<i64> = conn
            .prepare_cached("SELECT version FROM owners WHERE id = ?1")?
            .query_row(params![owner.0], |r| r.get(0))
            .optional()
            .map_err(|e| self.busy(e))?;
        Ok(v.unwrap_or(0) as u64)
    }

    fn version_and_setting(&self, owner: OwnerId, key: &str) -> Result<(u64, Option<String>)> {
        let conn = self.reader()?;
        // One statement: one snapshot.
        let (v, value): (Option<i64>, Option<String>) = conn
            .prepare_cached(
                "SELECT (SELECT version FROM owners WHERE id = ?1),
                        (SELECT value FROM settings WHERE owner = ?1 AND key = ?2)",
            )?
            .query_row(params![owner.0, key], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.busy(e))?;
        Ok((v.unwrap_or(0) as u64, value))
    }
}

/// One transaction on a held connection, for one owner. Begun with BEGIN, ended with COMMIT
/// or, when dropped open, ROLLBACK.
struct SqliteTx<'s> {
    tx: Held<'s>,
    owner: i64,
    /// Still inside BEGIN.
    open: bool,
    /// Who records what is appended (`WriteTx::act_as`).
    actor: Option<AccountId>,
    appended: Appended,
    /// The derived settings this transaction wrote (the others go at commit).
    derived: BTreeSet<String>,
    /// The days whose follow-ups this transaction changed, their extents folded again at
    /// commit; `None` inside is every day (the plan was cleared).
    days: std::cell::RefCell<Option<BTreeSet<String>>>,
    path: &'s str,
}

impl Drop for SqliteTx<'_> {
    fn drop(&mut self) {
        if self.open {
            // A read ends its snapshot here; a write that was not committed is undone. If
            // even this fails the connection is unusable and SQLite rolls back on close.
            let _ = self.tx.execute_batch("ROLLBACK");
        }
    }
}

/// The columns a removal moves, as in the live table (0005_removed.sql mirrors them).
fn removable_columns(table: &str) -> &'static str {
    match table {
        "contacts" => "owner, id, name, data",
        "jobs" => "owner, id, org_id, title, stage, data",
        _ => "owner, id, date, job_id, data",
    }
}

/// "deleted" or "retracted", as a person would say of this kind of record.
fn removed_word(what: &str) -> &'static str {
    if what == "touch" {
        "retracted"
    } else {
        "deleted"
    }
}

fn to_json<T: Serialize>(v: &T) -> String {
    // Our own types always serialize; a failure here is a bug, not bad input.
    serde_json::to_string(v).expect("serializable")
}

fn from_json<T: DeserializeOwned>(table: &'static str, id: impl ToString, s: &str) -> Result<T> {
    from_json_bytes(table, id, s.as_bytes())
}

fn from_json_bytes<T: DeserializeOwned>(
    table: &'static str,
    id: impl ToString,
    s: &[u8],
) -> Result<T> {
    serde_json::from_slice(s).map_err(|e| StoreError::Corrupt {
        table,
        id: id.to_string(),
        detail: e.to_string(),
    })
}

impl SqliteTx<'_> {
    fn put_contact(&self, c: &Contact) -> Result<()> {
        self.exec(
            "INSERT INTO contacts (owner, id, name, data) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (owner, id) DO UPDATE SET name = excluded.name, data = excluded.data",
            params![self.owner, c.id.0, c.name, to_json(c)],
        )?;
        Ok(())
    }

    fn put_job(&self, j: &Job) -> Result<()> {
        self.exec(
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
            self.exec(
                "INSERT OR IGNORE INTO job_contacts (owner, job_id, contact_id) VALUES (?1, ?2, ?3)",
                params![self.owner, j.id.0, c.0],
            )?;
        }
        Ok(())
    }

    /// A touch's contacts as rows, and each linked to the touch's opportunity.
    fn link_touch(&self, touch: &Touch) -> Result<()> {
        for c in &touch.contacts {
            self.exec(
                "INSERT OR IGNORE INTO touch_contacts (owner, contact_id, touch_id) VALUES (?1, ?2, ?3)",
                params![self.owner, c.0, touch.id.0],
            )?;
            if let Some(j) = touch.job {
                self.link(j, *c)?;
            }
        }
        Ok(())
    }

    fn need_contact(&self, id: ContactId) -> Result<Contact> {
        self.contact(id)?.ok_or(StoreError::Missing {
            what: "contact",
            id: id.to_string(),
        })
    }

    fn need_touch(&self, id: TouchId) -> Result<()> {
        let there = self
            .tx
            .prepare_cached("SELECT 1 FROM touches WHERE owner = ?1 AND id = ?2")?
            .query_row(params![self.owner, id.0], |_| Ok(()))
            .optional()?;
        there.ok_or(StoreError::Missing {
            what: "touch",
            id: id.to_string(),
        })
    }

    /// Moves a live row to its `removed_` table, saying why.
    fn move_out(&self, table: &'static str, id: i64, why: Removal) -> Result<()> {
        let cols = removable_columns(table);
        self.exec(
            &format!(
                "INSERT INTO removed_{table} ({cols}, why) SELECT {cols}, ?3 FROM {table} WHERE owner = ?1 AND id = ?2"
            ),
            params![self.owner, id, why.to_text()],
        )?;
        self.exec(
            &format!("DELETE FROM {table} WHERE owner = ?1 AND id = ?2"),
            params![self.owner, id],
        )?;
        Ok(())
    }

    /// Moves a row removed for `why` back to the live table; missing unless it went so.
    fn move_back(
        &self,
        table: &'static str,
        what: &'static str,
        id: i64,
        why: Removal,
    ) -> Result<()> {
        let cols = removable_columns(table);
        let n = self.exec(
            &format!(
                "INSERT INTO {table} ({cols}) SELECT {cols} FROM removed_{table} WHERE owner = ?1 AND id = ?2 AND why = ?3"
            ),
            params![self.owner, id, why.to_text()],
        )?;
        if n == 0 {
            return Err(StoreError::Missing {
                what,
                id: format!("{id} ({} and restorable)", removed_word(what)),
            });
        }
        self.exec(
            &format!("DELETE FROM removed_{table} WHERE owner = ?1 AND id = ?2"),
            params![self.owner, id],
        )?;
        Ok(())
    }

    /// Moves back every row removed for `why` (the touches that went with a record).
    fn move_back_all(&self, table: &'static str, why: Removal) -> Result<()> {
        let cols = removable_columns(table);
        self.exec(
            &format!(
                "INSERT INTO {table} ({cols}) SELECT {cols} FROM removed_{table} WHERE owner = ?1 AND why = ?2"
            ),
            params![self.owner, why.to_text()],
        )?;
        self.exec(
            &format!("DELETE FROM removed_{table} WHERE owner = ?1 AND why = ?2"),
            params![self.owner, why.to_text()],
        )?;
        Ok(())
    }

    /// A `removed_` table's records with why each went, by id.
    fn removed_rows<T: DeserializeOwned>(&self, table: &'static str) -> Result<Vec<(T, Removal)>> {
        let mut stmt = self.tx.prepare_cached(&format!(
            "SELECT id, data, why FROM {table} WHERE owner = ?1 ORDER BY id"
        ))?;
        let mut rows = stmt.query(params![self.owner])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let data: String = r.get(1)?;
            let why: String = r.get(2)?;
            let why = Removal::from_text(&why).ok_or_else(|| StoreError::Corrupt {
                table,
                id: id.to_string(),
                detail: format!("unknown reason {why:?}"),
            })?;
            out.push((from_json(table, id, &data)?, why));
        }
        Ok(out)
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

    /// Touches a query selects (`id, data`), copied out then decoded on every core: a full
    /// replan reads a million.
    fn touches_decoded(&self, sql: &str, args: impl rusqlite::Params) -> Result<Vec<Touch>> {
        let mut raw: Vec<(i64, Vec<u8>)> = Vec::new();
        {
            let mut stmt = self.tx.prepare_cached(sql)?;
            let mut rows = stmt.query(args)?;
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                let data = r.get_ref(1)?.as_bytes().map_err(|e| StoreError::Corrupt {
                    table: "touches",
                    id: id.to_string(),
                    detail: e.to_string(),
                })?;
                raw.push((id, data.to_vec()));
            }
        }
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 8);
        let chunk = raw.len().div_ceil(threads).max(1);
        let parts: Vec<Result<Vec<Touch>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = raw
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|(id, data)| from_json_bytes("touches", id, data))
                            .collect::<Result<Vec<Touch>>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("decoding does not panic"))
                .collect()
        });
        let mut out = Vec::with_capacity(raw.len());
        for p in parts {
            out.extend(p?);
        }
        Ok(out)
    }

    fn query_json<T: DeserializeOwned>(
        &self,
        table: &'static str,
        sql: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<T>> {
        let mut stmt = self.tx.prepare_cached(sql)?;
        let mut rows = stmt.query(args)?;
        let mut out = Vec::new();
        // Decoded straight from SQLite's buffer: no String per row.
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let data = r.get_ref(1)?.as_bytes().map_err(|e| StoreError::Corrupt {
                table,
                id: id.to_string(),
                detail: e.to_string(),
            })?;
            out.push(from_json_bytes(table, id, data)?);
        }
        Ok(out)
    }

    fn planned(&self, sql: &str, args: impl rusqlite::Params) -> Result<Vec<Planned>> {
        let mut stmt = self.tx.prepare_cached(sql)?;
        let mut rows = stmt.query(args)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let data = r.get_ref(1)?.as_bytes().map_err(|e| StoreError::Corrupt {
                table: "plan",
                id: id.to_string(),
                detail: e.to_string(),
            })?;
            out.push(Planned {
                id,
                item: from_json_bytes("plan", id, data)?,
            });
        }
        Ok(out)
    }

    /// Runs a change of several statements so that if one fails none is left: a failed
    /// `append` must not leave its event logged but unapplied for a later commit to keep.
    fn atomically<T>(&mut self, change: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        self.exec("SAVEPOINT change", [])?;
        match change(self) {
            Ok(v) => {
                self.exec("RELEASE change", [])?;
                Ok(v)
            }
            Err(e) => {
                // If even this fails the transaction is beyond use; the caller drops it.
                let _ = self.tx.execute_batch("ROLLBACK TO change; RELEASE change");
                Err(e)
            }
        }
    }

    /// An added row's id must be free: a log replayed onto rows it already made is a
    /// conflict, never a silent overwrite.
    fn free(&self, table: &'static str, what: &'static str, id: i64) -> Result<()> {
        // A removed record keeps its id: a restore must find it free.
        let sql = format!(
            "SELECT 1 FROM {table} WHERE owner = ?1 AND id = ?2
             UNION ALL SELECT 1 FROM removed_{table} WHERE owner = ?1 AND id = ?2"
        );
        let taken = self
            .tx
            .prepare_cached(&sql)?
            .query_row(params![self.owner, id], |_| Ok(()))
            .optional()?
            .is_some();
        if taken {
            return Err(StoreError::Conflict {
                what,
                detail: format!("id {id} is taken"),
            });
        }
        Ok(())
    }

    /// [`ReadTx::plan_lines`]'s walk over the rows `sql` selects (their lines, in due order,
    /// for this owner as `?1`).
    fn walk_lines(
        &self,
        sql: &str,
        until: Date,
        today: Date,
        full: bool,
        f: &mut dyn FnMut(PlanRow<'_>) -> ControlFlow<()>,
    ) -> Result<()> {
        let mut stmt = self.tx.prepare_cached(sql)?;
        let mut rows = stmt.query(params![self.owner])?;
        while let Some(r) = rows.next()? {
            let bytes = match r.get_ref(0)? {
                rusqlite::types::ValueRef::Blob(b) => b,
                _ => &[],
            };
            let row = match Line::decode(bytes) {
                Some(l) if l.head.due > until => break,
                Some(l) if l.head.reorder_on.is_some_and(|d| d <= today) => continue,
                Some(l) if !full && l.head.restyle_on.is_none_or(|d| d > today) => PlanRow {
                    id: l.head.id,
                    due: l.head.due,
                    rule: l.head.rule,
                    body: RowBody::Line(l),
                },
                // The whole item: asked for, its words change today, or a line this build
                // cannot read (another version): the item from its JSON, as before lines.
                _ => {
                    let id =
                        followup_core::line::id_of(bytes).ok_or_else(|| StoreError::Corrupt {
                            table: "plan",
                            id: "?".into(),
                            detail: "a plan row's line names no item".into(),
                        })?;
                    let item = self
                        .plan_item(id)?
                        .ok_or_else(|| StoreError::Missing {
                            what: "plan item",
                            id: id.to_string(),
                        })?
                        .item;
                    if item.due > until {
                        break;
                    }
                    if Compact::of(id, &item)
                        .reorder_on
                        .is_some_and(|d| d <= today)
                    {
                        continue;
                    }
                    PlanRow {
                        id,
                        due: item.due,
                        rule: item.rule,
                        body: RowBody::Item(Box::new(item)),
                    }
                }
            };
            if f(row).is_break() {
                break;
            }
        }
        Ok(())
    }

    /// Runs a statement through the connection's cache: each is prepared once per process.
    fn exec(&self, sql: &str, args: impl rusqlite::Params) -> Result<usize> {
        Ok(self.tx.prepare_cached(sql)?.execute(args)?)
    }

    /// The largest id in `table` for this owner, 0 when empty. `ORDER BY id DESC LIMIT 1`
    /// walks the (owner, id) key from its end; `COALESCE(MAX(id), 0)` would scan every row.
    fn max_id(&self, table: &'static str) -> Result<i64> {
        let sql = format!("SELECT id FROM {table} WHERE owner = ?1 ORDER BY id DESC LIMIT 1");
        let mut stmt = self.tx.prepare_cached(&sql)?;
        Ok(stmt
            .query_row(params![self.owner], |r| r.get::<_, i64>(0))
            .optional()?
            .unwrap_or(0))
    }

    /// The next number of a sequence, taken in this transaction: the row is locked until
    /// commit, so two writers (on a server) can never take the same one.
    fn allocate(&self, entity: &str) -> Result<i64> {
        Ok(self
            .tx
            .prepare_cached(
                "INSERT INTO ids (owner, entity, next) VALUES (?1, ?2, 2)
                 ON CONFLICT (owner, entity) DO UPDATE SET next = next + 1
                 RETURNING next - 1",
            )?
            .query_row(params![self.owner, entity], |r| r.get(0))?)
    }

    /// Moves a sequence past `id` (an event that carries its own id, or a restored number).
    fn taken(&self, entity: &str, id: i64) -> Result<()> {
        self.exec(
            "INSERT INTO ids (owner, entity, next) VALUES (?1, ?2, ?3)
             ON CONFLICT (owner, entity) DO UPDATE SET next = max(next, excluded.next)",
            params![self.owner, entity, id + 1],
        )?;
        Ok(())
    }

    /// Notes that a follow-up due on `due` was written or deleted: its day's extent is
    /// folded again at commit.
    fn touched_day(&self, due: &str) {
        if let Some(days) = self.days.borrow_mut().as_mut()
            && !days.contains(due)
        {
            days.insert(due.to_string());
        }
    }

    /// Runs a DELETE of plan rows that returns each deleted row's kind and due date, noting
    /// the days of the follow-ups among them.
    fn delete_plan(&self, sql: &str, args: impl rusqlite::Params) -> Result<()> {
        let mut stmt = self.tx.prepare_cached(sql)?;
        let mut rows = stmt.query(args)?;
        while let Some(r) = rows.next()? {
            if r.get_ref(0)?.as_str().ok() == Some("follow-up")
                && let Ok(due) = r.get_ref(1)?.as_str()
            {
                self.touched_day(due);
            }
        }
        Ok(())
    }

    /// Folds again the extents of the days this transaction changed (at commit).
    fn fold_days(&self) -> Result<()> {
        let days = self.days.borrow_mut().replace(BTreeSet::new());
        match days {
            None => fill_days(&self.tx, Days::Owner(self.owner)),
            Some(days) => {
                for d in &days {
                    fill_days(&self.tx, Days::Day(self.owner, d))?;
                }
                Ok(())
            }
        }
    }

    fn insert_plan_row(&self, id: i64, item: &FollowUp) -> Result<()> {
        let kind = plan_kind(item);
        let md = month_day(item.due);
        let c = Compact::of(id, item);
        let due = item.due.to_string();
        if kind == "follow-up" {
            self.touched_day(&due);
        }
        self.exec(
            "INSERT INTO plan (owner, id, subject, kind, due, md, data, name_key, rule, reorder_on, line, loose)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                self.owner,
                id,
                subject_text(item.key.subject),
                kind,
                due,
                md,
                to_json(item),
                c.name_key,
                c.rule.0,
                c.reorder_on.map(|d| d.to_string()),
                c.line,
                c.reorder_on.is_some() || c.restyle_on.is_some()
            ],
        )?;
        Ok(())
    }

    fn key_id(&mut self, key: &PlanKey) -> Result<i64> {
        if let Some(id) = self.plan_id(key)? {
            return Ok(id);
        }
        // Numbers start at 1: 0 is the pipeline item, which belongs to no subject.
        let id = self.allocate(PLAN_KEY)?;
        self.exec(
            "INSERT INTO plan_keys (owner, id, key) VALUES (?1, ?2, ?3)",
            params![self.owner, id, key.to_string()],
        )?;
        Ok(id)
    }
}

impl ReadTx for SqliteTx<'_> {
    fn holidays(&self) -> Result<Vec<Date>> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT DISTINCT day FROM holidays WHERE owner = ?1 ORDER BY day")?;
        let rows = stmt.query_map(params![self.owner], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for day in rows {
            let day = day?;
            out.push(day.parse().map_err(|_| StoreError::Corrupt {
                table: "holidays",
                id: day.clone(),
                detail: "not a date".into(),
            })?);
        }
        Ok(out)
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
        self.recorded(
            "SELECT seq, recorded_on, actor, payload FROM events WHERE owner = ?1 ORDER BY seq",
        )
    }

    fn events_by_accounts(&self) -> Result<Vec<Recorded>> {
        self.recorded(
            "SELECT seq, recorded_on, actor, payload FROM events INDEXED BY events_by_accounts
             WHERE owner = ?1 AND actor IS NOT NULL ORDER BY seq",
        )
    }

    fn organization_named(&self, name: &str) -> Result<Option<OrgRef>> {
        // INDEXED BY: without statistics SQLite scans the clustered (owner, id) key instead.
        let mut stmt = self.tx.prepare_cached(
            "SELECT id, name FROM organizations INDEXED BY organizations_name
             WHERE owner = ?1 AND name = ?2 COLLATE NOCASE",
        )?;
        Ok(stmt
            .query_row(params![self.owner, name.trim()], |r| {
                Ok(OrgRef {
                    id: OrgId(r.get(0)?),
                    name: r.get(1)?,
                })
            })
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
            "SELECT id, data FROM contacts INDEXED BY contacts_name WHERE owner = ?1 AND name = ?2 COLLATE NOCASE ORDER BY id",
            params![self.owner, name.trim()],
        )?;
        if !exact.is_empty() {
            return Ok(exact);
        }
        // instr, not LIKE: a pattern built from input can be "too complex" for SQLite (a long
        // name), and instr has no special characters to escape. lower() folds ASCII, as LIKE did.
        self.query_json(
            "contacts",
            "SELECT id, data FROM contacts WHERE owner = ?1 AND instr(lower(name), lower(?2)) > 0 ORDER BY id",
            params![self.owner, name.trim()],
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
        self.query_json(
            "jobs",
            "SELECT j.id, j.data FROM jobs j JOIN organizations o ON o.owner = j.owner AND o.id = j.org_id
             WHERE j.owner = ?1 AND instr(lower(o.name || ': ' || j.title), lower(?2)) > 0
             ORDER BY j.id",
            params![self.owner, t],
        )
    }

    fn jobs_of_contact(&self, id: ContactId) -> Result<Vec<Job>> {
        self.query_json(
            "jobs",
            // A subquery, so SQLite starts from the contact's index entries, never from the jobs.
            "SELECT id, data FROM jobs WHERE owner = ?1 AND id IN
                 (SELECT job_id FROM job_contacts WHERE owner = ?1 AND contact_id = ?2)
             ORDER BY id",
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
            "SELECT id, data FROM touches WHERE owner = ?1 AND id IN
                 (SELECT touch_id FROM touch_contacts WHERE owner = ?1 AND contact_id = ?2)
             ORDER BY date, id",
            params![self.owner, id.0],
        )
    }

    fn touches_of_job(&self, id: JobId) -> Result<Vec<Touch>> {
        self.query_json(
            "touches",
            // INDEXED BY: without statistics SQLite may prefer scanning the (owner, id) key.
            "SELECT id, data FROM touches INDEXED BY touches_job WHERE owner = ?1 AND job_id = ?2 ORDER BY date, id",
            params![self.owner, id.0],
        )
    }

    fn newest_touch(&self) -> Result<Option<TouchId>> {
        let n = self.max_id("touches")?;
        Ok((n > 0).then_some(TouchId(n)))
    }

    fn snoozes(&self, subject: Subject) -> Result<Vec<Snooze>> {
        self.query_json(
            "snoozes",
            "SELECT seq, data FROM snoozes WHERE owner = ?1 AND subject = ?2 ORDER BY seq",
            params![self.owner, subject_text(subject)],
        )
    }

    fn all_touches(&self) -> Result<Vec<Touch>> {
        self.touches_decoded(
            "SELECT id, data FROM touches WHERE owner = ?1 ORDER BY id",
            params![self.owner],
        )
    }

    fn touches_of_contacts(&self, from: ContactId, to: ContactId) -> Result<Vec<Touch>> {
        self.touches_decoded(
            "SELECT id, data FROM touches WHERE owner = ?1 AND id IN
                 (SELECT touch_id FROM touch_contacts
                  WHERE owner = ?1 AND contact_id BETWEEN ?2 AND ?3)
             ORDER BY id",
            params![self.owner, from.0, to.0],
        )
    }

    fn plan_subjects(&self) -> Result<Vec<Subject>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT DISTINCT subject FROM plan INDEXED BY plan_subject WHERE owner = ?1",
        )?;
        let mut rows = stmt.query(params![self.owner])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let text: String = r.get(0)?;
            out.push(subject_from_text(&text).ok_or_else(|| StoreError::Corrupt {
                table: "plan",
                id: text.clone(),
                detail: "not a subject".into(),
            })?);
        }
        Ok(out)
    }

    fn all_snoozes(&self) -> Result<Vec<Snooze>> {
        self.query_json(
            "snoozes",
            "SELECT seq, data FROM snoozes WHERE owner = ?1 ORDER BY seq",
            params![self.owner],
        )
    }

    fn plan_window(&self, from: Date, until: Date) -> Result<Vec<Planned>> {
        let mut out = self.planned(
            "SELECT id, data FROM plan WHERE owner = ?1 AND kind = 'follow-up' AND due <= ?2",
            params![self.owner, until.to_string()],
        )?;
        // Occasions by day of the year.
        for (lo, hi) in occasion_ranges(from, until) {
            out.extend(self.planned(
                "SELECT id, data FROM plan WHERE owner = ?1 AND kind = 'occasion' AND md BETWEEN ?2 AND ?3",
                params![self.owner, lo, hi],
            )?);
        }
        // Follow-ups and occasions are different rows, and the day-of-year ranges never overlap:
        // nothing to deduplicate, and the agenda sorts its own way.
        Ok(out)
    }

    fn plan_lines(
        &self,
        until: Date,
        today: Date,
        full: bool,
        f: &mut dyn FnMut(PlanRow<'_>) -> ControlFlow<()>,
    ) -> Result<()> {
        // INDEXED BY: the walk must be the covering index, in its order, with no sort and no
        // look-up of the JSON (the bundled SQLite has no statistics to know it). Everything a
        // row needs is in the line, so one column is read; the walk ends at the first row due
        // after `until` (the rows come by due date), which spares SQLite comparing the due
        // date on every row.
        self.walk_lines(
            "SELECT line FROM plan INDEXED BY plan_agenda
             WHERE owner = ?1 AND kind = 'follow-up'
             ORDER BY due, name_key, rule, id",
            until,
            today,
            full,
            f,
        )
    }

    fn plan_extents(
        &self,
        until: Date,
        today: Date,
        day: &mut dyn FnMut(&Extent),
        loose: &mut dyn FnMut(PlanRow<'_>),
    ) -> Result<bool> {
        // A few hundred days at most: read before the loose rows, so that extents of another
        // version are found before anything is handed over.
        let mut days = Vec::new();
        {
            let mut stmt = self.tx.prepare_cached(
                "SELECT due, rows, id_max, actions, channels, who_max, notes, version
                 FROM plan_days WHERE owner = ?1 AND due <= ?2 ORDER BY due",
            )?;
            let mut rows = stmt.query(params![self.owner, until.to_string()])?;
            while let Some(r) = rows.next()? {
                if r.get::<_, i64>(7)? != i64::from(LINE_VERSION) {
                    return Ok(false);
                }
                let due: String = r.get(0)?;
                days.push(Extent {
                    due: due.parse().map_err(|_| StoreError::Corrupt {
                        table: "plan_days",
                        id: due.clone(),
                        detail: "not a date".into(),
                    })?,
                    rows: r.get(1)?,
                    id_max: r.get(2)?,
                    actions: r.get(3)?,
                    channels: r.get(4)?,
                    who_max: r.get(5)?,
                    notes: r.get(6)?,
                });
            }
        }
        self.walk_lines(
            "SELECT line FROM plan INDEXED BY plan_loose
             WHERE owner = ?1 AND kind = 'follow-up' AND loose <> 0
             ORDER BY due",
            until,
            today,
            false,
            &mut |row| {
                loose(row);
                ControlFlow::Continue(())
            },
        )?;
        for e in &days {
            day(e);
        }
        Ok(true)
    }

    fn plan_moved(&self, until: Date, today: Date) -> Result<Vec<Planned>> {
        let mut out = self.planned(
            "SELECT id, data FROM plan INDEXED BY plan_moved
             WHERE owner = ?1 AND kind = 'follow-up' AND reorder_on <= ?3 AND due <= ?2",
            params![self.owner, until.to_string(), today.to_string()],
        )?;
        for (lo, hi) in occasion_ranges(today, until) {
            out.extend(self.planned(
                "SELECT id, data FROM plan WHERE owner = ?1 AND kind = 'occasion' AND md BETWEEN ?2 AND ?3",
                params![self.owner, lo, hi],
            )?);
        }
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
                "SELECT id, data FROM plan INDEXED BY plan_id WHERE owner = ?1 AND id = ?2",
                params![self.owner, id],
            )?
            .pop())
    }

    fn touch(&self, id: TouchId) -> Result<Option<Touch>> {
        Ok(self
            .query_json(
                "touches",
                "SELECT id, data FROM touches WHERE owner = ?1 AND id = ?2",
                params![self.owner, id.0],
            )?
            .pop())
    }

    fn mail(&self, message_id: &str) -> Result<Option<MailRecord>> {
        Ok(self
            .query_json(
                "mail",
                "SELECT seq, data FROM mail WHERE owner = ?1 AND message_id = ?2",
                params![self.owner, message_id],
            )?
            .pop())
    }

    fn mail_in_thread(&self, thread: &str) -> Result<Vec<MailRecord>> {
        self.query_json(
            "mail",
            "SELECT seq, data FROM mail WHERE owner = ?1 AND thread = ?2 ORDER BY seq",
            params![self.owner, thread],
        )
    }

    fn mail_with_meaning(&self, meaning: MailMeaning) -> Result<Vec<MailRecord>> {
        self.query_json(
            "mail",
            "SELECT seq, data FROM mail WHERE owner = ?1 AND meaning = ?2 ORDER BY seq",
            params![self.owner, meaning.as_str()],
        )
    }

    fn mail_counts(&self) -> Result<Vec<(MailMeaning, u64)>> {
        let mut out = Vec::new();
        for (word, n) in self
            .word_counts("SELECT meaning, COUNT(*) FROM mail WHERE owner = ?1 GROUP BY meaning")?
        {
            let meaning = MailMeaning::parse(&word).ok_or_else(|| StoreError::Corrupt {
                table: "mail",
                id: word.clone(),
                detail: "a meaning followup does not know".into(),
            })?;
            out.push((meaning, n));
        }
        out.sort_by_key(|(m, _)| *m);
        Ok(out)
    }

    fn trash(&self) -> Result<Trash> {
        Ok(Trash {
            contacts: self.removed_rows("removed_contacts")?,
            jobs: self.removed_rows("removed_jobs")?,
            touches: self.removed_rows("removed_touches")?,
        })
    }

    fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .tx
            .query_row(
                "SELECT value FROM settings WHERE owner = ?1 AND key = ?2",
                params![self.owner, key],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn plan_keys(&self) -> Result<Vec<(String, i64)>> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT key, id FROM plan_keys WHERE owner = ?1 ORDER BY id")?;
        let rows = stmt.query_map(params![self.owner], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
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

impl WriteTx for SqliteTx<'_> {
    fn next_id(&mut self, entity: Entity) -> Result<i64> {
        self.allocate(entity.as_str())
    }

    fn act_as(&mut self, actor: Option<AccountId>) {
        self.actor = actor;
    }

    fn append(&mut self, recorded_on: Date, event: &Event) -> Result<()> {
        self.atomically(|tx| tx.append_now(recorded_on, event))?;
        self.appended.note(event);
        Ok(())
    }

    fn appended(&self) -> &Appended {
        &self.appended
    }

    fn committed_version(&self) -> Result<u64> {
        // The one writer holds the file: nothing else commits before this does.
        let v: Option<i64> = self
            .tx
            .prepare_cached("SELECT version FROM owners WHERE id = ?1")?
            .query_row(params![self.owner], |r| r.get(0))
            .optional()?;
        Ok(v.unwrap_or(0) as u64 + 1)
    }

    fn commit(mut self: Box<Self>) -> Result<()> {
        // Derived settings this transaction did not write are older than the data: gone.
        let kept: Vec<String> = std::mem::take(&mut self.derived).into_iter().collect();
        let mut sql = format!(
            "DELETE FROM settings WHERE owner = ?1 AND key >= '{DERIVED}' AND key < '{}'",
            derived_end()
        );
        for i in 0..kept.len() {
            sql.push_str(&format!(" AND key <> ?{}", i + 2));
        }
        let mut args: Vec<&dyn rusqlite::ToSql> = vec![&self.owner];
        args.extend(kept.iter().map(|k| k as &dyn rusqlite::ToSql));
        self.tx.prepare_cached(&sql)?.execute(&args[..])?;
        self.fold_days()?;
        self.exec(
            "UPDATE owners SET version = version + 1 WHERE id = ?1",
            params![self.owner],
        )?;
        self.tx.execute_batch("COMMIT").map_err(|e| {
            if is_busy(&e) {
                StoreError::Busy {
                    path: self.path.to_string(),
                }
            } else {
                e.into()
            }
        })?;
        self.open = false;
        Ok(())
    }

    fn replace_plan(&mut self, subject: Subject, items: &[FollowUp]) -> Result<()> {
        self.atomically(|tx| tx.replace_plan_now(subject, items))
    }

    fn replace_plan_of(&mut self, subjects: &[Subject], items: &[FollowUp]) -> Result<()> {
        self.atomically(|tx| tx.replace_plan_of_now(subjects, items))
    }

    fn clear_plan(&mut self) -> Result<()> {
        self.tx
            .execute("DELETE FROM plan WHERE owner = ?1", params![self.owner])?;
        *self.days.borrow_mut() = None;
        Ok(())
    }

    fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        if is_derived(key) {
            self.derived.insert(key.to_string());
        }
        self.appended.note_setting(key);
        self.exec(
            "INSERT INTO settings (owner, key, value) VALUES (?1, ?2, ?3)
             ON CONFLICT (owner, key) DO UPDATE SET value = excluded.value",
            params![self.owner, key, value],
        )?;
        Ok(())
    }

    fn set_plan_key(&mut self, key: &str, id: i64) -> Result<()> {
        self.atomically(|t| {
            t.exec(
                "INSERT INTO plan_keys (owner, id, key) VALUES (?1, ?2, ?3)",
                params![t.owner, id, key],
            )
            .map_err(|e| match e {
                StoreError::Conflict { detail, .. } => StoreError::Conflict {
                    what: "plan key",
                    detail: format!("{key} as {id}: {detail}"),
                },
                e => e,
            })?;
            t.taken(PLAN_KEY, id)
        })
    }
}

impl SqliteTx<'_> {
    /// (word, count) rows of this owner (?1), as `sql` selects them.
    fn word_counts(&self, sql: &str) -> Result<Vec<(String, u64)>> {
        let mut stmt = self.tx.prepare_cached(sql)?;
        let rows = stmt.query_map(params![self.owner], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (w, n) = row?;
            out.push((w, n.max(0) as u64));
        }
        Ok(out)
    }

    /// Events as `sql` selects them: seq, recorded_on, actor, payload, for this owner (?1).
    fn recorded(&self, sql: &str) -> Result<Vec<Recorded>> {
        let mut stmt = self.tx.prepare_cached(sql)?;
        let rows = stmt.query_map(params![self.owner], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, on, actor, payload) = row?;
            let recorded_on = on.parse().map_err(|e: jiff::Error| StoreError::Corrupt {
                table: "events",
                id: seq.to_string(),
                detail: e.to_string(),
            })?;
            out.push(Recorded {
                seq,
                recorded_on,
                actor: actor.map(AccountId),
                event: from_json("events", seq, &payload)?,
            });
        }
        Ok(out)
    }
}

/// The changes themselves; [`WriteTx`] runs each inside a savepoint.
impl SqliteTx<'_> {
    fn append_now(&mut self, recorded_on: Date, event: &Event) -> Result<()> {
        self.exec(
            "INSERT INTO events (owner, recorded_on, kind, payload, actor)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                self.owner,
                recorded_on.to_string(),
                Event::kind(event),
                to_json(event),
                self.actor.map(|a| a.0)
            ],
        )?;
        let seq = self.tx.last_insert_rowid();
        match event {
            Event::OrganizationAdded { id, name } => {
                self.taken(Entity::Organization.as_str(), id.0)?;
                self.exec(
                    "INSERT INTO organizations (owner, id, name) VALUES (?1, ?2, ?3)",
                    params![self.owner, id.0, name],
                )?;
            }
            Event::ContactAdded { contact } => {
                self.free("contacts", "contact", contact.id.0)?;
                self.taken(Entity::Contact.as_str(), contact.id.0)?;
                self.put_contact(contact)?
            }
            Event::ContactEdited { id, patch } => {
                let c = self.contact(*id)?.ok_or(StoreError::Missing {
                    what: "contact",
                    id: id.to_string(),
                })?;
                self.put_contact(&patch.apply(&c))?;
            }
            Event::JobAdded { job } => {
                self.free("jobs", "job", job.id.0)?;
                self.taken(Entity::Job.as_str(), job.id.0)?;
                self.put_job(job)?
            }
            Event::JobStageChanged { id, stage } => {
                let mut j = self.need_job(*id)?;
                j.stage = *stage;
                self.put_job(&j)?;
            }
            Event::JobEdited { id, patch } => {
                let j = self.need_job(*id)?;
                self.put_job(&patch.apply(&j))?;
            }
            Event::JobContactLinked { id, contact } => self.link(*id, *contact)?,
            Event::TouchLogged { touch } => {
                self.free("touches", "touch", touch.id.0)?;
                self.taken(Entity::Touch.as_str(), touch.id.0)?;
                self.exec(
                    "INSERT INTO touches (owner, id, date, job_id, data) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![
                        self.owner,
                        touch.id.0,
                        touch.date.to_string(),
                        touch.job.map(|j| j.0),
                        to_json(touch)
                    ],
                )?;
                self.link_touch(touch)?;
            }
            Event::Snoozed { key, until, after } => {
                let s = Snooze {
                    key: *key,
                    until: *until,
                    after: *after,
                };
                self.exec(
                    "INSERT INTO snoozes (owner, seq, subject, key, data) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![self.owner, seq, subject_text(key.subject), key.to_string(), to_json(&s)],
                )?;
            }
            Event::ContactRemoved { id } => {
                self.need_contact(*id)?;
                self.move_out("contacts", id.0, Removal::Deleted)?;
                // Touches about this person alone go with them; shared ones stay.
                for t in self.touches_of_contact(*id)? {
                    if t.job.is_none() && t.contacts.iter().all(|c| c == id) {
                        self.move_out("touches", t.id.0, Removal::WithContact(*id))?;
                    }
                }
            }
            Event::ContactRestored { id } => {
                self.move_back("contacts", "contact", id.0, Removal::Deleted)?;
                self.move_back_all("touches", Removal::WithContact(*id))?;
            }
            Event::JobRemoved { id } => {
                self.need_job(*id)?;
                self.move_out("jobs", id.0, Removal::Deleted)?;
                for t in self.touches_of_job(*id)? {
                    self.move_out("touches", t.id.0, Removal::WithJob(*id))?;
                }
            }
            Event::JobRestored { id } => {
                self.move_back("jobs", "job", id.0, Removal::Deleted)?;
                self.move_back_all("touches", Removal::WithJob(*id))?;
            }
            Event::TouchRetracted { id } => {
                self.need_touch(*id)?;
                self.move_out("touches", id.0, Removal::Retracted)?;
            }
            Event::TouchRestored { id } => {
                self.move_back("touches", "touch", id.0, Removal::Retracted)?;
            }
            Event::TouchEdited { touch } => {
                self.need_touch(touch.id)?;
                if let Some(j) = touch.job {
                    self.need_job(j)?;
                }
                self.exec(
                    "UPDATE touches SET date = ?3, job_id = ?4, data = ?5 WHERE owner = ?1 AND id = ?2",
                    params![
                        self.owner,
                        touch.id.0,
                        touch.date.to_string(),
                        touch.job.map(|j| j.0),
                        to_json(touch)
                    ],
                )?;
                self.exec(
                    "DELETE FROM touch_contacts WHERE owner = ?1 AND touch_id = ?2",
                    params![self.owner, touch.id.0],
                )?;
                self.link_touch(touch)?;
            }
            Event::ContactsMerged { from, into } => {
                if from == into {
                    return Err(StoreError::Conflict {
                        what: "merge",
                        detail: format!("contact {from} into itself"),
                    });
                }
                self.need_contact(*from)?;
                self.need_contact(*into)?;
                let rename = |cs: &mut Vec<ContactId>| {
                    for c in cs.iter_mut() {
                        if c == from {
                            *c = *into;
                        }
                    }
                    let mut seen = std::collections::BTreeSet::new();
                    cs.retain(|c| seen.insert(*c));
                };
                for mut t in self.touches_of_contact(*from)? {
                    rename(&mut t.contacts);
                    self.exec(
                        "UPDATE touches SET data = ?3 WHERE owner = ?1 AND id = ?2",
                        params![self.owner, t.id.0, to_json(&t)],
                    )?;
                }
                for mut j in self.jobs_of_contact(*from)? {
                    rename(&mut j.contacts);
                    self.put_job(&j)?;
                }
                // Removed records that name `from` come back naming `into`.
                let trash = self.trash()?;
                for (mut t, _) in trash.touches {
                    if t.contacts.contains(from) {
                        rename(&mut t.contacts);
                        self.exec(
                            "UPDATE removed_touches SET data = ?3 WHERE owner = ?1 AND id = ?2",
                            params![self.owner, t.id.0, to_json(&t)],
                        )?;
                    }
                }
                for (mut j, _) in trash.jobs {
                    if j.contacts.contains(from) {
                        rename(&mut j.contacts);
                        self.exec(
                            "UPDATE removed_jobs SET data = ?3 WHERE owner = ?1 AND id = ?2",
                            params![self.owner, j.id.0, to_json(&j)],
                        )?;
                    }
                }
                for table in ["touch_contacts", "job_contacts"] {
                    self.exec(
                        &format!(
                            "UPDATE OR IGNORE {table} SET contact_id = ?3 WHERE owner = ?1 AND contact_id = ?2"
                        ),
                        params![self.owner, from.0, into.0],
                    )?;
                    // Rows that would have been twins of `into`'s are left; they name `from`.
                    self.exec(
                        &format!("DELETE FROM {table} WHERE owner = ?1 AND contact_id = ?2"),
                        params![self.owner, from.0],
                    )?;
                }
                self.move_out("contacts", from.0, Removal::MergedInto(*into))?;
            }
            Event::MailRead { mail } => {
                self.exec(
                    "INSERT INTO mail (owner, message_id, seq, thread, meaning, data)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        self.owner,
                        mail.message_id,
                        seq,
                        mail.thread,
                        mail.meaning.as_str(),
                        to_json(mail)
                    ],
                )?;
            }
            Event::SnoozeWithdrawn { key } => {
                let n = self.exec(
                    "DELETE FROM snoozes WHERE owner = ?1 AND subject = ?2 AND seq =
                         (SELECT MAX(seq) FROM snoozes WHERE owner = ?1 AND subject = ?2 AND key = ?3)",
                    params![self.owner, subject_text(key.subject), key.to_string()],
                )?;
                if n == 0 {
                    return Err(StoreError::Missing {
                        what: "snooze",
                        id: key.to_string(),
                    });
                }
            }
            Event::HolidaysKept { source, days } => {
                self.exec(
                    "DELETE FROM holidays WHERE owner = ?1 AND source = ?2",
                    params![self.owner, source],
                )?;
                for d in days {
                    self.exec(
                        "INSERT OR IGNORE INTO holidays (owner, source, day) VALUES (?1, ?2, ?3)",
                        params![self.owner, source, d.to_string()],
                    )?;
                }
            }
        }
        Ok(())
    }

    fn replace_plan_now(&mut self, subject: Subject, items: &[FollowUp]) -> Result<()> {
        self.delete_plan(
            // INDEXED BY: the bundled SQLite otherwise scans the clustered key.
            "DELETE FROM plan INDEXED BY plan_subject WHERE owner = ?1 AND subject = ?2
             RETURNING kind, due",
            params![self.owner, subject_text(subject)],
        )?;
        for item in items {
            debug_assert_eq!(item.key.subject, subject);
            let id = self.key_id(&item.key)?;
            self.insert_plan_row(id, item)?;
        }
        Ok(())
    }

    fn replace_plan_of_now(&mut self, subjects: &[Subject], items: &[FollowUp]) -> Result<()> {
        // The subjects' rows now, then only what changed is written (as a full replan).
        let texts: Vec<String> = subjects.iter().map(|s| subject_text(*s)).collect();
        let mut current: BTreeMap<i64, Vec<u8>> = BTreeMap::new();
        {
            // A row whose line is of another version is rewritten too (as a full replan).
            let mut stmt = self.tx.prepare_cached(
                "SELECT id, data, substr(line, 1, 1) FROM plan INDEXED BY plan_subject
                 WHERE owner = ?1 AND subject IN (SELECT value FROM json_each(?2))",
            )?;
            let mut rows = stmt.query(params![self.owner, to_json(&texts)])?;
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                let current_line = r.get_ref(2)?.as_blob().ok() == Some(&[LINE_VERSION][..]);
                let data = if current_line {
                    r.get_ref(1)?.as_bytes().unwrap_or_default().to_vec()
                } else {
                    Vec::new()
                };
                current.insert(id, data);
            }
        }
        let mut seen = BTreeSet::new();
        for item in items {
            debug_assert!(subjects.contains(&item.key.subject));
            let id = self.key_id(&item.key)?;
            if !seen.insert(id) {
                return Err(StoreError::Conflict {
                    what: "plan item",
                    detail: format!("{} twice", item.key),
                });
            }
            match current.remove(&id) {
                Some(old) if old == to_json(item).as_bytes() => {}
                Some(_) => {
                    self.delete_plan(
                        "DELETE FROM plan INDEXED BY plan_id WHERE owner = ?1 AND id = ?2
                         RETURNING kind, due",
                        params![self.owner, id],
                    )?;
                    self.insert_plan_row(id, item)?;
                }
                None => self.insert_plan_row(id, item)?,
            }
        }
        for id in current.keys() {
            self.delete_plan(
                "DELETE FROM plan INDEXED BY plan_id WHERE owner = ?1 AND id = ?2
                 RETURNING kind, due",
                params![self.owner, id],
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Not reachable through `ReadTx` (it has no method that writes); this is the guard
    /// behind it, for a bug that hands a reader's connection to a write.
    #[test]
    fn a_reader_connection_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("f.db")).unwrap();
        let reader = store.reader().unwrap();
        assert!(
            matches!(reader, Held::Reader { .. }),
            "a file store reads on a pool"
        );
        let e = reader
            .execute(
                "INSERT INTO settings (owner, key, value) VALUES (1, 'k', 'v')",
                [],
            )
            .expect_err("a reader wrote");
        assert!(e.to_string().contains("readonly"), "{e}");
        drop(reader);
        let r = store.read(OwnerId(1)).unwrap();
        assert_eq!(r.setting("k").unwrap(), None);
    }

    /// A reader handed back inside a transaction (its ROLLBACK never ran) would give every
    /// later read its old snapshot: it is ended before it is pooled, and the writer heals one
    /// left open the same way.
    #[test]
    fn no_connection_goes_back_inside_a_transaction() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("f.db")).unwrap();
        let reader = store.reader().unwrap();
        reader.execute_batch("BEGIN; SELECT 1 FROM owners").unwrap();
        drop(reader);
        let pooled = lock(store.readers.as_ref().unwrap());
        assert!(
            pooled.iter().all(|c| c.is_autocommit()),
            "a reader went back mid-transaction"
        );
        drop(pooled);
        // A write, then a read on a reused reader, sees it.
        let mut w = store.write(OwnerId(1)).unwrap();
        w.set_setting("k", "v").unwrap();
        w.commit().unwrap();
        assert_eq!(
            store
                .read(OwnerId(1))
                .unwrap()
                .setting("k")
                .unwrap()
                .as_deref(),
            Some("v")
        );
        store.held_writer().unwrap().execute_batch("BEGIN").unwrap();
        let mut w = store.write(OwnerId(1)).unwrap();
        w.set_setting("k", "w").unwrap();
        w.commit().unwrap();
        assert_eq!(
            store
                .read(OwnerId(1))
                .unwrap()
                .setting("k")
                .unwrap()
                .as_deref(),
            Some("w")
        );
    }
}
