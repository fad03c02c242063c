//! A small pool of synchronous connections: each transaction holds one for its whole life,
//! so concurrent transactions need several. Idle connections are kept; a connection is
//! opened when none is idle and fewer than the maximum are open; beyond that a caller waits
//! for one to come back, and after [`WAIT`](crate::WAIT) gets [`StoreError::Busy`]. A
//! connection that is closed, or was left in an unknown state (a ROLLBACK that failed), is
//! discarded instead of returned.

use std::collections::BTreeMap;
use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::BytesMut;
use followup_store::{Result, StoreError};
use futures_util::future::{join, join_all};
use tokio_postgres::tls::NoTlsStream;
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use tokio_postgres::{Client, Config, NoTls, Row, Socket, Statement};

use crate::db;

type Connection = tokio_postgres::Connection<Socket, NoTlsStream>;

/// A parameter already in PostgreSQL's binary form, for a statement sent later.
#[derive(Debug)]
struct Encoded(Option<Vec<u8>>);

impl ToSql for Encoded {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match &self.0 {
            None => Ok(IsNull::Yes),
            Some(b) => {
                out.extend_from_slice(b);
                Ok(IsNull::No)
            }
        }
    }

    // Checked against the statement's types when it was encoded (`Conn::defer`).
    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A write whose answer nobody waits for: sent with the next statement that has one.
enum Deferred {
    /// A prepared statement and its parameters.
    Prepared(Statement, Vec<Encoded>),
    /// Statements without parameters (the simple query protocol): savepoints.
    Simple(String),
}

/// One connection, the statements prepared on it, and the writes not yet sent.
///
/// It drives tokio-postgres on a current-thread runtime of its own, as the `postgres` crate
/// does, but keeps the asynchronous client: the writes a transaction defers go out in one
/// pipeline with the next statement whose answer is needed (PostgreSQL answers them in
/// order), so a write costs a round trip only when something waits for it (docs/DESIGN.md,
/// "Writes nobody waits for are pipelined").
pub(crate) struct Conn {
    runtime: tokio::runtime::Runtime,
    /// Polled whenever a statement is waited for; dropped last (`Drop`).
    connection: Pin<Box<Connection>>,
    /// `None` only while closing.
    client: Option<Client>,
    statements: BTreeMap<String, Statement>,
    deferred: Vec<Deferred>,
    /// The first failure of a deferred write in this transaction, which already answered
    /// success: the transaction must not commit (`Conn::failed_deferred`).
    failed: Option<String>,
    /// The connection ended (`block_on`): never polled again, never lent again.
    closed: bool,
    /// When it was last given back to the pool.
    idle_since: Instant,
}

/// A connection idle this long is looked at before it is lent (`Conn::still_open`).
pub(crate) const IDLE_CHECK: Duration = Duration::from_secs(1);

/// Lets the connection read what came and write what is queued, as far as it can without
/// waiting. `Ready` once the connection has ended (the server closed it, the socket failed),
/// with why: then it is over for good and must not be polled again.
fn drive(connection: &mut Pin<Box<Connection>>, cx: &mut Context<'_>) -> Poll<StoreError> {
    loop {
        // Notices are PostgreSQL's own log's business.
        match connection.as_mut().poll_message(cx) {
            Poll::Ready(Some(Ok(_))) => continue,
            Poll::Ready(Some(Err(e))) => return Poll::Ready(db(e)),
            Poll::Ready(None) => {
                return Poll::Ready(driver("the connection to PostgreSQL was closed".into()));
            }
            Poll::Pending => return Poll::Pending,
        }
    }
}

/// Runs `future` to completion on `runtime`, driving `connection` beside it. A connection
/// that ends (the server closed it, the socket failed) is over for good: it must not be polled
/// again, and what was waiting on it would wait forever, so that is an error of its own and
/// `closed` says so from then on (`Conn::is_closed`, and the pool discards it).
fn block_on<T>(
    runtime: &tokio::runtime::Runtime,
    connection: &mut Pin<Box<Connection>>,
    closed: &mut bool,
    future: impl Future<Output = T>,
) -> Result<T> {
    if *closed {
        return Err(driver("the connection to PostgreSQL is closed".into()));
    }
    let mut future = pin!(future);
    runtime.block_on(poll_fn(|cx| {
        let ended = drive(connection, cx);
        match (future.as_mut().poll(cx), ended) {
            // An answer that came before the end (the server's last words) is the answer.
            (Poll::Ready(v), _) => Poll::Ready(Ok(v)),
            (Poll::Pending, Poll::Ready(e)) => {
                *closed = true;
                Poll::Ready(Err(e))
            }
            (Poll::Pending, Poll::Pending) => Poll::Pending,
        }
    }))
}

/// The answers to `queries`, their statements prepared, sent in their order.
async fn read_all(
    c: &Client,
    statements: &[Statement],
    queries: &[(&str, &[&(dyn ToSql + Sync)])],
) -> Vec<std::result::Result<Vec<Row>, tokio_postgres::Error>> {
    join_all(
        statements
            .iter()
            .zip(queries)
            .map(|(s, (_, args))| c.query(s, args)),
    )
    .await
}

impl Conn {
    /// Reads what the server sent while nobody was waiting, without waiting: a server that
    /// ended the connection has said so (its last message, then the end of the stream), and
    /// then the connection is closed. One non-blocking read of the socket, no round trip.
    pub(crate) fn still_open(&mut self) -> bool {
        if self.closed {
            return false;
        }
        let connection = &mut self.connection;
        let ended = self.runtime.block_on(async {
            // The socket's readiness is learnt when the runtime polls its events, which a
            // yield makes it do once (without waiting): then the read sees what came while
            // the connection sat idle.
            tokio::task::yield_now().await;
            poll_fn(|cx| Poll::Ready(drive(connection, cx).is_ready())).await
        });
        self.closed = ended;
        !ended
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed || self.client.as_ref().is_none_or(Client::is_closed)
    }

    /// The statement for `sql`, prepared once per connection.
    fn statement(&mut self, sql: &str) -> Result<Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        // Preparing waits for its answer: whatever was deferred goes first.
        self.flush()?;
        let client = self.client.as_ref().expect("open until dropped");
        let s = block_on(
            &self.runtime,
            &mut self.connection,
            &mut self.closed,
            client.prepare(sql),
        )?
        .map_err(db)?;
        self.statements.insert(sql.to_string(), s.clone());
        Ok(s)
    }

    /// Sends the deferred writes and then `last`, in one pipeline, and waits for them all.
    /// The first failure in order is the answer: a failed deferred write aborts the
    /// transaction, so whatever follows it fails too, and `failed` remembers it.
    fn pipeline<'c, T>(
        &'c mut self,
        last: impl FnOnce(
            &'c Client,
        ) -> Pin<
            Box<dyn Future<Output = std::result::Result<T, tokio_postgres::Error>> + 'c>,
        >,
    ) -> Result<T> {
        let deferred = std::mem::take(&mut self.deferred);
        let client = self.client.as_ref().expect("open until dropped");
        let sent =
            join_all(
                deferred
                    .iter()
                    .map(|d| -> Pin<Box<dyn Future<Output = _>>> {
                        match d {
                            Deferred::Prepared(s, args) => Box::pin(async move {
                                client.execute_raw(s, args.iter()).await.map(|_| ())
                            }),
                            Deferred::Simple(sql) => Box::pin(client.batch_execute(sql)),
                        }
                    }),
            );
        let (written, answer) = match block_on(
            &self.runtime,
            &mut self.connection,
            &mut self.closed,
            join(sent, last(client)),
        ) {
            Ok(both) => both,
            Err(e) => {
                if !deferred.is_empty() {
                    self.failed.get_or_insert_with(|| e.to_string());
                }
                return Err(e);
            }
        };
        if let Some(e) = written.into_iter().find_map(|r| r.err()) {
            // Not this statement's own failure: a conflict here is no answer to what the
            // caller asked (a plan key's, say), so it is named as the earlier write's. A
            // lock that ran out stays busy, which a retry of the whole write cures.
            let e = match db(e) {
                busy @ StoreError::Busy { .. } => busy,
                e => driver(format!(
                    "a write sent earlier in this transaction failed: {e}"
                )),
            };
            self.failed.get_or_insert_with(|| e.to_string());
            return Err(e);
        }
        answer.map_err(db)
    }

    /// Sends whatever was deferred, and waits for it.
    pub(crate) fn flush(&mut self) -> Result<()> {
        if self.deferred.is_empty() {
            return Ok(());
        }
        self.pipeline(|_| Box::pin(async { Ok(()) }))
    }

    /// A write to send with the next statement that is waited for; its parameters are
    /// encoded now, so a value of the wrong type fails here, where it was given.
    pub(crate) fn defer(&mut self, sql: &str, args: &[&(dyn ToSql + Sync)]) -> Result<()> {
        let s = self.statement(sql)?;
        if s.params().len() != args.len() {
            return Err(driver(format!(
                "{} parameters for a statement of {}",
                args.len(),
                s.params().len()
            )));
        }
        let mut encoded = Vec::with_capacity(args.len());
        for (arg, ty) in args.iter().zip(s.params()) {
            let mut buf = BytesMut::new();
            match arg.to_sql_checked(ty, &mut buf) {
                Ok(IsNull::Yes) => encoded.push(Encoded(None)),
                Ok(IsNull::No) => encoded.push(Encoded(Some(buf.to_vec()))),
                Err(e) => return Err(driver(format!("a parameter of type {ty}: {e}"))),
            }
        }
        self.deferred.push(Deferred::Prepared(s, encoded));
        Ok(())
    }

    /// Statements without parameters to send with the next that is waited for.
    pub(crate) fn defer_batch(&mut self, sql: &str) {
        self.deferred.push(Deferred::Simple(sql.to_string()));
    }

    /// Forgets the deferred writes (the transaction is being rolled back) and any failure.
    pub(crate) fn forget_deferred(&mut self) {
        self.deferred.clear();
        self.failed = None;
    }

    /// A deferred write of this transaction that failed after its caller went on.
    pub(crate) fn failed_deferred(&self) -> Option<StoreError> {
        self.failed.as_ref().map(|f| driver(f.clone()))
    }

    pub(crate) fn query(&mut self, sql: &str, args: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>> {
        let s = self.statement(sql)?;
        self.pipeline(|c| Box::pin(async move { c.query(&s, args).await }))
    }

    /// Several reads in one pipeline, after whatever was deferred: one round trip for all,
    /// the answers in the order asked.
    pub(crate) fn query_many(
        &mut self,
        queries: &[(&str, &[&(dyn ToSql + Sync)])],
    ) -> Result<Vec<Vec<Row>>> {
        let statements = self.statements(queries)?;
        self.pipeline(|c| {
            Box::pin(async move {
                read_all(c, &statements, queries)
                    .await
                    .into_iter()
                    .collect()
            })
        })
    }

    /// Each query's statement, prepared once per connection.
    fn statements(&mut self, queries: &[(&str, &[&(dyn ToSql + Sync)])]) -> Result<Vec<Statement>> {
        queries.iter().map(|(sql, _)| self.statement(sql)).collect()
    }

    /// [`Conn::query_many`], then `sql` as simple statements, all in the one round trip
    /// (a transaction's last reads and its COMMIT). The reads' answers only if every part
    /// succeeded: a read that failed leaves the transaction aborted, and PostgreSQL answers
    /// the COMMIT after it as a rollback, not an error.
    pub(crate) fn query_many_then(
        &mut self,
        queries: &[(&str, &[&(dyn ToSql + Sync)])],
        sql: &str,
    ) -> Result<Vec<Vec<Row>>> {
        let statements = self.statements(queries)?;
        let (rows, ended) = self.pipeline(|c| {
            Box::pin(async move {
                // Sent in the order first polled: the reads, then the batch.
                Ok(join(read_all(c, &statements, queries), c.batch_execute(sql)).await)
            })
        })?;
        let rows = rows
            .into_iter()
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(db)?;
        ended.map_err(db)?;
        Ok(rows)
    }

    pub(crate) fn execute(&mut self, sql: &str, args: &[&(dyn ToSql + Sync)]) -> Result<u64> {
        let s = self.statement(sql)?;
        self.pipeline(|c| Box::pin(async move { c.execute(&s, args).await }))
    }

    /// Statements without parameters, in one round trip (the simple query protocol).
    pub(crate) fn batch(&mut self, sql: &str) -> Result<()> {
        self.pipeline(|c| Box::pin(c.batch_execute(sql)))
    }

    /// Each row of a batch run as simple queries, every column as text.
    pub(crate) fn simple_rows(&mut self, sql: &str) -> Result<Vec<Vec<Option<String>>>> {
        let msgs = self.pipeline(|c| Box::pin(c.simple_query(sql)))?;
        Ok(msgs
            .into_iter()
            .filter_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(r) => {
                    Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect())
                }
                _ => None,
            })
            .collect())
    }

    /// Like [`Conn::batch`], returning the first column of every row as text.
    pub(crate) fn simple_values(&mut self, sql: &str) -> Result<Vec<Option<String>>> {
        Ok(self
            .simple_rows(sql)?
            .into_iter()
            .map(|mut r| if r.is_empty() { None } else { r.swap_remove(0) })
            .collect())
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        // Dropping the client asks the connection to say goodbye (Terminate) and close; it
        // is driven until it has, as the `postgres` crate's client does. One already ended
        // has nothing to say; a server that stops answering is given a second, then the
        // socket is just closed.
        drop(self.client.take());
        if self.closed {
            return;
        }
        let connection = &mut self.connection;
        let goodbye = poll_fn(|cx| drive(connection, cx).map(|_| ()));
        let _ = self
            .runtime
            .block_on(async { tokio::time::timeout(Duration::from_secs(1), goodbye).await });
    }
}

fn driver(detail: String) -> StoreError {
    StoreError::Backend(Box::new(crate::PgError::Driver(detail)))
}

struct State {
    idle: Vec<Conn>,
    /// Connections open, idle or lent.
    open: usize,
}

pub(crate) struct Pool {
    config: Config,
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
    pub(crate) fn new(config: Config, max: usize, wait: Duration, name: String) -> Pool {
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
            while let Some(mut c) = state.idle.pop() {
                // A connection the server ended while it sat here (a restart, an idle
                // timeout) is found without a round trip and never lent. Looked at only
                // after a quiet second: a busy pool's connections were just working.
                let quiet = c.idle_since.elapsed() >= IDLE_CHECK;
                if c.is_closed() || (quiet && !c.still_open()) {
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
        let open = |detail: String| StoreError::Open {
            path: self.name.clone(),
            detail,
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| open(format!("cannot start a connection's runtime: {e}")))?;
        let (client, connection) = runtime
            .block_on(self.config.connect(NoTls))
            .map_err(|e| open(crate::describe(&e)))?;
        let mut conn = Conn {
            runtime,
            connection: Box::pin(connection),
            client: Some(client),
            statements: BTreeMap::new(),
            deferred: Vec::new(),
            failed: None,
            closed: false,
            idle_since: Instant::now(),
        };
        // Any text a batch sent without parameters quotes is quoted as standard SQL does (only
        // the quote is special); a database or role set otherwise must not change that.
        conn.batch("SET standard_conforming_strings = on")
            .map_err(|e| open(e.to_string()))?;
        Ok(conn)
    }

    fn give_back(&self, mut conn: Conn, broken: bool) {
        conn.idle_since = Instant::now();
        let mut state = lock(&self.state);
        if broken || conn.is_closed() {
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
