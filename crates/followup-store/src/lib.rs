//! `followup-store`: the only place with SQL. It keeps the event log and the rows the log
//! implies (contacts, organizations, opportunities, touches, snoozes, the derived plan) behind
//! one `Store` trait, used as `dyn Store`, so the PostgreSQL backend of the team server slots
//! in beside the SQLite one without touching its callers.
//!
//! It is not the rules (followup-core plans; this crate only keeps what the planner produced)
//! and not the use cases (followup-app decides what a change implies and commits it here).
//!
//! # The store contract
//!
//! - Every call goes through a [`Tx`] opened for one owner; a transaction for one owner can
//!   never read or write another owner's rows.
//! - [`Tx::append`] records an event and applies it to the rows in the same transaction;
//!   nothing reaches the database until [`Tx::commit`], and a dropped transaction rolls back.
//! - Ids are given per owner by [`Tx::next_id`] and carried inside events, so replaying the log
//!   gives the same rows.
//! - Plan item numbers are stable: a key ([`PlanKey`]) keeps its number across replans.
//! - A database written by a newer binary is refused, never altered.

mod sqlite;

use followup_core::agenda::Planned;
use followup_core::model::{Contact, ContactId, Job, JobId, OrgRef, OwnerId, Touch, TouchId};
use followup_core::plan::{FollowUp, PlanKey, Snooze, Subject};
use followup_core::{Event, Stage};
use jiff::civil::Date;

pub use sqlite::SqliteStore;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "database {path} has schema version {found}, newer than this followup understands ({supported}); upgrade followup, the database was not changed"
    )]
    Newer {
        path: String,
        found: i64,
        supported: i64,
    },
    /// A command that only reads was pointed at a file that is not there.
    #[error("no database at {path}; `followup where` shows the default")]
    NoDatabase { path: String },
    /// Another process holds the write lock past the wait (an import, a replan).
    #[error("another followup is writing to {path}; try again when it is done")]
    Busy { path: String },
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("database row {table} {id} is unreadable: {detail}")]
    Corrupt {
        table: &'static str,
        id: String,
        detail: String,
    },
    #[error("{what} {id} does not exist")]
    Missing { what: &'static str, id: String },
}

/// Result with a store error.
pub type Result<T> = std::result::Result<T, StoreError>;

/// Whether a transaction may write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Read,
    Write,
}

/// Which id sequence to draw from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Organization,
    Contact,
    Job,
    Touch,
}

/// One event as the log keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub seq: i64,
    pub recorded_on: Date,
    pub event: Event,
}

/// A backend: opens transactions scoped to one owner.
pub trait Store: Send {
    /// Starts a transaction for `owner`. A write transaction takes the write lock at once.
    fn begin(&mut self, owner: OwnerId, mode: Mode) -> Result<Box<dyn Tx + '_>>;
    /// A number that changes whenever the data may have changed, by this store or by any
    /// other process writing the same database: caches of derived views key on it.
    fn version(&mut self) -> Result<u64>;
}

/// One transaction for one owner. Dropping it without `commit` rolls back.
pub trait Tx {
    /// The next free id of a kind, for this owner.
    fn next_id(&mut self, entity: Entity) -> Result<i64>;
    /// Records the event in the log and applies it to the rows.
    fn append(&mut self, recorded_on: Date, event: &Event) -> Result<()>;
    /// Makes everything appended visible and durable.
    fn commit(self: Box<Self>) -> Result<()>;

    /// True when this owner has recorded nothing.
    fn is_empty(&self) -> Result<bool>;
    /// The whole log of this owner, in order.
    fn events(&self) -> Result<Vec<Recorded>>;
    /// The holidays this owner imported (F16), every calendar's days together, in order.
    fn holidays(&self) -> Result<Vec<Date>>;

    fn organization_named(&self, name: &str) -> Result<Option<OrgRef>>;
    fn contact(&self, id: ContactId) -> Result<Option<Contact>>;
    /// Every contact, by id.
    fn contacts(&self) -> Result<Vec<Contact>>;
    /// Contacts whose name equals `name` ignoring case; if none, those whose name contains it.
    fn contacts_named(&self, name: &str) -> Result<Vec<Contact>>;
    fn job(&self, id: JobId) -> Result<Option<Job>>;
    /// Every opportunity, by id.
    fn jobs(&self) -> Result<Vec<Job>>;
    /// Opportunities whose title or organization matches `text` (ignoring case).
    fn jobs_matching(&self, text: &str) -> Result<Vec<Job>>;
    /// Opportunities linked to the contact.
    fn jobs_of_contact(&self, id: ContactId) -> Result<Vec<Job>>;
    /// How many opportunities are in an open stage.
    fn open_job_count(&self) -> Result<u32>;
    /// Touches with the contact, in the order they happened.
    fn touches_of_contact(&self, id: ContactId) -> Result<Vec<Touch>>;
    /// Touches about the opportunity, in the order they happened.
    fn touches_of_job(&self, id: JobId) -> Result<Vec<Touch>>;
    /// The newest touch id of this owner.
    fn newest_touch(&self) -> Result<Option<TouchId>>;
    /// Snoozes recorded for the subject's keys, in the order recorded.
    fn snoozes(&self, subject: Subject) -> Result<Vec<Snooze>>;

    /// Every touch of this owner, by id (for a full replan; the planner orders them itself).
    fn all_touches(&self) -> Result<Vec<Touch>>;
    /// Every snooze of this owner, in the order recorded (for a full replan).
    fn all_snoozes(&self) -> Result<Vec<Snooze>>;
    /// Replaces the whole plan with `items` (a full replan), keeping every key's number.
    fn replace_all_plan(&mut self, items: &[FollowUp]) -> Result<()>;

    /// Replaces the subject's plan items with `items` (which must all belong to it).
    fn replace_plan(&mut self, subject: Subject, items: &[FollowUp]) -> Result<()>;
    /// Removes every plan item of this owner (keys and their numbers stay).
    fn clear_plan(&mut self) -> Result<()>;
    /// Follow-ups due by `until`, and every occasion whose day of the year falls in
    /// `from..=until` (29 February counts as 28 February too).
    fn plan_window(&self, from: Date, until: Date) -> Result<Vec<Planned>>;
    /// Every plan item, by id.
    fn plan_all(&self) -> Result<Vec<Planned>>;
    /// One plan item by its number.
    fn plan_item(&self, id: i64) -> Result<Option<Planned>>;
    /// The number of a plan key, if it was ever given one.
    fn plan_id(&self, key: &PlanKey) -> Result<Option<i64>>;
    /// A setting of this owner (not an event: settings may hold secrets).
    fn setting(&self, key: &str) -> Result<Option<String>>;
    fn set_setting(&mut self, key: &str, value: &str) -> Result<()>;
    /// Every key's number, by number (the export keeps agenda numbers across databases).
    fn plan_keys(&self) -> Result<Vec<(String, i64)>>;
    /// Gives a key its number (an import restoring an export's numbers).
    fn set_plan_key(&mut self, key: &str, id: i64) -> Result<()>;
}

/// Stage words the store filters on.
pub fn open_stages() -> Vec<&'static str> {
    Stage::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.as_str())
        .collect()
}
