//! The store's own tests: the contract of `Store`/`Tx` on the SQLite backend.

use followup_core::Event;
use followup_core::model::*;
use followup_core::plan::{Action, FollowUp, PlanKey, Rule, Slot, Subject};
use followup_store::{Entity, Mode, SqliteStore, Store, StoreError};
use jiff::civil::date;

const ME: OwnerId = OwnerId(1);
const OTHER: OwnerId = OwnerId(2);

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
        birthday: Some(date(1988, 2, 29)),
        work_anniversary: None,
        personal_anniversary: None,
        notes: None,
        added_on: date(2026, 3, 1),
        cadence_start: None,
    }
}

fn add_contact(s: &mut dyn Store, owner: OwnerId, name: &str) -> ContactId {
    let mut tx = s.begin(owner, Mode::Write).unwrap();
    let id = tx.next_id(Entity::Contact).unwrap();
    tx.append(
        date(2026, 3, 1),
        &Event::ContactAdded {
            contact: contact(id, name),
        },
    )
    .unwrap();
    tx.commit().unwrap();
    ContactId(id)
}

fn item(c: ContactId, due: jiff::civil::Date, slot: Slot) -> FollowUp {
    FollowUp {
        key: PlanKey {
            subject: Subject::Contact(c),
            slot,
        },
        due,
        action: if slot == Slot::FollowUp {
            Action::FollowUp
        } else {
            Action::Occasion
        },
        rule: Rule(3),
        why: "F3: test".into(),
        channel: Channel::Email,
        contact: None,
        jobs: vec![],
        move_on_from: None,
        call_when_late: false,
        unasked: vec![],
        then: None,
        after_touch: None,
        reason: None,
        greeted_on: None,
    }
}

#[test]
fn migrations_run_and_a_newer_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.db");
    {
        let mut s = SqliteStore::open(&path).unwrap();
        add_contact(&mut s, ME, "Dana Reyes");
    }
    // Reopening keeps the data and does not migrate twice.
    let mut s = SqliteStore::open(&path).unwrap();
    assert_eq!(
        s.begin(ME, Mode::Read).unwrap().contacts().unwrap().len(),
        1
    );
    drop(s);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let before = std::fs::read(&path).unwrap();
    match SqliteStore::open(&path) {
        Err(StoreError::Newer { found: 99, .. }) => {}
        Err(e) => panic!("wrong error {e}"),
        Ok(_) => panic!("a newer database was opened"),
    }
    assert_eq!(
        before,
        std::fs::read(&path).unwrap(),
        "refused database untouched"
    );
}

#[test]
fn owners_never_see_each_other() {
    let mut s = SqliteStore::in_memory().unwrap();
    let dana = add_contact(&mut s, ME, "Dana Reyes");
    add_contact(&mut s, OTHER, "Sam Ito");
    let tx = s.begin(OTHER, Mode::Read).unwrap();
    let names: Vec<String> = tx.contacts().unwrap().into_iter().map(|c| c.name).collect();
    assert_eq!(names, vec!["Sam Ito"]);
    assert!(tx.contacts_named("Dana").unwrap().is_empty());
    // Ids are per owner: both owners' first contact is 1.
    assert_eq!(tx.contacts().unwrap()[0].id, dana);
    assert!(tx.events().unwrap().len() == 1);
}

#[test]
fn a_dropped_transaction_leaves_nothing() {
    let mut s = SqliteStore::in_memory().unwrap();
    {
        let mut tx = s.begin(ME, Mode::Write).unwrap();
        tx.append(
            date(2026, 3, 1),
            &Event::ContactAdded {
                contact: contact(1, "Dana"),
            },
        )
        .unwrap();
    }
    let tx = s.begin(ME, Mode::Read).unwrap();
    assert!(tx.is_empty().unwrap());
    assert!(tx.contacts().unwrap().is_empty());
}

#[test]
fn names_match_exactly_then_by_part() {
    let mut s = SqliteStore::in_memory().unwrap();
    add_contact(&mut s, ME, "Dana Reyes");
    add_contact(&mut s, ME, "Dana Scully");
    add_contact(&mut s, ME, "100%_real");
    let tx = s.begin(ME, Mode::Read).unwrap();
    assert_eq!(tx.contacts_named("dana reyes").unwrap().len(), 1);
    assert_eq!(tx.contacts_named("Dana").unwrap().len(), 2);
    assert_eq!(
        tx.contacts_named("%").unwrap().len(),
        1,
        "LIKE wildcards are escaped"
    );
    assert!(tx.contacts_named("Zed").unwrap().is_empty());
}

#[test]
fn plan_numbers_survive_replans_and_occasions_match_the_window() {
    let mut s = SqliteStore::in_memory().unwrap();
    let dana = add_contact(&mut s, ME, "Dana Reyes");
    let mut tx = s.begin(ME, Mode::Write).unwrap();
    let subject = Subject::Contact(dana);
    tx.replace_plan(
        subject,
        &[
            item(dana, date(2026, 3, 11), Slot::FollowUp),
            item(dana, date(1988, 2, 29), Slot::Birthday),
        ],
    )
    .unwrap();
    let first = tx.plan_all().unwrap();
    tx.clear_plan().unwrap();
    assert!(tx.plan_all().unwrap().is_empty());
    tx.replace_plan(
        subject,
        &[
            item(dana, date(2026, 3, 12), Slot::FollowUp),
            item(dana, date(1988, 2, 29), Slot::Birthday),
        ],
    )
    .unwrap();
    let second = tx.plan_all().unwrap();
    let ids = |v: &[followup_core::Planned]| v.iter().map(|p| p.id).collect::<Vec<_>>();
    assert_eq!(ids(&first), ids(&second));
    // 29 Feb shows in a window ending 28 Feb of a common year.
    let w = tx
        .plan_window(date(2026, 2, 20), date(2026, 2, 28))
        .unwrap();
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].item.action, Action::Occasion);
    // A window over New Year, before the follow-up is due.
    let w = tx
        .plan_window(date(2025, 12, 20), date(2026, 1, 5))
        .unwrap();
    assert!(w.is_empty());
    let w = tx.plan_window(date(2026, 3, 1), date(2026, 3, 31)).unwrap();
    assert_eq!(w.len(), 1, "{w:?}");
    tx.commit().unwrap();
}
