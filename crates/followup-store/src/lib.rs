//! `followup-store`: the only place with SQL. It keeps the event log and the rows the log
//! implies (contacts, organizations, opportunities, touches, snoozes, the derived plan) behind
//! one [`Store`] trait, used as `dyn Store`, so the PostgreSQL backend of the team server slots
//! in beside the SQLite one without touching its callers.
//!
//! Backends here: [`SqliteStore`] (one file, one writer and a pool of readers in WAL) and
//! [`MemoryStore`] (the reference: plain maps, copy-on-write snapshots; what the contract means
//! when a backend and a test disagree). [`conformance::run`] checks any backend against the
//! contract below; every backend's tests call it.
//!
//! It is not the rules (followup-core plans; this crate only keeps what the planner produced)
//! and not the use cases (followup-app decides what a change implies and commits it here).
//!
//! # The store contract
//!
//! - **Owners are sealed.** Every call goes through a transaction opened for one owner; it can
//!   never read or write another owner's rows, and ids, plan numbers, settings and versions are
//!   per owner.
//! - **Reads and writes are different transactions.** [`Store::read`] gives a [`ReadTx`], which
//!   has no method that writes; it sees one consistent snapshot for its whole life, whatever
//!   commits meanwhile, and never waits for a writer. [`Store::write`] gives a [`WriteTx`]; at
//!   most one is open per owner at a time (others wait, then fail with [`StoreError::Busy`]).
//! - **All or nothing.** [`WriteTx::append`] records an event and applies it to the rows in the
//!   same transaction; nothing is visible to anyone until [`WriteTx::commit`], and a dropped
//!   transaction rolls back. A change that fails (an append, a replan) leaves the transaction
//!   as it was before the call, so a caller that goes on and commits keeps no half of it.
//! - **Ids are allocated, not guessed.** [`WriteTx::next_id`] hands out per-owner ids that are
//!   never given twice, even to concurrent writers on a server; an appended event that carries
//!   an id (an import replaying a log) moves the allocator past it; one whose id is already
//!   taken is a [`StoreError::Conflict`], never an overwrite.
//! - **Removing hides, never erases.** A removed contact, opportunity or touch (and the
//!   touches that went with it) leaves every read but [`ReadTx::trash`]; its id is never given
//!   again; the restore event brings back exactly what went. Links that name a removed
//!   contact (an opportunity's contacts, a shared touch's) stay, so a restore is whole.
//! - **Plan numbers are stable**: a key ([`PlanKey`]) keeps its number across replans.
//! - **Versions move with commits.** [`Store::version`] changes whenever a write transaction of
//!   that owner commits, here or in another process; caches of derived views key on it.
//! - **Errors carry no driver types**: [`StoreError`] says missing, conflict, corrupt, newer,
//!   busy, or passes the backend's message on.
//! - A database written by a newer binary is refused, never altered.
//!
//! The trait is synchronous: the planner is CPU-bound and an embedded statement costs about a
//! microsecond, so async would add a runtime to the CLI for nothing; the web server runs use
//! cases on its blocking pool instead (docs/DESIGN.md).

pub mod conformance;
pub mod directory;
mod memory;
mod sqlite;

use std::collections::BTreeSet;

use followup_core::agenda::Planned;
use followup_core::line::{Compact, Extent, Line};
use followup_core::model::{Contact, ContactId, Job, JobId, OrgRef, OwnerId, Touch, TouchId};
use followup_core::plan::{FollowUp, PlanKey, Rule, Snooze, Subject};
use followup_core::{Event, MailMeaning, MailRecord, Stage};
use jiff::civil::Date;
use std::ops::ControlFlow;

pub use directory::{
    Account, AccountId, CoachNote, Directory, Grant, GrantScope, HolderFuture, MemoryDirectory,
    NewSecret, Role, SecretInfo, SecretKind, Visit,
};
pub use memory::MemoryStore;
pub use sqlite::{SCHEMA_VERSION, SqliteStore};

/// What can go wrong in the store. No variant carries a driver's type: the app and the front
/// ends match on what happened, never on which database said it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened at all.
    #[error("database {path}: {detail}")]
    Open { path: String, detail: String },
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
    /// Another writer holds the write lock past the wait (an import, a replan).
    #[error("another followup is writing to {path}; try again when it is done")]
    Busy { path: String },
    /// A row the change needs is not there.
    #[error("{what} {id} does not exist")]
    Missing { what: &'static str, id: String },
    /// The change collides with what is there (an id or a key already taken).
    #[error("{what} conflicts with what is stored: {detail}")]
    Conflict { what: &'static str, detail: String },
    #[error("database row {table} {id} is unreadable: {detail}")]
    Corrupt {
        table: &'static str,
        id: String,
        detail: String,
    },
    /// Anything else the backend reported, in its own words.
    #[error("database: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Result with a store error.
pub type Result<T> = std::result::Result<T, StoreError>;

/// Which id sequence to draw from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Entity {
    Organization,
    Contact,
    Job,
    Touch,
}

impl Entity {
    /// The sequence's name as backends store it.
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Organization => "organization",
            Entity::Contact => "contact",
            Entity::Job => "job",
            Entity::Touch => "touch",
        }
    }
}

/// Why a record is out of sight: removed rows are kept apart, never erased, so that the
/// matching restore event can bring them back exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Removal {
    /// Deleted by the person (a contact or an opportunity).
    Deleted,
    /// A touch taken back as a mistake.
    Retracted,
    /// A contact merged into this one; it cannot come back apart.
    MergedInto(ContactId),
    /// A touch that went with this deleted contact.
    WithContact(ContactId),
    /// A touch that went with this deleted opportunity.
    WithJob(JobId),
}

impl Removal {
    /// How backends store it.
    pub fn to_text(self) -> String {
        match self {
            Removal::Deleted => "deleted".into(),
            Removal::Retracted => "retracted".into(),
            Removal::MergedInto(c) => format!("merged:{c}"),
            Removal::WithContact(c) => format!("contact:{c}"),
            Removal::WithJob(j) => format!("job:{j}"),
        }
    }

    /// The inverse of [`Removal::to_text`].
    pub fn from_text(text: &str) -> Option<Removal> {
        let num = |s: &str| s.parse::<i64>().ok();
        Some(match text.split_once(':') {
            None if text == "deleted" => Removal::Deleted,
            None if text == "retracted" => Removal::Retracted,
            Some(("merged", n)) => Removal::MergedInto(ContactId(num(n)?)),
            Some(("contact", n)) => Removal::WithContact(ContactId(num(n)?)),
            Some(("job", n)) => Removal::WithJob(JobId(num(n)?)),
            _ => return None,
        })
    }
}

/// What is out of sight, and why: the "recently deleted" list, and what a restore checks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trash {
    pub contacts: Vec<(Contact, Removal)>,
    pub jobs: Vec<(Job, Removal)>,
    pub touches: Vec<(Touch, Removal)>,
}

/// One event as the log keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub seq: i64,
    pub recorded_on: Date,
    /// Who recorded it: `None` is the owner themselves; on the team server, an account (a
    /// coach under a grant) acting on the owner's behalf.
    pub actor: Option<AccountId>,
    pub event: Event,
}

/// One follow-up of the agenda's window, as [`ReadTx::plan_lines`] hands it over, with its
/// place in the agenda's order.
#[derive(Debug)]
pub struct PlanRow<'a> {
    pub id: i64,
    /// The natural due date.
    pub due: Date,
    pub rule: Rule,
    pub body: RowBody<'a>,
}

impl PlanRow<'_> {
    /// The contact's name folded, the agenda's second key ([`Compact::name_key`]); `None`
    /// for none, or for a line whose words are unreadable (reading them says so).
    pub fn name_key(&self) -> Option<std::borrow::Cow<'_, str>> {
        match &self.body {
            RowBody::Line(l) => l.name_key().flatten().map(std::borrow::Cow::Borrowed),
            RowBody::Item(i) => i
                .contact
                .as_ref()
                .map(|c| std::borrow::Cow::Owned(c.name.to_lowercase())),
        }
    }
}

/// What a [`PlanRow`] carries.
#[derive(Debug)]
pub enum RowBody<'a> {
    /// The kept line of the item's plain view, borrowed from the row being read.
    Line(Line<'a>),
    /// The whole item.
    Item(Box<FollowUp>),
}

/// [`ReadTx::plan_extents`] by walking [`ReadTx::plan_lines`]: the reference every store's
/// kept extents are held to (a conformance rule).
pub fn extents_by_walk<T: ReadTx + ?Sized>(
    tx: &T,
    until: Date,
    today: Date,
    day: &mut dyn FnMut(&Extent),
    loose: &mut dyn FnMut(PlanRow<'_>),
) -> Result<bool> {
    let mut open: Option<Extent> = None;
    tx.plan_lines(until, today, false, &mut |row| {
        match &row.body {
            RowBody::Line(l) if Extent::is_firm(&l.head) => {
                if open.is_some_and(|e| e.due != row.due) {
                    day(&open.take().expect("an open day"));
                }
                open.get_or_insert_with(|| Extent::empty(row.due)).add(l);
            }
            _ => loose(row),
        }
        ControlFlow::Continue(())
    })?;
    if let Some(e) = open {
        day(&e);
    }
    Ok(true)
}

/// [`ReadTx::plan_dues`] of whole items.
pub fn plan_dues_of(items: &[Planned]) -> Vec<(Date, Option<Date>)> {
    items
        .iter()
        .filter(|p| p.item.action != followup_core::plan::Action::Occasion)
        .map(|p| {
            due_and_then(
                p.item.due,
                p.item.action,
                p.item.then.as_ref().map(|s| s.due),
            )
        })
        .collect()
}

/// A follow-up's entry in [`ReadTx::plan_dues`]: its next step's day counts for a thank-you
/// only.
fn due_and_then(
    due: Date,
    action: followup_core::plan::Action,
    then: Option<Date>,
) -> (Date, Option<Date>) {
    let thanks = action == followup_core::plan::Action::ThankYou;
    (due, then.filter(|_| thanks))
}

/// [`ReadTx::plan_dues`] from follow-ups' lines; `None` when one is of another version (the
/// caller reads the items whole).
pub fn plan_dues_of_lines<'a>(
    lines: impl IntoIterator<Item = &'a [u8]>,
) -> Option<Vec<(Date, Option<Date>)>> {
    lines
        .into_iter()
        .map(|bytes| {
            let h = Line::decode(bytes)?.head;
            Some(due_and_then(h.due, h.action, h.then.map(|t| t.due)))
        })
        .collect()
}

/// A backend: opens transactions scoped to one owner, from any thread.
pub trait Store: Send + Sync {
    /// A consistent snapshot of `owner`'s data that cannot write and never waits for a writer.
    fn read(&self, owner: OwnerId) -> Result<Box<dyn ReadTx + '_>>;
    /// The one write transaction of `owner`: waits for another to end (then [`StoreError::Busy`]).
    fn write(&self, owner: OwnerId) -> Result<Box<dyn WriteTx + '_>>;
    /// [`Store::write`] for a change that begins by reading `contacts` (a touch logged with
    /// them by id): a store may read them, and what changing them reads next, with the
    /// transaction's first round trip (PostgreSQL: one round trip less for every `log`). A
    /// hint, not a promise: the transaction is the same, and a contact named here that the
    /// change never reads costs only the read.
    fn write_about(&self, owner: OwnerId, contacts: &[ContactId]) -> Result<Box<dyn WriteTx + '_>> {
        let _ = contacts;
        self.write(owner)
    }
    /// A number that changes whenever a write transaction of `owner` commits, through this
    /// store or any other process sharing the database.
    fn version(&self, owner: OwnerId) -> Result<u64>;
    /// How many write transactions of different owners can make progress at once: 1 for a
    /// store with one writer (SQLite, memory); more where each owner's writes wait only for
    /// that owner's (PostgreSQL). A server sizes its queue of changes by it.
    fn concurrent_writers(&self) -> usize {
        1
    }
    /// The owner's version and one of their settings, read together in one snapshot (one
    /// round trip on PostgreSQL): a [derived](DERIVED) setting with the version it is current
    /// for. The version is as [`Store::version`] gives it; the setting as [`ReadTx::setting`].
    fn version_and_setting(&self, owner: OwnerId, key: &str) -> Result<(u64, Option<String>)>;
    /// [`Store::version_and_setting`] for each of `owners`, in their order, each in its own
    /// snapshot (a caseload's clients: one round trip on PostgreSQL, not one each).
    fn versions_and_settings(
        &self,
        owners: &[OwnerId],
        key: &str,
    ) -> Result<Vec<(u64, Option<String>)>> {
        owners
            .iter()
            .map(|o| self.version_and_setting(*o, key))
            .collect()
    }
}

/// The prefix of a *derived* setting: the app's own summary of an owner's data (the
/// caseload's figures), never typed by anyone and never exported. A commit that did not write
/// a derived setting removes it, so one that is there is never older than the data it sums up,
/// whatever wrote in between (another process, an older binary, a path that does not know
/// about it).
pub const DERIVED: &str = "derived.";

/// The first key after every [derived](DERIVED) one (`derived/`): derived keys are the range
/// `DERIVED..derived_end()`, which an index on the key can scan.
pub fn derived_end() -> String {
    let mut end = DERIVED.to_string();
    end.pop();
    end.push('/');
    end
}

/// Whether a setting's key is [derived](DERIVED).
pub fn is_derived(key: &str) -> bool {
    key.starts_with(DERIVED)
}

/// What a write transaction appended, as far as the log's touches go: the touches it logged,
/// in order, and whether anything else may have changed what the log's touches are or say
/// (a correction, a removal, a restore, a merge, an event this list does not know). Lets the
/// app keep a summary of the touches up to date at each change without reading them all
/// again (the caseload's figures).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Appended {
    pub logged: Vec<Touch>,
    pub other: bool,
    /// Whether an event may have changed an opportunity (its stage, so the open count).
    pub jobs: bool,
    /// The settings written, by key.
    pub settings: BTreeSet<String>,
    /// Whether holidays were kept (F16: they move every business-day wait).
    pub holidays: bool,
}

impl Appended {
    /// Notes one event appended.
    pub fn note(&mut self, event: &Event) {
        match event {
            Event::TouchLogged { touch } => self.logged.push(touch.clone()),
            // These never add, remove or change a touch.
            Event::JobAdded { .. }
            | Event::JobStageChanged { .. }
            | Event::JobEdited { .. }
            | Event::JobContactLinked { .. } => self.jobs = true,
            Event::HolidaysKept { .. } => self.holidays = true,
            Event::OrganizationAdded { .. }
            | Event::ContactAdded { .. }
            | Event::ContactEdited { .. }
            | Event::Snoozed { .. }
            | Event::SnoozeWithdrawn { .. }
            | Event::MailRead { .. } => {}
            _ => {
                self.other = true;
                self.jobs = true;
            }
        }
    }

    /// Notes a setting written.
    pub fn note_setting(&mut self, key: &str) {
        self.settings.insert(key.to_string());
    }

    /// True when nothing a policy is read from was written: no setting but derived ones
    /// (which only follow the data), no holidays.
    pub fn keeps_policy(&self) -> bool {
        !self.holidays && self.settings.iter().all(|k| is_derived(k))
    }
}

/// What any transaction can read, all of it within its owner.
pub trait ReadTx {
    /// True when this owner has recorded nothing.
    fn is_empty(&self) -> Result<bool>;
    /// The whole log of this owner, in order.
    fn events(&self) -> Result<Vec<Recorded>>;
    /// The events an account other than the owner recorded (a coach under a grant), in
    /// order: what a timeline needs to say "logged by Sam", without reading the whole log.
    fn events_by_accounts(&self) -> Result<Vec<Recorded>>;
    /// The holidays this owner imported (F16), every calendar's days together, in order.
    fn holidays(&self) -> Result<Vec<Date>>;

    /// The organization whose name equals `name` ignoring case and surrounding spaces.
    fn organization_named(&self, name: &str) -> Result<Option<OrgRef>>;
    fn contact(&self, id: ContactId) -> Result<Option<Contact>>;
    /// Every contact, by id.
    fn contacts(&self) -> Result<Vec<Contact>>;
    /// Contacts whose name equals `name` ignoring case; if none, those whose name contains it
    /// (ASCII case folded), by id.
    fn contacts_named(&self, name: &str) -> Result<Vec<Contact>>;
    fn job(&self, id: JobId) -> Result<Option<Job>>;
    /// Every opportunity, by id.
    fn jobs(&self) -> Result<Vec<Job>>;
    /// Opportunities whose title, organization or "Organization: Title" equals `text` ignoring
    /// case; if none, those whose "Organization: Title" contains it, by id.
    fn jobs_matching(&self, text: &str) -> Result<Vec<Job>>;
    /// Opportunities linked to the contact, by id.
    fn jobs_of_contact(&self, id: ContactId) -> Result<Vec<Job>>;
    /// How many opportunities are in an open stage.
    fn open_job_count(&self) -> Result<u32>;
    /// Touches with the contact, by date then id.
    fn touches_of_contact(&self, id: ContactId) -> Result<Vec<Touch>>;
    /// Touches about the opportunity, by date then id.
    fn touches_of_job(&self, id: JobId) -> Result<Vec<Touch>>;
    /// The newest (largest) touch id of this owner.
    fn newest_touch(&self) -> Result<Option<TouchId>>;
    /// One live touch by id.
    fn touch(&self, id: TouchId) -> Result<Option<Touch>>;
    /// Snoozes recorded for the subject's keys, in the order recorded.
    fn snoozes(&self, subject: Subject) -> Result<Vec<Snooze>>;
    /// Every touch of this owner, by id (for a full replan; the planner orders them itself).
    fn all_touches(&self) -> Result<Vec<Touch>>;
    /// The touches with any contact whose id is in `from..=to`, each once, by id: a full
    /// replan reads the log a slice of contacts at a time, so its memory does not grow with
    /// the log.
    fn touches_of_contacts(&self, from: ContactId, to: ContactId) -> Result<Vec<Touch>>;
    /// Every snooze of this owner, in the order recorded (for a full replan).
    fn all_snoozes(&self) -> Result<Vec<Snooze>>;

    /// Follow-ups due by `until`, and every occasion whose day of the year falls in
    /// `from..=until` (29 February counts as 28 February too), in no particular order.
    fn plan_window(&self, from: Date, until: Date) -> Result<Vec<Planned>>;
    /// The follow-ups due by `until` whose place in the agenda cannot move on `today` (those
    /// [`ReadTx::plan_moved`] leaves out), in the agenda's order: due date, contact name folded
    /// (none first), rule, number ([`followup_core::agenda::sort_key`]). Each is handed to `f`
    /// as it is read, never all held at once; `f` stops the walk with `Break`.
    ///
    /// A row comes as its kept line ([`RowBody::Line`]) when that line is today's view of it;
    /// as the whole item when `full` is asked, when its words change today (F4's "call now",
    /// [`Compact::restyle_on`]) or when its line is of another version.
    ///
    /// The default reads the window and sorts it: correct for any backend, held in memory.
    fn plan_lines(
        &self,
        until: Date,
        today: Date,
        full: bool,
        f: &mut dyn FnMut(PlanRow<'_>) -> ControlFlow<()>,
    ) -> Result<()> {
        let mut rows: Vec<(Compact, Planned)> = self
            .plan_window(today, until)?
            .into_iter()
            .filter(|p| plan_kind(&p.item) == "follow-up")
            .map(|p| (Compact::of(p.id, &p.item), p))
            .filter(|(c, _)| c.reorder_on.is_none_or(|d| d > today))
            .collect();
        rows.sort_by(|(a, x), (b, y)| {
            (x.item.due, &a.name_key, a.rule, x.id).cmp(&(y.item.due, &b.name_key, b.rule, y.id))
        });
        for (c, p) in rows {
            let restyled = c.restyle_on.is_some_and(|d| d <= today);
            let line = if full || restyled {
                None
            } else {
                Line::decode(&c.line)
            };
            let body = match line {
                Some(l) => RowBody::Line(l),
                None => RowBody::Item(Box::new(p.item.clone())),
            };
            let row = PlanRow {
                id: p.id,
                due: p.item.due,
                rule: c.rule,
                body,
            };
            if f(row).is_break() {
                break;
            }
        }
        Ok(())
    }
    /// The agenda's table measured without walking its window (issue 17): `day` gets the
    /// [`Extent`] of each day due by `until` over its firm lines, in date order, and `loose`
    /// every other row [`ReadTx::plan_lines`] would hand over (a line today may change, a whole
    /// item), as it would hand it. Together they are what the walk sees; `Ok(false)` when the
    /// store cannot say (its extents are of another version: walk instead).
    ///
    /// The default is [`extents_by_walk`]: right for any backend, as costly as the walk.
    fn plan_extents(
        &self,
        until: Date,
        today: Date,
        day: &mut dyn FnMut(&Extent),
        loose: &mut dyn FnMut(PlanRow<'_>),
    ) -> Result<bool> {
        extents_by_walk(self, until, today, day, loose)
    }
    /// What of the window [`ReadTx::plan_lines`] leaves out, whole, in no particular order:
    /// every occasion whose day of the year falls in `today..=until` (as
    /// [`ReadTx::plan_window`] finds them), and the follow-ups due by `until` whose place in
    /// the agenda may move on `today` ([`Compact::reorder_on`]: a thank-you folding into its
    /// follow-up, a move-on review).
    fn plan_moved(&self, until: Date, today: Date) -> Result<Vec<Planned>> {
        Ok(self
            .plan_window(today, until)?
            .into_iter()
            .filter(|p| {
                plan_kind(&p.item) == "occasion"
                    || Compact::of(p.id, &p.item)
                        .reorder_on
                        .is_some_and(|d| d <= today)
            })
            .collect())
    }
    /// Every plan item, by id.
    fn plan_all(&self) -> Result<Vec<Planned>>;
    /// Each follow-up's due date and, for a thank-you, its next step's (F6): what a caseload
    /// summary keeps of the plan, in no particular order. The default reads every item whole;
    /// a store that keeps lines reads their heads ([`plan_dues_of`] is the reference).
    fn plan_dues(&self) -> Result<Vec<(Date, Option<Date>)>> {
        Ok(plan_dues_of(&self.plan_all()?))
    }
    /// The subjects the plan holds items of, each once, in no particular order.
    fn plan_subjects(&self) -> Result<Vec<Subject>>;
    /// One plan item by its number.
    fn plan_item(&self, id: i64) -> Result<Option<Planned>>;
    /// The number of a plan key, if it was ever given one.
    fn plan_id(&self, key: &PlanKey) -> Result<Option<i64>>;
    /// The item planned under a key now, if any: [`ReadTx::plan_id`] then
    /// [`ReadTx::plan_item`], which a backend may answer in one read.
    fn planned_for(&self, key: &PlanKey) -> Result<Option<Planned>> {
        match self.plan_id(key)? {
            Some(id) => self.plan_item(id),
            None => Ok(None),
        }
    }
    /// Every key's number, by number (the export keeps agenda numbers across databases).
    fn plan_keys(&self) -> Result<Vec<(String, i64)>>;
    /// A setting of this owner (not an event: settings may hold secrets).
    fn setting(&self, key: &str) -> Result<Option<String>>;
    /// Everything removed (deleted, retracted, merged away), by id within each kind.
    fn trash(&self) -> Result<Trash>;

    /// The mail message read with this Message-ID, if any (`Event::MailRead`).
    fn mail(&self, message_id: &str) -> Result<Option<MailRecord>>;
    /// The mail messages read in a thread (their folded subject), in the order read.
    fn mail_in_thread(&self, thread: &str) -> Result<Vec<MailRecord>>;
    /// How many messages were read, per meaning, in meaning order.
    fn mail_counts(&self) -> Result<Vec<(MailMeaning, u64)>>;
    /// The messages read with one meaning (the bounces a contact page marks), in the order
    /// read.
    fn mail_with_meaning(&self, meaning: MailMeaning) -> Result<Vec<MailRecord>>;
}

/// A write transaction: everything a read sees (its own uncommitted changes included), plus
/// the changes. Dropping it without [`WriteTx::commit`] rolls back.
pub trait WriteTx: ReadTx {
    /// The next free id of a kind, for this owner; never given twice.
    fn next_id(&mut self, entity: Entity) -> Result<i64>;
    /// Says who records the events appended from now on in this transaction: `None` (the
    /// default) is the owner; an account is someone acting on the owner's behalf.
    fn act_as(&mut self, actor: Option<AccountId>);
    /// Records the event in the log and applies it to the rows; on an error, neither.
    fn append(&mut self, recorded_on: Date, event: &Event) -> Result<()>;
    /// Replaces the subject's plan items with `items` (which must all belong to it; one key
    /// twice is a [`StoreError::Conflict`]).
    fn replace_plan(&mut self, subject: Subject, items: &[FollowUp]) -> Result<()>;
    /// Replaces the whole plan with `items`, keeping every key's number: [`WriteTx::replace_plan_of`]
    /// over every subject the plan holds or `items` name (a full replan goes a slice at a time
    /// instead; this is the whole at once, for an import of a plan and for tests).
    fn replace_all_plan(&mut self, items: &[FollowUp]) -> Result<()> {
        let mut subjects: BTreeSet<Subject> = self.plan_subjects()?.into_iter().collect();
        subjects.extend(items.iter().map(|i| i.key.subject));
        let subjects: Vec<Subject> = subjects.into_iter().collect();
        self.replace_plan_of(&subjects, items)
    }
    /// Replaces the plan items of `subjects` with `items` (each must belong to one of them;
    /// one key twice is a [`StoreError::Conflict`]), keeping every key's number and writing
    /// only what changed: a full replan a slice of subjects at a time.
    fn replace_plan_of(&mut self, subjects: &[Subject], items: &[FollowUp]) -> Result<()>;
    /// Removes every plan item of this owner (keys and their numbers stay).
    fn clear_plan(&mut self) -> Result<()>;
    /// Keeps a setting. A [derived](DERIVED) one lasts only until a later commit that does not
    /// write it again.
    fn set_setting(&mut self, key: &str, value: &str) -> Result<()>;
    /// What this transaction appended so far ([`Appended`]).
    fn appended(&self) -> &Appended;
    /// The version the owner's data will be at once this transaction commits (as
    /// [`Store::version`] will then read it): no other write of the owner can commit in
    /// between, this one holding its write lock. A summary kept with it is known current.
    fn committed_version(&self) -> Result<u64>;
    /// Gives a key its number (an import restoring an export's numbers); a number or key
    /// already given is a [`StoreError::Conflict`].
    fn set_plan_key(&mut self, key: &str, id: i64) -> Result<()>;
    /// Makes everything appended visible and durable, and moves the owner's version; removes
    /// every [derived](DERIVED) setting this transaction did not write.
    fn commit(self: Box<Self>) -> Result<()>;
    /// [`WriteTx::commit`], answering what [`ReadTx::plan_window`] and
    /// [`ReadTx::open_job_count`] answered just before it: the agenda the change leaves, for
    /// a server to keep at [`WriteTx::committed_version`] rather than read again in a
    /// transaction of its own. `Ok` only if the commit succeeded; `Ok(None)` when it did but
    /// what was read could not be decoded (the caller reads the window again later). A store
    /// that can send the reads with the commit does (PostgreSQL: in its one round trip).
    fn commit_reading_window(
        self: Box<Self>,
        from: Date,
        until: Date,
    ) -> Result<Option<(Vec<Planned>, u32)>> {
        let planned = self.plan_window(from, until)?;
        let open_jobs = self.open_job_count()?;
        self.commit()?;
        Ok(Some((planned, open_jobs)))
    }
}

/// Takes `m`, waiting at most `wait` for whoever holds it: the contract's "others wait, then
/// fail with [`StoreError::Busy`]" for writers in this process (a mutex alone would wait
/// forever behind a stuck transaction). Polls, since `std` has no timed lock; a transaction
/// is short and the backoff caps at a few milliseconds. A poisoned lock is taken anyway: the
/// thread that panicked held a transaction that was never committed.
pub(crate) fn lock_within<T>(
    m: &std::sync::Mutex<T>,
    wait: std::time::Duration,
) -> Option<std::sync::MutexGuard<'_, T>> {
    use std::sync::TryLockError;
    let deadline = std::time::Instant::now() + wait;
    let mut pause = std::time::Duration::from_micros(50);
    loop {
        match m.try_lock() {
            Ok(g) => return Some(g),
            Err(TryLockError::Poisoned(p)) => return Some(p.into_inner()),
            Err(TryLockError::WouldBlock) => {}
        }
        if std::time::Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(std::time::Duration::from_millis(5));
    }
}

/// Stage words the store filters on.
pub fn open_stages() -> Vec<&'static str> {
    Stage::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.as_str())
        .collect()
}

/// A day as stores write it (`2026-03-11`), read without the general parser: the agenda reads
/// one a row. Anything else goes through jiff's parser.
pub fn iso_day(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<i32> {
        b.get(r)?.iter().try_fold(0i32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + i32::from(c - b'0'))
        })
    };
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        return Date::new(y as i16, m as i8, d as i8).ok();
    }
    s.parse().ok()
}

/// The day of the year as stores index occasions: month * 100 + day.
pub fn month_day(d: Date) -> i64 {
    i64::from(d.month()) * 100 + i64::from(d.day())
}

/// The month-day ranges of occasions that fall in `from..=until`: a window over New Year is
/// two ranges, a window of a year or more takes them all, and 28 February takes 29 February.
pub fn occasion_ranges(from: Date, until: Date) -> Vec<(i64, i64)> {
    let md = month_day;
    let ranges: Vec<(i64, i64)> = if (until - from).get_days() >= 365 || until < from {
        vec![(0, 9999)]
    } else if md(from) <= md(until) && from.year() == until.year() {
        vec![(md(from), md(until))]
    } else {
        vec![(md(from), 1231), (101, md(until))]
    };
    ranges
        .into_iter()
        .map(|(lo, hi)| (lo, if hi == 228 { 229 } else { hi }))
        .collect()
}

/// How a plan item is filed: occasions by day of the year, everything else by due date.
pub fn plan_kind(item: &FollowUp) -> &'static str {
    if item.action == followup_core::plan::Action::Occasion {
        "occasion"
    } else {
        "follow-up"
    }
}

/// The subject [`subject_text`] wrote, if `text` is one.
pub fn subject_from_text(text: &str) -> Option<Subject> {
    let (kind, id) = text.split_once('/')?;
    let id: i64 = id.parse().ok()?;
    match kind {
        "contact" => Some(Subject::Contact(ContactId(id))),
        "job" => Some(Subject::Job(JobId(id))),
        _ => None,
    }
}

/// How subjects are written in plan and snooze rows.
pub fn subject_text(s: Subject) -> String {
    match s {
        Subject::Contact(c) => format!("contact/{c}"),
        Subject::Job(j) => format!("job/{j}"),
    }
}
