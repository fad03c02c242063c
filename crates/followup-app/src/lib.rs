//! `followup-app`: the use cases. Add a contact, add a job, log a touch, snooze, mark done,
//! replan, import, draft, build the calendar. Each takes a [`Ctx`] (who acts, for whom, on
//! what day, under which policy) and typed values already read at the edge; each change runs
//! in one unit of work ([`uow`]) that appends the events, replans exactly the subjects they
//! touched and commits, so bad input changes nothing.
//!
//! One module per area: [`contacts`], [`jobs`], [`touches`], [`agenda`], [`import`],
//! [`drafts`], [`ics`] (the calendar), [`settings`], [`replan`], [`removal`] (delete, restore,
//! retract, correct, merge) and [`undo`]. The [`App`] they hang off is
//! shared (`&self`, `Send + Sync`): the web server runs use cases for many requests at once.
//!
//! It also reads the config file and, in one function ([`clock::system_today`]), the clock.
//! It is not SQL (followup-store), not rules (followup-core), not output formatting or field
//! names (the binary and the web crate name the fields of [`Field`] their own way).

pub mod accounts;
pub mod actors;
pub mod agenda;
pub mod caseload;
pub mod clock;
pub mod config;
pub mod contacts;
pub mod demo;
pub mod digest;
pub mod drafts;
pub mod error;
pub mod fields;
pub mod grants;
pub mod holidays;
pub mod ics;
pub mod identity;
pub mod import;
pub mod input;
pub mod jobs;
pub mod lists;
mod lookup;
pub mod mail;
pub mod policy_settings;
pub mod removal;
pub mod replan;
pub mod settings;
pub mod synth;
pub mod touches;
pub mod transfer;
pub mod undo;
pub mod uow;
mod views;
pub mod warn;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use followup_core::Policy;
use followup_core::model::OwnerId;
use followup_store::{Directory, SqliteStore, Store};
use jiff::civil::Date;

pub use agenda::Done;
pub use caseload::{CaseloadRow, CaseloadSort, client_label};
pub use config::Config;
pub use contacts::{ContactView, EditContact, NewContact};
pub use error::{AppError, Field, Result};
pub use followup_store::{
    Account, AccountId, GrantScope, Removal, Role, SecretInfo, SecretKind, Trash,
};
pub use jobs::{EditJob, JobView, NewJob};
pub use lists::{ContactLine, JobCard, SinceBy, StageSince};
pub use removal::{EditTouch, Merged};
pub use replan::history;
pub use touches::{Logged, NewTouch, StageChange};
pub use undo::Undo;
pub use views::PromiseView;

use error::invalid;

/// The embedded database's one owner (the team server creates others with accounts).
pub const DEFAULT_OWNER: OwnerId = OwnerId(1);

/// The default database: `$XDG_DATA_HOME/followup/followup.db`.
pub fn default_db_path() -> Option<PathBuf> {
    use etcetera::BaseStrategy;
    etcetera::choose_base_strategy()
        .ok()
        .map(|b| b.data_dir().join("followup").join("followup.db"))
}

/// Who is acting: the owner on their own search, or (on the team server) an account acting
/// for the owner under a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Owner,
    Account(i64),
}

impl Actor {
    /// The account the log records as acting, when it is not the owner.
    pub fn account(self) -> Option<followup_store::AccountId> {
        match self {
            Actor::Owner => None,
            Actor::Account(id) => Some(followup_store::AccountId(id)),
        }
    }
}

/// What every use case is told: who acts, for whom, the day it is, and the policy in force
/// (the config's, with the owner's overrides from Settings and imported holidays). Nothing in a use case reads the clock.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub owner: OwnerId,
    pub actor: Actor,
    pub today: Date,
    pub policy: Arc<Policy>,
    /// The version of the owner's data the context was read at, when a request read it
    /// ([`App::ctx_at_version`]): reads that key a cache on it ([`App::agenda`]) use it.
    pub version: Option<u64>,
}

/// What is kept per owner between requests: read at `version`.
struct OwnerCache {
    version: u64,
    policy: Arc<Policy>,
    time_zone: Option<jiff::tz::TimeZone>,
}

/// The use cases over one store, shared by every request and command.
pub struct App {
    store: Arc<dyn Store>,
    /// The team server's accounts; `None` for a one-person book (nobody signs in).
    directory: Option<Arc<dyn Directory>>,
    /// Whose search [`App::ctx`] means: the one person of a SQLite book, or the workspace a
    /// command on the team server was pointed at (`--workspace EMAIL`).
    default_owner: OwnerId,
    pub config: Config,
    /// Each owner's policy (the config's, their overrides, their imported holidays) and time
    /// zone, with the version of the data they were read at: a context costs one version
    /// read, not a holidays query.
    policies: Mutex<BTreeMap<OwnerId, OwnerCache>>,
    /// Each workspace's caseload figures, with the data version and the day they were
    /// computed for (caseload.rs): a coach's caseload reads one version a client that did not
    /// change, not its every touch.
    figures: Mutex<BTreeMap<OwnerId, caseload::CachedFigures>>,
    /// Each owner's latest agenda, with the data version, day and window it is of: the
    /// views a change makes stale (the Today page, the agenda's JSON) are rebuilt from one
    /// read, not one each. Emptied for an owner when this App commits a change of theirs.
    agendas: Mutex<BTreeMap<OwnerId, crate::agenda::Memo>>,
}

impl App {
    /// Opens the SQLite database at `path` (creating its folder and file when needed) for a
    /// command: one connection, reads and writes in turn.
    pub fn open(path: &Path, config: Config) -> Result<App> {
        App::open_store(path, config, false)
    }

    /// Opens the SQLite database at `path` for a server: one writer and a pool of readers,
    /// so reads go on beside a write.
    pub fn open_shared(path: &Path, config: Config) -> Result<App> {
        App::open_store(path, config, true)
    }

    fn open_store(path: &Path, config: Config, pooled: bool) -> Result<App> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                invalid(
                    Field::Database,
                    format!(
                        "cannot create folder {} for {}: {e}",
                        dir.display(),
                        path.display()
                    ),
                )
            })?;
        }
        let store = SqliteStore::open(path)?;
        let store = if pooled {
            store
        } else {
            store.single_connection()
        };
        Ok(App::with_store(Arc::new(store), config))
    }

    /// Opens the SQLite database at `path` only when it is there (commands that read, dry
    /// runs): creates nothing, and says where the default is when the path is mistyped.
    pub fn open_existing(path: &Path, config: Config) -> Result<App> {
        let store = SqliteStore::open_existing(path)?.single_connection();
        Ok(App::with_store(Arc::new(store), config))
    }

    /// An app with no records, for commands that need none (the templates, a lint without a
    /// contact): nothing is opened or created on disk.
    pub fn without_data(config: Config) -> Result<App> {
        let store = SqliteStore::in_memory()?;
        Ok(App::with_store(Arc::new(store), config))
    }

    /// Opens a team server's PostgreSQL database (migrating it when it is older): the store
    /// and the directory of accounts, over one pool of connections.
    pub fn open_postgres(url: &str, config: Config) -> Result<App> {
        let pg = Arc::new(followup_store_pg::PgStore::connect(url)?);
        Ok(App::with_store(pg.clone(), config).with_directory(pg))
    }

    /// An app over any store (tests, the team server).
    pub fn with_store(store: Arc<dyn Store>, config: Config) -> App {
        App {
            store,
            directory: None,
            default_owner: DEFAULT_OWNER,
            config,
            policies: Mutex::new(BTreeMap::new()),
            figures: Mutex::new(BTreeMap::new()),
            agendas: Mutex::new(BTreeMap::new()),
        }
    }

    /// The same app with a directory of accounts (the team server).
    pub fn with_directory(mut self, directory: Arc<dyn Directory>) -> App {
        self.directory = Some(directory);
        self
    }

    /// The same app, with [`App::ctx`] meaning `owner`'s search (a workspace on the team
    /// server).
    pub fn for_workspace(mut self, owner: OwnerId) -> App {
        self.default_owner = owner;
        self
    }

    /// Whose search [`App::ctx`] means.
    pub fn default_owner(&self) -> OwnerId {
        self.default_owner
    }

    /// The store underneath (for a front end that hands it to another app or a worker).
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The context of the embedded database's one person (or the workspace chosen with
    /// [`App::for_workspace`]), on `today`.
    pub fn ctx(&self, today: Date) -> Result<Ctx> {
        self.ctx_for(self.default_owner, Actor::Owner, today)
    }

    /// The context of `actor` working on `owner`'s search on `today`.
    pub fn ctx_for(&self, owner: OwnerId, actor: Actor, today: Date) -> Result<Ctx> {
        Ok(Ctx {
            owner,
            actor,
            today,
            policy: self.policy_of(owner)?,
            version: None,
        })
    }

    /// The policy in force for `owner`: the config's, their overrides (Settings), and the
    /// holidays they imported (F16).
    fn policy_of(&self, owner: OwnerId) -> Result<Arc<Policy>> {
        Ok(self.owner_cache(owner)?.0)
    }

    /// The day it is for `owner`: in the time zone they set (Settings, `followup me
    /// --time-zone`), else in this computer's.
    pub fn today_for(&self, owner: OwnerId) -> Result<Date> {
        Ok(clock::owners_today(self.owner_cache(owner)?.1.as_ref()))
    }

    /// The owner's own day as [`App::today_for`] gives it, from memory alone: `None` unless
    /// the owner's policy and time zone are cached at `version` (then no store is read, and
    /// the caller need not leave an async thread).
    pub fn today_if_cached(&self, owner: OwnerId, version: u64) -> Option<Date> {
        let cache = self.policies.lock().unwrap_or_else(|p| p.into_inner());
        let c = cache.get(&owner).filter(|c| c.version == version)?;
        Some(clock::owners_today(c.time_zone.as_ref()))
    }

    /// The context of `actor` working on `owner`'s search on `today`, or when none is given
    /// on the owner's own day (as [`App::today_for`]), with the version of the owner's data it
    /// was read at: one version read for what a request needs to know before it reads.
    pub fn ctx_at_version(
        &self,
        owner: OwnerId,
        actor: Actor,
        today: Option<Date>,
    ) -> Result<(Ctx, u64)> {
        let version = self.store.version(owner)?;
        self.ctx_at_known_version(owner, actor, today, version)
    }

    /// [`App::ctx_at_version`] at a version the caller read already (with the account, in
    /// the same round trip: `App::holder_with_version`).
    pub fn ctx_at_known_version(
        &self,
        owner: OwnerId,
        actor: Actor,
        today: Option<Date>,
        version: u64,
    ) -> Result<(Ctx, u64)> {
        let (policy, time_zone) = self.owner_cache_at(owner, version)?;
        let today = match today {
            Some(d) => d,
            None => clock::owners_today(time_zone.as_ref()),
        };
        Ok((
            Ctx {
                owner,
                actor,
                today,
                policy,
                version: Some(version),
            },
            version,
        ))
    }

    fn owner_cache(&self, owner: OwnerId) -> Result<(Arc<Policy>, Option<jiff::tz::TimeZone>)> {
        let version = self.store.version(owner)?;
        self.owner_cache_at(owner, version)
    }

    /// The owner's policy and time zone as of `version` (read before): from the cache when
    /// it is of that version.
    fn owner_cache_at(
        &self,
        owner: OwnerId,
        version: u64,
    ) -> Result<(Arc<Policy>, Option<jiff::tz::TimeZone>)> {
        let lock = || self.policies.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = lock().get(&owner)
            && c.version == version
        {
            return Ok((c.policy.clone(), c.time_zone.clone()));
        }
        // Read outside the lock: other requests need not wait for this one's read.
        let tx = self.store.read(owner)?;
        let policy = Arc::new(self.policy_in(&*tx)?);
        let time_zone = identity::stored_time_zone(&*tx, &self.config.me)?;
        drop(tx);
        let mut cache = lock();
        // A request that read its version earlier must not put back an older one.
        if cache.get(&owner).is_none_or(|c| c.version < version) {
            cache.insert(
                owner,
                OwnerCache {
                    version,
                    policy: policy.clone(),
                    time_zone: time_zone.clone(),
                },
            );
        }
        Ok((policy, time_zone))
    }

    /// After a commit that made `version` and wrote nothing a policy is read from: the
    /// policy cached at the version before it holds at `version` too. Only that one step:
    /// a cache of an older version may have missed another process's change.
    pub(crate) fn policy_still_holds(&self, owner: OwnerId, version: u64) {
        let mut cache = self.policies.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = cache.get_mut(&owner)
            && c.version + 1 == version
        {
            c.version = version;
        }
    }

    /// The policy as a transaction sees it: the config's, the owner's overrides, their
    /// holidays. A change that moves any of them replans with this.
    pub(crate) fn policy_in(&self, tx: &dyn followup_store::ReadTx) -> Result<Policy> {
        let stored = tx.setting(policy_settings::KEY)?;
        let mut policy = policy_settings::overlay(&self.config.policy, stored.as_deref());
        policy.calendar.holidays.extend(tx.holidays()?);
        Ok(policy)
    }
}
