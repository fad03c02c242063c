//! What a team server keeps of the secret lookup between requests, and how it knows that what
//! it keeps is still true.
//!
//! Every request names a secret, and the lookup answers with the account it opens and the
//! version of that account's workspace (lookup.rs). Which account a secret opens changes
//! seldom, so the server keeps it (with when the secret expires). Every change to accounts and
//! secrets is announced on channel `followup` as it commits, from whichever process made it
//! (migration 9's triggers); one connection of the server listens and applies them.
//!
//! Announcements arrive after the commit, so the server must not trust what it keeps merely
//! because nothing was heard yet. Before answering from memory, a request waits for one
//! heartbeat sent on the listening connection after the request came: PostgreSQL sends a
//! listener every announcement whose signal it has before the ReadyForQuery that ends a query
//! (postgres.c), the signal of a commit is sent before the committer is told it committed, and
//! the driver hands us each announcement before the answer behind it. So once the heartbeat is
//! answered, every change committed before the request came has been applied, and an answer
//! from memory is the one a lookup would give then. The heartbeat also reads the version of
//! each workspace its requests open, in its own snapshot (taken after they came): versions
//! change with every write, and announcing them cost each write more than reading them costs
//! a read (PostgreSQL commits announcing transactions one at a time). Requests that wait at
//! once share one heartbeat.
//!
//! What is kept is forgotten whenever it might have missed an announcement: the listening
//! connection ended (a new one starts from nothing), or an answer was looked up while an
//! announcement came (it is not kept). Until a connection listens, every request is looked
//! up as before. A secret never seen, or expired, is always looked up.

use std::collections::BTreeMap;
use std::future::poll_fn;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use followup_store::{Account, SecretKind};
use tokio::sync::{Notify, Semaphore, oneshot};
use tokio_postgres::{AsyncMessage, Config, NoTls, SimpleQueryMessage};

use crate::{ANNOUNCING_MIGRATION, WAIT};

/// Secrets kept at most; past it all are forgotten and kept again as they are asked.
const MOST_KEPT: usize = 100_000;

/// How long what is kept is trusted without being looked up again, announcements or not: a
/// bound on how wrong it can be should announcements go astray in a way not noticed below.
const MOST_AGE: Duration = Duration::from_secs(60);

/// After a listening connection failed to open, how long before another is tried.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// The heartbeat: the listening backend's number (a heartbeat answered by another proves
/// nothing of the announcements), and the versions of the workspaces asked, in order, as the
/// lookup reads one (`owner_version`, migration 8).
const HEARTBEAT: &str = "SELECT pg_backend_pid(),
        (SELECT array_agg(coalesce(owner_version(w), 0) ORDER BY n)
         FROM unnest($1::bigint[]) WITH ORDINALITY AS t(w, n))";

/// The versions a heartbeat read, by workspace.
type Versions = Arc<BTreeMap<i64, u64>>;

/// Heartbeats on the way at once. The listening backend answers them one after another; the
/// requests that come while one is out wait together for the next. Four out at once was
/// right before reads waited at a door (with one, the cores sat a third idle at 64 connections
/// with only reads); behind the door one does as well with only reads (16,600-18,500 against
/// 16,000-18,200 requests a second), and with one request in ten a log, where the cores are
/// the limit, each heartbeat answers more requests: 5% less of the machine a request, Today's
/// p99 about a millisecond lower (docs/BENCHMARKS.md, eleventh round).
const HEARTBEATS: usize = 1;

/// The channel migration 9 announces on.
pub(crate) const CHANNEL: &str = "followup";

/// The account a secret opens, while the secret lives.
#[derive(Clone)]
struct Kept {
    account: Account,
    /// Seconds since 1970, as `secrets.expires`.
    expires: Option<i64>,
    at: Instant,
}

#[derive(Default)]
struct State {
    /// Each listening connection is a new generation; what is kept belongs to one.
    generation: u64,
    /// The generation's connection listens, and what is kept may be used.
    live: bool,
    opening: bool,
    failed_at: Option<Instant>,
    /// The heartbeats came back from another backend than the one that listens (a pooler
    /// in transaction mode): announcements cannot be trusted to arrive, so nothing is kept
    /// for the rest of this server's life.
    refused: bool,
    /// Requests waiting for the next heartbeat, with the workspace each needs the version
    /// of: each is told once it is answered, or dropped (the connection failed).
    waiting: Vec<(Option<i64>, oneshot::Sender<Versions>)>,
    /// Wakes the generation's heartbeat task.
    wanted: Arc<Notify>,
    /// Announcements applied in this generation.
    heard: u64,
    secrets: BTreeMap<(SecretKind, String), Kept>,
}

impl State {
    fn forget(&mut self) {
        self.secrets.clear();
    }

    /// What is kept for a secret and still good at `now`.
    fn kept(&self, kind: SecretKind, hash: &str, now: i64) -> Option<&Kept> {
        self.secrets
            .get(&(kind, hash.to_string()))
            .filter(|k| k.expires.is_none_or(|e| now < e) && k.at.elapsed() <= MOST_AGE)
    }
}

/// Where the announcements stood when a lookup was asked: its answer is kept only if none
/// came since (`Watch::keep`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ticket {
    generation: u64,
    heard: u64,
}

pub(crate) struct Watch {
    config: Config,
    state: Mutex<State>,
}

impl Watch {
    /// On the lookup's connection settings (its keepalives and timeouts), named apart.
    pub(crate) fn new(mut config: Config) -> Watch {
        config.application_name("followup watch");
        Watch {
            config,
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Held only for whole inserts and removals: a panic elsewhere leaves it whole.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The account a kept secret opens and its workspace's version, as a lookup asked now
    /// would answer; `None` when nothing kept may answer (nothing kept for it, no connection
    /// listens: one is started, or no heartbeat came by `deadline`), and the caller looks it
    /// up.
    pub(crate) async fn from_memory(
        self: &Arc<Self>,
        kind: SecretKind,
        hash: &str,
        now: i64,
        deadline: tokio::time::Instant,
    ) -> Option<(Account, Option<u64>)> {
        let (versions, generation, wanted) = {
            let mut s = self.state();
            if !s.live {
                if !s.refused {
                    self.start(&mut s);
                }
                return None;
            }
            let workspace = s.kept(kind, hash, now)?.account.workspace.map(|w| w.0);
            let (tell, versions) = oneshot::channel();
            s.waiting.push((workspace, tell));
            (versions, s.generation, s.wanted.clone())
        };
        wanted.notify_one();
        // Told when a heartbeat sent after now is answered; dropped untold when the
        // connection failed, and given up on at the lookup's deadline.
        let versions = tokio::time::timeout_at(deadline, versions)
            .await
            .ok()?
            .ok()?;
        // Every change committed before the request came is applied: what is kept now is
        // what a lookup would answer.
        let s = self.state();
        if !s.live || s.generation != generation {
            return None;
        }
        let kept = s.kept(kind, hash, now)?;
        let version = match kept.account.workspace {
            None => None,
            Some(w) => Some(*versions.get(&w.0)?),
        };
        Some((kept.account.clone(), version))
    }

    /// Where the announcements stand, to ask a lookup against; `None` when no connection
    /// listens.
    pub(crate) fn ticket(&self) -> Option<Ticket> {
        let s = self.state();
        s.live.then_some(Ticket {
            generation: s.generation,
            heard: s.heard,
        })
    }

    /// Keeps what a lookup asked after `at` answered, unless an announcement came since
    /// (the answer may then be older than what was applied).
    pub(crate) fn keep(
        &self,
        at: Ticket,
        kind: SecretKind,
        hash: &str,
        account: &Account,
        expires: Option<i64>,
    ) {
        let mut s = self.state();
        if !s.live || s.generation != at.generation || s.heard != at.heard {
            return;
        }
        if s.secrets.len() >= MOST_KEPT {
            s.secrets.clear();
        }
        s.secrets.insert(
            (kind, hash.to_string()),
            Kept {
                account: account.clone(),
                expires,
                at: Instant::now(),
            },
        );
    }

    /// Opens a listening connection on the caller's runtime, unless one is being opened or
    /// the last attempt failed just now.
    fn start(self: &Arc<Self>, s: &mut State) {
        if s.opening || s.failed_at.is_some_and(|t| t.elapsed() < RETRY_AFTER) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        s.opening = true;
        s.generation += 1;
        s.wanted = Arc::new(Notify::new());
        let generation = s.generation;
        let wanted = s.wanted.clone();
        runtime.spawn(self.clone().listen(generation, wanted));
    }

    async fn listen(self: Arc<Self>, generation: u64, wanted: Arc<Notify>) {
        // However this ends (an error, or the runtime dropping the task), the generation is
        // over: requests stop waiting for heartbeats nobody will send.
        let _over = Over(self.clone(), generation);
        let opened = tokio::time::timeout(WAIT, self.config.connect(NoTls)).await;
        let Ok(Ok((client, mut connection))) = opened else {
            return;
        };
        // Announcements are applied by the task that reads the connection, in the order
        // they came, before it reads the answer to any heartbeat behind them.
        let reader = self.clone();
        tokio::spawn(async move {
            let _over = Over(reader.clone(), generation);
            while let Some(Ok(message)) = poll_fn(|cx| connection.poll_message(cx)).await {
                if let AsyncMessage::Notification(n) = message
                    && n.channel() == CHANNEL
                {
                    reader.heard(generation, n.payload());
                }
            }
        });
        // Only a schema that announces its changes may be kept from (one migrated by this
        // binary always does), and only a server that sends a listener what it was signalled
        // before ending a query (PostgreSQL 15 does; the order this module rests on is not
        // promised by older ones). One transaction, so one backend even behind a pooler: the
        // one that listens.
        let setup = async {
            let listening = client
                .simple_query(&format!(
                    "LISTEN {CHANNEL};
                     SELECT pg_backend_pid(), version, current_setting('server_version_num')
                     FROM schema_version"
                ))
                .await
                .ok()?;
            let (listener, schema, server) = backend_schema_server(&listening)?;
            let heartbeat = client.prepare(HEARTBEAT).await.ok()?;
            (schema >= ANNOUNCING_MIGRATION && server >= 150_000).then_some((listener, heartbeat))
        };
        let Ok(Some((listener, heartbeat))) = tokio::time::timeout(WAIT, setup).await else {
            return;
        };
        {
            let mut s = self.state();
            if s.generation != generation {
                return;
            }
            s.forget();
            s.heard = 0;
            s.live = true;
            s.opening = false;
        }
        // Heartbeats may be on the way at once (the connection answers them in order): the
        // requests that come while they are out wait together for the next.
        let client = Arc::new(client);
        let out = Arc::new(Semaphore::new(HEARTBEATS));
        loop {
            wanted.notified().await;
            let Ok(permit) = out.clone().acquire_owned().await else {
                return;
            };
            // Everyone waiting now came before this heartbeat is sent; those who come while it
            // is asked wait for the next.
            let told = {
                let mut s = self.state();
                if !s.live || s.generation != generation {
                    return;
                }
                std::mem::take(&mut s.waiting)
            };
            if told.is_empty() {
                continue;
            }
            let mut workspaces: Vec<i64> = told.iter().filter_map(|(w, _)| *w).collect();
            workspaces.sort_unstable();
            workspaces.dedup();
            let (me, client, heartbeat) = (self.clone(), client.clone(), heartbeat.clone());
            tokio::spawn(async move {
                let answer =
                    tokio::time::timeout(WAIT, client.query_one(&heartbeat, &[&workspaces])).await;
                drop(permit);
                let row = match answer {
                    Ok(Ok(row)) => row,
                    _ => return me.lost(generation),
                };
                let backend = row.try_get::<_, i32>(0).ok().map(i64::from);
                let read = row.try_get::<_, Option<Vec<i64>>>(1).ok().flatten();
                match (backend, read) {
                    (Some(b), read) if b == listener => {
                        let read = read.unwrap_or_default();
                        if read.len() != workspaces.len() {
                            return me.lost(generation);
                        }
                        let versions: Versions = Arc::new(
                            workspaces
                                .into_iter()
                                .zip(read)
                                .map(|(w, v)| (w, v as u64))
                                .collect(),
                        );
                        for (_, tell) in told {
                            let _ = tell.send(versions.clone());
                        }
                    }
                    (Some(_), _) => {
                        me.state().refused = true;
                        me.lost(generation);
                    }
                    (None, _) => me.lost(generation),
                }
            });
        }
    }

    /// Applies an announcement of migration 9.
    fn heard(&self, generation: u64, payload: &str) {
        let mut s = self.state();
        if s.generation != generation {
            return;
        }
        s.heard += 1;
        let words: Vec<&str> = payload.split(' ').collect();
        match words.as_slice() {
            ["a", a] => match a.parse::<i64>() {
                Ok(a) => s.secrets.retain(|_, k| k.account.id.0 != a),
                Err(_) => s.forget(),
            },
            // "all", or words this binary does not know: nothing kept is sure.
            _ => s.forget(),
        }
    }

    /// The generation's connection ended or failed: nothing kept is used until another
    /// listens.
    fn lost(&self, generation: u64) {
        let (wanted, waiting) = {
            let mut s = self.state();
            if s.generation != generation {
                return;
            }
            s.live = false;
            s.opening = false;
            s.failed_at = Some(Instant::now());
            s.forget();
            (s.wanted.clone(), std::mem::take(&mut s.waiting))
        };
        // Those waiting are dropped untold, and look the secret up themselves; the heartbeat
        // task, if it waits, wakes to find its generation gone and ends.
        drop(waiting);
        wanted.notify_one();
    }
}

/// The first row's three numbers: the backend, the schema's version and the server's.
fn backend_schema_server(messages: &[SimpleQueryMessage]) -> Option<(i64, i64, i64)> {
    messages.iter().find_map(|m| match m {
        SimpleQueryMessage::Row(r) => {
            let number = |i: usize| r.try_get(i).ok().flatten()?.parse().ok();
            Some((number(0)?, number(1)?, number(2)?))
        }
        _ => None,
    })
}

/// Ends its generation when dropped (`Watch::lost`).
struct Over(Arc<Watch>, u64);

impl Drop for Over {
    fn drop(&mut self) {
        self.0.lost(self.1);
    }
}
