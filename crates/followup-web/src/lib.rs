//! `followup-web`: the job search in a browser. `router(state)` serves the pages (askama
//! templates, readable without JavaScript, htmx for inline actions), the JSON API under
//! `/api/v1` with its `/openapi.json`, the calendar feed, and the embedded assets.
//!
//! It is not SQL and not rules: every handler calls `followup-app` and renders what it returns.
//! It is not the server process either (the binary's `serve` binds the socket and tells the
//! state its port, `WebState::serving`). At the edge (`edge.rs`) every request passes the Host
//! check and every response gets the CSP, the referrer policy and the one error shape; then,
//! on a team server, a read waits at the door (four reads a core at once unless the operator
//! says otherwise, `WebState::reads_at_once`; first come first served) and the request is
//! identified; then it waits its turn in a lane (reads as many at once as there are cores,
//! changes as many as the store writes at once: one on SQLite).
//! Handlers run use cases through `WebState::with`, which builds the request's `Ctx` and keeps
//! the blocking work (SQLite, the planner, rendering) off the async workers. Each `Field` a use
//! case refuses is named by its label on a page and by its JSON key in the API.

mod accounts;
mod api;
mod auth;
mod caseload;
mod corrections;
mod edge;
mod error;
mod extract;
mod forms;
mod notice;
mod pages;
mod settings;
mod uploads;

pub use edge::{CSP, REFERRER_POLICY};
pub use error::WebError;
use std::collections::BTreeMap;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use followup_app::{App, AppError, Ctx};
use followup_core::model::OwnerId;
use jiff::civil::Date;
use tower_http::csrf::CsrfLayer;
use tower_http::set_header::SetResponseHeaderLayer;

/// What the handlers share, behind one `Arc`: axum clones the state for every layer and
/// handler a request passes, and with each part its own `Arc` those clones and drops took 5%
/// of a team server's time under load, counts shared between the cores (docs/BENCHMARKS.md,
/// ninth round). Read through `Deref`; the builders change a state before it is shared
/// (`Arc::make_mut`).
#[derive(Clone)]
pub struct WebState(Arc<Shared>);

impl std::ops::Deref for WebState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The parts of a [`WebState`]: the app (shared, `&self`: no lock around it), and the day it is.
#[derive(Clone)]
pub struct Shared {
    app: Arc<App>,
    /// `--today` when pinned; else each request reads the clock.
    today: Option<Date>,
    /// The default agenda as the Today page and as JSON, kept per owner until their data or
    /// the day changes: at a coach's scale rendering it costs milliseconds, serving it
    /// microseconds.
    cache: Arc<Mutex<ViewCache>>,
    /// The port the listener is bound to: requests naming any other host are refused, and
    /// without it every request is.
    port: Option<u16>,
    /// Imports previewed and not yet confirmed.
    uploads: Arc<Mutex<uploads::Uploads>>,
    /// How many requests are let in at once (`edge::admit`), and do store and planner work
    /// at once, by kind (`edge::lane`).
    lanes: Arc<Lanes>,
    /// Sends mail (`[mail] smtp`): the draft page's Send, Settings' "send a test".
    mailer: Option<Arc<dyn followup_app::mail::Mailer>>,
    /// Set once the database is seen to have accounts (they are never all removed): from
    /// then on everyone signs in (`auth::gate`).
    team: Arc<std::sync::atomic::AtomicBool>,
    /// Sign-in failures per email (`auth::Attempts`).
    attempts: Arc<Mutex<auth::Attempts>>,
    /// The address people use behind a reverse proxy (`serve --public-url`): its host is
    /// answered beside loopback, and https there makes the session cookie Secure.
    public: Option<PublicUrl>,
}

/// `serve --public-url`, read.
#[derive(Debug, Clone)]
pub struct PublicUrl {
    /// `host` or `host:port`, as browsers send it in Host.
    pub host: String,
    pub https: bool,
    /// The whole URL without a trailing slash, for links printed elsewhere (invitations).
    pub base: String,
}

impl PublicUrl {
    /// A database URL with its password, if any, replaced: safe to print and log.
    pub fn redacted(url: &str) -> String {
        match (url.find("://"), url.rfind('@')) {
            (Some(s), Some(at)) if at > s => {
                let user = &url[s + 3..at];
                match user.split_once(':') {
                    Some((name, _)) => format!("{}{name}:***{}", &url[..s + 3], &url[at..]),
                    None => url.to_string(),
                }
            }
            _ => url.to_string(),
        }
    }

    /// Reads `https://followup.example.com` (a scheme, a host, an optional port, no path).
    pub fn parse(text: &str) -> Result<PublicUrl, String> {
        let bad =
            |why: &str| format!("--public-url {text:?}: {why} (like https://followup.example.com)");
        let (https, rest) = if let Some(r) = text.strip_prefix("https://") {
            (true, r)
        } else if let Some(r) = text.strip_prefix("http://") {
            (false, r)
        } else {
            return Err(bad("give the scheme, https:// or http://"));
        };
        let host = rest.trim_end_matches('/');
        if host.is_empty()
            || host.contains('/')
            || host.contains('@')
            || host.contains(char::is_whitespace)
        {
            return Err(bad("give only the scheme and the host, with no path"));
        }
        Ok(PublicUrl {
            host: host.to_ascii_lowercase(),
            https,
            base: format!(
                "{}://{}",
                if https { "https" } else { "http" },
                host.to_ascii_lowercase()
            ),
        })
    }
}

/// The server's queues. On a store that writes several workspaces at once (PostgreSQL: a
/// team server), every read first waits at the door, first come first served, for one of
/// four turns a core; only then is anything done for it. Inside, reads (GET, HEAD) run as
/// many at once as there are cores; changes as many at once as the store can write
/// (`Store::concurrent_writers`): one at a time on SQLite, which has one writer anyway; on
/// PostgreSQL, different workspaces' changes go on together, each waiting only for its own
/// workspace's. A change, however long (a 70,000-row import), never takes a read's place,
/// and a burst of readers is served first come, first served on the cores there are,
/// instead of as dozens of threads sharing two cores.
///
/// Why a door: with 64 connections saturating a team server's two cores, the operating
/// system's run queue decided who went next, and a `log`, five round trips to PostgreSQL
/// each waiting for a core, took 15 ms at the median and 70-130 ms at the 99th percentile.
/// With few reads in at once, each is done quickly and leaves the cores to the changes
/// (docs/BENCHMARKS.md, seventh round). Changes do not pass it: one sending its body slowly,
/// or waiting for its workspace's lock, would hold a turn there and keep everyone's reads
/// out. A one-person book (SQLite) has no door at all.
///
/// While changes are being made, the door lets in two reads a core, not four: the changes'
/// own round trips to PostgreSQL wait for the cores those reads would take, and with four a
/// core a `log`'s p99 went past 30 ms once reads got cheaper; with two always, a server with
/// only reads left a quarter of its cores idle (docs/BENCHMARKS.md, eleventh round). The door
/// stays first come, first served: the turns are taken back as reads leave, never from one
/// inside.
pub(crate) struct Lanes {
    pub door: tokio::sync::Semaphore,
    pub reads: tokio::sync::Semaphore,
    pub writes: tokio::sync::Semaphore,
    /// Door turns held back while changes are in flight (0: the door never narrows).
    narrow_by: usize,
    narrowed: std::sync::Mutex<Narrowed>,
}

/// How far the door is narrowed now.
#[derive(Default)]
struct Narrowed {
    /// Changes holding a turn in their lane.
    changes: usize,
    /// Turns taken out of the door.
    held: usize,
    /// Turns still to take out, as reads inside leave.
    owed: usize,
}

impl Lanes {
    /// The cores the lanes are sized by: at least two, so a read and a change can run at once.
    fn cores() -> usize {
        std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .max(2)
    }

    /// The door's turns when the operator names none: four a core.
    fn default_door() -> usize {
        4 * Lanes::cores()
    }

    /// Lanes for a store of `writers` concurrent writers, with a door of `door` turns (a team
    /// server's; a one-person book has none), narrowed by half while changes are in flight.
    fn new(writers: usize, door: Option<usize>) -> Lanes {
        let cores = Lanes::cores();
        let (door, narrow_by) = if writers > 1 {
            let door = door.unwrap_or_else(Lanes::default_door).max(1);
            (door, door / 2)
        } else {
            (tokio::sync::Semaphore::MAX_PERMITS, 0)
        };
        Lanes {
            door: tokio::sync::Semaphore::new(door),
            reads: tokio::sync::Semaphore::new(cores),
            writes: tokio::sync::Semaphore::new(writers.max(1)),
            narrow_by,
            narrowed: std::sync::Mutex::new(Narrowed::default()),
        }
    }

    fn narrowed(&self) -> std::sync::MutexGuard<'_, Narrowed> {
        self.narrowed.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A change took its turn: the first one in flight narrows the door, at once by the
    /// turns free, and by the rest as reads leave ([`Lanes::read_left`]).
    pub(crate) fn change_started(&self) -> ChangeInFlight<'_> {
        if self.narrow_by == 0 {
            return ChangeInFlight(self);
        }
        let mut n = self.narrowed();
        n.changes += 1;
        if n.changes == 1 {
            let taken = self.door.forget_permits(self.narrow_by);
            n.held += taken;
            n.owed = self.narrow_by - taken;
        }
        ChangeInFlight(self)
    }

    /// The last change in flight ended: the door opens again.
    fn change_ended(&self) {
        if self.narrow_by == 0 {
            return;
        }
        let mut n = self.narrowed();
        n.changes -= 1;
        if n.changes == 0 {
            self.door.add_permits(std::mem::take(&mut n.held));
            n.owed = 0;
        }
    }

    /// A read leaves the door: its turn is kept out while the door owes one.
    pub(crate) fn read_left(&self, turn: tokio::sync::SemaphorePermit<'_>) {
        // A door that never narrows (a one-person book) takes no lock a read.
        if self.narrow_by == 0 {
            return;
        }
        let mut n = self.narrowed();
        if n.owed > 0 {
            n.owed -= 1;
            n.held += 1;
            turn.forget();
        }
    }
}

/// A change in flight, for as long as it holds its lane's turn ([`Lanes::change_started`]).
pub(crate) struct ChangeInFlight<'a>(&'a Lanes);

impl Drop for ChangeInFlight<'_> {
    fn drop(&mut self) {
        self.0.change_ended();
    }
}

/// Cached views by whose, which, and how its links are written ([`links_variant`]: a view
/// rendered for the owner at the plain paths is not served under `/w/{id}`, nor to someone
/// there under a grant). A map, not a list: a team server keeps one per client and view, and
/// every request looks one up.
type ViewCache = BTreeMap<(OwnerId, View, u8), Cached>;

/// The most views kept: beyond it the one built longest ago goes (a team server's clients
/// times its views would otherwise all stay in memory).
const VIEWS_KEPT: usize = 4096;

/// Drops the view built longest ago (not one being rebuilt) while `cache` holds `kept` or
/// more, so that one more fits.
fn make_room(cache: &mut ViewCache, kept: usize) {
    while cache.len() >= kept {
        let Some(oldest) = cache
            .iter()
            .filter(|(_, c)| !c.building)
            .min_by_key(|(_, c)| c.built)
            .map(|(k, _)| *k)
        else {
            return;
        };
        cache.remove(&oldest);
    }
}

/// One cached view: for what day, at what data version, its body, and whether a request is
/// building the next one.
struct Cached {
    day: Date,
    version: u64,
    body: axum::body::Bytes,
    building: bool,
    /// When this body was built: under load a body this young is served as it is.
    built: std::time::Instant,
}

/// Clears a view's "being built" mark when its builder is done, whatever happened.
struct Unmark<'a> {
    cache: &'a Mutex<ViewCache>,
    key: (OwnerId, View, u8),
    day: Date,
}

impl Drop for Unmark<'_> {
    fn drop(&mut self) {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = cache.get_mut(&self.key)
            && c.day == self.day
        {
            c.building = false;
        }
    }
}

/// How stale a default view may be served while the server is busy with other reads: under a
/// stream of writes it is rebuilt at most this often, not after every write. A request that
/// comes alone never gets a stale view.
const STALE_WHEN_BUSY: std::time::Duration = std::time::Duration::from_millis(200);

/// A view the cache keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum View {
    TodayPage,
    PipelinePage,
    AgendaJson,
    CalendarFeed,
}

/// How a page's links are written for this request: at the plain paths (0), under
/// `/w/{id}` by its owner (1), or there by someone under a grant, whose menu also leads back
/// to their caseload (2). Part of a cached view's key.
fn links_variant() -> u8 {
    match auth::current() {
        Some(s) if s.prefix.is_some() && s.actor != followup_app::Actor::Owner => 2,
        Some(s) if s.prefix.is_some() => 1,
        _ => 0,
    }
}

/// A query string value, percent-encoded: everything but RFC 3986's unreserved characters
/// (letters, digits, `-._~`). The one encoder for the links and redirects this crate builds.
pub(crate) fn encode_query(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Runs blocking work (SQLite, the planner, rendering) where it cannot stall the server's
/// other requests: on a multi-threaded runtime the worker hands its queue to another thread
/// for the duration; on a current-thread runtime (tests) there is nobody else to stall.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}

impl WebState {
    pub fn new(app: App, today: Option<Date>) -> WebState {
        WebState::shared(Arc::new(app), today)
    }

    /// A state over an app shared with others (a mail worker, a second listener).
    pub fn shared(app: Arc<App>, today: Option<Date>) -> WebState {
        let writers = app.store().concurrent_writers();
        WebState(Arc::new(Shared {
            app,
            today,
            cache: Arc::new(Mutex::new(BTreeMap::new())),
            port: None,
            uploads: Arc::new(Mutex::new(uploads::Uploads::default())),
            lanes: Arc::new(Lanes::new(writers, None)),
            team: Arc::new(std::sync::atomic::AtomicBool::new(false)),
            attempts: Arc::new(Mutex::new(auth::Attempts::default())),
            public: None,
            mailer: None,
        }))
    }

    /// Lets pages send mail through `mailer`.
    pub fn mailer(mut self, mailer: Arc<dyn followup_app::mail::Mailer>) -> WebState {
        Arc::make_mut(&mut self.0).mailer = Some(mailer);
        self
    }

    /// On a team server, lets `turns` reads in at the door at once instead of four a core
    /// (half as many while changes are being made). A one-person book has no door, and this
    /// changes nothing there. Wider suits a server whose PostgreSQL has cores of its own
    /// (docs/TEAM.md, "PostgreSQL and the server on one small machine").
    pub fn reads_at_once(mut self, turns: usize) -> WebState {
        let writers = self.app.store().concurrent_writers();
        Arc::make_mut(&mut self.0).lanes = Arc::new(Lanes::new(writers, Some(turns)));
        self
    }

    /// Also answers requests for `url`'s host (a reverse proxy's name for this server).
    pub fn public_url(mut self, url: PublicUrl) -> WebState {
        Arc::make_mut(&mut self.0).public = Some(url);
        self
    }

    fn public_https(&self) -> bool {
        self.public.as_ref().is_some_and(|p| p.https)
    }

    /// True once this server is known to be a team server (it never stops being one).
    pub(crate) fn is_team(&self) -> bool {
        self.team.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// True once the database has accounts: everyone must sign in.
    pub(crate) fn team_mode(&self) -> Result<bool, WebError> {
        use std::sync::atomic::Ordering;
        if self.team.load(Ordering::Relaxed) {
            return Ok(true);
        }
        let has = self.app.has_accounts().map_err(WebError::from)?;
        if has {
            self.team.store(true, Ordering::Relaxed);
        }
        Ok(has)
    }

    /// The state for a server bound to `port`: only `127.0.0.1:port`, `localhost:port` and
    /// `[::1]:port` are answered.
    pub fn serving(mut self, port: u16) -> WebState {
        Arc::make_mut(&mut self.0).port = Some(port);
        self
    }

    fn attempts(&self) -> std::sync::MutexGuard<'_, auth::Attempts> {
        self.attempts.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn uploads(&self) -> std::sync::MutexGuard<'_, uploads::Uploads> {
        self.uploads.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// This request's context: on a team server the workspace and account the gate let in
    /// (`auth::gate`), else the one person of this server; today.
    fn ctx(&self) -> Result<Ctx, WebError> {
        Ok(self.ctx_versioned()?.0)
    }

    /// [`WebState::ctx`], with the version of the owner's data it was read at (one version
    /// read for both).
    fn ctx_versioned(&self) -> Result<(Ctx, u64), WebError> {
        let (owner, actor, known) = match auth::current() {
            Some(auth::Scope {
                owner: Some(owner),
                actor,
                version,
                ..
            }) => (owner, actor, version.take()),
            Some(_) => {
                return Err(WebError::new(
                    axum::http::StatusCode::FORBIDDEN,
                    "this account owns no job search; open a client's workspace",
                ));
            }
            // Nothing set the scope: only a one-person book gets its one person.
            None if self.team_mode()? => {
                return Err(WebError::new(
                    axum::http::StatusCode::UNAUTHORIZED,
                    "sign in first",
                ));
            }
            None => (
                followup_app::DEFAULT_OWNER,
                followup_app::Actor::Owner,
                None,
            ),
        };
        // Unpinned, the day is the owner's, in the time zone they set (Settings).
        match known {
            // Read with the account in the gate's one round trip.
            Some(v) => self.app.ctx_at_known_version(owner, actor, self.today, v),
            None => self.app.ctx_at_version(owner, actor, self.today),
        }
        .map_err(WebError::from)
    }

    /// A view of today's data: from the cache when neither the day nor the data changed.
    ///
    /// When the data changed, one request rebuilds the view while the others that come
    /// meanwhile get the one before; and while other reads are running, a view built less than
    /// [`STALE_WHEN_BUSY`] ago is served as it is: under a stream of writes the view is rebuilt
    /// a few times a second, not once per write. A request that comes alone, such as the
    /// reload after a person's own change, always rebuilds and sees that change (and the page
    /// after a person's own action carries a notice, which is never cached).
    fn cached(
        &self,
        view: View,
        build: impl FnOnce(&App, &Ctx) -> Result<String, WebError>,
    ) -> Result<axum::body::Bytes, WebError> {
        if let Some(body) = self.cached_in_memory(view) {
            return Ok(body);
        }
        blocking(|| {
            let (cx, version) = self.ctx_versioned()?;
            let variant = links_variant();
            // This request holds one read turn; none left means others are reading too.
            let busy = self.lanes.reads.available_permits() == 0;
            let lock = || self.cache.lock().unwrap_or_else(|p| p.into_inner());
            let key = (cx.owner, view, variant);
            {
                let mut cache = lock();
                let slot = cache.get_mut(&key).filter(|c| c.day == cx.today);
                match slot {
                    Some(c) if c.version == version => return Ok(c.body.clone()),
                    Some(c) if c.building => return Ok(c.body.clone()),
                    Some(c) if busy && c.built.elapsed() < STALE_WHEN_BUSY => {
                        return Ok(c.body.clone());
                    }
                    Some(c) => c.building = true,
                    None => {}
                }
            }
            // However the build ends (an error, a panic), the next request may build again.
            let _unmark = Unmark {
                cache: &self.cache,
                key,
                day: cx.today,
            };
            // Built outside the lock: other owners, views and stale readers need not wait.
            let built = build(&self.app, &cx);
            let mut cache = lock();
            // An earlier day's view of this key is of no use any more (a later day's is: a
            // build begun before midnight must not put back yesterday's over today's).
            if cache.get(&key).is_some_and(|c| c.day < cx.today) {
                cache.remove(&key);
            }
            let fresh = match built {
                Ok(html) => axum::body::Bytes::from(html),
                Err(e) => {
                    if let Some(c) = cache.get_mut(&key) {
                        c.building = false;
                    }
                    return Err(e);
                }
            };
            match cache.get_mut(&key) {
                // A build that began before a newer one ended keeps the newer.
                Some(c) if c.version > version || c.day > cx.today => {}
                Some(c) => {
                    c.version = version;
                    c.body = fresh.clone();
                    c.building = false;
                    c.built = std::time::Instant::now();
                }
                None => {
                    make_room(&mut cache, VIEWS_KEPT);
                    cache.insert(
                        key,
                        Cached {
                            day: cx.today,
                            version,
                            body: fresh.clone(),
                            building: false,
                            built: std::time::Instant::now(),
                        },
                    );
                }
            }
            Ok(fresh)
        })
    }

    /// The view of exactly this version and day, answered from memory on the async thread:
    /// the gate read the version with the token, and the owner's day comes from the cached
    /// policy of that version. Anything short of that (no version from the gate, a policy or
    /// view of another version, a one-person book) goes the blocking way, which also decides
    /// when an older view may do. Leaving the async workers (`blocking`) hands a worker's
    /// queue to another thread, a fifth of the team server's time when every cached read
    /// did it twice (docs/BENCHMARKS.md, fourth round).
    fn cached_in_memory(&self, view: View) -> Option<axum::body::Bytes> {
        let scope = auth::current()?;
        let owner = scope.owner?;
        let version = scope.version.peek()?;
        let today = match self.today {
            Some(d) => d,
            None => self.app.today_if_cached(owner, version)?,
        };
        let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        let c = cache.get(&(owner, view, links_variant()))?;
        (c.day == today && c.version == version).then(|| c.body.clone())
    }

    /// Like `with`, for work that fails with a web error (rendering).
    fn with_web<T>(
        &self,
        f: impl FnOnce(&App, &Ctx) -> Result<T, WebError>,
    ) -> Result<T, WebError> {
        blocking(|| {
            let cx = self.ctx()?;
            f(&self.app, &cx)
        })
    }

    /// Runs a use case with this request's context.
    fn with<T>(&self, f: impl FnOnce(&App, &Ctx) -> Result<T, AppError>) -> Result<T, WebError> {
        self.with_web(|app, cx| f(app, cx).map_err(WebError::from))
    }
}

/// The longest a request waits for its turn in a lane before it is answered 503.
pub(crate) const LANE_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// The longest a client may take to send a request's body: a stalled upload must not hold
/// the one turn for changes.
pub const BODY_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// The most a request body may hold: imports carry a file; nothing else needs more.
pub const BODY_LIMIT: usize = 8 * 1024 * 1024;

const HTMX: &str = include_str!("../assets/htmx.min.js");
const STYLE: &str = include_str!("../assets/style.css");
const APP_JS: &str = include_str!("../assets/app.js");

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            // The assets change only with the binary.
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}

/// Every page, action, API route and asset, with the safety layers.
pub fn router(state: WebState) -> Router {
    // The gate rewrites workspace paths (`/w/{id}/...`) to the plain routes, so it runs before
    // they are matched: the routes sit behind it as the outer router's fallback.
    let routes = Router::new()
        .route("/", get(pages::today))
        .route("/pipeline", get(pages::pipeline))
        .route("/contacts", get(pages::contacts).post(forms::add_contact))
        .route("/contacts/new", get(forms::contact_form))
        .route("/jobs", post(forms::add_job))
        .route("/jobs/new", get(forms::job_form))
        .route(
            "/contacts/{id}",
            get(pages::contact).post(pages::edit_contact),
        )
        .route("/jobs/{id}", get(pages::job))
        .route(
            "/contacts/{id}/edit",
            get(corrections::edit_contact_form).post(corrections::save_contact),
        )
        .route(
            "/contacts/{id}/delete",
            get(corrections::delete_contact_confirm).post(corrections::delete_contact),
        )
        .route("/contacts/{id}/merge", post(corrections::merge_contact))
        .route(
            "/jobs/{id}/edit",
            get(corrections::edit_job_form).post(corrections::save_job),
        )
        .route(
            "/jobs/{id}/delete",
            get(corrections::delete_job_confirm).post(corrections::delete_job),
        )
        .route(
            "/touches/{id}/edit",
            get(corrections::edit_touch_form).post(corrections::save_touch),
        )
        .route("/touches/{id}/retract", post(corrections::retract_touch))
        .route("/undo", post(corrections::undo))
        .route("/trash", get(corrections::trash))
        .route("/jobs/{id}/stage", post(pages::move_job))
        .route("/items/{id}/done", post(pages::done))
        .route("/items/{id}/snooze", post(pages::snooze))
        .route("/items/{id}/draft", get(pages::draft))
        .route("/items/{id}/send", post(pages::send_draft))
        .route("/log", get(pages::log_form).post(pages::log_touch))
        .route(
            "/import",
            get(pages::import_form).post(pages::import_preview),
        )
        .route("/import/confirm", post(pages::import_confirm))
        .route("/settings", get(settings::settings))
        .route("/rules", get(pages::rules))
        .route("/settings/calendar-token", post(settings::rotate_token))
        .route("/settings/digest-test", post(settings::digest_test))
        .route("/settings/me", post(settings::set_me))
        .route("/settings/policy", post(settings::set_policy))
        .route("/settings/policy/reset", post(settings::reset_policy))
        .route("/settings/holidays", post(settings::add_holidays))
        .route("/settings/holidays/remove", post(settings::remove_holidays))
        .route(
            "/settings/templates/{name}",
            get(settings::template).post(settings::set_template),
        )
        .route(
            "/settings/templates/{name}/reset",
            post(settings::reset_template),
        )
        .route("/calendar/{file}", get(settings::calendar_feed))
        .route(
            "/assets/htmx.min.js",
            get(|| async { asset("text/javascript; charset=utf-8", HTMX) }),
        )
        .route(
            "/assets/style.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE) }),
        )
        .route(
            "/assets/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }),
        )
        .nest("/api/v1", api::router())
        .route("/openapi.json", get(api::openapi))
        .route("/login", get(accounts::login_form).post(accounts::login))
        .route("/logout", post(accounts::logout))
        .route(
            "/invite/{code}",
            get(accounts::invite_form).post(accounts::accept_invite),
        )
        .route("/account", get(accounts::account_page))
        .route("/account/tokens", post(accounts::create_token))
        .route("/account/tokens/{id}/revoke", post(accounts::revoke_token))
        .route("/account/users", post(accounts::add_user))
        .route("/account/name", post(accounts::set_name))
        .route("/account/grants", post(accounts::grant))
        .route("/account/grants/revoke", post(accounts::revoke_grant))
        .route("/account/users/{id}", post(accounts::change_user))
        .route("/caseload", get(caseload::caseload))
        .route("/caseload/{workspace}/note", post(caseload::save_note))
        .fallback(edge::not_found)
        .with_state(state.clone());
    Router::new()
        .fallback_service(routes)
        // Layers run outside in: the last added sees the request first.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::gate,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            edge::lane,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::identify_early,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            edge::admit,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(BODY_WAIT))
        .layer(CsrfLayer::new())
        .layer(axum::middleware::from_fn(edge::shape_errors))
        .layer(axum::middleware::from_fn_with_state(
            state,
            edge::check_host,
        ))
        .layer(header_layer(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(header_layer(header::REFERRER_POLICY, REFERRER_POLICY))
        .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header_layer(header::X_FRAME_OPTIONS, "DENY"))
}

fn header_layer(
    name: header::HeaderName,
    value: &'static str,
) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
}

/// Refuses any address but loopback unless the database has accounts: without them anyone
/// on the network could read and change the job search.
pub fn check_bind(addr: &std::net::SocketAddr, has_accounts: bool) -> Result<(), String> {
    if addr.ip().is_loopback() || has_accounts {
        Ok(())
    } else {
        Err(format!(
            "--bind {}: a database without accounts is served on loopback only (127.0.0.1 or ::1), since anyone on the network could read and change the job search; set up accounts on a team server first (`followup team init --database postgres://...`, docs/TEAM.md)",
            addr.ip()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(built: std::time::Instant, building: bool) -> Cached {
        Cached {
            day: jiff::civil::date(2026, 12, 6),
            version: 1,
            body: axum::body::Bytes::new(),
            building,
            built,
        }
    }

    #[test]
    fn a_full_view_cache_drops_the_oldest_view_not_one_being_built() {
        let t0 = std::time::Instant::now();
        let at = |ms| t0 + std::time::Duration::from_millis(ms);
        let mut cache = ViewCache::new();
        cache.insert((OwnerId(1), View::TodayPage, 0), view(at(0), true));
        cache.insert((OwnerId(2), View::TodayPage, 0), view(at(5), false));
        cache.insert((OwnerId(3), View::AgendaJson, 0), view(at(9), false));
        make_room(&mut cache, 4);
        assert_eq!(cache.len(), 3, "room enough already");
        make_room(&mut cache, 3);
        let left: Vec<i64> = cache.keys().map(|k| k.0.0).collect();
        assert_eq!(left, vec![1, 3], "the oldest not being rebuilt went");
        make_room(&mut cache, 1);
        let left: Vec<i64> = cache.keys().map(|k| k.0.0).collect();
        assert_eq!(
            left,
            vec![1],
            "a view being rebuilt stays, even over the bound"
        );
    }
}
