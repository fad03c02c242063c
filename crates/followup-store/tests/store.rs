//! The store's own tests: every backend against the contract (`conformance::run`), and what
//! only SQLite has (migrations, files a newer binary wrote).

use std::sync::atomic::{AtomicUsize, Ordering};

use followup_core::Event;
use followup_core::model::*;
use followup_core::plan::{PlanKey, Slot, Subject};
use followup_store::{Entity, MemoryStore, SqliteStore, Store, StoreError, conformance};
use jiff::civil::date;
use rusqlite::params;

const ME: OwnerId = OwnerId(1);
const OTHER: OwnerId = OwnerId(2);

fn contact(id: i64, name: &str) -> Contact {
    Contact {
        id: ContactId(id),
        name: name.into(),
        emails: vec![],
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

fn add_contact(s: &dyn Store, owner: OwnerId, name: &str) -> ContactId {
    let mut tx = s.write(owner).unwrap();
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

#[test]
fn memory_store_keeps_the_contract() {
    conformance::run("MemoryStore", false, &|| Box::new(MemoryStore::new()));
}

#[test]
fn sqlite_file_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let n = AtomicUsize::new(0);
    conformance::run("SqliteStore (file)", false, &|| {
        let path = dir
            .path()
            .join(format!("{}.db", n.fetch_add(1, Ordering::Relaxed)));
        Box::new(SqliteStore::open(&path).unwrap())
    });
}

#[test]
fn sqlite_in_memory_keeps_the_contract() {
    // One connection for reads and writes: a read waits for an open write there.
    conformance::run("SqliteStore::in_memory", true, &|| {
        Box::new(SqliteStore::in_memory().unwrap())
    });
}

#[test]
fn migrations_run_and_a_newer_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.db");
    {
        let s = SqliteStore::open(&path).unwrap();
        add_contact(&s, ME, "Dana Reyes");
    }
    // Reopening keeps the data and does not migrate twice.
    let s = SqliteStore::open(&path).unwrap();
    assert_eq!(s.read(ME).unwrap().contacts().unwrap().len(), 1);
    drop(s);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, followup_store::SCHEMA_VERSION);
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
fn a_missing_database_is_not_created_for_a_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub").join("f.db");
    assert!(matches!(
        SqliteStore::open_existing(&path),
        Err(StoreError::NoDatabase { .. })
    ));
    assert!(!dir.path().join("sub").exists(), "nothing left behind");
}

/// A database as version 3 of the schema left it, built by running its migrations by hand.
fn version_3_database(path: &std::path::Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    for sql in [
        include_str!("../migrations/sqlite/0001_init.sql"),
        include_str!("../migrations/sqlite/0002_settings.sql"),
        include_str!("../migrations/sqlite/0003_holidays.sql"),
    ] {
        conn.execute_batch(sql).unwrap();
    }
    conn.pragma_update(None, "user_version", 3).unwrap();
    conn.execute("INSERT INTO owners (id, name) VALUES (2, 'them')", [])
        .unwrap();
    let acme = OrgRef {
        id: OrgId(5),
        name: "Acme".into(),
    };
    conn.execute(
        "INSERT INTO organizations (owner, id, name) VALUES (1, 5, 'Acme')",
        [],
    )
    .unwrap();
    for (owner, c) in [(1, contact(7, "Dana Reyes")), (2, contact(2, "Sam Ito"))] {
        conn.execute(
            "INSERT INTO contacts (owner, id, name, data) VALUES (?1, ?2, ?3, ?4)",
            params![owner, c.id.0, c.name, serde_json::to_string(&c).unwrap()],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO events (owner, recorded_on, kind, payload) VALUES (?1, '2026-03-01', 'contact-added', ?2)",
            params![owner, serde_json::to_string(&Event::ContactAdded { contact: c }).unwrap()],
        )
        .unwrap();
    }
    let job = Job {
        id: JobId(3),
        organization: acme,
        title: "Engineer".into(),
        url: None,
        response_time: None,
        applied: None,
        stage: Stage::Applied,
        contacts: vec![ContactId(7)],
        added_on: date(2026, 3, 1),
        notes: None,
    };
    conn.execute(
        "INSERT INTO jobs (owner, id, org_id, title, stage, data) VALUES (1, 3, 5, 'Engineer', 'applied', ?1)",
        params![serde_json::to_string(&job).unwrap()],
    )
    .unwrap();
    let touch = Touch {
        id: TouchId(9),
        kind: TouchKind::Application,
        direction: Direction::Outbound,
        date: date(2026, 3, 2),
        contacts: vec![ContactId(7)],
        job: Some(JobId(3)),
        note: None,
        answers: None,
        poor_fit: false,
        promises: vec![],
        message: None,
    };
    conn.execute(
        "INSERT INTO touches (owner, id, date, job_id, data) VALUES (1, 9, '2026-03-02', 3, ?1)",
        params![serde_json::to_string(&touch).unwrap()],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO plan_keys (owner, id, key) VALUES (1, 4, 'contact/7/follow-up')",
        [],
    )
    .unwrap();
}

#[test]
fn a_version_3_database_migrates_with_ids_past_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v3.db");
    version_3_database(&path);
    let s = SqliteStore::open(&path).unwrap();
    let r = s.read(ME).unwrap();
    assert_eq!(r.contacts().unwrap()[0].name, "Dana Reyes", "rows kept");
    assert_eq!(r.events().unwrap().len(), 1, "log kept");
    assert_eq!(r.touches_of_job(JobId(3)).unwrap()[0].id, TouchId(9));
    drop(r);
    let key = PlanKey {
        subject: Subject::Contact(ContactId(7)),
        slot: Slot::FollowUp,
    };
    let mut tx = s.write(ME).unwrap();
    assert_eq!(tx.plan_id(&key).unwrap(), Some(4), "plan numbers kept");
    assert_eq!(tx.next_id(Entity::Organization).unwrap(), 6);
    assert_eq!(tx.next_id(Entity::Contact).unwrap(), 8);
    assert_eq!(tx.next_id(Entity::Job).unwrap(), 4);
    assert_eq!(tx.next_id(Entity::Touch).unwrap(), 10);
    tx.set_plan_key("contact/7/birthday", 5)
        .expect("5 is the allocator's next plan number, free");
    tx.commit().unwrap();
    let mut tx = s.write(OTHER).unwrap();
    assert_eq!(tx.next_id(Entity::Contact).unwrap(), 3, "seeded per owner");
    assert_eq!(
        tx.next_id(Entity::Job).unwrap(),
        1,
        "an owner without rows starts at 1"
    );
    drop(tx);
    drop(s);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, followup_store::SCHEMA_VERSION);
    let plan_next: i64 = conn
        .query_row(
            "SELECT next FROM ids WHERE owner = 1 AND entity = 'plan-key'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        plan_next, 6,
        "seeded past key 4, then moved past the restored 5"
    );
}

#[test]
fn memory_directory_keeps_the_contract() {
    followup_store::directory::conformance("MemoryDirectory", &|| {
        Box::new(followup_store::MemoryDirectory::new())
    });
}

/// Migration 8 fills the agenda's columns of plan rows written before it (every owner's), so
/// an upgraded database walks its agenda in order from kept lines at once, and a full replan
/// of unchanged items leaves those rows as they are.
#[test]
fn a_version_7_plan_gets_its_lines_when_migrated() {
    use followup_core::agenda::Planned;
    use followup_core::line::{Compact, Line};
    use followup_core::plan::{Action, ContactRef, FollowUp, Rule};
    use followup_store::RowBody;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v7.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    for sql in [
        include_str!("../migrations/sqlite/0001_init.sql"),
        include_str!("../migrations/sqlite/0002_settings.sql"),
        include_str!("../migrations/sqlite/0003_holidays.sql"),
        include_str!("../migrations/sqlite/0004_ids_versions.sql"),
        include_str!("../migrations/sqlite/0005_removed.sql"),
        include_str!("../migrations/sqlite/0006_actors.sql"),
        include_str!("../migrations/sqlite/0007_mail.sql"),
    ] {
        conn.execute_batch(sql).unwrap();
    }
    conn.pragma_update(None, "user_version", 7).unwrap();
    conn.execute("INSERT INTO owners (id, name) VALUES (2, 'them')", [])
        .unwrap();
    let follow_up = |id: i64, name: &str, day: i8| FollowUp {
        key: PlanKey {
            subject: Subject::Contact(ContactId(id)),
            slot: Slot::FollowUp,
        },
        due: date(2026, 3, day),
        action: Action::FollowUp,
        rule: Rule(2),
        why: "you said so (F2)".into(),
        reason: None,
        channel: Channel::Email,
        contact: Some(ContactRef {
            id: ContactId(id),
            name: name.into(),
        }),
        jobs: vec![],
        move_on_from: None,
        call_when_late: false,
        unasked: vec![],
        then: None,
        after_touch: None,
        greeted_on: None,
    };
    let rows = [
        (1, 1, follow_up(1, "zoe", 4)),
        (1, 2, follow_up(2, "Adam", 4)),
        (1, 3, follow_up(3, "Bo", 2)),
        (2, 1, follow_up(1, "Sam", 3)),
    ];
    for (owner, id, item) in &rows {
        conn.execute(
            "INSERT INTO plan (owner, kind, due, id, subject, md, data) VALUES (?1, 'follow-up', ?2, ?3, ?4, 0, ?5)",
            params![
                owner,
                item.due.to_string(),
                id,
                format!("contact/{id}"),
                serde_json::to_string(item).unwrap()
            ],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO plan_keys (owner, id, key) VALUES (?1, ?2, ?3)",
            params![owner, id, item.key.to_string()],
        )
        .unwrap();
    }
    drop(conn);
    let s = SqliteStore::open(&path).unwrap();
    let walk = |owner: OwnerId| {
        let r = s.read(owner).unwrap();
        let mut got = Vec::new();
        r.plan_lines(date(2026, 3, 31), date(2026, 3, 10), false, &mut |row| {
            let RowBody::Line(l) = row.body else {
                panic!("row {} has no line after the migration", row.id)
            };
            let w = l.words().expect("readable words");
            got.push((row.id, w.who.to_string(), row.name_key().map(String::from)));
            std::ops::ControlFlow::Continue(())
        })
        .unwrap();
        got
    };
    let who = |id: i64, name: &str| (id, name.to_string(), Some(name.to_lowercase()));
    assert_eq!(
        walk(ME),
        vec![who(3, "Bo"), who(2, "Adam"), who(1, "zoe")],
        "by due, then name folded"
    );
    assert_eq!(
        walk(OTHER),
        vec![who(1, "Sam")],
        "every owner's rows filled"
    );
    let line = |owner: i64, id: i64| -> Vec<u8> {
        rusqlite::Connection::open(&path)
            .unwrap()
            .query_row(
                "SELECT line FROM plan WHERE owner = ?1 AND id = ?2",
                params![owner, id],
                |r| r.get(0),
            )
            .unwrap()
    };
    let expected = Compact::of(1, &rows[0].2).line;
    assert_eq!(line(1, 1), expected, "the line the program writes");
    assert!(Line::decode(&expected).is_some());
    // A full replan of the same items keeps the rows (and their numbers).
    let mut tx = s.write(ME).unwrap();
    let same: Vec<FollowUp> = rows[..3].iter().map(|r| r.2.clone()).collect();
    tx.replace_all_plan(&same).unwrap();
    tx.commit().unwrap();
    let all: Vec<Planned> = s.read(ME).unwrap().plan_all().unwrap();
    assert_eq!(all.iter().map(|p| p.id).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert_eq!(line(1, 1), expected);
}

/// Migration 9 (issue 17): a version 8 database's plan gets its per-day extents and its loose
/// rows marked, every owner's, in the migration's transaction; after it, what the store keeps
/// is what a walk over the window measures.
#[test]
fn a_version_8_plan_gets_its_extents_when_migrated() {
    use followup_core::line::{Compact, Extent};
    use followup_core::plan::{Action, ContactRef, FollowUp, Rule};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v8.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    for sql in [
        include_str!("../migrations/sqlite/0001_init.sql"),
        include_str!("../migrations/sqlite/0002_settings.sql"),
        include_str!("../migrations/sqlite/0003_holidays.sql"),
        include_str!("../migrations/sqlite/0004_ids_versions.sql"),
        include_str!("../migrations/sqlite/0005_removed.sql"),
        include_str!("../migrations/sqlite/0006_actors.sql"),
        include_str!("../migrations/sqlite/0007_mail.sql"),
        include_str!("../migrations/sqlite/0008_plan_lines.sql"),
    ] {
        conn.execute_batch(sql).unwrap();
    }
    conn.pragma_update(None, "user_version", 8).unwrap();
    conn.execute("INSERT INTO owners (id, name) VALUES (2, 'them')", [])
        .unwrap();
    let follow_up = |id: i64, name: &str, day: i8, late: bool| FollowUp {
        key: PlanKey {
            subject: Subject::Contact(ContactId(id)),
            slot: Slot::FollowUp,
        },
        due: date(2026, 3, day),
        action: if id == 2 {
            Action::ValueAdd
        } else {
            Action::FollowUp
        },
        rule: Rule(2),
        why: "you said so (F2)".into(),
        reason: None,
        channel: if id == 3 {
            Channel::Linkedin
        } else {
            Channel::Email
        },
        contact: Some(ContactRef {
            id: ContactId(id),
            name: name.into(),
        }),
        jobs: vec![],
        move_on_from: None,
        call_when_late: late,
        unasked: vec![],
        then: None,
        after_touch: None,
        greeted_on: None,
    };
    let rows = [
        (1, 1, follow_up(1, "zoe", 4, false)),
        (1, 2, follow_up(2, "Adam Longname", 4, false)),
        (1, 3, follow_up(3, "Bo", 2, false)),
        (1, 4, follow_up(4, "Cy", 2, true)),
        (2, 1, follow_up(1, "Sam", 3, false)),
    ];
    for (owner, id, item) in &rows {
        let c = Compact::of(*id, item);
        conn.execute(
            "INSERT INTO plan (owner, kind, due, id, subject, md, data, name_key, rule, reorder_on, line)
             VALUES (?1, 'follow-up', ?2, ?3, ?4, 0, ?5, ?6, ?7, ?8, ?9)",
            params![
                owner,
                item.due.to_string(),
                id,
                format!("contact/{id}"),
                serde_json::to_string(item).unwrap(),
                c.name_key,
                c.rule.0,
                c.reorder_on.map(|d| d.to_string()),
                c.line
            ],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO plan_keys (owner, id, key) VALUES (?1, ?2, ?3)",
            params![owner, id, item.key.to_string()],
        )
        .unwrap();
    }
    drop(conn);
    let s = SqliteStore::open(&path).unwrap();
    let (until, today) = (date(2026, 3, 31), date(2026, 3, 10));
    let measure = |owner: OwnerId, kept: bool| {
        let r = s.read(owner).unwrap();
        let (mut days, mut loose) = (Vec::new(), Vec::new());
        let mut day = |e: &Extent| days.push(*e);
        let mut row = |p: followup_store::PlanRow<'_>| loose.push(p.id);
        let said = if kept {
            r.plan_extents(until, today, &mut day, &mut row).unwrap()
        } else {
            followup_store::extents_by_walk(&*r, until, today, &mut day, &mut row).unwrap()
        };
        assert!(said, "owner {owner:?}: the migrated store keeps extents");
        (days, loose)
    };
    let (days, loose) = measure(ME, true);
    assert_eq!(
        loose,
        vec![4],
        "Cy's call-now item is loose, measured alone"
    );
    assert_eq!(days.len(), 2, "two days with firm items: {days:?}");
    let fourth = days[1];
    assert_eq!(
        (fourth.due, fourth.rows, fourth.id_max, fourth.who_max),
        (
            date(2026, 3, 4),
            2,
            2,
            "Adam Longname".chars().count() as u32
        ),
        "the 4th: zoe's and Adam's"
    );
    assert_eq!(
        fourth.actions().collect::<Vec<_>>(),
        vec![Action::FollowUp, Action::ValueAdd]
    );
    assert_eq!(
        days[0].channels().collect::<Vec<_>>(),
        vec![Channel::Linkedin],
        "the 2nd: Bo's alone (Cy's is loose)"
    );
    for owner in [ME, OTHER] {
        assert_eq!(
            measure(owner, true),
            measure(owner, false),
            "owner {owner:?}: kept extents are what a walk measures"
        );
    }
    // A later write folds the days it touched again.
    let mut tx = s.write(ME).unwrap();
    tx.replace_plan(
        Subject::Contact(ContactId(2)),
        &[follow_up(2, "Al", 2, false)],
    )
    .unwrap();
    tx.commit().unwrap();
    assert_eq!(measure(ME, true), measure(ME, false), "after a write");
    assert_eq!(
        measure(ME, true).0[1].who_max,
        3,
        "zoe is the widest left on the 4th"
    );
}
