//! The store contract (the crate docs) as one function over any backend: every backend's
//! tests call [`run`], so SQLite, the in-memory reference and a future PostgreSQL store are
//! held to the same rules, and a rule is written once.
//!
//! It panics on the first broken rule, naming the backend and the rule. Each rule gets a
//! fresh store from `make`. Waits that a broken backend could turn into hangs (a read behind
//! a writer, a writer behind a writer) run on other threads with a deadline, so a violation
//! fails the test instead of stalling it.

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use followup_core::agenda::Planned;
use followup_core::model::{
    Channel, Contact, ContactId, Direction, Job, JobId, OrgId, OrgRef, OwnerId, Stage, Tier, Touch,
    TouchId, TouchKind,
};
use followup_core::plan::{Action, FollowUp, PlanKey, Rule, Slot, Snooze, Subject};
use followup_core::{ContactPatch, Event};
use jiff::ToSpan;
use jiff::civil::{Date, date};

use crate::{AccountId, Appended, Entity, ReadTx, Removal, Result, Store, StoreError, WriteTx};

const ME: OwnerId = OwnerId(1);
const OTHER: OwnerId = OwnerId(2);

/// Long enough for any honest backend on a loaded machine; a violation waits this once.
const DEADLINE: Duration = Duration::from_secs(20);
/// Longer than any backend's busy wait (SQLite's is 5 s).
const BUSY_DEADLINE: Duration = Duration::from_secs(60);

type Check = fn(&Arc<dyn Store>, bool);

/// Checks the backend `make` builds against every rule of the contract, panicking with the
/// backend's `name` and the rule on the first violation.
///
/// `reads_wait_for_writes` is for a backend that shares one connection between reads and
/// writes (SQLite in memory): it skips the two rules that need a read open beside a write
/// (a read never waits for a writer; a read keeps its snapshot while another thread commits).
pub fn run(name: &str, reads_wait_for_writes: bool, make: &dyn Fn() -> Box<dyn Store>) {
    let rules: &[(&str, Check)] = &[
        ("owners are sealed", owners_are_sealed),
        ("an append applies to the rows", appends_apply_to_rows),
        ("all or nothing", all_or_nothing),
        ("a read sees one snapshot", reads_are_snapshots),
        ("a read never waits for a writer", reads_never_wait),
        ("one writer at a time, then busy", one_writer_at_a_time),
        ("ids are allocated", ids_are_allocated),
        (
            "numbers taken before a failed change stay taken",
            numbers_taken_before_a_failed_change_stay_taken,
        ),
        ("plan numbers are stable", plan_numbers_are_stable),
        (
            "a write reads back its own dues and numbers",
            a_write_reads_back_its_own_dues_and_numbers,
        ),
        ("plan windows find occasions", plan_window_finds_occasions),
        (
            "a commit reading the window answers what a read after it finds",
            commit_reading_window_answers_the_committed_window,
        ),
        (
            "the agenda's window is walked in its order",
            plan_lines_walk_in_agenda_order,
        ),
        (
            "names match exactly, then by part",
            names_match_exactly_then_by_part,
        ),
        ("versions move with commits", versions_move_with_commits),
        (
            "a taken plan key or number conflicts",
            set_plan_key_conflicts,
        ),
        (
            "a write about contacts reads what a write reads",
            a_write_about_contacts_reads_what_a_write_reads,
        ),
        ("removing hides, restoring is whole", removal_and_restore),
        ("a merge moves the history", merges_move_history),
        ("an edited touch replaces the record", edits_replace_touches),
        ("events keep who recorded them", events_keep_their_actor),
        ("mail is read once, by Message-ID", mail_is_read_once),
        (
            "derived settings last until a commit that does not write them",
            derived_settings_follow_the_data,
        ),
        (
            "a write says which touches it appended",
            writes_say_what_they_appended,
        ),
        (
            "a plan is replaced a slice of subjects at a time",
            plan_replaced_by_slices,
        ),
        (
            "the agenda's extents are what a walk measures",
            extents_are_what_a_walk_measures,
        ),
    ];
    for (rule, check) in rules {
        let store: Arc<dyn Store> = Arc::from(make());
        if let Err(p) = catch_unwind(AssertUnwindSafe(|| check(&store, reads_wait_for_writes))) {
            let why = p
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| p.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            panic!("store {name} breaks the contract: {rule}: {why}");
        }
    }
}

// ---- builders and helpers, local to the rules ----

fn ok<T>(r: Result<T>, doing: &str) -> T {
    r.unwrap_or_else(|e| panic!("{doing}: {e}"))
}

fn write(s: &dyn Store, owner: OwnerId) -> Box<dyn WriteTx + '_> {
    ok(s.write(owner), "open a write")
}

fn read(s: &dyn Store, owner: OwnerId) -> Box<dyn ReadTx + '_> {
    ok(s.read(owner), "open a read")
}

fn contact(id: i64, name: &str) -> Contact {
    Contact {
        id: ContactId(id),
        name: name.into(),
        emails: vec![format!(
            "{}@example.com",
            name.to_lowercase().replace(' ', ".")
        )],
        phones: vec![],
        organization: None,
        title: None,
        tier: Some(Tier::Regular),
        prefers: None,
        linkedin: None,
        birthday: None,
        work_anniversary: None,
        personal_anniversary: None,
        notes: None,
        added_on: date(2026, 3, 1),
        cadence_start: None,
    }
}

fn job(id: i64, org: &OrgRef, title: &str, contacts: &[ContactId]) -> Job {
    Job {
        id: JobId(id),
        organization: org.clone(),
        title: title.into(),
        url: None,
        response_time: None,
        applied: None,
        stage: Stage::Applied,
        contacts: contacts.to_vec(),
        added_on: date(2026, 3, 1),
        notes: None,
    }
}

fn touch(id: i64, on: Date, contacts: &[ContactId], job: Option<JobId>) -> Touch {
    Touch {
        id: TouchId(id),
        kind: TouchKind::FollowUp,
        direction: Direction::Outbound,
        date: on,
        contacts: contacts.to_vec(),
        job,
        note: None,
        answers: None,
        poor_fit: false,
        promises: vec![],
        message: None,
    }
}

/// What a write reads back of its own plan while it changes it: every due (the caseload's
/// summary reads them at the end of each change) and the numbers of new keys, also after a
/// change that failed. A store may keep either in memory while the write lasts (PostgreSQL
/// reads both with its lock); what it answers must be what the rows say.
fn a_write_reads_back_its_own_dues_and_numbers(store: &Arc<dyn Store>, _: bool) {
    let s = &**store;
    let dana = add_contact(s, ME, "Dana Reyes");
    let lee = add_contact(s, ME, "Lee Park");
    let (d, l) = (Subject::Contact(dana), Subject::Contact(lee));
    let day = |n: i64| DAY.saturating_add(n.days());
    let agree = |tx: &dyn WriteTx, what: &str| {
        let mut dues = ok(tx.plan_dues(), "dues");
        dues.sort_unstable();
        let mut all = crate::plan_dues_of(&ok(tx.plan_all(), "plan"));
        all.sort_unstable();
        assert_eq!(dues, all, "the dues a write reads back {what}");
    };
    let mut tx = write(s, ME);
    ok(
        tx.replace_plan(d, &[item(d, Slot::FollowUp, day(3))]),
        "plan Dana",
    );
    ok(
        tx.replace_plan(l, &[item(l, Slot::FollowUp, day(2))]),
        "plan Lee",
    );
    ok(tx.commit(), "commit the first plans");
    let mut tx = write(s, ME);
    // As a `log` does: the contact first (a store may read ahead what replanning it reads).
    ok(tx.contact(dana), "contact");
    agree(&*tx, "before any change");
    ok(
        tx.replace_plan(
            d,
            &[
                item(d, Slot::FollowUp, day(10)),
                item(d, Slot::Birthday, day(40)),
            ],
        ),
        "replan Dana",
    );
    agree(&*tx, "after replanning a contact with another due");
    ok(tx.replace_plan(l, &[]), "Lee's plan emptied");
    agree(&*tx, "after emptying another contact's plan");
    ok(
        tx.replace_plan(l, &[item(l, Slot::FollowUp, day(2))]),
        "Lee planned again",
    );
    agree(&*tx, "after planning it again");
    let fu = item(d, Slot::FollowUp, day(5));
    assert!(
        is_conflict(tx.replace_plan(d, &[fu.clone(), fu])),
        "one key twice in a plan is not StoreError::Conflict"
    );
    agree(&*tx, "after a replan that failed");
    // A key first planned after the failed change gets a number no other key has.
    ok(
        tx.replace_plan(
            d,
            &[
                item(d, Slot::FollowUp, day(10)),
                item(d, Slot::WorkAnniversary, day(60)),
            ],
        ),
        "plan a new key after the failure",
    );
    agree(&*tx, "after a replan that followed the failed one");
    let keys = [
        PlanKey {
            subject: l,
            slot: Slot::FollowUp,
        },
        PlanKey {
            subject: d,
            slot: Slot::FollowUp,
        },
        PlanKey {
            subject: d,
            slot: Slot::WorkAnniversary,
        },
    ];
    let numbers: Vec<i64> = keys
        .iter()
        .map(|k| ok(tx.plan_id(k), "plan id").expect("a planned key has a number"))
        .collect();
    let distinct: BTreeSet<i64> = numbers.iter().copied().collect();
    assert_eq!(
        distinct.len(),
        numbers.len(),
        "two keys share a number: {numbers:?}"
    );
    ok(tx.commit(), "commit");
    let r = read(s, ME);
    let kept: Vec<i64> = keys
        .iter()
        .map(|k| ok(r.plan_id(k), "plan id").expect("a committed key has a number"))
        .collect();
    assert_eq!(kept, numbers, "the numbers a write took are the ones kept");
    let mut dues = ok(r.plan_dues(), "dues");
    dues.sort_unstable();
    assert_eq!(
        dues,
        vec![(day(2), None), (day(10), None)],
        "the committed follow-ups' dues"
    );
}

fn item(subject: Subject, slot: Slot, due: Date) -> FollowUp {
    FollowUp {
        key: PlanKey { subject, slot },
        due,
        action: if slot == Slot::FollowUp {
            Action::FollowUp
        } else {
            Action::Occasion
        },
        rule: Rule(3),
        why: "F3: test".into(),
        reason: None,
        channel: Channel::Email,
        contact: None,
        jobs: vec![],
        move_on_from: None,
        call_when_late: false,
        unasked: vec![],
        then: None,
        after_touch: None,
        greeted_on: None,
    }
}

const DAY: Date = date(2026, 3, 1);

fn add_contact(s: &dyn Store, owner: OwnerId, name: &str) -> ContactId {
    let mut tx = write(s, owner);
    let id = ok(tx.next_id(Entity::Contact), "next contact id");
    let c = contact(id, name);
    ok(
        tx.append(DAY, &Event::ContactAdded { contact: c }),
        "add a contact",
    );
    ok(tx.commit(), "commit");
    ContactId(id)
}

fn names(cs: Vec<Contact>) -> Vec<String> {
    cs.into_iter().map(|c| c.name).collect()
}

fn contact_names(tx: &dyn ReadTx) -> Vec<String> {
    names(ok(tx.contacts(), "contacts"))
}

fn numbers(items: &[Planned]) -> Vec<i64> {
    items.iter().map(|p| p.id).collect()
}

fn window(tx: &dyn ReadTx, from: Date, until: Date) -> BTreeSet<i64> {
    numbers(&ok(tx.plan_window(from, until), "plan window"))
        .into_iter()
        .collect()
}

fn is_conflict<T>(r: Result<T>) -> bool {
    matches!(r, Err(StoreError::Conflict { .. }))
}

fn is_missing<T>(r: Result<T>) -> bool {
    matches!(r, Err(StoreError::Missing { .. }))
}

/// Runs `f` on another thread and waits at most `deadline` for it: a backend that blocks
/// fails the rule instead of hanging the test (the stuck thread is left behind).
fn within<T: Send + 'static>(
    store: &Arc<dyn Store>,
    deadline: Duration,
    what: &str,
    f: impl FnOnce(&dyn Store) -> T + Send + 'static,
) -> std::result::Result<T, String> {
    let (tx, rx) = mpsc::channel();
    let s = Arc::clone(store);
    thread::spawn(move || {
        let _ = tx.send(f(&*s));
    });
    rx.recv_timeout(deadline)
        .map_err(|_| format!("{what} did not finish within {deadline:?}"))
}

/// A write of `owner` held open on another thread (with one contact appended) until told
/// to commit (`true`) or roll back (`false`).
struct HeldWrite {
    release: mpsc::Sender<bool>,
    done: thread::JoinHandle<()>,
}

fn hold_write(store: &Arc<dyn Store>, owner: OwnerId, name: &'static str) -> HeldWrite {
    let (opened_tx, opened_rx) = mpsc::channel();
    let (release, release_rx) = mpsc::channel::<bool>();
    let s = Arc::clone(store);
    let done = thread::spawn(move || {
        let mut tx = write(&*s, owner);
        let id = ok(tx.next_id(Entity::Contact), "next id");
        ok(
            tx.append(
                DAY,
                &Event::ContactAdded {
                    contact: contact(id, name),
                },
            ),
            "append",
        );
        opened_tx.send(()).expect("the rule waits for this");
        if release_rx.recv().unwrap_or(false) {
            ok(tx.commit(), "commit the held write");
        }
    });
    opened_rx
        .recv_timeout(DEADLINE)
        .expect("the held write opened");
    HeldWrite { release, done }
}

impl HeldWrite {
    fn end(self, commit: bool) {
        let _ = self.release.send(commit);
        self.done.join().expect("the held write ended cleanly");
    }
}

// ---- the rules ----

fn owners_are_sealed(store: &Arc<dyn Store>, _: bool) {
    let s = &**store;
    let dana = add_contact(s, ME, "Dana Reyes");
    let sam = add_contact(s, OTHER, "Sam Ito");
    assert_eq!(dana, ContactId(1), "a new owner's first contact id is 1");
    assert_eq!(sam, ContactId(1), "ids are per owner");
    let key = PlanKey {
        subject: Subject::Contact(dana),
        slot: Slot::FollowUp,
    };
    let mut tx = write(s, ME);
    let org = ok(tx.next_id(Entity::Organization), "org id");
    let add_acme = Event::OrganizationAdded {
        id: OrgId(org),
        name: "Acme".into(),
    };
    ok(tx.append(DAY, &add_acme), "add Acme");
    ok(tx.set_setting("token", "mine"), "setting");
    let days = vec![date(2026, 12, 25)];
    let kept = Event::HolidaysKept {
        source: "us".into(),
        days,
    };
    ok(tx.append(DAY, &kept), "holidays");
    let fu = item(key.subject, key.slot, date(2026, 3, 11));
    ok(
        tx.replace_plan(key.subject, std::slice::from_ref(&fu)),
        "plan",
    );
    ok(tx.commit(), "commit");

    let before = ok(s.version(ME), "version");
    let mut tx = write(s, OTHER);
    assert_eq!(
        ok(tx.next_id(Entity::Organization), "org id"),
        1,
        "org ids are per owner"
    );
    ok(
        tx.append(DAY, &add_acme),
        "another owner may name an organization the same",
    );
    ok(tx.set_setting("token", "theirs"), "setting");
    ok(tx.commit(), "commit");
    assert_eq!(
        ok(s.version(ME), "version"),
        before,
        "another owner's commit moved my version"
    );

    let r = read(s, OTHER);
    assert_eq!(contact_names(&*r), ["Sam Ito"]);
    assert!(ok(r.contacts_named("Dana"), "named").is_empty());
    assert_eq!(
        ok(r.contact(dana), "contact").map(|c| c.name).as_deref(),
        Some("Sam Ito")
    );
    assert_eq!(ok(r.events(), "events").len(), 2, "events are per owner");
    assert_eq!(ok(r.setting("token"), "setting").as_deref(), Some("theirs"));
    assert!(ok(r.plan_all(), "plan").is_empty(), "plans are per owner");
    assert!(
        ok(r.plan_keys(), "keys").is_empty(),
        "plan keys are per owner"
    );
    assert_eq!(
        ok(r.plan_id(&key), "plan id"),
        None,
        "the same key text is per owner"
    );
    assert!(
        ok(r.holidays(), "holidays").is_empty(),
        "holidays are per owner"
    );
    drop(r);
    let mut tx = write(s, OTHER);
    ok(tx.replace_plan(key.subject, &[fu]), "plan");
    assert_eq!(
        ok(tx.plan_id(&key), "plan id"),
        Some(1),
        "plan numbers are per owner"
    );
    ok(tx.commit(), "commit");

    let r = read(s, ME);
    assert_eq!(contact_names(&*r), ["Dana Reyes"]);
    assert_eq!(ok(r.setting("token"), "setting").as_deref(), Some("mine"));
    assert_eq!(ok(r.plan_id(&key), "plan id"), Some(1));
    assert_eq!(ok(r.events(), "events").len(), 3);
    drop(r);
    let mut tx = write(s, OTHER);
    assert_eq!(
        ok(tx.next_id(Entity::Contact), "id"),
        2,
        "my ids did not move theirs"
    );
}

fn appends_apply_to_rows(store: &Arc<dyn Store>, _: bool) {
    let s = &**store;
    let mut tx = write(s, ME);
    assert!(ok(tx.is_empty(), "is_empty"));
    let add = |tx: &mut dyn WriteTx, e: Event| ok(tx.append(DAY, &e), e.kind());
    let acme = OrgRef {
        id: OrgId(ok(tx.next_id(Entity::Organization), "id")),
        name: "Acme".into(),
    };
    add(
        &mut *tx,
        Event::OrganizationAdded {
            id: acme.id,
            name: acme.name.clone(),
        },
    );
    let dana = contact(ok(tx.next_id(Entity::Contact), "id"), "Dana Reyes");
    let lee = contact(ok(tx.next_id(Entity::Contact), "id"), "Lee Park");
    add(
        &mut *tx,
        Event::ContactAdded {
            contact: dana.clone(),
        },
    );
    add(
        &mut *tx,
        Event::ContactAdded {
            contact: lee.clone(),
        },
    );
    let eng = job(
        ok(tx.next_id(Entity::Job), "id"),
        &acme,
        "Engineer",
        &[dana.id],
    );
    let des = job(ok(tx.next_id(Entity::Job), "id"), &acme, "Designer", &[]);
    add(&mut *tx, Event::JobAdded { job: eng.clone() });
    add(&mut *tx, Event::JobAdded { job: des.clone() });
    let patch = ContactPatch {
        name: Some("Dana Reyes-Ito".into()),
        ..ContactPatch::default()
    };
    add(&mut *tx, Event::ContactEdited { id: dana.id, patch });
    add(
        &mut *tx,
        Event::JobStageChanged {
            id: eng.id,
            stage: Stage::Interviewing,
        },
    );
    add(
        &mut *tx,
        Event::JobStageChanged {
            id: des.id,
            stage: Stage::Rejected,
        },
    );
    // Already linked by JobAdded: not twice.
    add(
        &mut *tx,
        Event::JobContactLinked {
            id: eng.id,
            contact: dana.id,
        },
    );
    let t = |on: Date, cs: &[ContactId], j: Option<JobId>, tx: &mut dyn WriteTx| {
        let t = touch(ok(tx.next_id(Entity::Touch), "id"), on, cs, j);
        ok(
            tx.append(DAY, &Event::TouchLogged { touch: t.clone() }),
            "touch",
        );
        t.id
    };
    let t1 = t(date(2026, 3, 5), &[lee.id], Some(eng.id), &mut *tx);
    let t2 = t(date(2026, 3, 2), &[dana.id, lee.id], Some(eng.id), &mut *tx);
    let t3 = t(date(2026, 3, 2), &[dana.id], None, &mut *tx);
    let snooze = |subject, slot, d| Snooze {
        key: PlanKey { subject, slot },
        until: date(2026, 4, d),
        after: Some(t3),
    };
    let s1 = snooze(Subject::Contact(dana.id), Slot::FollowUp, 1);
    let s2 = snooze(Subject::Job(eng.id), Slot::FollowUp, 2);
    let s3 = snooze(Subject::Contact(dana.id), Slot::Birthday, 3);
    for sn in [&s1, &s2, &s3] {
        add(
            &mut *tx,
            Event::Snoozed {
                key: sn.key,
                until: sn.until,
                after: sn.after,
            },
        );
    }
    let kept = |source: &str, days: &[(i16, i8, i8)]| Event::HolidaysKept {
        source: source.into(),
        days: days.iter().map(|&(y, m, d)| date(y, m, d)).collect(),
    };
    add(&mut *tx, kept("us", &[(2026, 12, 25), (2026, 1, 1)]));
    add(&mut *tx, kept("us", &[(2026, 7, 4), (2026, 12, 25)]));
    add(&mut *tx, kept("uk", &[(2026, 12, 26), (2026, 12, 25)]));

    let check = |r: &dyn ReadTx, when: &str| {
        let what = |m: &str| format!("{m} ({when})");
        assert!(!ok(r.is_empty(), "is_empty"), "{}", what("not empty"));
        let events = ok(r.events(), "events");
        assert_eq!(events.len(), 18, "{}", what("every event logged"));
        assert_eq!(events[0].event.kind(), "organization-added");
        assert_eq!(
            events[17].event,
            kept("uk", &[(2026, 12, 26), (2026, 12, 25)])
        );
        assert!(
            events.windows(2).all(|w| w[0].seq < w[1].seq),
            "{}",
            what("log in order")
        );
        assert!(events.iter().all(|e| e.recorded_on == DAY));
        assert_eq!(
            ok(r.organization_named("  aCME "), "org"),
            Some(acme.clone())
        );
        assert_eq!(ok(r.organization_named("Acm"), "org"), None);
        let edited = ok(r.contact(dana.id), "contact").expect("dana");
        assert_eq!(edited.name, "Dana Reyes-Ito", "{}", what("edit applied"));
        assert_eq!(
            edited.emails,
            dana.emails,
            "{}",
            what("an edit keeps the rest")
        );
        assert_eq!(contact_names(r), ["Dana Reyes-Ito", "Lee Park"]);
        let e = ok(r.job(eng.id), "job").expect("job");
        assert_eq!(e.stage, Stage::Interviewing);
        assert_eq!(
            e.contacts,
            [dana.id, lee.id],
            "{}",
            what("a touch links its contacts")
        );
        let ids = |js: Vec<Job>| js.into_iter().map(|j| j.id).collect::<Vec<_>>();
        assert_eq!(ids(ok(r.jobs(), "jobs")), [eng.id, des.id]);
        assert_eq!(ids(ok(r.jobs_of_contact(lee.id), "jobs of")), [eng.id]);
        assert!(ok(r.jobs_of_contact(ContactId(99)), "jobs of").is_empty());
        assert_eq!(ok(r.open_job_count(), "open"), 1);
        let tids = |ts: Vec<Touch>| ts.into_iter().map(|t| t.id).collect::<Vec<_>>();
        let by_date = "by date, then id";
        assert_eq!(ids(ok(r.jobs_of_contact(dana.id), "jobs of")), [eng.id]);
        assert_eq!(
            tids(ok(r.touches_of_contact(dana.id), "t")),
            [t2, t3],
            "{by_date}"
        );
        assert_eq!(
            tids(ok(r.touches_of_contact(lee.id), "t")),
            [t2, t1],
            "{by_date}"
        );
        assert_eq!(
            tids(ok(r.touches_of_job(eng.id), "t")),
            [t2, t1],
            "{by_date}"
        );
        assert_eq!(
            tids(ok(r.all_touches(), "t")),
            [t1, t2, t3],
            "all touches by id"
        );
        assert_eq!(ok(r.newest_touch(), "newest"), Some(t3));
        let sub = Subject::Contact(dana.id);
        assert_eq!(ok(r.snoozes(sub), "snoozes"), [s1.clone(), s3.clone()]);
        assert_eq!(
            ok(r.snoozes(Subject::Job(eng.id)), "snoozes"),
            std::slice::from_ref(&s2)
        );
        assert_eq!(
            ok(r.all_snoozes(), "snoozes"),
            [s1.clone(), s2.clone(), s3.clone()]
        );
        let days = [date(2026, 7, 4), date(2026, 12, 25), date(2026, 12, 26)];
        assert_eq!(
            ok(r.holidays(), "holidays"),
            days,
            "{}",
            what("a calendar replaces its days")
        );
    };
    check(&*tx, "inside the write");
    ok(tx.commit(), "commit");
    check(&*read(s, ME), "after commit");
}

fn all_or_nothing(store: &Arc<dyn Store>, _: bool) {
    let s = &**store;
    let v = ok(s.version(ME), "version");
    {
        let mut tx = write(s, ME);
        let c = contact(ok(tx.next_id(Entity::Contact), "id"), "Dana Reyes");
        ok(
            tx.append(DAY, &Event::ContactAdded { contact: c }),
            "append",
        );
        ok(tx.set_setting("k", "v"), "setting");
        assert_eq!(
            contact_names(&*tx),
            ["Dana Reyes"],
            "a write sees its own changes"
        );
    }
    let r = read(s, ME);
    assert!(ok(r.is_empty(), "is_empty"), "a dropped write left events");
    assert!(
        ok(r.contacts(), "contacts").is_empty(),
        "a dropped write left rows"
    );
    assert_eq!(
        ok(r.setting("k"), "setting"),
        None,
        "a dropped write left a setting"
    );
    drop(r);
    assert_eq!(
        ok(s.version(ME), "version"),
        v,
        "a rollback moved the version"
    );

    // A failed change leaves the transaction as it was: commit keeps only what succeeded.
    let dana = add_contact(s, ME, "Dana Reyes");
    let mut tx = write(s, ME);
    let acme = Event::OrganizationAdded {
        id: OrgId(1),
        name: "Acme".into(),
    };
    ok(tx.append(DAY, &acme), "add Acme");
    let failing = [
        (
            Event::ContactEdited {
                id: ContactId(99),
                patch: ContactPatch::default(),
            },
            "editing a missing contact",
        ),
        (
            Event::JobStageChanged {
                id: JobId(99),
                stage: Stage::Offer,
            },
            "a missing job's stage",
        ),
        (
            Event::JobContactLinked {
                id: JobId(99),
                contact: dana,
            },
            "linking to a missing job",
        ),
        (
            Event::TouchLogged {
                touch: touch(1, DAY, &[dana], Some(JobId(99))),
            },
            "a touch about a missing job",
        ),
    ];
    for (e, what) in &failing {
        assert!(
            is_missing(tx.append(DAY, e)),
            "{what} is not StoreError::Missing"
        );
    }
    let conflicting = [
        (
            Event::ContactAdded {
                contact: contact(dana.0, "Twin"),
            },
            "a taken contact id",
        ),
        (
            Event::OrganizationAdded {
                id: OrgId(1),
                name: "Globex".into(),
            },
            "a taken organization id",
        ),
        (
            Event::OrganizationAdded {
                id: OrgId(2),
                name: "ACME".into(),
            },
            "a taken organization name (ignoring case)",
        ),
    ];
    for (e, what) in &conflicting {
        assert!(
            is_conflict(tx.append(DAY, e)),
            "{what} is not StoreError::Conflict"
        );
    }
    let fu = item(Subject::Contact(dana), Slot::FollowUp, DAY);
    assert!(
        is_conflict(tx.replace_plan(Subject::Contact(dana), &[fu.clone(), fu.clone()])),
        "one key twice in a plan is not StoreError::Conflict"
    );
    assert!(
        is_conflict(tx.replace_all_plan(&[fu.clone(), fu])),
        "one key twice (full replan)"
    );
    ok(tx.commit(), "commit after failed changes");
    let r = read(s, ME);
    let kinds: Vec<&str> = ok(r.events(), "events")
        .iter()
        .map(|e| e.event.kind())
        .collect();
    assert_eq!(
        kinds,
        ["contact-added", "organization-added"],
        "a failed append left its event"
    );
    assert_eq!(
        contact_names(&*r),
        ["Dana Reyes"],
        "a failed append changed a row"
    );
    assert!(
        ok(r.all_touches(), "touches").is_empty(),
        "a failed append left a touch"
    );
    assert!(
        ok(r.plan_all(), "plan").is_empty(),
        "a failed replan left items"
    );
    assert!(
        ok(r.plan_keys(), "keys").is_empty(),
        "a failed replan left keys"
    );
}

fn reads_are_snapshots(store: &Arc<dyn Store>, shared: bool) {
    let s = &**store;
    add_contact(s, ME, "Dana Reyes");
    if !shared {
        // Opened and not yet used: the snapshot is the one at open, not at the first query.
        let untouched = read(s, ME);
        let used = read(s, ME);
        assert_eq!(contact_names(&*used), ["Dana Reyes"]);
        within(store, DEADLINE, "a commit while reads are open", |s| {
            add_contact(s, ME, "Lee Park");
        })
        .unwrap_or_else(|e| panic!("{e}"));
        for (r, which) in [(&untouched, "untouched"), (&used, "used")] {
            assert_eq!(
                contact_names(&**r),
                ["Dana Reyes"],
                "an open ({which}) read saw a later commit"
            );
            assert_eq!(
                ok(r.events(), "events").len(),
                1,
                "{which} read's log moved"
            );
            assert!(ok(r.contacts_named("Lee"), "named").is_empty());
        }
    } else {
        add_contact(s, ME, "Lee Park");
    }
    assert_eq!(
        contact_names(&*read(s, ME)),
        ["Dana Reyes", "Lee Park"],
        "a new read sees the commit"
    );
}

fn reads_never_wait(store: &Arc<dyn Store>, shared: bool) {
    if shared {
        return;
    }
    add_contact(&**store, ME, "Dana Reyes");
    let v = ok(store.version(ME), "version");
    let held = hold_write(store, ME, "Lee Park");
    let seen = within(store, DEADLINE, "a read beside an open write", |s| {
        let r = s.read(ME)?;
        let names = names(r.contacts()?);
        drop(r);
        Ok::<_, StoreError>((names, s.version(ME)?))
    });
    held.end(false);
    let (names, during) = ok(
        seen.unwrap_or_else(|e| panic!("{e}")),
        "read beside a write",
    );
    assert_eq!(names, ["Dana Reyes"], "a read saw an uncommitted write");
    assert_eq!(during, v, "an open write moved the version");
    assert_eq!(
        contact_names(&*read(&**store, ME)),
        ["Dana Reyes"],
        "the held write was rolled back"
    );
}

fn one_writer_at_a_time(store: &Arc<dyn Store>, _: bool) {
    // A second writer waits for the first and then sees its commit.
    let held = hold_write(store, ME, "Dana Reyes");
    let (got_tx, got) = mpsc::channel();
    let s = Arc::clone(store);
    let second = thread::spawn(move || {
        let r = s.write(ME).and_then(|tx| tx.contacts());
        let _ = got_tx.send(r.map(names));
    });
    let early = got.recv_timeout(Duration::from_millis(300));
    held.end(true);
    assert!(
        early.is_err(),
        "a second write opened beside an open one: {early:?}"
    );
    let after = got
        .recv_timeout(DEADLINE)
        .expect("the waiting write went on after the first");
    second.join().expect("second writer");
    assert_eq!(ok(after, "the waiting write"), ["Dana Reyes"]);

    // A writer held past the wait makes the next fail with Busy instead of waiting forever.
    let held = hold_write(store, ME, "Lee Park");
    let r = within(store, BUSY_DEADLINE, "a write behind a held write", |s| {
        s.write(ME).map(|_| ())
    });
    held.end(false);
    match r {
        Ok(Err(StoreError::Busy { .. })) => {}
        Ok(Err(e)) => panic!("a write behind a held one failed with {e}, not Busy"),
        Ok(Ok(())) => panic!("a write opened while another was held"),
        Err(e) => panic!("{e}"),
    }
}

fn numbers_taken_before_a_failed_change_stay_taken(store: &Arc<dyn Store>, _: bool) {
    let s = &**store;
    let dana = add_contact(s, ME, "Dana");
    let mut tx = write(s, ME);
    let first = ok(tx.next_id(Entity::Touch), "id");
    let t = touch(first, date(2026, 3, 2), &[dana], None);
    ok(tx.append(DAY, &Event::TouchLogged { touch: t }), "log");
    // A change that fails, and its rollback, after the number was taken.
    let missing = Event::ContactEdited {
        id: ContactId(99),
        patch: ContactPatch::default(),
    };
    assert!(is_missing(tx.append(DAY, &missing)), "a missing contact");
    let second = ok(tx.next_id(Entity::Touch), "id");
    assert_ne!(
        second, first,
        "a number taken before the failed change was given again"
    );
    let t = touch(second, date(2026, 3, 3), &[dana], None);
    ok(
        tx.append(DAY, &Event::TouchLogged { touch: t }),
        "log again",
    );
    ok(tx.commit(), "commit");
    let mut tx = write(s, ME);
    let third = ok(tx.next_id(Entity::Touch), "id");
    assert!(
        third > first && third > second,
        "a committed number was given again ({third} after {first} and {second})"
    );
}

fn ids_are_allocated(store: &Arc<dyn Store>, _: bool) {
    let s = &**store;
    {
        let mut tx = write(s, ME);
        assert_eq!(ok(tx.next_id(Entity::Contact), "id"), 1);
        assert_eq!(ok(tx.next_id(Entity::Contact), "id"), 2);
        assert_eq!(
            ok(tx.next_id(Entity::Job), "id"),
            1,
            "each kind has its own sequence"
        );
    }
    // Writers on many threads: every id committed is different.
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let s = Arc::clone(store);
            thread::spawn(move || {
                let mut got = Vec::new();
                for _ in 0..10 {
                    // Busy is the contract's answer to a long wait; a caller tries again.
                    let mut tx = loop {
                        match s.write(ME) {
                            Ok(tx) => break tx,
                            Err(StoreError::Busy { .. }) => continue,
                            Err(e) => panic!("open a write: {e}"),
                        }
                    };
                    let ids: Vec<i64> = (0..3)
                        .map(|_| ok(tx.next_id(Entity::Contact), "id"))
                        .collect();
                    ok(tx.commit(), "commit");
                    got.extend(ids);
                }
                got
            })
        })
        .collect();
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.join().expect("a writer thread panicked"));
    }
    let distinct: BTreeSet<i64> = all.iter().copied().collect();
    assert_eq!(
        distinct.len(),
        all.len(),
        "an id was given twice under contention"
    );
    assert!(all.iter().all(|&id| id >= 1), "ids start at 1");

    // An event that carries an id moves the allocator past it, at once and after commit.
    let mut tx = write(s, ME);
    let big = OrgRef {
        id: OrgId(500),
        name: "Big".into(),
    };
    let events = [
        Event::OrganizationAdded {
            id: big.id,
            name: big.name.clone(),
        },
        Event::ContactAdded {
            contact: contact(1000, "Imported"),
        },
        Event::JobAdded {
            job: job(2000, &big, "Imported", &[]),
        },
        Event::TouchLogged {
            touch: touch(3000, DAY, &[], None),
        },
    ];
    for e in &events {
        ok(tx.append(DAY, e), "append an imported event");
    }
    let past = [
        (Entity::Organization, 500),
        (Entity::Contact, 1000),
        (Entity::Job, 2000),
        (Entity::Touch, 3000),
    ];
    for (entity, id) in past {
        assert!(
            ok(tx.next_id(entity), "id") > id,
            "{entity:?} allocator not moved past {id}"
        );
    }
    ok(tx.commit(), "commit");
    let mut tx = write(s, ME);
    for (entity, id) in past {
        assert!(
            ok(tx.next_id(entity), "id") > id,
            "{entity:?} allocator fell back after commit"
        );
    }
}

fn plan_numbers_are_stable(store: &Arc<dyn Store>, _: bool) {
    let s = &**store;
    let dana = Subject::Contact(add_contact(s, ME, "Dana Reyes"));
    let lee = Subject::Contact(add_contact(s, ME, "Lee Park"));
    let mut tx = write(s, ME);
    let fu = item(dana, Slot::FollowUp, date(2026, 3, 11));
    let bd = item(dana, Slot::Birthday, date(1988, 2, 29));
    let lfu = item(lee, Slot::FollowUp, date(2026, 3, 20));
    let jfu = item(Subject::Job(JobId(1)), Slot::FollowUp, date(2026, 3, 25));
    let num = |tx: &dyn ReadTx, i: &FollowUp| ok(tx.plan_id(&i.key), "plan id").expect("a number");
    ok(
        tx.replace_plan(dana, &[fu.clone(), bd.clone()]),
        "plan dana",
    );
    let (n_fu, n_bd) = (num(&*tx, &fu), num(&*tx, &bd));
    assert!(
        n_fu >= 1 && n_bd >= 1 && n_fu != n_bd,
        "numbers start at 1 (0 is the pipeline): {n_fu} {n_bd}"
    );
    let item_of = |tx: &dyn ReadTx, n| ok(tx.plan_item(n), "plan item").map(|p| p.item);
    assert_eq!(item_of(&*tx, n_fu), Some(fu.clone()));
    ok(tx.replace_plan(lee, std::slice::from_ref(&lfu)), "plan lee");
    let n_lee = num(&*tx, &lfu);
    let all = numbers(&ok(tx.plan_all(), "plan"));
    assert_eq!(all.len(), 3, "replacing one subject's plan kept the others");
    assert!(
        all.windows(2).all(|w| w[0] < w[1]),
        "plan_all by number: {all:?}"
    );

    ok(tx.clear_plan(), "clear");
    assert!(ok(tx.plan_all(), "plan").is_empty());
    assert_eq!(
        ok(tx.plan_id(&fu.key), "plan id"),
        Some(n_fu),
        "clear_plan dropped a key"
    );
    let fu2 = item(dana, Slot::FollowUp, date(2026, 3, 12));
    ok(
        tx.replace_plan(dana, &[fu2.clone(), bd.clone()]),
        "replan dana",
    );
    assert_eq!(
        (num(&*tx, &fu2), num(&*tx, &bd)),
        (n_fu, n_bd),
        "a replan renumbered"
    );
    assert_eq!(
        item_of(&*tx, n_fu),
        Some(fu2.clone()),
        "the replanned item replaced the old"
    );

    ok(
        tx.replace_all_plan(&[bd.clone(), lfu.clone(), jfu.clone()]),
        "full replan",
    );
    let n_job = num(&*tx, &jfu);
    assert!(
        n_job > n_fu.max(n_bd).max(n_lee),
        "a new key took a used number"
    );
    assert_eq!(
        (num(&*tx, &bd), num(&*tx, &lfu)),
        (n_bd, n_lee),
        "a full replan renumbered"
    );
    assert_eq!(
        item_of(&*tx, n_fu),
        None,
        "a full replan kept an item it did not have"
    );
    assert_eq!(
        ok(tx.plan_id(&fu.key), "plan id"),
        Some(n_fu),
        "a dropped item lost its key"
    );
    ok(
        tx.replace_all_plan(&[fu.clone(), bd.clone(), lfu.clone(), jfu.clone()]),
        "full replan",
    );
    assert_eq!(
        num(&*tx, &fu),
        n_fu,
        "a key that came back got a new number"
    );
    ok(tx.replace_plan(dana, &[]), "empty plan for dana");
    assert_eq!(numbers(&ok(tx.plan_all(), "plan")), {
        let mut v = vec![n_lee, n_job];
        v.sort();
        v
    });
    ok(tx.commit(), "commit");
    let r = read(s, ME);
    let keys = ok(r.plan_keys(), "keys");
    let mut expect = vec![
        (fu.key.to_string(), n_fu),
        (bd.key.to_string(), n_bd),
        (lfu.key.to_string(), n_lee),
        (jfu.key.to_string(), n_job),
    ];
    expect.sort_by_key(|k| k.1);
    assert_eq!(keys, expect, "plan_keys, by number, after commit");
    assert_eq!(item_of(&*r, n_job), Some(jfu));
}

/// `plan_lines` hands over the window's follow-ups in the agenda's order, a line where the
/// item's plain view holds today and the whole item where it does not (or when asked);
/// `plan_moved` gives the rest of the window; the two together are `plan_window`, each item
/// once; a walk stops when told.
fn plan_lines_walk_in_agenda_order(store: &Arc<dyn Store>, _: bool) {
    use crate::{PlanRow, RowBody};
    use followup_core::agenda::{Planned, sort_key, view_owned};
    use followup_core::line::{Compact, Line};
    use followup_core::plan::{ContactRef, Step};
    use std::ops::ControlFlow;
    let s = &**store;
    let today = date(2026, 3, 10);
    let until = date(2026, 3, 20);
    // Names that sort differently folded than as written, and one item with no contact.
    let names = ["bea", "Ann", "ann", "Zed", "Émile", "Carl", "Dora", "Eve"];
    let mut items = Vec::new();
    for (n, name) in names.iter().enumerate() {
        let c = add_contact(s, ME, name);
        let mut it = item(
            Subject::Contact(c),
            Slot::FollowUp,
            date(2026, 3, 5 + (n as i8 % 3)),
        );
        it.contact = Some(ContactRef {
            id: c,
            name: name.to_string(),
        });
        it.rule = Rule(2 + (n as u8 % 2) * 10);
        items.push(it);
    }
    // Carl: a thank-you whose follow-up has come (it folds: its place moves).
    items[5].action = Action::ThankYou;
    items[5].then = Some(Step {
        due: date(2026, 3, 9),
        action: Action::FollowUp,
        rule: Rule(4),
        why: "F4: test".into(),
        reason: None,
        call_when_late: false,
    });
    // Dora: past the silence limit (a move-on review: its place moves).
    items[6].move_on_from = Some(date(2026, 3, 10));
    // Eve: a default wait's date passed: "call now" (its words change, not its place).
    items[7].call_when_late = true;
    // Zed: not yet past its silence limit, so still plain.
    items[3].move_on_from = Some(date(2026, 4, 1));
    let job = item(Subject::Job(JobId(1)), Slot::FollowUp, date(2026, 3, 6));
    let later = {
        let c = add_contact(s, ME, "Later");
        item(Subject::Contact(c), Slot::FollowUp, date(2026, 3, 21))
    };
    let bday = item(
        Subject::Contact(ContactId(1)),
        Slot::Birthday,
        date(1990, 3, 15),
    );
    items.extend([job, later.clone(), bday.clone()]);
    let mut tx = write(s, ME);
    ok(tx.replace_all_plan(&items), "plan");
    ok(tx.commit(), "commit");
    let r = read(s, ME);
    let n = |i: &FollowUp| ok(r.plan_id(&i.key), "plan id").expect("numbered");

    let moved: BTreeSet<i64> = ok(r.plan_moved(until, today), "moved")
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(
        moved,
        [&items[5], &items[6], &bday].iter().map(|i| n(i)).collect(),
        "plan_moved: the fold, the review and the occasion"
    );
    // What the walk must give: the rest of the window, in the agenda's order.
    let mut expect: Vec<Planned> = ok(r.plan_window(today, until), "window")
        .into_iter()
        .filter(|p| !moved.contains(&p.id))
        .collect();
    expect.sort_by_cached_key(|p| sort_key(&view_owned(p.clone(), today)));
    let expect_ids: Vec<i64> = expect.iter().map(|p| p.id).collect();
    assert!(!expect_ids.contains(&n(&later)), "due after the window");
    for full in [false, true] {
        let mut got = Vec::new();
        ok(
            r.plan_lines(until, today, full, &mut |row: PlanRow<'_>| {
                let p = expect
                    .iter()
                    .find(|p| p.id == row.id)
                    .unwrap_or_else(|| panic!("row {} is not the window's", row.id));
                let c = Compact::of(p.id, &p.item);
                assert_eq!(
                    (row.due, row.name_key().as_deref(), row.rule),
                    (p.item.due, c.name_key.as_deref(), c.rule),
                    "row {}'s place",
                    row.id
                );
                let whole = full || p.item.call_when_late;
                match row.body {
                    RowBody::Line(l) if !whole => assert_eq!(Some(l), Line::decode(&c.line)),
                    RowBody::Item(i) if whole => assert_eq!(*i, p.item),
                    other => panic!("row {} (full: {full}) came as {other:?}", row.id),
                }
                got.push(row.id);
                ControlFlow::Continue(())
            }),
            "walk",
        );
        assert_eq!(got, expect_ids, "the agenda's order (full: {full})");
    }
    let mut seen = 0;
    ok(
        r.plan_lines(until, today, false, &mut |_| {
            seen += 1;
            if seen == 2 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        }),
        "a walk told to stop",
    );
    assert_eq!(seen, 2, "the walk stops when told");
    drop(r);
    // Another owner's window is empty.
    let other = read(s, OTHER);
    ok(
        other.plan_lines(until, today, false, &mut |row| {
            panic!("another owner's row {}", row.id)
        }),
        "another owner's walk",
    );
}

fn commit_reading_window_answers_the_committed_window(store: &Arc<dyn Store>, _: bool) {
    let s = &**store;
    let dana = Subject::Contact(add_contact(s, ME, "Dana Reyes"));
    let lee = Subject::Contact(add_contact(s, ME, "Lee Park"));
    let mut tx = write(s, ME);
    let soon = item(dana, Slot::FollowUp, date(2026, 3, 11));
    let later = item(lee, Slot::FollowUp, date(2026, 5, 2));
    let birthday = item(lee, Slot::Birthday, date(1990, 3, 14));
    ok(
        tx.replace_all_plan(&[soon.clone(), later.clone(), birthday.clone()]),
        "plan",
    );
    ok(tx.commit(), "commit");
    let (from, until) = (date(2026, 3, 10), date(2026, 3, 24));
    // A change that moves Lee's follow-up into the window, read with its own commit.
    let mut tx = write(s, ME);
    let moved = item(lee, Slot::FollowUp, date(2026, 3, 20));
    ok(tx.replace_plan(lee, &[moved, birthday]), "replan Lee");
    let version = ok(tx.committed_version(), "the version it makes");
    let (planned, open_jobs) =
        ok(tx.commit_reading_window(from, until), "commit reading").expect("read");
    assert_eq!(ok(s.version(ME), "version"), version);
    let r = read(s, ME);
    let key = |p: &Planned| (p.id, p.item.due, p.item.key.to_string());
    let mut got: Vec<_> = planned.iter().map(key).collect();
    let mut want: Vec<_> = ok(r.plan_window(from, until), "window after")
        .iter()
        .map(key)
        .collect();
    got.sort();
    want.sort();
    assert_eq!(
        got.len(),
        3,
        "Dana's, Lee's moved follow-up and Lee's birthday: {got:?}"
    );
    assert_eq!(got, want, "what a read after the commit finds");
    assert_eq!(open_jobs, ok(r.open_job_count(), "open jobs"));
}

fn plan_window_finds_occasions(store: &Arc<dyn Store>, _: bool) {
    let s = &**store;
    let dana = Subject::Contact(add_contact(s, ME, "Dana Reyes"));
    let lee = Subject::Contact(add_contact(s, ME, "Lee Park"));
    let mut tx = write(s, ME);
    let leap = item(dana, Slot::Birthday, date(1988, 2, 29));
    let jan1 = item(dana, Slot::WorkAnniversary, date(2015, 1, 1));
    let dec31 = item(lee, Slot::PersonalAnniversary, date(2010, 12, 31));
    let mar = item(dana, Slot::FollowUp, date(2026, 3, 11));
    let jan = item(lee, Slot::FollowUp, date(2026, 1, 2));
    ok(
        tx.replace_all_plan(&[
            leap.clone(),
            jan1.clone(),
            dec31.clone(),
            mar.clone(),
            jan.clone(),
        ]),
        "plan",
    );
    ok(tx.commit(), "commit");
    let r = read(s, ME);
    let n = |i: &FollowUp| ok(r.plan_id(&i.key), "plan id").expect("numbered");
    let set = |items: &[&FollowUp]| items.iter().map(|i| n(i)).collect::<BTreeSet<i64>>();
    let cases: &[(Date, Date, BTreeSet<i64>, &str)] = &[
        (
            date(2026, 2, 20),
            date(2026, 2, 28),
            set(&[&leap, &jan]),
            "29 Feb in a window ending 28 Feb of a common year",
        ),
        (
            date(2026, 2, 28),
            date(2026, 2, 28),
            set(&[&leap, &jan]),
            "a one-day window on 28 Feb of a common year",
        ),
        (
            date(2024, 2, 29),
            date(2024, 3, 1),
            set(&[&leap]),
            "29 Feb of a leap year",
        ),
        (
            date(2024, 2, 1),
            date(2024, 2, 28),
            set(&[&leap]),
            "28 Feb of a leap year takes 29 Feb too",
        ),
        (
            date(2025, 12, 20),
            date(2026, 1, 5),
            set(&[&dec31, &jan1, &jan]),
            "a window over New Year",
        ),
        (
            date(2025, 12, 31),
            date(2026, 1, 1),
            set(&[&dec31, &jan1]),
            "New Year's Eve to New Year's Day",
        ),
        (
            date(2026, 3, 1),
            date(2026, 3, 31),
            set(&[&jan, &mar]),
            "follow-ups due by the end, however early",
        ),
        (
            date(2026, 6, 1),
            date(2027, 6, 1),
            set(&[&leap, &jan1, &dec31, &jan, &mar]),
            "a window of a year or more",
        ),
        (
            date(2026, 3, 1),
            date(2027, 3, 1),
            set(&[&leap, &jan1, &dec31, &jan, &mar]),
            "a window of exactly 365 days",
        ),
        (
            date(2025, 1, 3),
            date(2025, 12, 30),
            set(&[&leap]),
            "most of a year, 29 Feb inside",
        ),
        (date(2025, 4, 1), date(2025, 4, 30), set(&[]), "nothing"),
    ];
    for (from, until, want, what) in cases {
        assert_eq!(
            &window(&*r, *from, *until),
            want,
            "{what}: {from}..={until}"
        );
    }
}

fn names_match_exactly_then_by_part(store: &Arc<dyn Store>, _: bool) {
    let s = &**store;
    for name in ["Dana Reyes", "Dana Scully", "100%_real", "Ann", "Annabel"] {
        add_contact(s, ME, name);
    }
    let mut tx = write(s, ME);
    let orgs = [(1, "Acme"), (2, "Globex")];
    for (id, name) in orgs {
        ok(
            tx.append(
                DAY,
                &Event::OrganizationAdded {
                    id: OrgId(id),
                    name: name.into(),
                },
            ),
            "org",
        );
    }
    let org = |id: i64| OrgRef {
        id: OrgId(id),
        name: orgs[id as usize - 1].1.into(),
    };
    let jobs = [
        (1, 1, "Engineer"),
        (2, 1, "Senior Engineer"),
        (3, 2, "Engineer"),
        (4, 2, "50% Off_Sales"),
    ];
    for (id, o, title) in jobs {
        ok(
            tx.append(
                DAY,
                &Event::JobAdded {
                    job: job(id, &org(o), title, &[]),
                },
            ),
            "job",
        );
    }
    ok(tx.commit(), "commit");
    let r = read(s, ME);
    let named = |n: &str| names(ok(r.contacts_named(n), "contacts_named"));
    assert_eq!(
        named("dana reyes"),
        ["Dana Reyes"],
        "an exact name ignoring case"
    );
    assert_eq!(named("  Dana Reyes "), ["Dana Reyes"], "surrounding spaces");
    assert_eq!(
        named("DANA"),
        ["Dana Reyes", "Dana Scully"],
        "a part, by id"
    );
    assert_eq!(
        named("ann"),
        ["Ann"],
        "an exact match hides the partial ones"
    );
    assert_eq!(named("nab"), ["Annabel"]);
    assert_eq!(named("%"), ["100%_real"], "% is not a wildcard");
    assert_eq!(named("_"), ["100%_real"], "_ is not a wildcard");
    assert_eq!(named("0%_r"), ["100%_real"]);
    assert!(named("Zed").is_empty());
    let matching = |t: &str| {
        ok(r.jobs_matching(t), "jobs_matching")
            .into_iter()
            .map(|j| j.id.0)
            .collect::<Vec<_>>()
    };
    assert_eq!(matching("engineer"), [1, 3], "a title");
    assert_eq!(matching(" ACME "), [1, 2], "an organization");
    assert_eq!(matching("acme: engineer"), [1], "Organization: Title");
    assert_eq!(matching("senior"), [2], "a part");
    assert_eq!(matching("cme: sen"), [2], "a part of Organization: Title");
    assert_eq!(matching("%"), [4], "% is not a wildcard");
    assert_eq!(matching("f_s"), [4], "_ is not a wildcard");
    assert!(matching("Initech").is_empty());
    // A NUL cannot be in any stored name (PostgreSQL text refuses it): a search with one
    // finds nothing, and is not an error.
    assert!(ok(r.contacts_named("Dana\0"), "nul name").is_empty());
    assert!(ok(r.jobs_matching("\0"), "nul job").is_empty());
    assert!(ok(r.organization_named("Acme\0"), "nul org").is_none());
}

fn versions_move_with_commits(store: &Arc<dyn Store>, _: bool) {
    let s = &**store;
    let v0 = ok(s.version(ME), "version");
    let other0 = ok(s.version(OTHER), "version");
    drop(read(s, ME));
    assert_eq!(ok(s.version(ME), "version"), v0, "a read moved the version");
    {
        let mut tx = write(s, ME);
        ok(tx.set_setting("k", "v"), "setting");
    }
    assert_eq!(
        ok(s.version(ME), "version"),
        v0,
        "a rollback moved the version"
    );
    add_contact(s, ME, "Dana Reyes");
    let v1 = ok(s.version(ME), "version");
    assert_ne!(v1, v0, "a commit did not move the version");
    ok(write(s, ME).commit(), "an empty commit");
    let v2 = ok(s.version(ME), "version");
    assert!(
        v2 != v1 && v2 != v0,
        "an empty commit did not move the version to a new value"
    );
    assert_eq!(
        ok(s.version(OTHER), "version"),
        other0,
        "my commits moved another owner's version"
    );
    add_contact(s, OTHER, "Sam Ito");
    assert_eq!(
        ok(s.version(ME), "version"),
        v2,
        "another owner's commit moved mine"
    );
}

fn set_plan_key_conflicts(store: &Arc<dyn Store>, _: bool) {
    let s = &**store;
    let dana = Subject::Contact(add_contact(s, ME, "Dana Reyes"));
    let fu = item(dana, Slot::FollowUp, date(2026, 3, 11));
    let bd = item(dana, Slot::Birthday, date(1988, 2, 29));
    let mut tx = write(s, ME);
    ok(tx.set_plan_key(&fu.key.to_string(), 7), "restore a number");
    assert_eq!(ok(tx.plan_id(&fu.key), "plan id"), Some(7));
    assert!(
        is_conflict(tx.set_plan_key(&fu.key.to_string(), 8)),
        "a taken key is not a Conflict"
    );
    assert!(
        is_conflict(tx.set_plan_key(&bd.key.to_string(), 7)),
        "a taken number is not a Conflict"
    );
    assert_eq!(
        ok(tx.plan_id(&bd.key), "plan id"),
        None,
        "a conflicting key was kept"
    );
    ok(tx.replace_plan(dana, &[fu.clone(), bd.clone()]), "plan");
    assert_eq!(
        ok(tx.plan_id(&fu.key), "plan id"),
        Some(7),
        "a restored number was not used"
    );
    let n_bd = ok(tx.plan_id(&bd.key), "plan id").expect("numbered");
    assert!(
        n_bd > 7,
        "the allocator did not move past a restored number"
    );
    assert_eq!(
        ok(tx.plan_keys(), "keys"),
        [(fu.key.to_string(), 7), (bd.key.to_string(), n_bd)]
    );
    ok(tx.commit(), "commit");
    let mut tx = write(s, ME);
    assert!(
        is_conflict(tx.set_plan_key("anything", 7)),
        "a committed number is not a Conflict"
    );
}

// ---- removal, merge, correction ----

/// Acme with Dana and Lee; job 1 (Engineer) with Dana; touches: 1 Dana alone, 2 Dana and Lee,
/// 3 Dana about the job, 4 Lee alone. Returns (dana, lee, job).
fn small_book(s: &dyn Store) -> (ContactId, ContactId, JobId) {
    let mut tx = write(s, ME);
    let acme = OrgRef {
        id: OrgId(ok(tx.next_id(Entity::Organization), "id")),
        name: "Acme".into(),
    };
    let add = |tx: &mut dyn WriteTx, e: Event| ok(tx.append(DAY, &e), e.kind());
    add(
        &mut *tx,
        Event::OrganizationAdded {
            id: acme.id,
            name: acme.name.clone(),
        },
    );
    let dana = contact(ok(tx.next_id(Entity::Contact), "id"), "Dana Reyes");
    let lee = contact(ok(tx.next_id(Entity::Contact), "id"), "Lee Park");
    let (d, l) = (dana.id, lee.id);
    add(&mut *tx, Event::ContactAdded { contact: dana });
    add(&mut *tx, Event::ContactAdded { contact: lee });
    let eng = job(ok(tx.next_id(Entity::Job), "id"), &acme, "Engineer", &[d]);
    let j = eng.id;
    add(&mut *tx, Event::JobAdded { job: eng });
    for (who, on_job) in [
        (vec![d], None),
        (vec![d, l], None),
        (vec![d], Some(j)),
        (vec![l], None),
    ] {
        let id = ok(tx.next_id(Entity::Touch), "id");
        add(
            &mut *tx,
            Event::TouchLogged {
                touch: touch(id, DAY, &who, on_job),
            },
        );
    }
    ok(tx.commit(), "commit");
    (d, l, j)
}

/// `Store::write_about` is a hint: the contacts named (twice, or not there at all) read as
/// a plain write reads them, before and after the change writes their rows; and a new owner's
/// first write may name contacts too.
fn a_write_about_contacts_reads_what_a_write_reads(store: &Arc<dyn Store>, _: bool) {
    let s = store.as_ref();
    let (d, l, j) = small_book(s);
    let missing = ContactId(999);
    let seen = |tx: &dyn ReadTx| {
        [d, l, missing].map(|c| {
            (
                ok(tx.contact(c), "contact").map(|c| c.name),
                touch_ids(ok(tx.touches_of_contact(c), "touches")),
                ok(tx.jobs_of_contact(c), "jobs")
                    .into_iter()
                    .map(|j| j.id.0)
                    .collect::<Vec<_>>(),
                ok(tx.snoozes(Subject::Contact(c)), "snoozes").len(),
                ok(
                    tx.plan_id(&PlanKey {
                        subject: Subject::Contact(c),
                        slot: Slot::FollowUp,
                    }),
                    "plan id",
                ),
            )
        })
    };
    let plain = seen(&*read(s, ME));
    assert_eq!(plain[0].0.as_deref(), Some("Dana Reyes"));
    assert_eq!(plain[0].2, vec![j.0]);
    assert_eq!(plain[2].0, None);
    let mut tx = ok(s.write_about(ME, &[d, missing, d, l]), "open a write about");
    assert_eq!(seen(&*tx), plain, "what a write about them reads first");
    let id = ok(tx.next_id(Entity::Touch), "id");
    ok(
        tx.append(
            DAY,
            &Event::TouchLogged {
                touch: touch(id, DAY, &[d], None),
            },
        ),
        "log",
    );
    let mut after = plain.clone();
    after[0].1.push(id);
    assert_eq!(seen(&*tx), after, "a touch written in it is read back");
    ok(tx.commit(), "commit");
    assert_eq!(seen(&*read(s, ME)), after, "and kept");

    let mut tx = ok(s.write_about(OTHER, &[d]), "a new owner's first write");
    assert_eq!(ok(tx.contact(d), "contact"), None, "owners are sealed");
    let c = contact(ok(tx.next_id(Entity::Contact), "id"), "Ada Ngo");
    let id = c.id;
    ok(tx.append(DAY, &Event::ContactAdded { contact: c }), "add");
    ok(tx.commit(), "commit");
    let tx = ok(s.write_about(OTHER, &[id]), "a write about the new contact");
    assert_eq!(
        ok(tx.contact(id), "contact").map(|c| c.name).as_deref(),
        Some("Ada Ngo")
    );
}

fn touch_ids(ts: Vec<Touch>) -> Vec<i64> {
    ts.into_iter().map(|t| t.id.0).collect()
}

fn removal_and_restore(store: &Arc<dyn Store>, _: bool) {
    let s = &**store;
    let (dana, lee, eng) = small_book(s);
    let apply = |e: Event| {
        let mut tx = write(s, ME);
        ok(tx.append(DAY, &e), e.kind());
        ok(tx.commit(), "commit");
    };

    // A deleted contact leaves every read; touches about them alone go too, shared ones stay.
    apply(Event::ContactRemoved { id: dana });
    let tx = read(s, ME);
    assert_eq!(contact_names(&*tx), ["Lee Park"]);
    assert!(ok(tx.contact(dana), "contact").is_none());
    assert!(ok(tx.contacts_named("Dana"), "named").is_empty());
    assert_eq!(touch_ids(ok(tx.all_touches(), "touches")), [2, 3, 4]);
    assert_eq!(touch_ids(ok(tx.touches_of_contact(lee), "of lee")), [2, 4]);
    let trash = ok(tx.trash(), "trash");
    assert_eq!(trash.contacts.len(), 1);
    assert_eq!(trash.contacts[0].1, Removal::Deleted);
    assert_eq!(
        trash
            .touches
            .iter()
            .map(|(t, w)| (t.id.0, *w))
            .collect::<Vec<_>>(),
        [(1, Removal::WithContact(dana))]
    );
    drop(tx);
    // Removing twice, or restoring what is there, is missing; the id stays taken.
    let mut tx = write(s, ME);
    assert!(is_missing(
        tx.append(DAY, &Event::ContactRemoved { id: dana })
    ));
    assert!(is_missing(
        tx.append(DAY, &Event::ContactRestored { id: lee })
    ));
    assert!(is_conflict(tx.append(
        DAY,
        &Event::ContactAdded {
            contact: contact(dana.0, "Someone Else"),
        }
    )));
    drop(tx);

    // Restored whole: the contact and the touch that went with them.
    apply(Event::ContactRestored { id: dana });
    let tx = read(s, ME);
    assert_eq!(contact_names(&*tx), ["Dana Reyes", "Lee Park"]);
    assert_eq!(
        touch_ids(ok(tx.touches_of_contact(dana), "of dana")),
        [1, 2, 3]
    );
    assert_eq!(ok(tx.trash(), "trash"), crate::Trash::default());
    drop(tx);

    // A deleted job takes its touches; restored, they come back.
    apply(Event::JobRemoved { id: eng });
    let tx = read(s, ME);
    assert!(ok(tx.job(eng), "job").is_none());
    assert!(ok(tx.jobs_of_contact(dana), "jobs of dana").is_empty());
    assert_eq!(
        touch_ids(ok(tx.touches_of_contact(dana), "of dana")),
        [1, 2]
    );
    assert_eq!(ok(tx.open_job_count(), "open"), 0);
    drop(tx);
    apply(Event::JobRestored { id: eng });
    let tx = read(s, ME);
    assert_eq!(touch_ids(ok(tx.touches_of_job(eng), "of job")), [3]);
    assert_eq!(ok(tx.open_job_count(), "open"), 1);
    drop(tx);

    // A retracted touch counts for nothing until restored; restoring it twice is missing.
    apply(Event::TouchRetracted { id: TouchId(2) });
    let tx = read(s, ME);
    assert!(ok(tx.touch(TouchId(2)), "touch").is_none());
    assert!(ok(tx.touch(TouchId(4)), "touch").is_some());
    assert_eq!(touch_ids(ok(tx.touches_of_contact(lee), "of lee")), [4]);
    drop(tx);
    let mut tx = write(s, ME);
    assert!(is_missing(
        tx.append(DAY, &Event::TouchRetracted { id: TouchId(2) })
    ));
    assert!(is_missing(tx.append(DAY, &Event::JobRestored { id: eng })));
    drop(tx);
    apply(Event::TouchRestored { id: TouchId(2) });
    let tx = read(s, ME);
    assert_eq!(touch_ids(ok(tx.touches_of_contact(lee), "of lee")), [2, 4]);
    drop(tx);
    let mut tx = write(s, ME);
    assert!(is_missing(
        tx.append(DAY, &Event::TouchRestored { id: TouchId(2) })
    ));
    drop(tx);

    // Snoozes: withdrawing takes back the newest of that item only.
    let key = PlanKey {
        subject: Subject::Contact(dana),
        slot: Slot::FollowUp,
    };
    let mut tx = write(s, ME);
    assert!(is_missing(tx.append(DAY, &Event::SnoozeWithdrawn { key })));
    for until in [date(2026, 3, 5), date(2026, 3, 9)] {
        ok(
            tx.append(
                DAY,
                &Event::Snoozed {
                    key,
                    until,
                    after: None,
                },
            ),
            "snooze",
        );
    }
    ok(tx.append(DAY, &Event::SnoozeWithdrawn { key }), "withdraw");
    let left: Vec<Date> = ok(tx.snoozes(key.subject), "snoozes")
        .into_iter()
        .map(|s| s.until)
        .collect();
    assert_eq!(left, [date(2026, 3, 5)]);
}

fn merges_move_history(store: &Arc<dyn Store>, _: bool) {
    let s = &**store;
    let (dana, lee, eng) = small_book(s);
    let mut tx = write(s, ME);
    assert!(is_conflict(tx.append(
        DAY,
        &Event::ContactsMerged {
            from: dana,
            into: dana
        }
    )));
    assert!(is_missing(tx.append(
        DAY,
        &Event::ContactsMerged {
            from: ContactId(99),
            into: dana
        }
    )));
    // Touch 4 (Lee alone) is retracted first: it must come back naming Dana.
    ok(
        tx.append(DAY, &Event::TouchRetracted { id: TouchId(4) }),
        "retract",
    );
    ok(
        tx.append(
            DAY,
            &Event::ContactsMerged {
                from: lee,
                into: dana,
            },
        ),
        "merge",
    );
    ok(tx.commit(), "commit");
    let tx = read(s, ME);
    assert_eq!(contact_names(&*tx), ["Dana Reyes"]);
    assert_eq!(
        touch_ids(ok(tx.touches_of_contact(dana), "of dana")),
        [1, 2, 3]
    );
    let shared = ok(tx.touches_of_contact(dana), "of dana");
    assert_eq!(
        shared[1].contacts,
        [dana],
        "the shared touch names Dana once"
    );
    assert!(ok(tx.touches_of_contact(lee), "of lee").is_empty());
    assert_eq!(
        ok(tx.trash(), "trash").contacts[0].1,
        Removal::MergedInto(dana)
    );
    drop(tx);
    let mut tx = write(s, ME);
    assert!(is_missing(
        tx.append(DAY, &Event::ContactRestored { id: lee })
    ));
    ok(
        tx.append(DAY, &Event::TouchRestored { id: TouchId(4) }),
        "restore",
    );
    assert_eq!(
        touch_ids(ok(tx.touches_of_contact(dana), "of dana")),
        [1, 2, 3, 4]
    );
    assert_eq!(
        ok(tx.jobs_of_contact(dana), "jobs").len(),
        1,
        "job {eng} still Dana's"
    );
}

fn edits_replace_touches(store: &Arc<dyn Store>, _: bool) {
    let s = &**store;
    let (dana, lee, eng) = small_book(s);
    let mut tx = write(s, ME);
    // Touch 1 was with Lee about the job, on another day, with a note.
    let mut t = touch(1, date(2026, 2, 20), &[lee], Some(eng));
    t.note = Some("corrected".into());
    ok(
        tx.append(DAY, &Event::TouchEdited { touch: t.clone() }),
        "edit",
    );
    assert_eq!(
        touch_ids(ok(tx.touches_of_contact(dana), "of dana")),
        [2, 3]
    );
    assert_eq!(
        touch_ids(ok(tx.touches_of_contact(lee), "of lee")),
        [1, 2, 4]
    );
    assert_eq!(touch_ids(ok(tx.touches_of_job(eng), "of job")), [1, 3]);
    assert_eq!(ok(tx.jobs_of_contact(lee), "jobs of lee").len(), 1);
    // A job edit changes only what it names.
    let patch = followup_core::JobPatch {
        title: Some("Staff Engineer".into()),
        url: Some(Some("https://acme.example/jobs/1".into())),
        ..Default::default()
    };
    ok(
        tx.append(DAY, &Event::JobEdited { id: eng, patch }),
        "job edit",
    );
    let edited = ok(tx.job(eng), "job").expect("there");
    assert_eq!(edited.title, "Staff Engineer");
    assert_eq!(edited.url.as_deref(), Some("https://acme.example/jobs/1"));
    assert_eq!(edited.contacts.len(), 2, "links stay");
    assert!(is_missing(tx.append(
        DAY,
        &Event::JobEdited {
            id: JobId(99),
            patch: followup_core::JobPatch::default()
        }
    )));
    let mut missing = t.clone();
    missing.id = TouchId(99);
    assert!(is_missing(
        tx.append(DAY, &Event::TouchEdited { touch: missing })
    ));
    let mut no_job = t;
    no_job.job = Some(JobId(99));
    assert!(is_missing(
        tx.append(DAY, &Event::TouchEdited { touch: no_job })
    ));
    ok(tx.commit(), "commit");
    let tx = read(s, ME);
    let edited = &ok(tx.touches_of_job(eng), "of job")[0];
    assert_eq!(edited.note.as_deref(), Some("corrected"));
    assert_eq!(edited.date, date(2026, 2, 20));
}

fn events_keep_their_actor(store: &Arc<dyn Store>, _: bool) {
    let s = &**store;
    let (dana, _, _) = small_book(s);
    let mut tx = write(s, ME);
    tx.act_as(Some(AccountId(7)));
    let id = ok(tx.next_id(Entity::Touch), "id");
    ok(
        tx.append(
            DAY,
            &Event::TouchLogged {
                touch: touch(id, DAY, &[dana], None),
            },
        ),
        "log as account 7",
    );
    tx.act_as(None);
    ok(
        tx.append(DAY, &Event::TouchRetracted { id: TouchId(id) }),
        "retract as the owner",
    );
    ok(tx.commit(), "commit");
    let (all, by) = {
        let r = read(s, ME);
        (
            ok(r.events(), "events"),
            ok(r.events_by_accounts(), "by accounts"),
        )
    };
    let acted: Vec<_> = all.iter().filter(|e| e.actor.is_some()).collect();
    assert_eq!(acted.len(), 1, "one event of account 7 in {all:?}");
    assert_eq!(acted[0].actor, Some(AccountId(7)));
    assert_eq!(acted[0].event.kind(), "touch-logged");
    assert_eq!(
        all.last().map(|e| e.actor),
        Some(None),
        "act_as(None) is the owner"
    );
    assert_eq!(by, acted.into_iter().cloned().collect::<Vec<_>>());
    // Another owner's log has nothing of it, and a fresh transaction acts as the owner.
    assert!(ok(read(s, OTHER).events_by_accounts(), "other").is_empty());
    let mut tx = write(s, ME);
    ok(
        tx.append(DAY, &Event::TouchRestored { id: TouchId(id) }),
        "restore",
    );
    ok(tx.commit(), "commit");
    assert_eq!(ok(read(s, ME).events_by_accounts(), "again").len(), 1);
}

fn mail_is_read_once(store: &Arc<dyn Store>, _: bool) {
    use followup_core::{MailMeaning, MailRecord};
    let s = &**store;
    let (dana, _, eng) = small_book(s);
    let record = |id: &str, meaning, thread: &str| MailRecord {
        message_id: id.into(),
        meaning,
        day: DAY,
        address: "dana.reyes@example.com".into(),
        thread: thread.into(),
        contact: Some(dana),
        job: Some(eng),
        touch: Some(TouchId(1)),
        back_on: None,
    };
    let mut tx = write(s, ME);
    let sent = record("s1@example.com", MailMeaning::Sent, "thank you");
    let reply = record("r1@acme.example", MailMeaning::Reply, "thank you");
    let auto = MailRecord {
        back_on: Some(date(2026, 3, 14)),
        touch: None,
        ..record("a1@acme.example", MailMeaning::AutoReply, "other")
    };
    for m in [&sent, &reply, &auto] {
        ok(
            tx.append(DAY, &Event::MailRead { mail: m.clone() }),
            "read mail",
        );
    }
    // A second read of one Message-ID is a conflict, and changes nothing.
    match tx.append(
        DAY,
        &Event::MailRead {
            mail: reply.clone(),
        },
    ) {
        Err(StoreError::Conflict { .. }) => {}
        other => panic!("a Message-ID read twice: {other:?}"),
    }
    ok(tx.commit(), "commit");
    let r = read(s, ME);
    assert_eq!(ok(r.mail("r1@acme.example"), "mail"), Some(reply.clone()));
    assert_eq!(ok(r.mail("nope@x"), "mail"), None);
    assert_eq!(
        ok(r.mail_in_thread("thank you"), "thread"),
        [sent.clone(), reply.clone()],
        "in the order read"
    );
    assert_eq!(
        ok(r.mail_counts(), "counts"),
        [
            (MailMeaning::Reply, 1),
            (MailMeaning::Sent, 1),
            (MailMeaning::AutoReply, 1)
        ]
    );
    assert_eq!(
        ok(r.events(), "events").len(),
        3 + 8,
        "three events beside the book"
    );
    drop(r);
    let other = read(s, OTHER);
    assert_eq!(ok(other.mail("r1@acme.example"), "sealed"), None);
    assert!(ok(other.mail_counts(), "sealed").is_empty());
}

fn derived_settings_follow_the_data(store: &Arc<dyn Store>, _: bool) {
    let s = &**store;
    let both = |owner| {
        ok(
            s.version_and_setting(owner, "derived.sum"),
            "version and setting",
        )
    };
    assert_eq!(both(ME), (0, None), "nothing yet");
    let mut tx = write(s, ME);
    ok(tx.set_setting("derived.sum", "1 touch"), "derived");
    ok(tx.set_setting("derived.other", "x"), "derived");
    ok(tx.set_setting("plain", "kept"), "plain");
    assert_eq!(
        ok(tx.setting("derived.sum"), "read own write").as_deref(),
        Some("1 touch"),
        "a transaction reads its own derived setting"
    );
    ok(tx.commit(), "commit");
    let (v1, sum) = both(ME);
    assert_eq!(
        sum.as_deref(),
        Some("1 touch"),
        "kept by the commit that wrote it"
    );
    assert_eq!(
        v1,
        ok(s.version(ME), "version"),
        "the version beside it is the store's"
    );
    assert_eq!(both(OTHER), (0, None), "sealed: another owner sees neither");
    assert_eq!(
        ok(
            s.versions_and_settings(&[OTHER, ME, OTHER], "derived.sum"),
            "several"
        ),
        vec![(0, None), both(ME), (0, None)],
        "several owners at once, each its own, in the order asked"
    );
    assert!(ok(s.versions_and_settings(&[], "derived.sum"), "none").is_empty());
    // A commit that writes one derived setting keeps that one and drops the other.
    let mut tx = write(s, ME);
    let will_be = ok(tx.committed_version(), "committed version");
    assert!(will_be > v1, "a commit moves the version on");
    ok(tx.set_setting("derived.sum", "2 touches"), "derived");
    ok(tx.commit(), "commit");
    let (v2, sum) = both(ME);
    assert_eq!(
        v2, will_be,
        "the version the transaction said its commit would make"
    );
    assert_eq!(sum.as_deref(), Some("2 touches"));
    let r = read(s, ME);
    assert_eq!(
        ok(r.setting("derived.other"), "other").as_deref(),
        None,
        "a derived setting the commit did not write is gone"
    );
    assert_eq!(ok(r.setting("plain"), "plain").as_deref(), Some("kept"));
    drop(r);
    // A commit that writes none (another process, a path that knows nothing of them).
    let mut tx = write(s, ME);
    ok(tx.set_setting("plain", "again"), "plain");
    ok(tx.commit(), "commit");
    assert_eq!(both(ME).1, None, "gone with the next commit");
    assert_eq!(
        ok(read(s, ME).setting("plain"), "plain").as_deref(),
        Some("again"),
        "plain settings stay"
    );
    // A write dropped without its commit changes nothing.
    let mut tx = write(s, ME);
    ok(tx.set_setting("derived.sum", "3"), "derived");
    drop(tx);
    assert_eq!(both(ME).1, None, "a rolled-back write keeps nothing");
    // A change that failed in between (its savepoint rolled back) does not make a store
    // forget which derived settings were there.
    let mut tx = write(s, ME);
    ok(tx.set_setting("derived.sum", "4"), "derived");
    ok(tx.set_setting("derived.other", "x"), "other");
    ok(tx.commit(), "commit");
    let mut tx = write(s, ME);
    let missing = Event::ContactEdited {
        id: ContactId(99),
        patch: ContactPatch::default(),
    };
    assert!(is_missing(tx.append(DAY, &missing)), "a missing contact");
    ok(tx.set_setting("derived.sum", "5"), "derived");
    ok(tx.commit(), "commit");
    assert_eq!(both(ME).1.as_deref(), Some("5"));
    assert_eq!(
        ok(read(s, ME).setting("derived.other"), "other").as_deref(),
        None,
        "a derived setting not written again after a failed change is gone"
    );
    let mut tx = write(s, ME);
    ok(tx.set_setting("plain", "again"), "plain");
    ok(tx.commit(), "commit");
    assert_eq!(both(ME).1, None, "gone with the next commit");
    // A setting that only starts like one is not derived.
    let mut tx = write(s, ME);
    ok(tx.set_setting("derivedness", "plain"), "plain");
    ok(tx.set_setting("derived/", "plain"), "plain");
    ok(tx.commit(), "commit");
    ok(write(s, ME).commit(), "commit");
    let r = read(s, ME);
    assert_eq!(ok(r.setting("derivedness"), "p").as_deref(), Some("plain"));
    assert_eq!(ok(r.setting("derived/"), "p").as_deref(), Some("plain"));
}

fn writes_say_what_they_appended(store: &Arc<dyn Store>, _: bool) {
    let s = &**store;
    let dana = add_contact(s, ME, "Dana");
    let mut tx = write(s, ME);
    assert_eq!(tx.appended(), &Appended::default(), "nothing yet");
    let t = touch(
        ok(tx.next_id(Entity::Touch), "id"),
        date(2026, 3, 2),
        &[dana],
        None,
    );
    ok(
        tx.append(date(2026, 3, 2), &Event::TouchLogged { touch: t.clone() }),
        "log",
    );
    ok(
        tx.append(
            date(2026, 3, 2),
            &Event::ContactEdited {
                id: dana,
                patch: ContactPatch {
                    name: Some("Dana Ito".into()),
                    ..ContactPatch::default()
                },
            },
        ),
        "edit",
    );
    assert_eq!(
        tx.appended(),
        &Appended {
            logged: vec![t.clone()],
            other: false,
            jobs: false,
            settings: Default::default(),
            holidays: false,
        },
        "a logged touch, and an edit that changes no touch"
    );
    // An append the store refuses is not counted.
    assert!(
        tx.append(date(2026, 3, 2), &Event::TouchLogged { touch: t.clone() })
            .is_err(),
        "the same touch twice is refused"
    );
    assert_eq!(
        tx.appended().logged.len(),
        1,
        "a refused append is not counted"
    );
    ok(
        tx.append(date(2026, 3, 3), &Event::TouchRetracted { id: t.id }),
        "retract",
    );
    assert!(tx.appended().other, "a retraction changes the touches");
    assert!(tx.appended().keeps_policy(), "nothing a policy reads, yet");
    ok(tx.set_setting("plain", "x"), "setting");
    assert!(
        tx.appended().settings.contains("plain"),
        "a setting written is noted"
    );
    assert!(
        !tx.appended().keeps_policy(),
        "a plain setting may be policy"
    );
    ok(tx.commit(), "commit");
    let mut tx = write(s, ME);
    ok(
        tx.append(
            date(2026, 3, 3),
            &Event::HolidaysKept {
                source: "us".into(),
                days: vec![date(2026, 12, 25)],
            },
        ),
        "holidays",
    );
    assert!(
        tx.appended().holidays && !tx.appended().keeps_policy(),
        "holidays move the policy's calendar"
    );
    drop(tx);
    assert_eq!(
        write(s, ME).appended(),
        &Appended::default(),
        "each transaction starts afresh"
    );
}

fn plan_replaced_by_slices(store: &Arc<dyn Store>, _: bool) {
    let s = &**store;
    let dana = add_contact(s, ME, "Dana Reyes");
    let lee = add_contact(s, ME, "Lee Park");
    let ana = add_contact(s, ME, "Ana Cruz");
    let (d, l, a) = (
        Subject::Contact(dana),
        Subject::Contact(lee),
        Subject::Contact(ana),
    );
    let mut tx = write(s, ME);
    // Touches by contact slices: one with Dana and Ana counts once for a slice holding both.
    let mut ids = Vec::new();
    for with in [vec![dana], vec![lee], vec![dana, ana], vec![ana]] {
        let id = ok(tx.next_id(Entity::Touch), "id");
        ok(
            tx.append(
                date(2026, 3, 2),
                &Event::TouchLogged {
                    touch: touch(id, date(2026, 3, 2), &with, None),
                },
            ),
            "log",
        );
        ids.push(id);
    }
    let of = |tx: &dyn WriteTx, from: ContactId, to: ContactId| -> Vec<i64> {
        ok(tx.touches_of_contacts(from, to), "touches of contacts")
            .iter()
            .map(|t| t.id.0)
            .collect()
    };
    let (lo, hi) = (dana.min(lee).min(ana), dana.max(lee).max(ana));
    assert_eq!(of(&*tx, lo, hi), ids, "every touch once, by id");
    assert_eq!(of(&*tx, dana, dana), vec![ids[0], ids[2]], "Dana's alone");
    assert!(
        of(&*tx, ContactId(hi.0 + 1), ContactId(hi.0 + 9)).is_empty(),
        "no contact in the slice, no touch"
    );
    // The plan: three subjects, replaced two at a time.
    let dfu = item(d, Slot::FollowUp, date(2026, 3, 11));
    let lfu = item(l, Slot::FollowUp, date(2026, 3, 20));
    let afu = item(a, Slot::FollowUp, date(2026, 3, 25));
    ok(
        tx.replace_plan_of(&[d, l, a], &[dfu.clone(), lfu.clone(), afu.clone()]),
        "all three",
    );
    let num = |tx: &dyn WriteTx, i: &FollowUp| ok(tx.plan_id(&i.key), "plan id").expect("a number");
    let (n_d, n_l, n_a) = (num(&*tx, &dfu), num(&*tx, &lfu), num(&*tx, &afu));
    let mut subjects = ok(tx.plan_subjects(), "subjects");
    subjects.sort();
    let mut want = vec![d, l, a];
    want.sort();
    assert_eq!(subjects, want, "each subject once");
    // Dana's moves, Lee's goes, Ana's (not in the slice) stays.
    let dfu2 = item(d, Slot::FollowUp, date(2026, 3, 12));
    ok(
        tx.replace_plan_of(&[d, l], std::slice::from_ref(&dfu2)),
        "a slice",
    );
    let items: Vec<(i64, FollowUp)> = ok(tx.plan_all(), "plan")
        .into_iter()
        .map(|p| (p.id, p.item))
        .collect();
    assert_eq!(
        items,
        {
            let mut v = vec![(n_d, dfu2.clone()), (n_a, afu.clone())];
            v.sort_by_key(|x| x.0);
            v
        },
        "the slice's subjects replaced, the others kept, numbers kept"
    );
    // Lee's key keeps its number when Lee has an item again.
    ok(
        tx.replace_plan_of(&[l], std::slice::from_ref(&lfu)),
        "Lee again",
    );
    assert_eq!(num(&*tx, &lfu), n_l, "a key keeps its number");
    assert!(
        is_conflict(tx.replace_plan_of(&[d], &[dfu.clone(), dfu2.clone()])),
        "one key twice conflicts"
    );
    ok(tx.replace_plan_of(&[], &[]), "nothing");
    ok(tx.commit(), "commit");
    assert_eq!(
        ok(read(s, OTHER).plan_subjects(), "other").len(),
        0,
        "sealed: another owner has no plan"
    );
}

/// What [`ReadTx::plan_extents`] (or the walk it stands for) handed over: the days' extents in
/// order, and the loose rows as (number, due, came whole), sorted.
type Measured = (Vec<followup_core::line::Extent>, Vec<(i64, Date, bool)>);

fn measured(r: &dyn ReadTx, until: Date, today: Date, kept: bool) -> Option<Measured> {
    use crate::RowBody;
    let mut days = Vec::new();
    let mut loose = Vec::new();
    let mut on_day = |e: &followup_core::line::Extent| days.push(*e);
    let mut on_row = |row: crate::PlanRow<'_>| {
        loose.push((row.id, row.due, matches!(row.body, RowBody::Item(_))))
    };
    let said = if kept {
        ok(
            r.plan_extents(until, today, &mut on_day, &mut on_row),
            "extents",
        )
    } else {
        ok(
            crate::extents_by_walk(r, until, today, &mut on_day, &mut on_row),
            "extents by walk",
        )
    };
    loose.sort();
    said.then_some((days, loose))
}

fn extents_are_what_a_walk_measures(store: &Arc<dyn Store>, _: bool) {
    use followup_core::plan::{ContactRef, Step};
    let s = &**store;
    let base = date(2026, 3, 10);
    // A small generator of its own, seeded: the same rounds on every backend and every run.
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let names = [
        "Ann",
        "Bo",
        "Émile Zola-Durand",
        "Dora",
        "",
        "Lee Park of Acme",
    ];
    let actions = [
        Action::FollowUp,
        Action::Retry,
        Action::ValueAdd,
        Action::KeepInTouch,
        Action::ThankYou,
    ];
    let subjects: Vec<Subject> = (1..=16).map(|k| Subject::Job(JobId(k))).collect();
    for round in 0..60 {
        let mut pick = |n: usize| next(n as u64) as usize;
        let chosen: Vec<Subject> = subjects.iter().copied().filter(|_| pick(3) == 0).collect();
        let mut items = Vec::new();
        for (k, subject) in chosen.iter().enumerate() {
            if pick(4) == 0 {
                continue; // the subject's item goes
            }
            let due = base
                .checked_add(jiff::Span::new().days(pick(21) as i64 - 10))
                .expect("a day");
            let mut it = item(*subject, Slot::FollowUp, due);
            it.action = actions[pick(actions.len())];
            it.channel = Channel::ALL[pick(Channel::ALL.len())];
            it.rule = Rule(1 + pick(9) as u8);
            let name = names[pick(names.len())];
            if !name.is_empty() {
                it.contact = Some(ContactRef {
                    id: ContactId(k as i64 + 1),
                    name: name.to_string(),
                });
            }
            if it.action == Action::ThankYou && pick(2) == 0 {
                it.then = Some(Step {
                    due: due.checked_add(jiff::Span::new().days(4)).expect("a day"),
                    action: Action::FollowUp,
                    rule: Rule(4),
                    why: "F4: test".into(),
                    reason: None,
                    call_when_late: false,
                });
            }
            if pick(5) == 0 {
                it.move_on_from = Some(due.checked_add(jiff::Span::new().days(3)).expect("a day"));
            }
            it.call_when_late = pick(6) == 0;
            items.push(it);
        }
        let mut tx = write(s, ME);
        match pick(10) {
            0 => ok(tx.clear_plan(), "clear"),
            1 => {
                let one = subjects[pick(subjects.len())];
                let mine: Vec<FollowUp> = items
                    .iter()
                    .filter(|i| i.key.subject == one)
                    .cloned()
                    .collect();
                ok(tx.replace_plan(one, &mine), "replace one subject")
            }
            _ => ok(tx.replace_plan_of(&chosen, &items), "replace a slice"),
        }
        if pick(8) == 0 {
            drop(tx); // rolled back: the extents stay those of the last commit
        } else {
            ok(tx.commit(), "commit");
        }
        let r = read(s, ME);
        // What a caseload summary keeps of the plan, from the lines or whole: the same.
        let mut dues = ok(r.plan_dues(), "dues");
        let mut whole = crate::plan_dues_of(&ok(r.plan_all(), "plan"));
        dues.sort();
        whole.sort();
        assert_eq!(dues, whole, "round {round}: plan_dues");
        for today in [base.yesterday().expect("a day"), base, date(2026, 3, 16)] {
            for until in [today, date(2026, 3, 25)] {
                let kept = measured(&*r, until, today, true)
                    .unwrap_or_else(|| panic!("round {round}: the store kept no extents"));
                let walked = measured(&*r, until, today, false).expect("a walk always measures");
                assert_eq!(
                    kept, walked,
                    "round {round}, today {today}, until {until}: extents differ from a walk"
                );
            }
        }
    }
    // Another owner's extents are empty.
    let other = read(s, OTHER);
    assert_eq!(
        measured(&*other, date(2026, 3, 25), base, true),
        Some((vec![], vec![])),
        "sealed: another owner's extents"
    );
}
