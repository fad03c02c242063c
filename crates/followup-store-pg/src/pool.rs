//! A small pool of synchronous connections: each transaction holds one for its whole life,
//! so concurrent transactions need several. Idle connections are kept; a connection is
//! opened when none is idle and fewer than the maximum are open; beyond that a caller waits
//! for one to come back, and after [`WAIT`](crate::WAIT) gets [`StoreError::Busy`]. A
//! connection that is closed, or was left in an unknown state (a ROLLBACK that failed), is
//! discarded instead of returned.

use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use followup_store::{Result, StoreError};
use postgres::types::ToSql;
use postgres::{Client, NoTls, Row, Statement};

use crate::db;

/// One connection and the statements prepared on it.
pub(crate) struct Conn {
    client: Client,
    statements: BTreeMap<String, Statement>,
}

impl Conn {
    /// The statement for `sql`, prepared once per connection.
    fn statement(&mut self, sql: &str) -> std::result::Result<Statement, postgres::Error> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client.prepare(sql)?;
        self.statements.insert(sql.to_string(), s.clone());
        Ok(s)
    }

    pub(crate) fn query(&mut self, sql: &str, args: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>> {
        let s = self.statement(sql).map_err(db)?;
        self.client.query(&s, args).map_err(db)
    }

    pub(crate) fn execute(&mut self, sql: &str, args: &[&(dyn ToSql + Sync)]) -> Result<u64> {
        let s = self.statement(sql).map_err(db)?;
        self.client.execute(&s, args).map_err(db)
    }

    /// Statements without parameters, in one round trip (the simple query protocol).
    pub(crate) fn batch(&mut self, sql: &str) -> Result<()> {
        self.client.batch_execute(sql).map_err(db)
    }

    /// Each row of a batch run as simple queries, every column as text.
    pub(crate) fn simple_rows(&mut self, sql: &str) -> Result<Vec<Vec<Option<String>>>> {
        let msgs = self.client.simple_query(sql).map_err(db)?;
        Ok(msgs
            .into_iter()
            .filter_map(|m| match m {
                postgres::SimpleQueryMessage::Row(r) => {
                    Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect())
                }
                _ => None,
            })
            .collect())
    }

    /// Like [`Conn::batch`], returning the first column of every row as text.
    pub(crate) fn simple_values(&mut self, sql: &str) -> Result<Vec<Option<String>>> {
        let msgs = self.client.simple_query(sql).map_err(db)?;
        Ok(msgs
            .into_iter()
            .filter_map(|m| match m {
                postgres::SimpleQueryMessage::Row(r) => Some(r.get(0).map(str::to_string)),
                _ => None,
            })
            .collect())
    }
}

struct State {
    idle: Vec<Conn>,
    /// Connections open, idle or lent.
    open: usize,
}

pub(crate) struct Pool {
    config: postgres::Config,
    state: Mutex<State>,
    returned: Condvar,
    pub(crate) max: usize,
    wait: Duration,
    /// The database as errors name it (no password).
    pub(crate) name: String,
}

/// A poisoned lock only means a thread panicked while holding it; the state is a list and a
/// count, always consistent between statements.
fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Pool {
    pub(crate) fn new(config: postgres::Config, max: usize, wait: Duration, name: String) -> Pool {
        Pool {
            config,
            state: Mutex::new(State {
                idle: Vec::new(),
                open: 0,
            }),
            returned: Condvar::new(),
            max: max.max(1),
            wait,
            name,
        }
    }

    /// An idle connection, a new one, or (all lent) the first returned within the wait.
    pub(crate) fn get(&self) -> Result<Pooled<'_>> {
        let deadline = Instant::now() + self.wait;
        let mut state = lock(&self.state);
        loop {
            while let Some(c) = state.idle.pop() {
                if c.client.is_closed() {
                    state.open -= 1;
                    continue;
                }
                return Ok(Pooled {
                    conn: Some(c),
                    pool: self,
                    broken: false,
                });
            }
            if state.open < self.max {
                state.open += 1;
                drop(state);
                return match self.connect() {
                    Ok(conn) => Ok(Pooled {
                        conn: Some(conn),
                        pool: self,
                        broken: false,
                    }),
                    Err(e) => {
                        lock(&self.state).open -= 1;
                        self.returned.notify_one();
                        Err(e)
                    }
                };
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(StoreError::Busy {
                    path: self.name.clone(),
                });
            }
            state = self
                .returned
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// A new connection, outside the pool's lock.
    pub(crate) fn connect(&self) -> Result<Conn> {
        let mut client = self.config.connect(NoTls).map_err(|e| StoreError::Open {
            path: self.name.clone(),
            detail: crate::describe(&e),
        })?;
        // The batches sent without parameters quote text as standard SQL does (`tx::literal`:
        // only the quote is special); a database or role set otherwise must not change that.
        client
            .batch_execute("SET standard_conforming_strings = on")
            .map_err(|e| StoreError::Open {
                path: self.name.clone(),
                detail: crate::describe(&e),
            })?;
        Ok(Conn {
            client,
            statements: BTreeMap::new(),
        })
    }

    fn give_back(&self, conn: Conn, broken: bool) {
        let mut state = lock(&self.state);
        if broken || conn.client.is_closed() {
            state.open -= 1;
            drop(state);
            // Closing talks to the server; not under the lock.
            close(vec![conn]);
        } else {
            state.idle.push(conn);
        }
        self.returned.notify_one();
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        let state = self.state.get_mut().unwrap_or_else(|p| p.into_inner());
        close(std::mem::take(&mut state.idle));
    }
}

/// Closes connections on a thread of their own. The synchronous client closes by running its
/// own small runtime, which panics on a thread that is driving async tasks: and a server drops
/// its store there when it stops (axum drops the router inside the runtime). A plain thread
/// has no runtime, wherever the pool is dropped.
fn close(conns: Vec<Conn>) {
    if conns.is_empty() {
        return;
    }
    let closing = std::thread::spawn(move || drop(conns));
    // A panic while closing loses nothing: the server ends the session either way.
    let _ = closing.join();
}

/// A lent connection, returned to the pool when dropped (discarded if `broken`).
pub(crate) struct Pooled<'p> {
    conn: Option<Conn>,
    pool: &'p Pool,
    /// Set when the connection's state is unknown: it is closed instead of reused.
    pub(crate) broken: bool,
}

impl std::ops::Deref for Pooled<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn.as_ref().expect("held until dropped")
    }
}

impl std::ops::DerefMut for Pooled<'_> {
    fn deref_mut(&mut self) -> &mut Conn {
        self.conn.as_mut().expect("held until dropped")
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            self.pool.give_back(c, self.broken);
        }
    }
}
