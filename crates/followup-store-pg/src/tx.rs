//! One transaction on a lent connection, for one owner: the SQLite backend's queries and event
//! application (`followup-store/src/sqlite.rs`), in PostgreSQL's dialect.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use followup_core::agenda::Planned;
use followup_core::line::{Compact, Line, VERSION as LINE_VERSION};
use followup_core::model::{Contact, ContactId, Job, JobId, OrgRef, Touch, TouchId};
use followup_core::plan::{FollowUp, PlanKey, Slot, Snooze, Subject};
use followup_core::{Event, MailMeaning, MailRecord, OrgId};
use followup_store::{
    AccountId, Appended, DERIVED, Entity, PlanRow, ReadTx, Recorded, Removal, Result, RowBody,
    StoreError, Trash, WriteTx, derived_end, is_derived, month_day, occasion_ranges, open_stages,
    plan_kind, subject_from_text, subject_text,
};
use jiff::civil::Date;
use postgres::Row;
use postgres::types::ToSql;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::ops::ControlFlow;

use crate::WAIT;
use crate::pool::Pooled;

/// The plan keys' sequence in the `ids` table.
const PLAN_KEY: &str = "plan-key";

type Args<'a> = &'a [&'a (dyn ToSql + Sync)];

const CONTACT: &str = "SELECT id, data FROM contacts WHERE owner = $1 AND id = $2";
/// The plan's window in one statement (each part tagged by its first column): the follow-ups
/// due by $2 (0), the occasions of two ranges of days of the year (0; the second range empty
/// when there is one), and with [`WINDOW_COUNTED`] how many jobs are open (1: the count in the
/// second column). As four statements, each cost PostgreSQL its own bind, execution, answer
/// and flush, and the server a wake-up for each answer that came apart (docs/BENCHMARKS.md,
/// fourteenth round).
macro_rules! window_sql {
    ($($count:literal)?) => {
        concat!(
            "SELECT 0, id, data FROM plan WHERE owner = $1 AND kind = 'follow-up' AND due <= $2
             UNION ALL SELECT 0, id, data FROM plan
                 WHERE owner = $1 AND kind = 'occasion' AND md BETWEEN $3 AND $4
             UNION ALL SELECT 0, id, data FROM plan
                 WHERE owner = $1 AND kind = 'occasion' AND md BETWEEN $5 AND $6"
            $(, $count)?
        )
    };
}
const WINDOW: &str = window_sql!();
const WINDOW_COUNTED: &str = window_sql!(
    "
             UNION ALL SELECT 1, COUNT(*), NULL FROM jobs WHERE owner = $1 AND stage = ANY($7)"
);
const OPEN_JOBS: &str = "SELECT COUNT(*) FROM jobs WHERE owner = $1 AND stage = ANY($2)";
const TOUCHES_OF_CONTACT: &str = "SELECT id, data FROM touches WHERE owner = $1 AND id IN
                 (SELECT touch_id FROM touch_contacts WHERE owner = $1 AND contact_id = $2)
             ORDER BY date, id";
const SNOOZES: &str =
    "SELECT seq, data FROM snoozes WHERE owner = $1 AND subject = $2 ORDER BY seq";
const JOBS_OF_CONTACT: &str = "SELECT id, data FROM jobs WHERE owner = $1 AND id IN
                 (SELECT job_id FROM job_contacts WHERE owner = $1 AND contact_id = $2)
             ORDER BY id";
/// Every slot a subject's plan keys can have.
const SLOTS: [Slot; 4] = [
    Slot::FollowUp,
    Slot::Birthday,
    Slot::WorkAnniversary,
    Slot::PersonalAnniversary,
];

// A slot added to followup-core fails to compile here until it is in `SLOTS` too, so that its
// keys are read ahead like the others (one left out is only read when asked).
const _: fn(Slot) = |slot| match slot {
    Slot::FollowUp | Slot::Birthday | Slot::WorkAnniversary | Slot::PersonalAnniversary => {}
};
// The write's first round trip (`PgTx::begin_write`), prepared: sent as simple queries they
// were parsed and planned at every write.
const LOCK_OWNER: &str = "SELECT version FROM owners WHERE id = $1 FOR UPDATE";
/// What a write reads of its owner after the lock, in one statement (each part tagged by its
/// first column): the derived settings (0: key, value), the sequences' next numbers (1:
/// entity, next) and the follow-ups' lines (2: line). As three statements, each cost
/// PostgreSQL its own bind, execution, answer and flush, and the server a wake-up to read it
/// (docs/BENCHMARKS.md, fourteenth round).
const OWNER_AHEAD: &str = "SELECT 0, key, value, NULL::bigint, NULL::bytea FROM settings
         WHERE owner = $1 AND key >= $2 AND key < $3
     UNION ALL SELECT 1, entity, NULL, next, NULL FROM ids WHERE owner = $1
     UNION ALL SELECT 2, NULL, NULL, NULL, line FROM plan WHERE owner = $1 AND kind = 'follow-up'";
/// The follow-ups' lines (from the agenda's index alone): their due days, for the caseload's
/// summary (`plan_dues`) when they were not read with the lock.
const FOLLOW_UP_LINES: &str = "SELECT line FROM plan WHERE owner = $1 AND kind = 'follow-up'";
/// A logged touch: its event, its row and its contacts' links, in one statement ($10 the
/// contacts' ids). As three, each cost PostgreSQL its own bind, execution, answer and flush
/// (docs/BENCHMARKS.md, fourteenth round).
const TOUCH_LOGGED: &str = "WITH event AS (
         INSERT INTO events (owner, recorded_on, kind, payload, actor) VALUES ($1, $2, $3, $4, $5)
     ), touch AS (
         INSERT INTO touches (owner, id, date, job_id, data) VALUES ($1, $6, $7, $8, $9)
     )
     INSERT INTO touch_contacts (owner, contact_id, touch_id)
     SELECT $1, c, $6 FROM unnest($10::bigint[]) AS c
     ON CONFLICT DO NOTHING";
/// Moves sequences past the numbers taken ($2 the sequences, $3 each one's next number), in
/// one statement however many (`PgTx::write_ids`).
const TAKEN_ALL: &str = "INSERT INTO ids (owner, entity, next)
     SELECT $1, e, n FROM unnest($2::text[], $3::bigint[]) AS t(e, n)
     ON CONFLICT (owner, entity) DO UPDATE SET next = GREATEST(ids.next, excluded.next)";
// And its last (`WriteTx::commit`).
const STALE_DERIVED: &str = "DELETE FROM settings
     WHERE owner = $1 AND key >= $2 AND key < $3 AND NOT (key = ANY($4))";
const NEXT_VERSION: &str = "UPDATE owners SET version = version + 1 WHERE id = $1";

/// What a write read ahead of being asked (`PgTx::contact`): the reads that changing a
/// contact and replanning it make next, sent in the same round trip as the contact's own.
/// Each is dropped when the transaction writes to a table it was read from (`PgTx::wrote`),
/// so what is answered from here is what the read would answer now.
#[derive(Default)]
struct Ahead {
    touches: BTreeMap<i64, Vec<Touch>>,
    snoozes: BTreeMap<String, Vec<Snooze>>,
    jobs: BTreeMap<i64, Vec<Job>>,
    /// Plan keys and their numbers; `None` for a key known to have none yet.
    keys: BTreeMap<String, Option<i64>>,
    /// The planned item of each key of a subject this transaction just planned
    /// (`replace_plan_now`): a `log` reads what comes next for the contact it replanned.
    planned: BTreeMap<String, Option<Planned>>,
    /// The owner's derived settings, read with the write's lock (`PgStore::write`): the
    /// caseload's summary reads its own before it writes it again.
    derived: Option<BTreeMap<String, String>>,
    /// How many jobs are open, read with the plan's window (`plan_window`): an agenda
    /// counts them next.
    open_jobs: Option<u32>,
    /// The derived settings there may be: those read with the lock and those written since
    /// (`set_setting`). When the transaction wrote every one again, the commit has none to
    /// remove. `None` once settings were written some other way.
    derived_keys: Option<BTreeSet<String>>,
    /// Each sequence's next number, read with the lock (`PgTx::begin_write`): every writer of
    /// this owner holds that lock, so nobody else takes a number before this transaction
    /// ends, and a number is taken without a round trip (`PgTx::allocate`). `None` once `ids`
    /// was written some other way: then each number is asked for.
    ids: Option<BTreeMap<String, i64>>,
    /// The follow-ups' lines, read with the lock and kept as this transaction replans a
    /// subject (`replace_plan_now`): the caseload's summary reads every due at the end of
    /// each change (`plan_dues`). `None` once unknown.
    lines: Option<Vec<Vec<u8>>>,
    /// The owner's settings but the derived ones, and the holidays they imported, read
    /// together at the first setting asked (`PgTx::setting`): the policy and the time zone
    /// are two settings and the holidays, three round trips on a request whose owner's
    /// policy is not cached (every client once after a server starts).
    plain: Option<BTreeMap<String, String>>,
    holidays: Option<Vec<Date>>,
}

/// The most contacts a write reads with its first round trip (`Store::write_about`): a touch
/// with a whole panel is rare, and the reads of more would hold the lock's answer back.
const CONTACTS_AHEAD: usize = 4;

/// What changing a contact reads next, in one statement (each part tagged by its first
/// column): the contact (0), its touches (1), snoozes (2: by sequence number) and jobs (3),
/// and its plan keys' numbers (4: the key in the last column). Five statements sent together
/// cost PostgreSQL five binds, executions, answers and flushes, and the server a wake-up for
/// each answer that came apart (docs/BENCHMARKS.md, fourteenth round). The parts come in no
/// promised order: [`PgTx::take_ahead`] sorts each as its own statement did.
///
/// The plan keys are one lookup a slot: PostgreSQL keeps a prepared statement's generic plan
/// only when it costs no more than a custom one, and with `key = ANY($4)`, or `key IN ($4,
/// $5, $6, $7)`, it guessed four rows where the values found at most one a key, and planned
/// the statement anew at every call (60 µs a `log`); each lookup on its own is one row on the
/// unique index, generic or not.
const AHEAD_OF_CONTACT: &str = "SELECT 0, id, data FROM contacts WHERE owner = $1 AND id = $2
     UNION ALL SELECT 1, id, data FROM touches WHERE owner = $1 AND id IN
         (SELECT touch_id FROM touch_contacts WHERE owner = $1 AND contact_id = $2)
     UNION ALL SELECT 2, seq, data FROM snoozes WHERE owner = $1 AND subject = $3
     UNION ALL SELECT 3, id, data FROM jobs WHERE owner = $1 AND id IN
         (SELECT job_id FROM job_contacts WHERE owner = $1 AND contact_id = $2)
     UNION ALL SELECT 4, id, key FROM plan_keys WHERE owner = $1 AND key = $4
     UNION ALL SELECT 4, id, key FROM plan_keys WHERE owner = $1 AND key = $5
     UNION ALL SELECT 4, id, key FROM plan_keys WHERE owner = $1 AND key = $6
     UNION ALL SELECT 4, id, key FROM plan_keys WHERE owner = $1 AND key = $7";
// One key parameter for each slot.
const _: () = assert!(SLOTS.len() == 4);

/// What [`PgTx::read_ahead`] reads of one contact ([`AHEAD_OF_CONTACT`]).
struct AheadOf {
    id: ContactId,
    /// The contact as a plan subject (snoozes are kept by it).
    text: String,
    /// Its plan keys, one a slot.
    keys: Vec<String>,
}

impl AheadOf {
    fn new(id: ContactId) -> AheadOf {
        let subject = Subject::Contact(id);
        AheadOf {
            id,
            text: subject_text(subject),
            keys: SLOTS
                .iter()
                .map(|&slot| PlanKey { subject, slot }.to_string())
                .collect(),
        }
    }

    /// The statement's parameters.
    fn args<'a>(&'a self, owner: &'a i64) -> [&'a (dyn ToSql + Sync); 7] {
        let k = &self.keys;
        [owner, &self.id.0, &self.text, &k[0], &k[1], &k[2], &k[3]]
    }
}

/// What a statement may have changed, for [`Ahead`].
#[derive(Debug, PartialEq)]
enum Writes<'a> {
    Nothing,
    Table(&'a str),
    /// Several statements, or one not understood here: anything.
    Anything,
}

/// Which table a statement writes, read from its first words.
fn writes(sql: &str) -> Writes<'_> {
    let mut words = sql.split_whitespace();
    let first = words.next().unwrap_or_default();
    fn table(w: Option<&str>) -> Writes<'_> {
        w.map(|t| t.split('(').next().unwrap_or(t))
            .filter(|t| !t.is_empty())
            .map_or(Writes::Anything, Writes::Table)
    }
    if sql.trim_end().trim_end_matches(';').contains(';') {
        return Writes::Anything;
    }
    match first.to_ascii_uppercase().as_str() {
        "SELECT" | "SAVEPOINT" | "RELEASE" => Writes::Nothing,
        "INSERT" if words.next().is_some_and(|w| w.eq_ignore_ascii_case("INTO")) => {
            table(words.next())
        }
        "UPDATE" => table(words.next()),
        "DELETE" if words.next().is_some_and(|w| w.eq_ignore_ascii_case("FROM")) => {
            table(words.next())
        }
        _ => Writes::Anything,
    }
}

/// A transaction begun by the store; ROLLBACK when dropped still open. The connection is in a
/// `RefCell` because reads take `&self` and the client `&mut`; a transaction is one thread's.
pub(crate) struct PgTx<'s> {
    conn: RefCell<Pooled<'s>>,
    owner: i64,
    /// Still inside BEGIN.
    open: bool,
    name: &'s str,
    /// Who records what is appended (`WriteTx::act_as`).
    actor: Option<AccountId>,
    appended: Appended,
    /// The derived settings this transaction wrote (the others go at commit).
    derived: BTreeSet<String>,
    /// The last change's savepoint is still to be released (`atomically`).
    release_pending: bool,
    /// The owner's version when this write took its lock (`PgStore::write`).
    pub(crate) version_before: u64,
    /// Record ids (entity, id) this transaction took from their sequence (`PgTx::claim`).
    fresh: RefCell<BTreeSet<(&'static str, i64)>>,
    /// Contacts this transaction read, by id: a `log` reads its contact to resolve it and
    /// again to replan it. Forgotten whenever a contact row may change (`PgTx::contacts_changed`).
    contacts_read: RefCell<BTreeMap<i64, Option<Contact>>>,
    /// A write (`PgStore::write`): reads ahead of being asked (`Ahead`).
    pub(crate) writing: bool,
    ahead: RefCell<Ahead>,
    /// Each sequence's next number after the numbers this transaction took from what it knew
    /// (`Ahead::ids`) or was told were taken (`PgTx::taken`), not yet written to `ids`:
    /// written together by the commit, or before any statement that may write `ids` (the only
    /// read of it, the owner's read ahead, comes first) (`PgTx::write_ids`). One statement
    /// where a log made two (docs/BENCHMARKS.md, fourteenth round).
    ids_taken: RefCell<BTreeMap<String, i64>>,
}

impl Drop for PgTx<'_> {
    fn drop(&mut self) {
        let conn = self.conn.get_mut();
        // Writes not sent yet are dropped with the rest.
        conn.forget_deferred();
        if self.open && conn.batch("ROLLBACK").is_err() {
            // Its state is unknown: closed, never lent again (the server rolls back).
            conn.broken = true;
        }
    }
}

/// PostgreSQL text cannot hold NUL, so no stored name has one and a search for it matches
/// nothing; sent as a parameter it would be an error instead of "no such name" (a reference
/// typed into the API, say).
fn has_nul(text: &str) -> bool {
    text.contains('\0')
}

/// The columns a removal moves, as in the live table (the `removed_` tables mirror them).
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
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt {
        table,
        id: id.to_string(),
        detail: e.to_string(),
    })
}

/// Rows of (id, JSON data), decoded.
fn decode<T: DeserializeOwned>(table: &'static str, rows: &[Row]) -> Result<Vec<T>> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id: i64 = get(r, 0, table)?;
        let data: &str = get(r, 1, table)?;
        out.push(from_json(table, id, data)?);
    }
    Ok(out)
}

/// A column of a row, or the row's table named in a corrupt error.
fn get<'r, T: postgres::types::FromSql<'r>>(
    row: &'r Row,
    i: usize,
    table: &'static str,
) -> Result<T> {
    row.try_get(i).map_err(|e| StoreError::Corrupt {
        table,
        id: "?".into(),
        detail: crate::describe(&e),
    })
}

const HOLIDAYS: &str = "SELECT DISTINCT day FROM holidays WHERE owner = $1 ORDER BY day";
const PLAIN_SETTINGS: &str =
    "SELECT key, value FROM settings WHERE owner = $1 AND NOT (key >= $2 AND key < $3)";

fn holiday_rows(rows: &[Row]) -> Result<Vec<Date>> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let day: &str = get(r, 0, "holidays")?;
        out.push(day.parse().map_err(|_| StoreError::Corrupt {
            table: "holidays",
            id: day.to_string(),
            detail: "not a date".into(),
        })?);
    }
    Ok(out)
}

/// The answers to `N` statements sent in one pipeline, one each, or what went wrong.
fn each_answer<const N: usize>(
    answers: Vec<Vec<Row>>,
    table: &'static str,
    id: impl ToString,
) -> Result<[Vec<Row>; N]> {
    <[Vec<Row>; N]>::try_from(answers).map_err(|a| StoreError::Corrupt {
        table,
        id: id.to_string(),
        detail: format!("{} answers to {N} statements sent together", a.len()),
    })
}

/// The answer [`PgTx::window_with`] asked: the planned items, and the open jobs when counted.
fn decode_window(rows: Vec<Row>, count: bool) -> Result<(Vec<Planned>, Option<u32>)> {
    let mut out = Vec::with_capacity(rows.len());
    let mut open_jobs = count.then_some(0);
    for r in &rows {
        let n: i64 = get(r, 1, "plan")?;
        if get::<i32>(r, 0, "plan")? == 1 {
            open_jobs = Some(n.max(0) as u32);
            continue;
        }
        let data: &str = get(r, 2, "plan")?;
        out.push(Planned {
            id: n,
            item: from_json("plan", n, data)?,
        });
    }
    Ok((out, open_jobs))
}

/// Rows of (id, JSON item) of `plan`, decoded.
fn planned_rows(rows: &[Row]) -> Result<Vec<Planned>> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id: i64 = get(r, 0, "plan")?;
        let data: &str = get(r, 1, "plan")?;
        out.push(Planned {
            id,
            item: from_json("plan", id, data)?,
        });
    }
    Ok(out)
}

impl<'s> PgTx<'s> {
    pub(crate) fn new(conn: Pooled<'s>, owner: i64, name: &'s str) -> PgTx<'s> {
        PgTx {
            conn: RefCell::new(conn),
            owner,
            open: true,
            name,
            actor: None,
            appended: Appended::default(),
            derived: BTreeSet::new(),
            release_pending: false,
            version_before: 0,
            fresh: RefCell::new(BTreeSet::new()),
            contacts_read: RefCell::new(BTreeMap::new()),
            writing: false,
            ahead: RefCell::new(Ahead::default()),
            ids_taken: RefCell::new(BTreeMap::new()),
        }
    }

    /// Begins a write (`PgStore::write`) in one round trip: BEGIN, the owner's row made if
    /// new and locked (every writer of this owner waits here for the one before), its
    /// version, and its derived settings (read after the lock: no other writer of this owner
    /// commits meanwhile). The version before is kept in `version_before`. With them go the
    /// reads of `contacts` (`Store::write_about`, at most [`CONTACTS_AHEAD`]) that
    /// [`PgTx::read_ahead`] would make next, after the lock as they would be.
    pub(crate) fn begin_write(&mut self, contacts: &[ContactId]) -> Result<()> {
        let o = self.owner;
        let end = derived_end();
        let mut seen = BTreeSet::new();
        let ahead: Vec<AheadOf> = contacts
            .iter()
            .filter(|c| seen.insert(c.0))
            .take(CONTACTS_AHEAD)
            .map(|&c| AheadOf::new(c))
            .collect();
        let conn = self.conn.get_mut();
        // The owner named with the BEGIN (row-level security reads it from here on): a
        // number, so nothing in it needs quoting.
        conn.defer_batch(&format!(
            "BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL lock_timeout = '{}ms'; \
             SET LOCAL followup.owner = '{o}'",
            WAIT.as_millis()
        ));
        let read = |conn: &mut Pooled<'_>| {
            let (owner_only, owner_ahead): (Args<'_>, Args<'_>) = (&[&o], &[&o, &DERIVED, &end]);
            let mut queries: Vec<(&str, Args<'_>)> =
                vec![(LOCK_OWNER, owner_only), (OWNER_AHEAD, owner_ahead)];
            let args: Vec<_> = ahead.iter().map(|a| a.args(&o)).collect();
            for args in &args {
                queries.push((AHEAD_OF_CONTACT, args));
            }
            conn.query_many(&queries)
        };
        let mut answers = read(conn)?;
        if answers.first().is_some_and(Vec::is_empty) {
            // An owner's first write: its row made, then locked and read again (what was
            // read beside it was read without the lock).
            conn.execute(
                "INSERT INTO owners (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
                &[&o, &format!("owner {o}")],
            )?;
            answers = read(conn)?;
        }
        let contacts_answers = answers.split_off(2.min(answers.len()));
        if contacts_answers.len() != ahead.len() {
            return Err(StoreError::Corrupt {
                table: "contacts",
                id: o.to_string(),
                detail: format!(
                    "{} answers to {} contacts read ahead",
                    contacts_answers.len(),
                    ahead.len()
                ),
            });
        }
        for (a, rows) in ahead.into_iter().zip(contacts_answers) {
            let id = a.id;
            let contact = self.take_ahead(a, rows)?;
            self.contacts_read.get_mut().insert(id.0, contact);
        }
        let [version, owner_rows] = each_answer(answers, "owners", o)?;
        self.version_before = match version.first() {
            Some(r) => get::<i64>(r, 0, "owners")? as u64,
            None => {
                return Err(StoreError::Corrupt {
                    table: "owners",
                    id: o.to_string(),
                    detail: "no row to lock after making it".into(),
                });
            }
        };
        let mut settings = BTreeMap::new();
        let mut next = BTreeMap::new();
        let mut lines = Vec::new();
        for r in &owner_rows {
            match get::<i32>(r, 0, "settings")? {
                0 => {
                    settings.insert(get(r, 1, "settings")?, get(r, 2, "settings")?);
                }
                1 => {
                    next.insert(get(r, 1, "ids")?, get(r, 3, "ids")?);
                }
                _ => lines.push(get::<&[u8]>(r, 4, "plan")?.to_vec()),
            }
        }
        let ahead = self.ahead.get_mut();
        ahead.derived_keys = Some(settings.keys().cloned().collect());
        ahead.derived = Some(settings);
        ahead.ids = Some(next);
        ahead.lines = Some(lines);
        Ok(())
    }

    /// The owner's settings but the derived ones, and their holidays, in one round trip
    /// (`Ahead::plain`).
    fn read_plain_settings(&self) -> Result<()> {
        let end = derived_end();
        let answers = self.conn.borrow_mut().query_many(&[
            (PLAIN_SETTINGS, &[&self.owner, &DERIVED, &end]),
            (HOLIDAYS, &[&self.owner]),
        ])?;
        let [settings, days] = each_answer(answers, "settings", self.owner)?;
        let mut plain = BTreeMap::new();
        for r in &settings {
            plain.insert(get(r, 0, "settings")?, get(r, 1, "settings")?);
        }
        let days = holiday_rows(&days)?;
        let mut ahead = self.ahead.borrow_mut();
        ahead.plain = Some(plain);
        ahead.holidays = Some(days);
        Ok(())
    }

    /// Drops what was read ahead from a table the statement may write.
    fn wrote(&self, sql: &str) -> Result<()> {
        let what = writes(sql);
        if matches!(what, Writes::Table("ids") | Writes::Anything) {
            // The numbers taken are written before a statement that may read them.
            self.write_ids()?;
        }
        let mut ahead = self.ahead.borrow_mut();
        match what {
            Writes::Nothing => {}
            Writes::Table("touches" | "touch_contacts") => ahead.touches.clear(),
            Writes::Table("snoozes") => ahead.snoozes.clear(),
            Writes::Table("jobs") => {
                ahead.jobs.clear();
                ahead.open_jobs = None;
            }
            Writes::Table("job_contacts") => ahead.jobs.clear(),
            // Keys are only ever added by an INSERT: those known stay right, but one known
            // to have no number may have one now.
            Writes::Table("plan_keys") if sql.trim_start().starts_with("INSERT") => {
                ahead.keys.retain(|_, id| id.is_some());
                ahead.planned.clear();
            }
            Writes::Table("plan_keys") => {
                ahead.keys.clear();
                ahead.planned.clear();
            }
            Writes::Table("plan") => {
                ahead.planned.clear();
                ahead.lines = None;
            }
            Writes::Table("ids") => ahead.ids = None,
            Writes::Table("holidays") => ahead.holidays = None,
            Writes::Table("settings") => {
                ahead.derived = None;
                ahead.derived_keys = None;
                ahead.plain = None;
            }
            Writes::Table(_) => {}
            Writes::Anything => *ahead = Ahead::default(),
        }
        Ok(())
    }

    /// Writes the numbers taken since the last time (`ids_taken`), with the next statement.
    fn write_ids(&self) -> Result<()> {
        let taken = std::mem::take(&mut *self.ids_taken.borrow_mut());
        if taken.is_empty() {
            return Ok(());
        }
        let (entities, next): (Vec<String>, Vec<i64>) = taken.into_iter().unzip();
        // Not through `PgTx::defer`: what is known of `ids` stays true.
        self.conn
            .borrow_mut()
            .defer(TAKEN_ALL, &[&self.owner, &entities, &next])
    }

    pub(crate) fn batch(&self, sql: &str) -> Result<()> {
        self.wrote(sql)?;
        self.conn.borrow_mut().batch(sql)
    }

    fn query(&self, sql: &str, args: Args<'_>) -> Result<Vec<Row>> {
        self.wrote(sql)?;
        self.conn.borrow_mut().query(sql, args)
    }

    fn exec(&self, sql: &str, args: Args<'_>) -> Result<u64> {
        self.wrote(sql)?;
        self.conn.borrow_mut().execute(sql, args)
    }

    /// A write whose answer nobody waits for: it goes with the next statement that has one
    /// (or the commit). It may only be one that cannot fail for a reason the caller must
    /// hear at the call (a taken id, a missing row): a failure here fails the transaction.
    fn defer(&self, sql: &str, args: Args<'_>) -> Result<()> {
        self.wrote(sql)?;
        self.conn.borrow_mut().defer(sql, args)
    }

    /// The first column of the first row, if any.
    fn one<T: for<'r> postgres::types::FromSql<'r>>(
        &self,
        table: &'static str,
        sql: &str,
        args: Args<'_>,
    ) -> Result<Option<T>> {
        match self.query(sql, args)?.first() {
            Some(r) => Ok(Some(get(r, 0, table)?)),
            None => Ok(None),
        }
    }

    /// Rows of (id, JSON data), decoded.
    fn query_json<T: DeserializeOwned>(
        &self,
        table: &'static str,
        sql: &str,
        args: Args<'_>,
    ) -> Result<Vec<T>> {
        decode(table, &self.query(sql, args)?)
    }

    /// The contact, and in the same statement what changing it reads next (`Ahead`): its
    /// touches, snoozes and jobs, and its plan keys' numbers.
    fn read_ahead(&self, id: ContactId) -> Result<Option<Contact>> {
        let a = AheadOf::new(id);
        let rows = self
            .conn
            .borrow_mut()
            .query(AHEAD_OF_CONTACT, &a.args(&self.owner))?;
        self.take_ahead(a, rows)
    }

    /// The answer to [`AHEAD_OF_CONTACT`], kept in `Ahead`; the contact, if there is one.
    fn take_ahead(&self, a: AheadOf, rows: Vec<Row>) -> Result<Option<Contact>> {
        let AheadOf { id, text, keys } = a;
        let mut contact: Option<Contact> = None;
        let mut touches: Vec<Touch> = Vec::new();
        let mut snoozes: Vec<(i64, Snooze)> = Vec::new();
        let mut jobs: Vec<Job> = Vec::new();
        let mut ahead = self.ahead.borrow_mut();
        for key in keys {
            ahead.keys.insert(key, None);
        }
        for r in &rows {
            let n: i64 = get(r, 1, "contacts")?;
            let text: &str = get(r, 2, "contacts")?;
            match get::<i32>(r, 0, "contacts")? {
                0 => contact = Some(from_json("contacts", n, text)?),
                1 => touches.push(from_json("touches", n, text)?),
                2 => snoozes.push((n, from_json("snoozes", n, text)?)),
                3 => jobs.push(from_json("jobs", n, text)?),
                _ => {
                    ahead.keys.insert(text.to_string(), Some(n));
                }
            }
        }
        // As the statements of each part ordered them (`TOUCHES_OF_CONTACT`, `SNOOZES`,
        // `JOBS_OF_CONTACT`).
        touches.sort_by_key(|t| (t.date, t.id));
        snoozes.sort_by_key(|(seq, _)| *seq);
        jobs.sort_by_key(|j| j.id);
        ahead.touches.insert(id.0, touches);
        ahead
            .snoozes
            .insert(text, snoozes.into_iter().map(|(_, s)| s).collect());
        ahead.jobs.insert(id.0, jobs);
        Ok(contact)
    }

    fn planned(&self, sql: &str, args: Args<'_>) -> Result<Vec<Planned>> {
        planned_rows(&self.query(sql, args)?)
    }

    /// Runs a change of several statements so that if one fails none is left: in PostgreSQL
    /// a failed statement aborts the whole transaction unless rolled back to a savepoint.
    fn atomically<T>(&mut self, change: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        // The last change's savepoint is released in the same round trip as this one is
        // taken (or by the commit): one round trip per change, not two.
        // Both go with the change's first statement that is waited for (`Conn::defer`).
        let conn = self.conn.get_mut();
        if std::mem::take(&mut self.release_pending) {
            conn.defer_batch("RELEASE SAVEPOINT change; SAVEPOINT change");
        } else {
            conn.defer_batch("SAVEPOINT change");
        }
        // The numbers taken before the change, not yet written: they outlive its rollback.
        let taken_before = self.ids_taken.get_mut().clone();
        match change(self) {
            Ok(v) => {
                self.release_pending = true;
                Ok(v)
            }
            Err(e) => {
                // If even this fails the transaction is beyond use; the caller drops it. The
                // numbers taken inside the change are given back: no longer known fresh.
                self.ids_taken.get_mut().clear();
                let _ = self.batch("ROLLBACK TO SAVEPOINT change; RELEASE SAVEPOINT change");
                // Those taken before it are still to be written: before the table is next
                // asked for a number (`ids` is no longer known), or by the commit.
                *self.ids_taken.get_mut() = taken_before;
                self.fresh.get_mut().clear();
                self.contacts_changed();
                Err(e)
            }
        }
    }

    /// Forgets the contacts read: a row of `contacts` may have changed.
    fn contacts_changed(&self) {
        self.contacts_read.borrow_mut().clear();
    }

    /// The columns of `table` that a removal or restore moves, about to be moved (so the
    /// contacts read are forgotten when they are contacts).
    fn moving(&self, table: &str) -> &'static str {
        if table == "contacts" {
            self.contacts_changed();
        }
        removable_columns(table)
    }

    /// A contact's row. A `new` one is inserted, never upserted: its id was found free or just
    /// taken from the sequence (`PgTx::claim`), so a row already there is a broken invariant,
    /// which fails the transaction instead of overwriting someone.
    fn put_contact(&self, c: &Contact, new: bool) -> Result<()> {
        self.contacts_changed();
        let sql = if new {
            "INSERT INTO contacts (owner, id, name, data) VALUES ($1, $2, $3, $4)"
        } else {
            "INSERT INTO contacts (owner, id, name, data) VALUES ($1, $2, $3, $4)
             ON CONFLICT (owner, id) DO UPDATE SET name = excluded.name, data = excluded.data"
        };
        self.defer(sql, &[&self.owner, &c.id.0, &c.name, &to_json(c)])?;
        Ok(())
    }

    /// A job's row and its contacts' links; `new` as for [`PgTx::put_contact`].
    fn put_job(&self, j: &Job, new: bool) -> Result<()> {
        self.defer(
            if new {
                "INSERT INTO jobs (owner, id, org_id, title, stage, data) VALUES ($1, $2, $3, $4, $5, $6)"
            } else {
                "INSERT INTO jobs (owner, id, org_id, title, stage, data) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (owner, id) DO UPDATE SET org_id = excluded.org_id, title = excluded.title,
                     stage = excluded.stage, data = excluded.data"
            },
            &[
                &self.owner,
                &j.id.0,
                &j.organization.id.0,
                &j.title,
                &j.stage.as_str(),
                &to_json(j),
            ],
        )?;
        for c in &j.contacts {
            self.defer(
                "INSERT INTO job_contacts (owner, job_id, contact_id) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
                &[&self.owner, &j.id.0, &c.0],
            )?;
        }
        Ok(())
    }

    /// A touch's contacts as rows, and each linked to the touch's opportunity.
    fn link_touch(&self, touch: &Touch) -> Result<()> {
        for c in &touch.contacts {
            self.defer(
                "INSERT INTO touch_contacts (owner, contact_id, touch_id) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
                &[&self.owner, &c.0, &touch.id.0],
            )?;
        }
        self.link_to_job(touch)
    }

    /// Each of a touch's contacts linked to the touch's opportunity, if it has one.
    fn link_to_job(&self, touch: &Touch) -> Result<()> {
        if let Some(j) = touch.job {
            for c in &touch.contacts {
                self.link(j, *c)?;
            }
        }
        Ok(())
    }

    /// Notes that `entity`'s sequence must be past `next - 1` when `ids` is next written
    /// (`ids_taken`).
    fn note_taken(&self, entity: &str, next: i64) {
        let mut taken = self.ids_taken.borrow_mut();
        let kept = taken.entry(entity.to_string()).or_insert(0);
        *kept = (*kept).max(next);
    }

    fn need_contact(&self, id: ContactId) -> Result<Contact> {
        self.contact(id)?.ok_or(StoreError::Missing {
            what: "contact",
            id: id.to_string(),
        })
    }

    fn need_touch(&self, id: TouchId) -> Result<()> {
        let there: Option<i32> = self.one(
            "touches",
            "SELECT 1 FROM touches WHERE owner = $1 AND id = $2",
            &[&self.owner, &id.0],
        )?;
        there.map(|_| ()).ok_or(StoreError::Missing {
            what: "touch",
            id: id.to_string(),
        })
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
            self.put_job(&j, false)?;
        }
        Ok(())
    }

    /// Moves a live row to its `removed_` table, saying why.
    fn move_out(&self, table: &'static str, id: i64, why: Removal) -> Result<()> {
        let cols = self.moving(table);
        self.defer(
            &format!(
                "INSERT INTO removed_{table} ({cols}, why)
                 SELECT {cols}, $3::text FROM {table} WHERE owner = $1 AND id = $2"
            ),
            &[&self.owner, &id, &why.to_text()],
        )?;
        self.defer(
            &format!("DELETE FROM {table} WHERE owner = $1 AND id = $2"),
            &[&self.owner, &id],
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
        let cols = self.moving(table);
        let n = self.exec(
            &format!(
                "INSERT INTO {table} ({cols})
                 SELECT {cols} FROM removed_{table} WHERE owner = $1 AND id = $2 AND why = $3"
            ),
            &[&self.owner, &id, &why.to_text()],
        )?;
        if n == 0 {
            return Err(StoreError::Missing {
                what,
                id: format!("{id} ({} and restorable)", removed_word(what)),
            });
        }
        self.exec(
            &format!("DELETE FROM removed_{table} WHERE owner = $1 AND id = $2"),
            &[&self.owner, &id],
        )?;
        Ok(())
    }

    /// Moves back every row removed for `why` (the touches that went with a record).
    fn move_back_all(&self, table: &'static str, why: Removal) -> Result<()> {
        let cols = self.moving(table);
        let why = why.to_text();
        self.defer(
            &format!(
                "INSERT INTO {table} ({cols})
                 SELECT {cols} FROM removed_{table} WHERE owner = $1 AND why = $2"
            ),
            &[&self.owner, &why],
        )?;
        self.defer(
            &format!("DELETE FROM removed_{table} WHERE owner = $1 AND why = $2"),
            &[&self.owner, &why],
        )?;
        Ok(())
    }

    /// A `removed_` table's records with why each went, by id.
    fn removed_rows<T: DeserializeOwned>(&self, table: &'static str) -> Result<Vec<(T, Removal)>> {
        let rows = self.query(
            &format!("SELECT id, data, why FROM {table} WHERE owner = $1 ORDER BY id"),
            &[&self.owner],
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: i64 = get(r, 0, table)?;
            let data: &str = get(r, 1, table)?;
            let why: &str = get(r, 2, table)?;
            let why = Removal::from_text(why).ok_or_else(|| StoreError::Corrupt {
                table,
                id: id.to_string(),
                detail: format!("unknown reason {why:?}"),
            })?;
            out.push((from_json(table, id, data)?, why));
        }
        Ok(out)
    }

    /// An added row's id must be free: a log replayed onto rows it already made is a
    /// conflict, never a silent overwrite. A removed record keeps its id too.
    fn free(&self, table: &'static str, what: &'static str, id: i64) -> Result<()> {
        let taken: Option<i32> = self.one(
            table,
            &format!(
                "SELECT 1 FROM {table} WHERE owner = $1 AND id = $2
                 UNION ALL SELECT 1 FROM removed_{table} WHERE owner = $1 AND id = $2"
            ),
            &[&self.owner, &id],
        )?;
        if taken.is_some() {
            return Err(StoreError::Conflict {
                what,
                detail: format!("id {id} is taken"),
            });
        }
        Ok(())
    }

    /// An id for a new record of `entity`: free, and its sequence moved past it. A number
    /// this transaction just took from the sequence is both already (the sequence is kept
    /// past every id used, by `taken`), which saves two round trips on every new record.
    fn claim(
        &self,
        table: &'static str,
        what: &'static str,
        entity: Entity,
        id: i64,
    ) -> Result<()> {
        // Fresh until first claimed: the same record twice is refused as any taken id.
        if self.fresh.borrow_mut().remove(&(entity.as_str(), id)) {
            return Ok(());
        }
        self.free(table, what, id)?;
        self.taken(entity.as_str(), id);
        Ok(())
    }

    /// The next number of a sequence, taken in this transaction: the row stays locked until
    /// commit, so two writers can never take the same one. Known since the lock was taken
    /// (`Ahead::ids`), it is taken here and the row moved past it with the next statement.
    fn allocate(&self, entity: &str) -> Result<i64> {
        let known = self.ahead.borrow_mut().ids.as_mut().map(|ids| {
            // A sequence without a row starts at 1, as the INSERT below makes it.
            let next = ids.entry(entity.to_string()).or_insert(1);
            *next += 1;
            *next - 1
        });
        if let Some(id) = known {
            self.note_taken(entity, id + 1);
            return Ok(id);
        }
        let n: Option<i64> = self.one(
            "ids",
            "INSERT INTO ids (owner, entity, next) VALUES ($1, $2, 2)
             ON CONFLICT (owner, entity) DO UPDATE SET next = ids.next + 1
             RETURNING next - 1",
            &[&self.owner, &entity],
        )?;
        n.ok_or_else(|| StoreError::Corrupt {
            table: "ids",
            id: entity.to_string(),
            detail: "no number returned".into(),
        })
    }

    /// [`PgTx::allocate`] for a record's id, remembered as fresh (`PgTx::claim`).
    fn allocate_fresh(&self, entity: Entity) -> Result<i64> {
        let id = self.allocate(entity.as_str())?;
        self.fresh.borrow_mut().insert((entity.as_str(), id));
        Ok(id)
    }

    /// Moves a sequence past `id` (an event that carries its own id, or a restored number).
    /// Written with the other numbers taken (`ids_taken`), before `ids` is next asked for one.
    fn taken(&self, entity: &str, id: i64) {
        if let Some(ids) = self.ahead.borrow_mut().ids.as_mut() {
            let next = ids.entry(entity.to_string()).or_insert(1);
            *next = (*next).max(id + 1);
        }
        self.note_taken(entity, id + 1);
    }

    fn insert_plan_row(&self, id: i64, item: &FollowUp) -> Result<()> {
        let c = Compact::of(id, item);
        self.defer(
            "INSERT INTO plan (owner, id, subject, kind, due, md, data, name_key, rule, reorder_on, line)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            &[
                &self.owner,
                &id,
                &subject_text(item.key.subject),
                &plan_kind(item),
                &item.due.to_string(),
                &month_day(item.due),
                &to_json(item),
                &c.name_key,
                &i64::from(c.rule.0),
                &c.reorder_on.map(|d| d.to_string()),
                &c.line,
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
        let text = key.to_string();
        self.defer(
            "INSERT INTO plan_keys (owner, id, key) VALUES ($1, $2, $3)",
            &[&self.owner, &id, &text],
        )?;
        // Known from here on; if the insert fails, so does the transaction.
        self.ahead.borrow_mut().keys.insert(text, Some(id));
        Ok(id)
    }
}

impl ReadTx for PgTx<'_> {
    fn is_empty(&self) -> Result<bool> {
        let any: Option<i32> = self.one(
            "events",
            "SELECT 1 FROM events WHERE owner = $1 LIMIT 1",
            &[&self.owner],
        )?;
        Ok(any.is_none())
    }

    fn events(&self) -> Result<Vec<Recorded>> {
        self.recorded(
            "SELECT seq, recorded_on, actor, payload FROM events WHERE owner = $1 ORDER BY seq",
        )
    }

    fn events_by_accounts(&self) -> Result<Vec<Recorded>> {
        self.recorded(
            "SELECT seq, recorded_on, actor, payload FROM events
             WHERE owner = $1 AND actor IS NOT NULL ORDER BY seq",
        )
    }

    fn holidays(&self) -> Result<Vec<Date>> {
        if let Some(days) = &self.ahead.borrow().holidays {
            return Ok(days.clone());
        }
        holiday_rows(&self.query(HOLIDAYS, &[&self.owner])?)
    }

    fn organization_named(&self, name: &str) -> Result<Option<OrgRef>> {
        if has_nul(name) {
            return Ok(None);
        }
        // lower() of a "C" column folds ASCII, as SQLite's NOCASE; so does the argument.
        let rows = self.query(
            "SELECT id, name FROM organizations WHERE owner = $1 AND lower(name) = $2",
            &[&self.owner, &name.trim().to_ascii_lowercase()],
        )?;
        match rows.first() {
            None => Ok(None),
            Some(r) => Ok(Some(OrgRef {
                id: OrgId(get(r, 0, "organizations")?),
                name: get(r, 1, "organizations")?,
            })),
        }
    }

    fn contact(&self, id: ContactId) -> Result<Option<Contact>> {
        if let Some(c) = self.contacts_read.borrow().get(&id.0) {
            return Ok(c.clone());
        }
        let c: Option<Contact> = if self.writing {
            self.read_ahead(id)?
        } else {
            self.query_json("contacts", CONTACT, &[&self.owner, &id.0])?
                .pop()
        };
        self.contacts_read.borrow_mut().insert(id.0, c.clone());
        Ok(c)
    }

    fn contacts(&self) -> Result<Vec<Contact>> {
        self.query_json(
            "contacts",
            "SELECT id, data FROM contacts WHERE owner = $1 ORDER BY id",
            &[&self.owner],
        )
    }

    fn contacts_named(&self, name: &str) -> Result<Vec<Contact>> {
        if has_nul(name) {
            return Ok(Vec::new());
        }
        let folded = name.trim().to_ascii_lowercase();
        let exact = self.query_json(
            "contacts",
            "SELECT id, data FROM contacts WHERE owner = $1 AND lower(name) = $2 ORDER BY id",
            &[&self.owner, &folded],
        )?;
        if !exact.is_empty() {
            return Ok(exact);
        }
        // strpos, not LIKE: no wildcard characters to escape.
        self.query_json(
            "contacts",
            "SELECT id, data FROM contacts WHERE owner = $1 AND strpos(lower(name), $2) > 0
             ORDER BY id",
            &[&self.owner, &folded],
        )
    }

    fn job(&self, id: JobId) -> Result<Option<Job>> {
        Ok(self
            .query_json(
                "jobs",
                "SELECT id, data FROM jobs WHERE owner = $1 AND id = $2",
                &[&self.owner, &id.0],
            )?
            .pop())
    }

    fn jobs(&self) -> Result<Vec<Job>> {
        self.query_json(
            "jobs",
            "SELECT id, data FROM jobs WHERE owner = $1 ORDER BY id",
            &[&self.owner],
        )
    }

    fn jobs_matching(&self, text: &str) -> Result<Vec<Job>> {
        if has_nul(text) {
            return Ok(Vec::new());
        }
        let t = text.trim().to_ascii_lowercase();
        let exact = self.query_json(
            "jobs",
            "SELECT j.id, j.data FROM jobs j JOIN organizations o ON o.owner = j.owner AND o.id = j.org_id
             WHERE j.owner = $1 AND (lower(j.title) = $2 OR lower(o.name) = $2
                 OR lower(o.name || ': ' || j.title) = $2)
             ORDER BY j.id",
            &[&self.owner, &t],
        )?;
        if !exact.is_empty() {
            return Ok(exact);
        }
        self.query_json(
            "jobs",
            "SELECT j.id, j.data FROM jobs j JOIN organizations o ON o.owner = j.owner AND o.id = j.org_id
             WHERE j.owner = $1 AND strpos(lower(o.name || ': ' || j.title), $2) > 0
             ORDER BY j.id",
            &[&self.owner, &t],
        )
    }

    fn jobs_of_contact(&self, id: ContactId) -> Result<Vec<Job>> {
        if let Some(jobs) = self.ahead.borrow().jobs.get(&id.0) {
            return Ok(jobs.clone());
        }
        self.query_json("jobs", JOBS_OF_CONTACT, &[&self.owner, &id.0])
    }

    fn open_job_count(&self) -> Result<u32> {
        if let Some(n) = self.ahead.borrow().open_jobs {
            return Ok(n);
        }
        let stages = open_stages();
        let n: Option<i64> = self.one("jobs", OPEN_JOBS, &[&self.owner, &stages])?;
        let n = n.unwrap_or(0) as u32;
        // Kept for the window read next (`plan_window` would ask again).
        self.ahead.borrow_mut().open_jobs = Some(n);
        Ok(n)
    }

    fn touches_of_contact(&self, id: ContactId) -> Result<Vec<Touch>> {
        if let Some(touches) = self.ahead.borrow().touches.get(&id.0) {
            return Ok(touches.clone());
        }
        self.query_json("touches", TOUCHES_OF_CONTACT, &[&self.owner, &id.0])
    }

    fn touches_of_job(&self, id: JobId) -> Result<Vec<Touch>> {
        self.query_json(
            "touches",
            "SELECT id, data FROM touches WHERE owner = $1 AND job_id = $2 ORDER BY date, id",
            &[&self.owner, &id.0],
        )
    }

    fn newest_touch(&self) -> Result<Option<TouchId>> {
        let n: Option<i64> = self.one(
            "touches",
            "SELECT id FROM touches WHERE owner = $1 ORDER BY id DESC LIMIT 1",
            &[&self.owner],
        )?;
        Ok(n.map(TouchId))
    }

    fn touch(&self, id: TouchId) -> Result<Option<Touch>> {
        Ok(self
            .query_json(
                "touches",
                "SELECT id, data FROM touches WHERE owner = $1 AND id = $2",
                &[&self.owner, &id.0],
            )?
            .pop())
    }

    fn snoozes(&self, subject: Subject) -> Result<Vec<Snooze>> {
        let text = subject_text(subject);
        if let Some(snoozes) = self.ahead.borrow().snoozes.get(&text) {
            return Ok(snoozes.clone());
        }
        self.query_json("snoozes", SNOOZES, &[&self.owner, &text])
    }

    fn all_touches(&self) -> Result<Vec<Touch>> {
        // Many touches: fetch the rows, then decode on every core.
        let rows = self.query(
            "SELECT id, data FROM touches WHERE owner = $1 ORDER BY id",
            &[&self.owner],
        )?;
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 8);
        let chunk = rows.len().div_ceil(threads).max(1);
        let parts: Vec<Result<Vec<Touch>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = rows
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|r| {
                                let id: i64 = get(r, 0, "touches")?;
                                let data: &str = get(r, 1, "touches")?;
                                from_json("touches", id, data)
                            })
                            .collect::<Result<Vec<Touch>>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("decoding does not panic"))
                .collect()
        });
        let mut out = Vec::with_capacity(rows.len());
        for p in parts {
            out.extend(p?);
        }
        Ok(out)
    }

    fn touches_of_contacts(&self, from: ContactId, to: ContactId) -> Result<Vec<Touch>> {
        self.query_json(
            "touches",
            "SELECT id, data FROM touches WHERE owner = $1 AND id IN
                 (SELECT touch_id FROM touch_contacts
                  WHERE owner = $1 AND contact_id BETWEEN $2 AND $3)
             ORDER BY id",
            &[&self.owner, &from.0, &to.0],
        )
    }

    fn plan_subjects(&self) -> Result<Vec<Subject>> {
        self.query(
            "SELECT DISTINCT subject FROM plan WHERE owner = $1",
            &[&self.owner],
        )?
        .iter()
        .map(|r| {
            let text: String = get(r, 0, "plan")?;
            subject_from_text(&text).ok_or_else(|| StoreError::Corrupt {
                table: "plan",
                id: text.clone(),
                detail: "not a subject".into(),
            })
        })
        .collect()
    }

    fn all_snoozes(&self) -> Result<Vec<Snooze>> {
        self.query_json(
            "snoozes",
            "SELECT seq, data FROM snoozes WHERE owner = $1 ORDER BY seq",
            &[&self.owner],
        )
    }

    fn plan_window(&self, from: Date, until: Date) -> Result<Vec<Planned>> {
        // The follow-ups, the occasions of each range of days of the year and, read ahead,
        // the open jobs an agenda counts next: one round trip, where each was one (a rebuilt
        // Today made five).
        let count = self.ahead.borrow().open_jobs.is_none();
        let answers = self.window_with(from, until, count, |conn, asked| conn.query_many(asked))?;
        let (planned, open_jobs) = decode_window(answers, count)?;
        if let Some(n) = open_jobs {
            self.ahead.borrow_mut().open_jobs = Some(n);
        }
        Ok(planned)
    }

    fn plan_lines(
        &self,
        until: Date,
        today: Date,
        full: bool,
        f: &mut dyn FnMut(PlanRow<'_>) -> ControlFlow<()>,
    ) -> Result<()> {
        // The client receives the window's rows as one result (lines only, no JSON); the
        // program still builds and writes them one at a time. NULLS FIRST: none sorts first,
        // as in the program and in SQLite.
        let rows = self.query(
            "SELECT id, line FROM plan
             WHERE owner = $1 AND kind = 'follow-up' AND due <= $2
             ORDER BY due, name_key NULLS FIRST, rule, id",
            &[&self.owner, &until.to_string()],
        )?;
        for r in &rows {
            let bytes: &[u8] = get(r, 1, "plan")?;
            let row = match Line::decode(bytes) {
                Some(l) if l.head.reorder_on.is_some_and(|d| d <= today) => continue,
                Some(l) if !full && l.head.restyle_on.is_none_or(|d| d > today) => PlanRow {
                    id: l.head.id,
                    due: l.head.due,
                    rule: l.head.rule,
                    body: RowBody::Line(l),
                },
                // The whole item: asked for, its words change today, or a line of another
                // version.
                _ => {
                    let id: i64 = get(r, 0, "plan")?;
                    let item = self
                        .plan_item(id)?
                        .ok_or_else(|| StoreError::Missing {
                            what: "plan item",
                            id: id.to_string(),
                        })?
                        .item;
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

    fn plan_moved(&self, until: Date, today: Date) -> Result<Vec<Planned>> {
        let mut out = self.planned(
            "SELECT id, data FROM plan
             WHERE owner = $1 AND kind = 'follow-up' AND reorder_on <= $3 AND due <= $2",
            &[&self.owner, &until.to_string(), &today.to_string()],
        )?;
        for (lo, hi) in occasion_ranges(today, until) {
            out.extend(self.planned(
                "SELECT id, data FROM plan
                 WHERE owner = $1 AND kind = 'occasion' AND md BETWEEN $2 AND $3",
                &[&self.owner, &lo, &hi],
            )?);
        }
        Ok(out)
    }

    fn plan_all(&self) -> Result<Vec<Planned>> {
        self.planned(
            "SELECT id, data FROM plan WHERE owner = $1 ORDER BY id",
            &[&self.owner],
        )
    }

    fn plan_dues(&self) -> Result<Vec<(Date, Option<Date>)>> {
        if let Some(lines) = &self.ahead.borrow().lines
            && let Some(dues) = followup_store::plan_dues_of_lines(lines.iter().map(Vec::as_slice))
        {
            return Ok(dues);
        }
        // The lines' heads (plan_agenda covers them), not every item's JSON.
        let rows = self.query(FOLLOW_UP_LINES, &[&self.owner])?;
        let lines: Vec<&[u8]> = rows.iter().map(|r| r.get::<_, &[u8]>(0)).collect();
        match followup_store::plan_dues_of_lines(lines) {
            Some(dues) => Ok(dues),
            None => Ok(followup_store::plan_dues_of(&self.plan_all()?)),
        }
    }

    fn plan_item(&self, id: i64) -> Result<Option<Planned>> {
        Ok(self
            .planned(
                "SELECT id, data FROM plan WHERE owner = $1 AND id = $2",
                &[&self.owner, &id],
            )?
            .pop())
    }

    fn plan_id(&self, key: &PlanKey) -> Result<Option<i64>> {
        if let Some(id) = self.ahead.borrow().keys.get(&key.to_string()) {
            return Ok(*id);
        }
        self.one(
            "plan_keys",
            "SELECT id FROM plan_keys WHERE owner = $1 AND key = $2",
            &[&self.owner, &key.to_string()],
        )
    }

    fn planned_for(&self, key: &PlanKey) -> Result<Option<Planned>> {
        if let Some(planned) = self.ahead.borrow().planned.get(&key.to_string()) {
            return Ok(planned.clone());
        }
        // One read, not the key's number and then its row.
        Ok(self
            .planned(
                "SELECT p.id, p.data FROM plan_keys k JOIN plan p ON p.owner = k.owner AND p.id = k.id
                 WHERE k.owner = $1 AND k.key = $2",
                &[&self.owner, &key.to_string()],
            )?
            .pop())
    }

    fn plan_keys(&self) -> Result<Vec<(String, i64)>> {
        let rows = self.query(
            "SELECT key, id FROM plan_keys WHERE owner = $1 ORDER BY id",
            &[&self.owner],
        )?;
        rows.iter()
            .map(|r| Ok((get(r, 0, "plan_keys")?, get(r, 1, "plan_keys")?)))
            .collect()
    }

    fn setting(&self, key: &str) -> Result<Option<String>> {
        if is_derived(key) {
            if let Some(derived) = &self.ahead.borrow().derived {
                return Ok(derived.get(key).cloned());
            }
        } else {
            if self.ahead.borrow().plain.is_none() {
                self.read_plain_settings()?;
            }
            let ahead = self.ahead.borrow();
            return Ok(ahead.plain.as_ref().and_then(|p| p.get(key).cloned()));
        }
        self.one(
            "settings",
            "SELECT value FROM settings WHERE owner = $1 AND key = $2",
            &[&self.owner, &key],
        )
    }

    fn mail(&self, message_id: &str) -> Result<Option<MailRecord>> {
        Ok(self
            .query_json(
                "mail",
                "SELECT seq, data FROM mail WHERE owner = $1 AND message_id = $2",
                &[&self.owner, &message_id],
            )?
            .pop())
    }

    fn mail_in_thread(&self, thread: &str) -> Result<Vec<MailRecord>> {
        self.query_json(
            "mail",
            "SELECT seq, data FROM mail WHERE owner = $1 AND thread = $2 ORDER BY seq",
            &[&self.owner, &thread],
        )
    }

    fn mail_with_meaning(&self, meaning: MailMeaning) -> Result<Vec<MailRecord>> {
        self.query_json(
            "mail",
            "SELECT seq, data FROM mail WHERE owner = $1 AND meaning = $2 ORDER BY seq",
            &[&self.owner, &meaning.as_str()],
        )
    }

    fn mail_counts(&self) -> Result<Vec<(MailMeaning, u64)>> {
        let mut out = Vec::new();
        for (word, n) in self
            .word_counts("SELECT meaning, COUNT(*) FROM mail WHERE owner = $1 GROUP BY meaning")?
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
}

impl WriteTx for PgTx<'_> {
    fn next_id(&mut self, entity: Entity) -> Result<i64> {
        // One statement, which cannot conflict: no savepoint (a failure leaves the
        // transaction failed, and its commit says so).
        self.allocate_fresh(entity)
    }

    fn act_as(&mut self, actor: Option<AccountId>) {
        self.actor = actor;
    }

    fn append(&mut self, recorded_on: Date, event: &Event) -> Result<()> {
        self.atomically(|t| t.append_now(recorded_on, event))?;
        self.appended.note(event);
        Ok(())
    }

    fn appended(&self) -> &Appended {
        &self.appended
    }

    fn committed_version(&self) -> Result<u64> {
        // Read under the owner's row lock (`PgStore::write`): nothing else commits before.
        Ok(self.version_before + 1)
    }

    fn replace_plan(&mut self, subject: Subject, items: &[FollowUp]) -> Result<()> {
        self.atomically(|t| t.replace_plan_now(subject, items))
    }

    fn replace_plan_of(&mut self, subjects: &[Subject], items: &[FollowUp]) -> Result<()> {
        self.atomically(|t| t.replace_plan_of_now(subjects, items))
    }

    fn clear_plan(&mut self) -> Result<()> {
        self.atomically(|t| {
            t.defer("DELETE FROM plan WHERE owner = $1", &[&t.owner])?;
            Ok(())
        })
    }

    fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        if is_derived(key) {
            self.derived.insert(key.to_string());
        }
        self.appended.note_setting(key);
        // Known past the upsert (which forgets them), with this key.
        let keys = self.ahead.get_mut().derived_keys.take();
        // One upsert, which cannot conflict: no savepoint (as `next_id`).
        self.defer(
            "INSERT INTO settings (owner, key, value) VALUES ($1, $2, $3)
             ON CONFLICT (owner, key) DO UPDATE SET value = excluded.value",
            &[&self.owner, &key, &value],
        )?;
        if let Some(mut keys) = keys {
            if is_derived(key) {
                keys.insert(key.to_string());
            }
            self.ahead.get_mut().derived_keys = Some(keys);
        }
        Ok(())
    }

    fn set_plan_key(&mut self, key: &str, id: i64) -> Result<()> {
        self.atomically(|t| {
            t.exec(
                "INSERT INTO plan_keys (owner, id, key) VALUES ($1, $2, $3)",
                &[&t.owner, &id, &key],
            )
            .map_err(|e| match e {
                StoreError::Conflict { detail, .. } => StoreError::Conflict {
                    what: "plan key",
                    detail: format!("{key} as {id}: {detail}"),
                },
                e => e,
            })?;
            t.taken(PLAN_KEY, id);
            Ok(())
        })
    }

    fn commit(mut self: Box<Self>) -> Result<()> {
        self.before_commit()?;
        self.batch("COMMIT").map_err(|e| self.busy_named(e))?;
        self.open = false;
        Ok(())
    }

    fn commit_reading_window(
        mut self: Box<Self>,
        from: Date,
        until: Date,
    ) -> Result<Option<(Vec<Planned>, u32)>> {
        self.before_commit()?;
        // The window's reads see this transaction's writes; sent before the COMMIT, in its
        // round trip. A read that fails aborts the transaction: nothing is committed.
        let answers = self.window_with(from, until, true, |conn, asked| {
            conn.query_many_then(asked, "COMMIT")
        });
        let answers = answers.map_err(|e| self.busy_named(e))?;
        self.open = false;
        // Committed: rows that do not decode leave the window unread, not the change.
        Ok(decode_window(answers, true)
            .ok()
            .map(|(planned, open_jobs)| (planned, open_jobs.unwrap_or(0))))
    }
}

impl PgTx<'_> {
    /// A busy error named with this database.
    fn busy_named(&self, e: StoreError) -> StoreError {
        match e {
            StoreError::Busy { .. } => StoreError::Busy {
                path: self.name.to_string(),
            },
            e => e,
        }
    }

    /// Asks, through `send`, the plan's window from `from` to `until` (the follow-ups, then
    /// the occasions of each range of days of the year: the ranges never overlap, nothing
    /// to deduplicate) and, when `count`, how many jobs are open ([`decode_window`]), in one
    /// statement.
    fn window_with(
        &self,
        from: Date,
        until: Date,
        count: bool,
        send: impl FnOnce(&mut Pooled<'_>, &[(&str, Args<'_>)]) -> Result<Vec<Vec<Row>>>,
    ) -> Result<Vec<Row>> {
        let ranges = occasion_ranges(from, until);
        // At most two ranges (a window across the new year); an empty one (from after to)
        // stands in for the second when there is one.
        let [(lo1, hi1), (lo2, hi2)] = match ranges[..] {
            [one] => [one, (1, 0)],
            [one, two] => [one, two],
            _ => {
                return Err(StoreError::Corrupt {
                    table: "plan",
                    id: format!("{from}..{until}"),
                    detail: format!("{} ranges of days of the year", ranges.len()),
                });
            }
        };
        let until = until.to_string();
        let stages = open_stages();
        let args: [&(dyn ToSql + Sync); 7] = [&self.owner, &until, &lo1, &hi1, &lo2, &hi2, &stages];
        let asked: [(&str, Args<'_>); 1] = if count {
            [(WINDOW_COUNTED, &args)]
        } else {
            [(WINDOW, &args[..6])]
        };
        let mut answers = send(&mut self.conn.borrow_mut(), &asked)?;
        match (answers.pop(), answers.is_empty()) {
            (Some(rows), true) => Ok(rows),
            _ => Err(StoreError::Corrupt {
                table: "plan",
                id: self.owner.to_string(),
                detail: "not one answer to the window's statement".into(),
            }),
        }
    }

    /// What goes with every commit, deferred to be sent with it.
    fn before_commit(&mut self) -> Result<()> {
        // A deferred write that failed after its change returned: nothing may commit (a
        // later savepoint rollback could otherwise have cleared the failed state).
        if let Some(e) = self.conn.get_mut().failed_deferred() {
            return Err(e);
        }
        self.write_ids()?;
        // In one round trip. If the transaction had failed, the UPDATE errors, and the COMMIT
        // after it only ends the failed transaction: the commit is refused either way.
        // Derived settings this transaction did not write are older than the data: gone.
        // None to remove when it wrote again every one there may be (the common case: a
        // change on a team server keeps the caseload's summary, the only one).
        let written: Vec<String> = std::mem::take(&mut self.derived).into_iter().collect();
        let stale = match &self.ahead.get_mut().derived_keys {
            Some(keys) => keys.iter().any(|k| !written.contains(k)),
            None => true,
        };
        let o = self.owner;
        if stale {
            self.defer(STALE_DERIVED, &[&o, &DERIVED, &derived_end(), &written])?;
        }
        // The last change's savepoint is released first: the version's UPDATE made inside
        // it, on the row this transaction locked outside it, made PostgreSQL record both in a
        // MultiXact, one for every write (and vacuum the owners' table for them).
        if std::mem::take(&mut self.release_pending) {
            self.conn.get_mut().defer_batch("RELEASE SAVEPOINT change");
        }
        self.defer(NEXT_VERSION, &[&o])?;
        Ok(())
    }
}

impl PgTx<'_> {
    /// (word, count) rows of this owner ($1), as `sql` selects them.
    fn word_counts(&self, sql: &str) -> Result<Vec<(String, u64)>> {
        let rows = self.query(sql, &[&self.owner])?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let w: String = get(r, 0, "mail")?;
            let n: i64 = get(r, 1, "mail")?;
            out.push((w, n.max(0) as u64));
        }
        Ok(out)
    }

    /// Events as `sql` selects them: seq, recorded_on, actor, payload, for this owner ($1).
    fn recorded(&self, sql: &str) -> Result<Vec<Recorded>> {
        let rows = self.query(sql, &[&self.owner])?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let seq: i64 = get(r, 0, "events")?;
            let on: &str = get(r, 1, "events")?;
            let actor: Option<i64> = get(r, 2, "events")?;
            let payload: &str = get(r, 3, "events")?;
            let recorded_on = on.parse().map_err(|e: jiff::Error| StoreError::Corrupt {
                table: "events",
                id: seq.to_string(),
                detail: e.to_string(),
            })?;
            out.push(Recorded {
                seq,
                recorded_on,
                actor: actor.map(AccountId),
                event: from_json("events", seq, payload)?,
            });
        }
        Ok(out)
    }
}

/// The changes themselves; [`WriteTx`] runs each inside a savepoint.
impl PgTx<'_> {
    fn append_now(&mut self, recorded_on: Date, event: &Event) -> Result<()> {
        let kind = Event::kind(event);
        let payload = to_json(event);
        let actor = self.actor.map(|a| a.0);
        let args: Args<'_> = &[
            &self.owner,
            &recorded_on.to_string(),
            &kind,
            &payload,
            &actor,
        ];
        // Only snoozes and mail keep the event's number; every other event is a write
        // nobody waits for (`Conn::defer`). A touch's event goes with the touch's rows, in
        // one statement (`TOUCH_LOGGED`).
        let seq = if let Event::TouchLogged { touch } = event {
            self.claim("touches", "touch", Entity::Touch, touch.id.0)?;
            let contacts: Vec<i64> = touch.contacts.iter().map(|c| c.0).collect();
            // Of what was read ahead, it changes the touches (`PgTx::wrote` reads a WITH as
            // anything, and would drop it all).
            self.ahead.borrow_mut().touches.clear();
            self.conn.borrow_mut().defer(
                TOUCH_LOGGED,
                &[
                    &self.owner,
                    &recorded_on.to_string(),
                    &kind,
                    &payload,
                    &actor,
                    &touch.id.0,
                    &touch.date.to_string(),
                    &touch.job.map(|j| j.0),
                    &to_json(touch),
                    &contacts,
                ],
            )?;
            self.link_to_job(touch)?;
            0
        } else if matches!(event, Event::Snoozed { .. } | Event::MailRead { .. }) {
            let seq: Option<i64> = self.one(
                "events",
                "INSERT INTO events (owner, recorded_on, kind, payload, actor)
                 VALUES ($1, $2, $3, $4, $5) RETURNING seq",
                args,
            )?;
            seq.ok_or_else(|| StoreError::Corrupt {
                table: "events",
                id: "?".into(),
                detail: "no seq returned".into(),
            })?
        } else {
            self.defer(
                "INSERT INTO events (owner, recorded_on, kind, payload, actor)
                 VALUES ($1, $2, $3, $4, $5)",
                args,
            )?;
            0
        };
        match event {
            Event::OrganizationAdded { id, name } => {
                self.taken(Entity::Organization.as_str(), id.0);
                self.exec(
                    "INSERT INTO organizations (owner, id, name) VALUES ($1, $2, $3)",
                    &[&self.owner, &id.0, name],
                )?;
            }
            Event::ContactAdded { contact } => {
                self.claim("contacts", "contact", Entity::Contact, contact.id.0)?;
                self.put_contact(contact, true)?
            }
            Event::ContactEdited { id, patch } => {
                let c = self.need_contact(*id)?;
                self.put_contact(&patch.apply(&c), false)?;
            }
            Event::JobAdded { job } => {
                self.claim("jobs", "job", Entity::Job, job.id.0)?;
                self.put_job(job, true)?
            }
            Event::JobStageChanged { id, stage } => {
                let mut j = self.need_job(*id)?;
                j.stage = *stage;
                self.put_job(&j, false)?;
            }
            Event::JobEdited { id, patch } => {
                let j = self.need_job(*id)?;
                self.put_job(&patch.apply(&j), false)?;
            }
            Event::JobContactLinked { id, contact } => self.link(*id, *contact)?,
            // Written with its event, above.
            Event::TouchLogged { .. } => {}
            Event::Snoozed { key, until, after } => {
                let s = Snooze {
                    key: *key,
                    until: *until,
                    after: *after,
                };
                self.defer(
                    "INSERT INTO snoozes (owner, seq, subject, key, data) VALUES ($1, $2, $3, $4, $5)",
                    &[
                        &self.owner,
                        &seq,
                        &subject_text(key.subject),
                        &key.to_string(),
                        &to_json(&s),
                    ],
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
                self.defer(
                    "UPDATE touches SET date = $3, job_id = $4, data = $5 WHERE owner = $1 AND id = $2",
                    &[
                        &self.owner,
                        &touch.id.0,
                        &touch.date.to_string(),
                        &touch.job.map(|j| j.0),
                        &to_json(touch),
                    ],
                )?;
                self.defer(
                    "DELETE FROM touch_contacts WHERE owner = $1 AND touch_id = $2",
                    &[&self.owner, &touch.id.0],
                )?;
                self.link_touch(touch)?;
            }
            Event::ContactsMerged { from, into } => self.merge(*from, *into)?,
            Event::MailRead { mail } => {
                self.exec(
                    "INSERT INTO mail (owner, message_id, seq, thread, meaning, data)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                    &[
                        &self.owner,
                        &mail.message_id,
                        &seq,
                        &mail.thread,
                        &mail.meaning.as_str(),
                        &to_json(mail),
                    ],
                )?;
            }
            Event::SnoozeWithdrawn { key } => {
                let n = self.exec(
                    "DELETE FROM snoozes WHERE owner = $1 AND subject = $2 AND seq =
                         (SELECT MAX(seq) FROM snoozes WHERE owner = $1 AND subject = $2 AND key = $3)",
                    &[&self.owner, &subject_text(key.subject), &key.to_string()],
                )?;
                if n == 0 {
                    return Err(StoreError::Missing {
                        what: "snooze",
                        id: key.to_string(),
                    });
                }
            }
            Event::HolidaysKept { source, days } => {
                self.defer(
                    "DELETE FROM holidays WHERE owner = $1 AND source = $2",
                    &[&self.owner, source],
                )?;
                for d in days {
                    self.defer(
                        "INSERT INTO holidays (owner, source, day) VALUES ($1, $2, $3)
                         ON CONFLICT DO NOTHING",
                        &[&self.owner, source, &d.to_string()],
                    )?;
                }
            }
        }
        Ok(())
    }

    fn merge(&mut self, from: ContactId, into: ContactId) -> Result<()> {
        if from == into {
            return Err(StoreError::Conflict {
                what: "merge",
                detail: format!("contact {from} into itself"),
            });
        }
        self.need_contact(from)?;
        self.need_contact(into)?;
        let rename = |cs: &mut Vec<ContactId>| {
            for c in cs.iter_mut() {
                if *c == from {
                    *c = into;
                }
            }
            let mut seen = BTreeSet::new();
            cs.retain(|c| seen.insert(*c));
        };
        for mut t in self.touches_of_contact(from)? {
            rename(&mut t.contacts);
            self.defer(
                "UPDATE touches SET data = $3 WHERE owner = $1 AND id = $2",
                &[&self.owner, &t.id.0, &to_json(&t)],
            )?;
        }
        for mut j in self.jobs_of_contact(from)? {
            rename(&mut j.contacts);
            self.put_job(&j, false)?;
        }
        // Removed records that name `from` come back naming `into`.
        let trash = self.trash()?;
        for (mut t, _) in trash.touches {
            if t.contacts.contains(&from) {
                rename(&mut t.contacts);
                self.defer(
                    "UPDATE removed_touches SET data = $3 WHERE owner = $1 AND id = $2",
                    &[&self.owner, &t.id.0, &to_json(&t)],
                )?;
            }
        }
        for (mut j, _) in trash.jobs {
            if j.contacts.contains(&from) {
                rename(&mut j.contacts);
                self.defer(
                    "UPDATE removed_jobs SET data = $3 WHERE owner = $1 AND id = $2",
                    &[&self.owner, &j.id.0, &to_json(&j)],
                )?;
            }
        }
        // SQLite's UPDATE OR IGNORE: move `from`'s links to `into` except where `into`
        // already has the twin; the rows left (naming `from`) are then deleted.
        for (table, other) in [("touch_contacts", "touch_id"), ("job_contacts", "job_id")] {
            self.defer(
                &format!(
                    "UPDATE {table} t SET contact_id = $3 WHERE t.owner = $1 AND t.contact_id = $2
                     AND NOT EXISTS (SELECT 1 FROM {table} u
                         WHERE u.owner = $1 AND u.contact_id = $3 AND u.{other} = t.{other})"
                ),
                &[&self.owner, &from.0, &into.0],
            )?;
            self.defer(
                &format!("DELETE FROM {table} WHERE owner = $1 AND contact_id = $2"),
                &[&self.owner, &from.0],
            )?;
        }
        self.move_out("contacts", from.0, Removal::MergedInto(into))?;
        Ok(())
    }

    fn replace_plan_now(&mut self, subject: Subject, items: &[FollowUp]) -> Result<()> {
        // The follow-ups' lines are kept past the DELETE below (which forgets them): the
        // subject's rows are those of its keys' numbers (a row's number is its key's), known
        // when its keys were read ahead, and a line names its number.
        let ahead = self.ahead.get_mut();
        let numbers: Option<Vec<i64>> = SLOTS
            .iter()
            .map(|&slot| {
                ahead
                    .keys
                    .get(&PlanKey { subject, slot }.to_string())
                    .copied()
            })
            .collect::<Option<Vec<Option<i64>>>>()
            .map(|ids| ids.into_iter().flatten().collect());
        let mut lines: Option<Vec<Vec<u8>>> = match (ahead.lines.take(), numbers) {
            (Some(lines), Some(numbers)) => lines
                .into_iter()
                .filter_map(|l| match Line::decode(&l) {
                    Some(line) if numbers.contains(&line.head.id) => None,
                    Some(_) => Some(Some(l)),
                    None => Some(None),
                })
                .collect(),
            _ => None,
        };
        self.defer(
            "DELETE FROM plan WHERE owner = $1 AND subject = $2",
            &[&self.owner, &subject_text(subject)],
        )?;
        // A key twice is refused here: its second row would fail only when sent.
        let mut seen = BTreeSet::new();
        let mut planned: BTreeMap<String, Option<Planned>> = SLOTS
            .iter()
            .map(|&slot| (PlanKey { subject, slot }.to_string(), None))
            .collect();
        for item in items {
            debug_assert_eq!(item.key.subject, subject);
            let id = self.key_id(&item.key)?;
            if !seen.insert(id) {
                return Err(StoreError::Conflict {
                    what: "plan item",
                    detail: format!("{} twice", item.key),
                });
            }
            self.insert_plan_row(id, item)?;
            if let Some(lines) = &mut lines
                && plan_kind(item) == "follow-up"
            {
                lines.push(Compact::of(id, item).line);
            }
            planned.insert(
                item.key.to_string(),
                Some(Planned {
                    id,
                    item: item.clone(),
                }),
            );
        }
        // The subject's rows are now exactly these: what it plans for each of its keys.
        let ahead = self.ahead.get_mut();
        ahead.planned = planned;
        ahead.lines = lines;
        Ok(())
    }

    fn replace_plan_of_now(&mut self, subjects: &[Subject], items: &[FollowUp]) -> Result<()> {
        // The subjects' rows now, then only what changed is written (as a full replan).
        let texts: Vec<String> = subjects.iter().map(|s| subject_text(*s)).collect();
        let mut current: BTreeMap<i64, String> = BTreeMap::new();
        // A row whose line is of another version is rewritten too (as a full replan).
        for r in &self.query(
            "SELECT id, data, substring(line from 1 for 1) FROM plan
             WHERE owner = $1 AND subject = ANY($2)",
            &[&self.owner, &texts],
        )? {
            let version: &[u8] = get(r, 2, "plan")?;
            let data: String = if version == [LINE_VERSION] {
                get(r, 1, "plan")?
            } else {
                String::new()
            };
            current.insert(get(r, 0, "plan")?, data);
        }
        // The items' numbers in one read, not one round trip each.
        let wanted: Vec<String> = items.iter().map(|i| i.key.to_string()).collect();
        let mut keys: BTreeMap<String, i64> = BTreeMap::new();
        for r in &self.query(
            "SELECT key, id FROM plan_keys WHERE owner = $1 AND key = ANY($2)",
            &[&self.owner, &wanted],
        )? {
            keys.insert(get(r, 0, "plan_keys")?, get(r, 1, "plan_keys")?);
        }
        let mut seen = BTreeSet::new();
        for (item, key) in items.iter().zip(wanted) {
            debug_assert!(subjects.contains(&item.key.subject));
            let id = match keys.get(&key) {
                Some(id) => *id,
                None => {
                    let id = self.key_id(&item.key)?;
                    keys.insert(key, id);
                    id
                }
            };
            if !seen.insert(id) {
                return Err(StoreError::Conflict {
                    what: "plan item",
                    detail: format!("{} twice", item.key),
                });
            }
            match current.remove(&id) {
                Some(old) if old == to_json(item) => {}
                Some(_) => {
                    self.defer(
                        "DELETE FROM plan WHERE owner = $1 AND id = $2",
                        &[&self.owner, &id],
                    )?;
                    self.insert_plan_row(id, item)?;
                }
                None => self.insert_plan_row(id, item)?,
            }
        }
        for id in current.keys() {
            self.defer(
                "DELETE FROM plan WHERE owner = $1 AND id = $2",
                &[&self.owner, id],
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{Writes, writes};

    /// What a statement writes is read from its first words; anything else, or several
    /// statements at once, may have written anything.
    #[test]
    fn the_table_a_statement_writes_is_read_from_its_first_words() {
        let cases = [
            ("SELECT id FROM plan_keys WHERE owner = $1", Writes::Nothing),
            ("SAVEPOINT change", Writes::Nothing),
            (
                "INSERT INTO touch_contacts (owner, contact_id) VALUES ($1, $2)",
                Writes::Table("touch_contacts"),
            ),
            (
                "insert into snoozes(owner, seq) VALUES ($1, $2)",
                Writes::Table("snoozes"),
            ),
            ("UPDATE jobs SET data = $3", Writes::Table("jobs")),
            (
                "DELETE FROM job_contacts WHERE owner = $1",
                Writes::Table("job_contacts"),
            ),
            (
                "DELETE FROM settings WHERE owner = 1;",
                Writes::Table("settings"),
            ),
            (
                "DELETE FROM settings WHERE owner = 1; UPDATE touches SET x = 1",
                Writes::Anything,
            ),
            ("ROLLBACK TO SAVEPOINT change", Writes::Anything),
            ("WITH d AS (DELETE FROM touches) SELECT 1", Writes::Anything),
            ("INSERT touches VALUES (1)", Writes::Anything),
            ("", Writes::Anything),
        ];
        for (sql, expected) in cases {
            assert_eq!(writes(sql), expected, "{sql}");
        }
    }
}
