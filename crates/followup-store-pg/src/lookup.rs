//! The secret lookup every team-server request makes, asked without a thread of its own.
//!
//! The pool's connections are driven by the thread that borrows them (pool.rs), so a caller
//! on an async server must first leave its worker (`block_in_place`), which hands the
//! worker's queue to another thread: for a cached read, the lookup is the only store call,
//! and that hand-over was the largest part of the server's time (docs/BENCHMARKS.md, fifth
//! round). These few connections instead live on the caller's runtime: each is driven by a
//! task spawned there, and the requests that ask at once share them in pipelines (the
//! driver sends a query while earlier ones are answered), each lookup on the connection
//! with the fewest waiting.
//!
//! Measured against the blocking lookup (reads only, 64 connections, four alternating runs
//! each): 5,700-7,450 requests a second against 4,630-5,740, the machine's time per request
//! down a fifth. Tried and left out: round robin over the same connections (a backend the
//! scheduler set aside stalled every lookup queued on it: p99 up by a quarter), and a
//! connection to each lookup alone (no pipelines: PostgreSQL's time per lookup up by
//! two thirds).
//!
//! The connections belong to the runtime that opened them (their tasks run there): one
//! server, one runtime. Should that runtime end, its tasks end with it, the connections are
//! found closed, and the next lookup opens new ones wherever it is asked.
//!
//! The statement is the one [`Directory::secret_holder_with_version`] runs; a conformance
//! test in tests/pg.rs holds the two answers equal. Most lookups are not asked at all: the
//! server keeps which account a secret opens, and knows when that changes (watch.rs).
//!
//! [`Directory::secret_holder_with_version`]: followup_store::Directory::secret_holder_with_version

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use followup_store::{Account, Result, SecretKind, StoreError};

use crate::WAIT;
use crate::watch::Watch;
use jiff::Timestamp;
use tokio::sync::Mutex;
use tokio_postgres::{Client, Config, NoTls, Statement};

/// The account a live secret opens, and the version of that account's own workspace:
/// owner_version (migration 8) scopes its own read to the workspace named, for this
/// statement only, so the version is read as `PgStore::version` reads it.
pub(crate) const HOLDER_WITH_VERSION: &str =
    "SELECT a.id, a.email, a.role, a.disabled, a.workspace, a.password_hash IS NOT NULL,
            a.name,
            CASE WHEN a.workspace IS NULL THEN NULL
                 ELSE coalesce(owner_version(a.workspace), 0) END,
            s.expires
     FROM secrets s JOIN accounts a ON a.id = s.account
     WHERE s.hash = $1 AND s.kind = $2 AND NOT s.revoked
       AND (s.expires IS NULL OR $3 < s.expires)";

/// A backend answers its connection's pipeline one statement at a time: more than one a
/// core, so that a backend set aside holds up only the few lookups it already has.
const CONNECTIONS: usize = 8;

/// A connection ready to ask on, with the lookup prepared.
#[derive(Clone)]
struct Ready {
    client: Arc<Client>,
    statement: Statement,
}

pub(crate) struct Lookup {
    config: Config,
    /// The database as errors name it (no password).
    name: String,
    slots: Vec<Slot>,
    /// What is kept between requests, and the connection that keeps it true (watch.rs).
    watch: Arc<Watch>,
    /// Lookups asked of PostgreSQL (not answered from what is kept).
    asked: AtomicU64,
}

/// What a lookup answers: the account, its workspace's version, and when the secret expires.
type Found = Option<(Account, Option<u64>, Option<i64>)>;

struct Slot {
    /// Opened when first asked on (a slot is chosen only while the others have lookups
    /// waiting, so a quiet server opens one or two), on the runtime that asks; opened again
    /// when found closed or silent.
    ready: Mutex<Option<Ready>>,
    /// Lookups asked on this connection and not yet answered.
    waiting: AtomicUsize,
}

/// Counts a lookup waiting on its slot until it is answered, or dropped unanswered.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Lookup {
    pub(crate) fn new(mut config: Config, name: String) -> Lookup {
        // Named apart from the pool's in pg_stat_activity; and a connection whose server went
        // without a word is given up on by the kernel, not kept for the minutes TCP would.
        config
            .application_name("followup lookup")
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(30))
            .tcp_user_timeout(WAIT * 2);
        Lookup {
            watch: Arc::new(Watch::new(config.clone())),
            asked: AtomicU64::new(0),
            config,
            name,
            slots: (0..CONNECTIONS)
                .map(|_| Slot {
                    ready: Mutex::new(None),
                    waiting: AtomicUsize::new(0),
                })
                .collect(),
        }
    }

    fn open_error(&self, e: &tokio_postgres::Error) -> StoreError {
        StoreError::Open {
            path: self.name.clone(),
            detail: crate::describe(e),
        }
    }

    /// The slot's connection, opened (and the lookup prepared) if it has none or its
    /// connection ended. Only the asker that opens it waits for that.
    async fn ready(&self, slot: usize) -> Result<Ready> {
        let mut held = self.slots[slot].ready.lock().await;
        if let Some(r) = held.as_ref().filter(|r| !r.client.is_closed()) {
            return Ok(r.clone());
        }
        *held = None;
        // Spawning needs a runtime; an asker outside one is told so, not panicked at.
        let runtime = tokio::runtime::Handle::try_current().map_err(|e| StoreError::Open {
            path: self.name.clone(),
            detail: format!("the lookup needs a tokio runtime to ask on: {e}"),
        })?;
        let (client, connection) = self
            .config
            .connect(NoTls)
            .await
            .map_err(|e| self.open_error(&e))?;
        // The task ends when the connection does (the client dropped, the server gone).
        runtime.spawn(async move {
            let _ = connection.await;
        });
        let statement = client
            .prepare(HOLDER_WITH_VERSION)
            .await
            .map_err(crate::db)?;
        let ready = Ready {
            client: Arc::new(client),
            statement,
        };
        *held = Some(ready.clone());
        Ok(ready)
    }

    /// [`followup_store::Directory::secret_holder_with_version`], awaited: `Busy` after
    /// [`WAIT`], as a caller of the pool waits no longer for a connection.
    pub(crate) async fn holder(
        self: Arc<Self>,
        kind: SecretKind,
        hash: String,
        now: Timestamp,
    ) -> Result<Option<(Account, Option<u64>)>> {
        // One wait for both ways of answering: `Busy` after WAIT, however it was spent.
        let deadline = tokio::time::Instant::now() + WAIT;
        let kept = self
            .watch
            .from_memory(kind, &hash, now.as_second(), deadline);
        if let Some(answer) = kept.await {
            return Ok(Some(answer));
        }
        let ticket = self.watch.ticket();
        let found = self.look_up(kind, &hash, now, deadline).await?;
        if let (Some(at), Some((account, _, expires))) = (ticket, &found) {
            self.watch.keep(at, kind, &hash, account, *expires);
        }
        Ok(found.map(|(account, version, _)| (account, version)))
    }

    /// How many lookups were asked of PostgreSQL, not answered from what is kept.
    pub(crate) fn asked(&self) -> u64 {
        self.asked.load(Ordering::Relaxed)
    }

    /// The lookup asked of PostgreSQL.
    async fn look_up(
        &self,
        kind: SecretKind,
        hash: &str,
        now: Timestamp,
        deadline: tokio::time::Instant,
    ) -> Result<Found> {
        self.asked.fetch_add(1, Ordering::Relaxed);
        // The connection with the fewest lookups waiting: one whose backend the scheduler
        // set aside gathers them, and the next go elsewhere.
        let slot = (0..CONNECTIONS)
            .min_by_key(|&i| self.slots[i].waiting.load(Ordering::Relaxed))
            .unwrap_or(0);
        self.slots[slot].waiting.fetch_add(1, Ordering::Relaxed);
        let _waiting = Waiting(&self.slots[slot].waiting);
        match tokio::time::timeout_at(deadline, self.ask(slot, kind, hash, now)).await {
            Ok(answer) => answer,
            Err(_) => {
                // A connection that answers nothing (a server gone without a word) is not
                // asked again: the next lookup on this slot opens a new one. One being opened
                // (the lock held) is left to its opener.
                if let Ok(mut held) = self.slots[slot].ready.try_lock() {
                    *held = None;
                }
                Err(StoreError::Busy {
                    path: self.name.clone(),
                })
            }
        }
    }

    async fn ask(
        &self,
        slot: usize,
        kind: SecretKind,
        hash: &str,
        now: Timestamp,
    ) -> Result<Found> {
        let mut retried = false;
        loop {
            let ready = self.ready(slot).await?;
            let asked = ready
                .client
                .query(&ready.statement, &[&hash, &kind.as_str(), &now.as_second()])
                .await;
            match asked {
                Ok(rows) => {
                    let expires = rows.first().and_then(|r| r.get::<_, Option<i64>>(8));
                    return Ok(crate::directory::holder_with_version(rows.first())?
                        .map(|(account, version)| (account, version, expires)));
                }
                // A connection the server ended (a restart, an operator's
                // pg_terminate_backend) answers the lookups on it with the end itself, before
                // the driver marks it closed: one more time, on a new connection.
                Err(e) if !retried && (e.is_closed() || ended(&e) || ready.client.is_closed()) => {
                    self.forget(slot, &ready).await;
                    retried = true;
                }
                Err(e) => return Err(crate::db(e)),
            }
        }
    }

    /// Drops the slot's connection if it is still the one that failed (another asker may
    /// have opened a new one meanwhile).
    async fn forget(&self, slot: usize, failed: &Ready) {
        let mut held = self.slots[slot].ready.lock().await;
        if held
            .as_ref()
            .is_some_and(|r| Arc::ptr_eq(&r.client, &failed.client))
        {
            *held = None;
        }
    }
}

/// The server's word that it ended the connection: shut down, or the backend terminated.
fn ended(e: &tokio_postgres::Error) -> bool {
    use tokio_postgres::error::SqlState;
    e.code().is_some_and(|c| {
        *c == SqlState::ADMIN_SHUTDOWN
            || *c == SqlState::CRASH_SHUTDOWN
            || *c == SqlState::CANNOT_CONNECT_NOW
    })
}
