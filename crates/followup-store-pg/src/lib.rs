//! `followup-store-pg`: the PostgreSQL backend of followup's store contract, for the team
//! server. [`PgStore`] implements [`followup_store::Store`] with the same tables and the same
//! JSON as the SQLite backend (its logic is ported from `followup-store/src/sqlite.rs`) and is
//! held to the same rules by [`followup_store::conformance::run`]; [`testing::TestServer`]
//! starts a real PostgreSQL for the tests of this crate and of the crates that use it.
//!
//! It is not the contract (followup-store's docs are), not the rules (followup-core), not the
//! use cases (followup-app), and not who may open what: it keeps what an owner id is given (making the owner's row on
//! the first write), and the team server's accounts and secrets as followup-store's
//! `Directory` (`directory.rs`), for followup-app to decide with.
//!
//! # Why a synchronous client and a pool
//!
//! The [`Store`] trait is synchronous (followup-store's docs say why: the planner is CPU-bound
//! and the CLI needs no runtime). The web server runs its use cases on blocking threads
//! (`tokio::task::block_in_place`), so each connection drives tokio-postgres on a small
//! runtime of its own, as the synchronous `postgres` client does, and `block_in_place` leaves
//! the server's runtime context, so that nested runtime is allowed there (a test checks it).
//! Calling a [`PgStore`] straight from async code, outside `block_in_place` or
//! `spawn_blocking`, panics. Keeping the asynchronous client (`pool.rs`, not the `postgres`
//! crate's wrapper) lets a transaction pipeline: the writes whose answer nobody waits for are
//! deferred and sent with the next statement that has one, in one round trip.
//!
//! Each open transaction holds a connection for its whole life, so concurrent transactions
//! need several: a small pool of our own (`pool.rs`, a mutex, a list and a condition
//! variable) lends them, opens more up to a maximum, and makes a caller that waits longer than
//! [`WAIT`] fail with [`StoreError::Busy`]. A general pool crate would add dependencies for
//! the hundred lines we need (r2d2 or deadpool, and deadpool is async).
//!
//! # Transactions
//!
//! - A read is `BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY`, its snapshot fixed by its
//!   first statement at open: one snapshot, and it never waits for a writer.
//! - A write locks the owner's row (`SELECT ... FOR UPDATE`, the row made first if missing)
//!   under `SET LOCAL lock_timeout`: one writer per owner, the next waits [`WAIT`], then
//!   [`StoreError::Busy`]. Writers of different owners never wait for each other. Under that
//!   lock, read committed is enough: nothing else writes this owner's rows.
//! - Ids come from the per-owner `ids` table, as in SQLite since its migration 4.
//! - Each change runs inside a savepoint: a failed change leaves the transaction as it was
//!   (in PostgreSQL a failed statement would otherwise abort the whole transaction).
//! - Writes that cannot fail for a reason the caller must hear at the call (a taken id or a
//!   missing row is checked by a read first) are deferred (`Conn::defer`): they go out with
//!   the next statement that is waited for, or with the commit. If one fails anyway, the
//!   statement it went with reports it and the transaction can no longer commit.
//! - Commit moves `owners.version`; [`Store::version`] reads it.
//!
//! # Row-level security
//!
//! Every table keyed by owner has a policy `owner = current_setting('followup.owner')` for
//! reads and writes, and every transaction starts by setting `followup.owner` for itself
//! (`set_config(..., true)`, transaction-local). The queries keep their own `owner = $1` too:
//! defence in depth, and it is what the indexes are keyed on. The policies are FORCEd because
//! the application connects as the owner of its tables, whom policies otherwise spare. A
//! superuser (or a role with BYPASSRLS) skips every policy even so: **connect as an ordinary
//! role that owns the database** (the tests' [`testing::TestServer`] makes one, `followup`).
//!
//! # Schema
//!
//! Append-only migrations in `migrations/`, embedded in the binary, run by [`PgStore::connect`]
//! in one transaction under an advisory lock (two servers starting at once migrate once); the
//! version is in the `schema_version` table. A database of a newer version than
//! [`SCHEMA_VERSION`] is refused with [`StoreError::Newer`] and not changed.

mod directory;
mod lookup;
mod pool;
pub mod testing;
mod tx;
mod watch;

use std::sync::Arc;
use std::time::Duration;

use followup_core::model::{ContactId, OwnerId};
use followup_store::{ReadTx, Result, Store, StoreError, WriteTx};
use postgres::error::SqlState;

use crate::lookup::Lookup;
use crate::pool::Pool;
use crate::tx::PgTx;

/// How long a writer waits for the owner's other writer, and a caller for a free connection,
/// before [`StoreError::Busy`] (SQLite's wait is the same).
pub const WAIT: Duration = Duration::from_secs(5);

/// Connections a store opens at most, unless told otherwise ([`PgStore::connect_pooled`]).
pub const DEFAULT_MAX_CONNECTIONS: usize = 16;

/// Append-only: a shipped migration is never edited, a new one is added at the end.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_accounts.sql"),
    include_str!("../migrations/0003_grants.sql"),
    include_str!("../migrations/0004_actors.sql"),
    include_str!("../migrations/0005_coach_notes.sql"),
    include_str!("../migrations/0006_mail.sql"),
    include_str!("../migrations/0007_plan_lines.sql"),
    include_str!("../migrations/0008_owner_version.sql"),
    include_str!("../migrations/0009_notify.sql"),
    include_str!("../migrations/0010_owner_version_and_setting.sql"),
];

/// The migration after which every change to an account or a secret is announced (watch.rs
/// keeps what the lookup answers only on a schema this new).
pub(crate) const ANNOUNCING_MIGRATION: i64 = 9;

/// Each owner's version and one setting, in the order of the owners given (migration 10).
const VERSIONS_AND_SETTINGS: &str = "SELECT r.ver, r.val
     FROM unnest($1::bigint[]) WITH ORDINALITY AS t(w, n)
     CROSS JOIN LATERAL owner_version_and_setting(t.w, $2) AS r
     ORDER BY t.n";

/// The migration after which every plan row carries its compact columns, filled by
/// [`fill_plan_lines`] in the same transaction.
const PLAN_LINES_MIGRATION: usize = 7;

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Any number, the same in every followup: migrations of one database run one at a time.
const MIGRATION_LOCK: i64 = 0x666f_6c6c_6f77_7570; // "followup"

/// A driver error in our own words: the message and SQLSTATE, never the driver's type.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PgError {
    #[error("{0}")]
    Driver(String),
}

/// The driver's error as text: the server's severity, code, message and detail when it sent
/// them, otherwise the client's own account (a closed connection, a bad URL).
pub(crate) fn describe(e: &postgres::Error) -> String {
    if let Some(d) = e.as_db_error() {
        let mut s = format!("{} {}: {}", d.severity(), d.code().code(), d.message());
        if let Some(detail) = d.detail() {
            s.push_str(&format!(" ({detail})"));
        }
        return s;
    }
    let mut s = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        s.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    s
}

/// The one way a driver error becomes a store error: a lock wait that ran out (or a
/// serialization failure or deadlock, which a retry also cures) is busy, a broken integrity
/// constraint is a conflict, the rest keeps PostgreSQL's words without its type.
pub(crate) fn db(e: postgres::Error) -> StoreError {
    match e.code() {
        Some(c)
            if *c == SqlState::LOCK_NOT_AVAILABLE
                || *c == SqlState::T_R_SERIALIZATION_FAILURE
                || *c == SqlState::T_R_DEADLOCK_DETECTED =>
        {
            StoreError::Busy {
                path: "the database".into(),
            }
        }
        Some(c) if c.code().starts_with("23") => StoreError::Conflict {
            what: "a row",
            detail: describe(&e),
        },
        _ => StoreError::Backend(Box::new(PgError::Driver(describe(&e)))),
    }
}

/// The URL without its password, as errors show it.
fn redact(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((auth, host)) = rest.rsplit_once('@')
    {
        let user = auth.split_once(':').map_or(auth, |(u, _)| u);
        return format!("{scheme}://{user}@{host}");
    }
    if url.contains("password") {
        return "the PostgreSQL database".into();
    }
    url.to_string()
}

/// A followup database in PostgreSQL, shared by every owner, each sealed from the others.
pub struct PgStore {
    pool: Pool,
    /// Every request's secret lookup, on the asking server's own runtime (lookup.rs).
    lookup: Arc<Lookup>,
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user@host:port/db`, or key=value
    /// pairs) and brings its schema up to date; a database newer than this binary is refused
    /// untouched.
    pub fn connect(url: &str) -> Result<PgStore> {
        PgStore::connect_pooled(url, DEFAULT_MAX_CONNECTIONS)
    }

    /// [`PgStore::connect`] keeping at most `max_connections` connections open.
    pub fn connect_pooled(url: &str, max_connections: usize) -> Result<PgStore> {
        let name = redact(url);
        let mut config: tokio_postgres::Config = url.parse().map_err(|e| StoreError::Open {
            path: name.clone(),
            detail: describe(&e),
        })?;
        config.connect_timeout(Duration::from_secs(10));
        config.application_name("followup");
        let store = PgStore {
            lookup: Arc::new(Lookup::new(config.clone(), name.clone())),
            pool: Pool::new(config, max_connections, WAIT, name),
        };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&self) -> Result<()> {
        let mut conn = self.pool.get()?;
        let name = self.pool.name.clone();
        let open = |e: StoreError| match e {
            e @ StoreError::Busy { .. } => e,
            e => StoreError::Open {
                path: name.clone(),
                detail: e.to_string(),
            },
        };
        conn.batch(&format!(
            "BEGIN; SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"
        ))
        .map_err(open)?;
        // From here a failure drops `conn` marked broken: closed, so the server rolls back.
        conn.broken = true;
        let exists = conn
            .simple_values("SELECT to_regclass('schema_version') IS NOT NULL")
            .map_err(open)?;
        let exists = exists.first().cloned().flatten().as_deref() == Some("t");
        let found = if exists {
            let v = conn
                .simple_values("SELECT version FROM schema_version")
                .map_err(open)?;
            match v.first().cloned().flatten().map(|s| s.parse::<i64>()) {
                Some(Ok(v)) => v,
                _ => {
                    return Err(StoreError::Corrupt {
                        table: "schema_version",
                        id: "version".into(),
                        detail: "not one number".into(),
                    });
                }
            }
        } else {
            0
        };
        if found > SCHEMA_VERSION {
            conn.batch("ROLLBACK").map_err(open)?;
            conn.broken = false;
            return Err(StoreError::Newer {
                path: name,
                found,
                supported: SCHEMA_VERSION,
            });
        }
        if !exists {
            conn.batch(
                "CREATE TABLE schema_version (version bigint NOT NULL);
                 INSERT INTO schema_version (version) VALUES (0)",
            )
            .map_err(open)?;
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            conn.batch(sql).map_err(open)?;
            if i + 1 == PLAN_LINES_MIGRATION {
                fill_plan_lines(&mut conn).map_err(open)?;
            }
            conn.batch(&format!("UPDATE schema_version SET version = {}", i + 1))
                .map_err(open)?;
        }
        conn.batch("COMMIT").map_err(open)?;
        conn.broken = false;
        Ok(())
    }
}

/// Fills the compact columns of every plan row, every owner's, from its JSON (migration 7).
/// `plan`'s policy is FORCEd, so even its owner (the role migrating) sees no row without an
/// owner set: the FORCE is lifted for these statements and put back before the migration's
/// transaction commits (a failure rolls both back).
fn fill_plan_lines(conn: &mut pool::Pooled<'_>) -> Result<()> {
    use followup_core::line::Compact;
    use followup_core::plan::FollowUp;
    let backend = |e: postgres::Error| StoreError::Backend(Box::new(e));
    conn.batch("ALTER TABLE plan NO FORCE ROW LEVEL SECURITY")?;
    let rows = conn.query("SELECT owner, id, data FROM plan", &[])?;
    for r in rows {
        let owner: i64 = r.try_get(0).map_err(backend)?;
        let id: i64 = r.try_get(1).map_err(backend)?;
        let data: &str = r.try_get(2).map_err(backend)?;
        let item: FollowUp = serde_json::from_str(data).map_err(|e| StoreError::Corrupt {
            table: "plan",
            id: id.to_string(),
            detail: e.to_string(),
        })?;
        let c = Compact::of(id, &item);
        conn.execute(
            "UPDATE plan SET name_key = $3, rule = $4, reorder_on = $5, line = $6
             WHERE owner = $1 AND id = $2",
            &[
                &owner,
                &id,
                &c.name_key,
                &i64::from(c.rule.0),
                &c.reorder_on.map(|d| d.to_string()),
                &c.line,
            ],
        )?;
    }
    conn.batch("ALTER TABLE plan FORCE ROW LEVEL SECURITY")?;
    Ok(())
}

impl Store for PgStore {
    fn read(&self, owner: OwnerId) -> Result<Box<dyn ReadTx + '_>> {
        let mut conn = self.pool.get()?;
        // The owner is a number: formatting it in is safe, and saves a round trip. The first
        // statement fixes the snapshot, so a commit after open is never seen.
        conn.batch(&format!(
            "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;
             SELECT set_config('followup.owner', '{}', true)",
            owner.0
        ))
        .inspect_err(|_| conn.broken = true)?;
        Ok(Box::new(PgTx::new(conn, owner.0, &self.pool.name)))
    }

    fn write(&self, owner: OwnerId) -> Result<Box<dyn WriteTx + '_>> {
        self.write_about(owner, &[])
    }

    fn write_about(&self, owner: OwnerId, contacts: &[ContactId]) -> Result<Box<dyn WriteTx + '_>> {
        let conn = self.pool.get()?;
        // Dropped on a failure below, which rolls back.
        let mut tx = PgTx::new(conn, owner.0, &self.pool.name);
        tx.writing = true;
        tx.begin_write(contacts).map_err(|e| self.named(e))?;
        Ok(Box::new(tx))
    }

    fn version(&self, owner: OwnerId) -> Result<u64> {
        let mut conn = self.pool.get()?;
        // One prepared statement outside any transaction: the function scopes its own read
        // to the owner (migration 8).
        let rows = conn
            .query("SELECT owner_version($1)", &[&owner.0])
            .inspect_err(|_| conn.broken = true)?;
        let v: Option<i64> = rows.first().and_then(|r| r.get(0));
        Ok(v.unwrap_or(0) as u64)
    }

    fn version_and_setting(&self, owner: OwnerId, key: &str) -> Result<(u64, Option<String>)> {
        Ok(self
            .versions_and_settings(&[owner], key)?
            .pop()
            .unwrap_or((0, None)))
    }

    fn versions_and_settings(
        &self,
        owners: &[OwnerId],
        key: &str,
    ) -> Result<Vec<(u64, Option<String>)>> {
        if owners.is_empty() {
            return Ok(Vec::new());
        }
        // One prepared statement for them all; the function reads each owner's pair in one
        // snapshot of its own, scoped to that owner (migration 10). Outside any transaction:
        // the owner the function sets lasts until its caller's transaction ends.
        let ids: Vec<i64> = owners.iter().map(|o| o.0).collect();
        let mut conn = self.pool.get()?;
        let rows = conn
            .query(VERSIONS_AND_SETTINGS, &[&ids, &key])
            .inspect_err(|_| conn.broken = true)?;
        if rows.len() != owners.len() {
            conn.broken = true;
            return Err(StoreError::Corrupt {
                table: "owners",
                id: format!("{} owners", owners.len()),
                detail: format!("{} answers to a read of each", rows.len()),
            });
        }
        owners
            .iter()
            .zip(&rows)
            .map(|(o, row)| {
                let corrupt = |e: postgres::Error| StoreError::Corrupt {
                    table: "owners",
                    id: o.0.to_string(),
                    detail: e.to_string(),
                };
                let version: Option<i64> = row.try_get(0).map_err(corrupt)?;
                let value: Option<String> = row.try_get(1).map_err(corrupt)?;
                Ok((version.unwrap_or(0) as u64, value))
            })
            .collect()
    }

    /// Each owner's writes wait only for that owner's (the `owners` row lock): different
    /// owners' writes go on at once, on up to half the pool, the rest kept for reads.
    fn concurrent_writers(&self) -> usize {
        (self.pool.max / 2).max(1)
    }
}

impl PgStore {
    /// A busy error named with this database.
    fn named(&self, e: StoreError) -> StoreError {
        match e {
            StoreError::Busy { .. } => StoreError::Busy {
                path: self.pool.name.clone(),
            },
            e => e,
        }
    }

    /// How many secret lookups on the async runtime were asked of PostgreSQL rather than
    /// answered from what the server keeps (watch.rs): for tests and benchmarks.
    pub fn lookups_asked(&self) -> u64 {
        self.lookup.asked()
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_stay_out_of_errors() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u@h:5432/db"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("host=h password=secret"), "the PostgreSQL database");
    }
}
