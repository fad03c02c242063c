//! PgStore against a real PostgreSQL (one server for this binary, a fresh database per store):
//! the store contract (`conformance::run`), and what only PostgreSQL has: row-level security,
//! the schema table, the pool, the synchronous client inside a tokio runtime.

use std::time::{Duration, Instant};

use followup_core::Event;
use followup_core::model::{Contact, ContactId, OwnerId, Tier};
use followup_store::{Entity, Store, StoreError, conformance};
use followup_store_pg::testing::{ROLE, TestServer};
use followup_store_pg::{PgStore, SCHEMA_VERSION};
use jiff::civil::date;

const ME: OwnerId = OwnerId(1);
const OTHER: OwnerId = OwnerId(2);

fn server() -> &'static TestServer {
    TestServer::shared()
}

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

/// The database's name at the end of its URL.
fn db_name(url: &str) -> &str {
    url.rsplit('/').next().unwrap()
}

#[test]
fn pg_store_keeps_the_contract() {
    let s = server();
    conformance::run("PgStore", false, &|| {
        Box::new(PgStore::connect(&s.fresh_database()).unwrap())
    });
}

#[test]
fn row_level_security_seals_owners_below_the_queries() {
    let url = server().fresh_database();
    let store = PgStore::connect(&url).unwrap();
    add_contact(&store, ME, "Dana Reyes");
    add_contact(&store, ME, "Lee Park");
    add_contact(&store, OTHER, "Sam Ito");
    drop(store);

    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let who = c
        .query_one(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user",
            &[],
        )
        .unwrap();
    assert_eq!(
        (who.get::<_, bool>(0), who.get::<_, bool>(1)),
        (false, false),
        "the tests must connect as an ordinary role, or no policy applies"
    );
    let count = |c: &mut postgres::Client, owner: &str, table: &str| -> i64 {
        let mut tx = c.transaction().unwrap();
        tx.execute("SELECT set_config('followup.owner', $1, true)", &[&owner])
            .unwrap();
        let n = tx
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .unwrap()
            .get(0);
        tx.rollback().unwrap();
        n
    };
    // No WHERE: only the policy stands between owner 2 and owner 1's rows.
    assert_eq!(
        count(&mut c, "2", "contacts"),
        1,
        "owner 2 sees only its own"
    );
    assert_eq!(
        count(&mut c, "1", "contacts"),
        2,
        "owner 1's rows are there"
    );
    assert_eq!(count(&mut c, "2", "events"), 1);
    assert_eq!(count(&mut c, "2", "owners"), 1);
    assert_eq!(count(&mut c, "3", "contacts"), 0);

    // Owner 2 cannot write a row of owner 1's, nor move one of its own to owner 1.
    let mut tx = c.transaction().unwrap();
    tx.execute("SELECT set_config('followup.owner', '2', true)", &[])
        .unwrap();
    let e = tx
        .execute(
            "INSERT INTO contacts (owner, id, name, data) VALUES (1, 99, 'Mallory', '{}')",
            &[],
        )
        .expect_err("owner 2 wrote a row of owner 1");
    assert_eq!(
        e.code(),
        Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE),
        "{e}"
    );
    tx.rollback().unwrap();
    let mut tx = c.transaction().unwrap();
    tx.execute("SELECT set_config('followup.owner', '2', true)", &[])
        .unwrap();
    let e = tx
        .execute("UPDATE contacts SET owner = 1", &[])
        .expect_err("owner 2 gave a row to owner 1");
    assert_eq!(
        e.code(),
        Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE),
        "{e}"
    );
    let n = tx.execute("DELETE FROM contacts WHERE owner = 1", &[]);
    assert!(n.is_err(), "the aborted transaction stays aborted");
    tx.rollback().unwrap();
    let mut tx = c.transaction().unwrap();
    tx.execute("SELECT set_config('followup.owner', '2', true)", &[])
        .unwrap();
    assert_eq!(
        tx.execute("DELETE FROM contacts", &[]).unwrap(),
        1,
        "a DELETE without WHERE reaches only owner 2's row"
    );
    tx.rollback().unwrap();

    // Outside the store's transactions nothing is seen: the setting is unset, the policy errs.
    assert!(
        c.query("SELECT count(*) FROM contacts", &[]).is_err(),
        "a query without followup.owner saw rows"
    );
    // And the superuser, whom policies spare, sees everything: the rows are really there.
    let mut admin =
        postgres::Client::connect(&server().admin_url(db_name(&url)), postgres::NoTls).unwrap();
    let n: i64 = admin
        .query_one("SELECT count(*) FROM contacts", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 3);
}

#[test]
fn every_owner_table_has_forced_row_level_security() {
    let url = server().fresh_database();
    drop(PgStore::connect(&url).unwrap());
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let rows = c
        .query(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                    (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY c.relname",
            &[],
        )
        .unwrap();
    let mut tables = Vec::new();
    for r in &rows {
        let name: String = r.get(0);
        // The version, and the team's directory (accounts and their secrets, looked up
        // before anyone is known), belong to no owner.
        if [
            "schema_version",
            "accounts",
            "secrets",
            "grants",
            "visits",
            "coach_templates",
            "coach_notes",
        ]
        .contains(&name.as_str())
        {
            assert!(!r.get::<_, bool>(1), "{name} belongs to no owner");
            continue;
        }
        assert!(
            r.get::<_, bool>(1) && r.get::<_, bool>(2),
            "{name} has no forced row-level security"
        );
        assert_eq!(r.get::<_, i64>(3), 1, "{name} has no policy");
        tables.push(name);
    }
    assert_eq!(tables.len(), 18, "tables: {tables:?}");
}

#[test]
fn a_newer_database_is_refused_untouched() {
    let url = server().fresh_database();
    let store = PgStore::connect(&url).unwrap();
    add_contact(&store, ME, "Dana Reyes");
    drop(store);
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    c.batch_execute("UPDATE schema_version SET version = 99")
        .unwrap();
    let tables = |c: &mut postgres::Client| -> Vec<String> {
        c.query(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
    };
    let before = tables(&mut c);
    match PgStore::connect(&url) {
        Err(StoreError::Newer {
            found: 99,
            supported,
            ..
        }) => assert_eq!(supported, SCHEMA_VERSION),
        Err(e) => panic!("wrong error {e}"),
        Ok(_) => panic!("a newer database was opened"),
    }
    assert_eq!(tables(&mut c), before, "refused database untouched");
    let v: i64 = c
        .query_one("SELECT version FROM schema_version", &[])
        .unwrap()
        .get(0);
    assert_eq!(v, 99);
    let mut tx = c.transaction().unwrap();
    tx.execute("SELECT set_config('followup.owner', '1', true)", &[])
        .unwrap();
    let n: i64 = tx
        .query_one("SELECT count(*) FROM contacts", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 1, "rows kept");
}

#[test]
fn migrations_run_once_and_connecting_again_keeps_the_data() {
    let url = server().fresh_database();
    // Two servers starting at once on an empty database: one migrates, the other waits.
    let both: Vec<_> = (0..2)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || PgStore::connect(&url).map(|_| ()))
        })
        .collect();
    for t in both {
        t.join().unwrap().expect("a concurrent first connect");
    }
    let store = PgStore::connect(&url).unwrap();
    add_contact(&store, ME, "Dana Reyes");
    drop(store);
    let store = PgStore::connect(&url).unwrap();
    assert_eq!(store.read(ME).unwrap().contacts().unwrap().len(), 1);
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let rows = c.query("SELECT version FROM schema_version", &[]).unwrap();
    assert_eq!(rows.len(), 1, "one version row");
    assert_eq!(rows[0].get::<_, i64>(0), SCHEMA_VERSION);
}

#[test]
fn a_full_pool_makes_the_next_caller_busy_not_stuck() {
    let store = PgStore::connect_pooled(&server().fresh_database(), 2).unwrap();
    add_contact(&store, ME, "Dana Reyes");
    let a = store.read(ME).unwrap();
    let b = store.read(OTHER).unwrap();
    let started = Instant::now();
    match store.read(ME) {
        Err(StoreError::Busy { .. }) => {}
        Err(e) => panic!("wrong error {e}"),
        Ok(_) => panic!("a third connection beyond the maximum of two"),
    }
    assert!(
        started.elapsed() >= Duration::from_secs(4),
        "it waited first"
    );
    drop(a);
    // The connection came back and is lent again.
    assert_eq!(store.read(ME).unwrap().contacts().unwrap().len(), 1);
    drop(b);
}

#[test]
fn writers_of_different_owners_do_not_wait_for_each_other() {
    let store = PgStore::connect(&server().fresh_database()).unwrap();
    let mut held = store.write(ME).unwrap();
    held.set_setting("k", "v").unwrap();
    let started = Instant::now();
    add_contact(&store, OTHER, "Sam Ito");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "owner 2 waited for owner 1's writer"
    );
    held.commit().unwrap();
    assert_eq!(
        store.read(ME).unwrap().setting("k").unwrap().as_deref(),
        Some("v")
    );
}

#[test]
fn a_failed_statement_does_not_spoil_the_transaction() {
    let store = PgStore::connect(&server().fresh_database()).unwrap();
    let mut tx = store.write(ME).unwrap();
    let id = tx.next_id(Entity::Contact).unwrap();
    let added = Event::ContactAdded {
        contact: contact(id, "Dana Reyes"),
    };
    tx.append(date(2026, 3, 1), &added).unwrap();
    tx.set_plan_key("contact/1/follow-up", 7).unwrap();
    // A unique key broken inside PostgreSQL (not caught before the statement).
    assert!(matches!(
        tx.set_plan_key("contact/1/follow-up", 8),
        Err(StoreError::Conflict { .. })
    ));
    tx.set_setting("after", "yes").unwrap();
    tx.commit().unwrap();
    let r = store.read(ME).unwrap();
    assert_eq!(r.contacts().unwrap().len(), 1);
    assert_eq!(r.setting("after").unwrap().as_deref(), Some("yes"));
}

/// A write sent later (pipelined with the next statement that is waited for) that fails
/// anyway, here by a trigger the store knows nothing of: the change that deferred it had
/// already answered, so the commit must refuse, and nothing of the transaction is kept.
#[test]
fn a_deferred_write_that_fails_refuses_the_commit() {
    let url = server().fresh_database();
    let store = PgStore::connect(&url).unwrap();
    let mut admin =
        postgres::Client::connect(&server().admin_url(db_name(&url)), postgres::NoTls).unwrap();
    admin
        .batch_execute(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS
                 $$ BEGIN RAISE EXCEPTION 'no settings today'; END $$;
             CREATE TRIGGER refuse BEFORE INSERT ON settings FOR EACH ROW EXECUTE FUNCTION refuse();",
        )
        .unwrap();
    let mut tx = store.write(ME).unwrap();
    let id = tx.next_id(Entity::Contact).unwrap();
    let added = Event::ContactAdded {
        contact: contact(id, "Dana Reyes"),
    };
    tx.append(date(2026, 3, 1), &added).unwrap();
    // Deferred: it answers before PostgreSQL has seen it.
    tx.set_setting("colour", "green").unwrap();
    // A change after it, whose savepoint would otherwise hide the failure.
    let _ = tx.set_plan_key("contact/1/follow-up", 7);
    let e = tx.commit().expect_err("a failed deferred write committed");
    assert!(e.to_string().contains("no settings today"), "{e}");
    let r = store.read(ME).unwrap();
    assert_eq!(
        r.contacts().unwrap().len(),
        0,
        "part of a failed write was kept"
    );
    assert_eq!(r.setting("colour").unwrap(), None);
    drop(r);
    // The connection is fine for the next transaction.
    admin
        .batch_execute("DROP TRIGGER refuse ON settings")
        .unwrap();
    add_contact(&store, ME, "Lee Park");
    assert_eq!(store.read(ME).unwrap().contacts().unwrap().len(), 1);
}

/// A deferred write that fails only in the commit's own round trip (the last write of the
/// transaction) refuses the commit too, keeps nothing, and leaves the connection usable.
#[test]
fn a_deferred_write_that_fails_with_the_commit_refuses_it() {
    let url = server().fresh_database();
    let store = PgStore::connect(&url).unwrap();
    let mut admin =
        postgres::Client::connect(&server().admin_url(db_name(&url)), postgres::NoTls).unwrap();
    admin
        .batch_execute(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS
                 $$ BEGIN RAISE EXCEPTION 'no settings today'; END $$;
             CREATE TRIGGER refuse BEFORE INSERT ON settings FOR EACH ROW EXECUTE FUNCTION refuse();",
        )
        .unwrap();
    let version = store.version(ME).unwrap();
    let mut tx = store.write(ME).unwrap();
    let id = tx.next_id(Entity::Contact).unwrap();
    let added = Event::ContactAdded {
        contact: contact(id, "Dana Reyes"),
    };
    tx.append(date(2026, 3, 1), &added).unwrap();
    // The last write: it goes out with the commit.
    tx.set_setting("derived.colour", "green").unwrap();
    let e = tx.commit().expect_err("a failed deferred write committed");
    assert!(e.to_string().contains("no settings today"), "{e}");
    let r = store.read(ME).unwrap();
    assert_eq!(
        r.contacts().unwrap().len(),
        0,
        "part of a failed write was kept"
    );
    assert_eq!(r.setting("derived.colour").unwrap(), None);
    drop(r);
    assert_eq!(
        store.version(ME).unwrap(),
        version,
        "a refused commit moved the version"
    );
    admin
        .batch_execute("DROP TRIGGER refuse ON settings")
        .unwrap();
    add_contact(&store, ME, "Lee Park");
    assert_eq!(store.read(ME).unwrap().contacts().unwrap().len(), 1);
}

/// Ends every connection of the database at `url` but the admin's own, and waits until
/// PostgreSQL has let them go (`pg_terminate_backend` only sends the signal).
fn end_connections(url: &str) {
    let mut admin =
        postgres::Client::connect(&server().admin_url(db_name(url)), postgres::NoTls).unwrap();
    let others = "FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()";
    let ended: i64 = admin
        .query_one(
            &format!("SELECT count(pg_terminate_backend(pid)) {others}"),
            &[&db_name(url)],
        )
        .unwrap()
        .get(0);
    assert!(ended >= 1, "no connection of the store to end");
    let deadline = Instant::now() + Duration::from_secs(10);
    while admin
        .query_one(&format!("SELECT count(*) {others}"), &[&db_name(url)])
        .unwrap()
        .get::<_, i64>(0)
        > 0
    {
        assert!(Instant::now() < deadline, "the ended connections stayed");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs `f` on a thread of its own: a hang fails the test instead of stopping it.
fn within_30s<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (sent, answer) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sent.send(f());
    });
    answer
        .recv_timeout(Duration::from_secs(30))
        .expect("a store call on an ended connection hung")
}

/// The server ends the connections (a restart, an idle timeout, an operator's
/// `pg_terminate_backend`). One sitting in the pool is noticed without a round trip and never
/// lent: the next read just works. One ended inside a transaction fails that transaction's
/// next statement at once, instead of waiting forever, and is not lent again.
#[test]
fn connections_the_server_ended_are_noticed_not_waited_on() {
    let url = server().fresh_database();
    let store = std::sync::Arc::new(PgStore::connect(&url).unwrap());
    add_contact(&*store, ME, "Dana Reyes");
    end_connections(&url);
    // Idle long enough to be looked at before it is lent (the pool's IDLE_CHECK).
    std::thread::sleep(Duration::from_millis(1100));
    let s = store.clone();
    let idle = within_30s(move || Ok::<_, StoreError>(s.read(ME)?.contacts()?.len()));
    assert_eq!(idle.unwrap(), 1, "an ended idle connection was lent");

    // Now with a transaction open across the end: its next statement fails, at once.
    let (go, wait) = std::sync::mpsc::channel::<()>();
    let s = store.clone();
    let during = std::thread::spawn(move || {
        let r = s.read(ME).unwrap();
        r.contacts().unwrap();
        wait.recv().unwrap();
        r.contacts().map(|c| c.len())
    });
    std::thread::sleep(Duration::from_millis(200));
    end_connections(&url);
    go.send(()).unwrap();
    let s = store.clone();
    let after = within_30s(move || {
        let during = during.join().unwrap();
        (
            during,
            s.read(ME).and_then(|r| r.contacts()).map(|c| c.len()),
        )
    });
    assert!(
        after.0.is_err(),
        "a statement on an ended connection answered"
    );
    assert_eq!(after.1.unwrap(), 1, "the pool did not recover");
}

#[test]
fn the_sync_client_works_inside_block_in_place() {
    let url = server().fresh_database();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let names = runtime.block_on(async move {
        let task = tokio::spawn(async move {
            // As the web server runs a use case: on a worker thread, in block_in_place.
            tokio::task::block_in_place(|| {
                let store = PgStore::connect(&url).unwrap();
                add_contact(&store, ME, "Dana Reyes");
                let r = store.read(ME).unwrap();
                r.contacts()
                    .unwrap()
                    .into_iter()
                    .map(|c| c.name)
                    .collect::<Vec<_>>()
            })
        });
        task.await.unwrap()
    });
    assert_eq!(names, ["Dana Reyes"]);
}

#[test]
fn the_test_role_owns_its_databases() {
    let url = server().fresh_database();
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let owner: String = c
        .query_one(
            "SELECT pg_get_userbyid(datdba)::text FROM pg_database WHERE datname = current_database()",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(owner, ROLE);
}

/// SQLite's NOCASE and the reference store fold ASCII only; PostgreSQL's lower() folds by the
/// database's locale unless told otherwise (the test server's is C.UTF-8, which folds Ä). The
/// schema's `COLLATE "C"` keeps PgStore with the reference.
#[test]
fn names_fold_ascii_only_as_the_reference_does() {
    let url = server().fresh_database();
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let folded: String = c.query_one("SELECT lower('Ä')", &[]).unwrap().get(0);
    assert_eq!(
        folded, "ä",
        "the premise: this database's own lower() folds beyond ASCII"
    );
    let pg = PgStore::connect(&url).unwrap();
    let memory = followup_store::MemoryStore::new();
    for s in [&pg as &dyn Store, &memory] {
        for name in ["Ärger Zed", "ärger Lowe", "ÉLISE Roy", "Dana Reyes"] {
            add_contact(s, ME, name);
        }
    }
    for query in [
        "ärger zed",
        "Ärger",
        "ÄRGER",
        "rger",
        "élise roy",
        "ÉLISE ROY",
        "élise",
    ] {
        let names = |s: &dyn Store| -> Vec<String> {
            let r = s.read(ME).unwrap();
            r.contacts_named(query)
                .unwrap()
                .into_iter()
                .map(|c| c.name)
                .collect()
        };
        assert_eq!(names(&pg), names(&memory), "contacts named {query:?}");
    }
}

#[test]
fn an_unreachable_server_is_an_open_error_without_the_password() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    match PgStore::connect(&format!("postgres://followup:hunter2@127.0.0.1:{port}/db")) {
        Err(e @ StoreError::Open { .. }) => {
            let shown = e.to_string();
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(shown.contains(&port.to_string()), "{shown}");
        }
        Err(e) => panic!("wrong error {e}"),
        Ok(_) => panic!("connected to nothing"),
    }
}

#[test]
fn pg_directory_keeps_the_contract() {
    followup_store::directory::conformance("PgStore directory", &|| {
        Box::new(PgStore::connect(&server().fresh_database()).unwrap())
    });
}

/// A server drops its store inside the runtime when it stops (axum drops the router there):
/// the pool closes its connections on a thread of their own instead of panicking.
#[test]
fn a_store_dropped_inside_an_async_task_closes_quietly() {
    let url = server().fresh_database();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let store = tokio::task::block_in_place(|| {
            let store = PgStore::connect_pooled(&url, 2).unwrap();
            add_contact(&store, ME, "Dana Reyes");
            store
        });
        // Here, on a runtime thread, as at a server's end.
        drop(store);
    });
}

/// Migration 7 fills the agenda's columns of plan rows written before it, every owner's
/// under the FORCEd policy, and puts the FORCE back: an upgraded team database walks its
/// agenda from kept lines, in order, at once.
#[test]
fn a_version_6_plan_gets_its_lines_when_migrated() {
    use followup_core::line::Compact;
    use followup_core::model::Channel;
    use followup_core::plan::{Action, ContactRef, FollowUp, PlanKey, Rule, Slot, Subject};
    use followup_store::RowBody;
    let url = server().fresh_database();
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    for sql in [
        include_str!("../migrations/0001_init.sql"),
        include_str!("../migrations/0002_accounts.sql"),
        include_str!("../migrations/0003_grants.sql"),
        include_str!("../migrations/0004_actors.sql"),
        include_str!("../migrations/0005_coach_notes.sql"),
        include_str!("../migrations/0006_mail.sql"),
    ] {
        c.batch_execute(sql).unwrap();
    }
    c.batch_execute(
        "CREATE TABLE schema_version (version bigint NOT NULL);
         INSERT INTO schema_version (version) VALUES (6)",
    )
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
        (1i64, 1i64, follow_up(1, "zoe", 4)),
        (1, 2, follow_up(2, "Adam", 4)),
        (1, 3, follow_up(3, "Bo", 2)),
        (2, 1, follow_up(1, "Sam", 3)),
    ];
    for owner in [1i64, 2] {
        let mut tx = c.transaction().unwrap();
        tx.batch_execute(&format!(
            "SELECT set_config('followup.owner', '{owner}', true)"
        ))
        .unwrap();
        tx.execute(
            "INSERT INTO owners (id, name) VALUES ($1, 'someone')",
            &[&owner],
        )
        .unwrap();
        for (_, id, item) in rows.iter().filter(|r| r.0 == owner) {
            tx.execute(
                "INSERT INTO plan (owner, kind, due, id, subject, md, data)
                 VALUES ($1, 'follow-up', $2, $3, $4, 0, $5)",
                &[
                    &owner,
                    &item.due.to_string(),
                    id,
                    &format!("contact/{id}"),
                    &serde_json::to_string(item).unwrap(),
                ],
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }
    drop(c);
    let store = PgStore::connect(&url).unwrap();
    let walk = |owner: OwnerId| {
        let r = store.read(owner).unwrap();
        let mut got = Vec::new();
        r.plan_lines(date(2026, 3, 31), date(2026, 3, 10), false, &mut |row| {
            let RowBody::Line(l) = row.body else {
                panic!("row {} has no line after the migration", row.id)
            };
            got.push((row.id, l.words().expect("readable words").who.to_string()));
            std::ops::ControlFlow::Continue(())
        })
        .unwrap();
        got
    };
    let who = |id: i64, name: &str| (id, name.to_string());
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
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let forced: bool = c
        .query_one(
            "SELECT relforcerowsecurity FROM pg_class WHERE relname = 'plan'",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(forced, "the policy's FORCE is back");
    let mut tx = c.transaction().unwrap();
    tx.batch_execute("SELECT set_config('followup.owner', '1', true)")
        .unwrap();
    let line: Vec<u8> = tx
        .query_one("SELECT line FROM plan WHERE owner = 1 AND id = 1", &[])
        .unwrap()
        .get(0);
    assert_eq!(
        line,
        Compact::of(1, &rows[0].2).line,
        "the line the program writes"
    );
}

/// Ana, a client with a workspace, and Sam, a coach without one.
fn client_and_coach(
    store: &dyn followup_store::Directory,
) -> (followup_store::Account, followup_store::Account) {
    use followup_store::Role;
    let add = |email, role| store.add_account(email, role, None).unwrap();
    (
        add("ana@example.com", Role::Client),
        add("sam@example.com", Role::Coach),
    )
}

/// `what` (one value) of the connections to the admin client's database named `app` in
/// pg_stat_activity: the store's lookup and watch connections say which they are.
fn of_connections<T: for<'r> postgres::types::FromSql<'r>>(
    admin: &mut postgres::Client,
    what: &str,
    app: &str,
) -> T {
    admin
        .query_one(
            &format!(
                "SELECT {what} FROM pg_stat_activity
                 WHERE application_name = $1 AND datname = current_database()"
            ),
            &[&app],
        )
        .unwrap()
        .get(0)
}

/// Keeps a secret of `kind` with this hash for `account`, made at `created`.
fn keep_secret(
    store: &dyn followup_store::Directory,
    kind: followup_store::SecretKind,
    hash: &str,
    account: followup_store::AccountId,
    created: jiff::Timestamp,
    expires: Option<jiff::Timestamp>,
) {
    store
        .add_secret(&followup_store::NewSecret {
            kind,
            hash,
            account,
            label: "test",
            created,
            expires,
        })
        .unwrap();
}

/// A token's holder comes with the data version of their own workspace, read in the same
/// round trip as the store reads it (the team server's gate then reads no version), and
/// none for an account with no workspace.
#[test]
fn a_secret_opens_with_its_workspace_version() {
    use followup_store::directory::{Directory, SecretKind};
    let store = PgStore::connect(&server().fresh_database()).unwrap();
    let t0 = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    let (client, coach) = client_and_coach(&store);
    for (account, hash) in [(client.id, "c"), (coach.id, "s")] {
        keep_secret(&store, SecretKind::Token, hash, account, t0, None);
    }
    let ws = client.workspace.expect("a client has a workspace");
    let opened = |hash: &str| {
        store
            .secret_holder_with_version(SecretKind::Token, hash, t0)
            .unwrap()
            .map(|(a, v)| (a.id, v))
    };
    assert_eq!(
        opened("c"),
        Some((client.id, Some(store.version(ws).unwrap())))
    );
    add_contact(&store, ws, "Dana Reyes");
    let v = store.version(ws).unwrap();
    assert!(v > 0);
    assert_eq!(opened("c"), Some((client.id, Some(v))), "after a commit");
    assert_eq!(
        opened("s"),
        Some((coach.id, None)),
        "a coach owns no workspace"
    );
    assert_eq!(opened("nobody"), None);
}

/// The lookup every team-server request makes, asked on the server's own runtime
/// (lookup.rs), answers as the blocking one does for every state a secret can be in, and
/// opens a new connection when the server ended the one it had.
#[test]
fn the_lookup_on_the_runtime_answers_as_the_blocking_one() {
    use followup_store::directory::{Directory, SecretKind};
    let url = server().fresh_database();
    let store = std::sync::Arc::new(PgStore::connect(&url).unwrap());
    let t0 = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    let (client, coach) = client_and_coach(&*store);
    let secret =
        |kind, hash, account, expires| keep_secret(&*store, kind, hash, account, t0, expires);
    secret(SecretKind::Token, "live", client.id, None);
    secret(SecretKind::Token, "coach", coach.id, None);
    secret(SecretKind::Token, "old", client.id, Some(t0));
    secret(
        SecretKind::Token,
        "later",
        client.id,
        Some(t0 + jiff::SignedDuration::from_secs(1)),
    );
    secret(SecretKind::Session, "session", client.id, None);
    secret(SecretKind::Token, "gone", client.id, None);
    store.revoke_secret_hash(SecretKind::Token, "gone").unwrap();
    add_contact(&*store, client.workspace.unwrap(), "Dana Reyes");
    let cases = [
        (SecretKind::Token, "live"),
        (SecretKind::Token, "coach"),
        (SecretKind::Token, "old"),
        (SecretKind::Token, "later"),
        (SecretKind::Session, "session"),
        (SecretKind::Token, "session"),
        (SecretKind::Token, "gone"),
        (SecretKind::Token, "nobody"),
    ];
    // Asked the blocking way first: the end below is of the pool's connections too.
    let blocking: Vec<_> = cases
        .iter()
        .map(|&(kind, hash)| {
            store
                .secret_holder_with_version(kind, hash, t0)
                .unwrap()
                .map(|(a, v)| (a.id, v))
        })
        .collect();
    let version = store.version(client.workspace.unwrap()).unwrap();
    let s = store.clone();
    let admin_url = server().admin_url(db_name(&url));
    let (answers, at_once, lookup_connections, after_end) = within_30s(move || {
        let ask_on = |runtime: &tokio::runtime::Runtime, kind, hash: &str| {
            let asked = s
                .secret_holder_async(kind, hash, t0)
                .expect("PostgreSQL asks on the runtime");
            runtime.block_on(asked).unwrap().map(|(a, v)| (a.id, v))
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let answers: Vec<_> = cases.iter().map(|&(k, h)| ask_on(&runtime, k, h)).collect();
        // Many at once: pipelined over a few connections, every answer its own.
        let many = (0..96).map(|i| {
            let (kind, hash) = cases[i % cases.len()];
            s.secret_holder_async(kind, hash, t0).unwrap()
        });
        let at_once: Vec<_> = runtime
            .block_on(futures_util::future::join_all(many))
            .into_iter()
            .map(|r| r.unwrap().map(|(a, v)| (a.id, v)))
            .collect();
        let mut admin = postgres::Client::connect(&admin_url, postgres::NoTls).unwrap();
        let lookup_connections: i64 = of_connections(&mut admin, "count(*)", "followup lookup");
        drop(runtime);
        // On a current-thread runtime nothing runs between two asks, so the end is found by
        // the ask itself, which must try again on a new connection.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        ask_on(&runtime, SecretKind::Token, "live");
        end_connections(&url);
        let after_end = ask_on(&runtime, SecretKind::Token, "live");
        (answers, at_once, lookup_connections, after_end)
    });
    for (i, answer) in at_once.iter().enumerate() {
        assert_eq!(
            answer,
            &blocking[i % cases.len()],
            "lookup {i} of 96 at once"
        );
    }
    assert!(
        (1..=8).contains(&lookup_connections),
        "{lookup_connections} lookup connections"
    );
    for (((kind, hash), on_runtime), blocking) in cases.iter().zip(&answers).zip(&blocking) {
        assert_eq!(on_runtime, blocking, "{kind:?} {hash:?}");
    }
    assert!(version > 0);
    assert_eq!(answers[0], Some((client.id, Some(version))));
    assert_eq!(
        answers[1],
        Some((coach.id, None)),
        "a coach owns no workspace"
    );
    assert_eq!(
        answers[3],
        Some((client.id, Some(version))),
        "not yet expired"
    );
    let none: Vec<_> = [2, 5, 6, 7].iter().map(|&i| answers[i]).collect();
    assert_eq!(none, [None; 4], "expired, another kind, revoked, unknown");
    assert_eq!(
        after_end,
        Some((client.id, Some(version))),
        "an ended connection was not opened again"
    );
}

/// A lookup whose connection answers nothing (its backend stopped, as a server gone without
/// a word would be) is `Busy` after the store's wait, not a hung request, and the next
/// lookup opens a new connection instead of queueing on the silent one.
#[test]
fn a_silent_lookup_connection_is_busy_then_replaced() {
    use followup_store::directory::{Directory, SecretKind};
    let url = server().fresh_database();
    let store = std::sync::Arc::new(PgStore::connect(&url).unwrap());
    let t0 = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    let (client, _) = client_and_coach(&*store);
    keep_secret(&*store, SecretKind::Token, "live", client.id, t0, None);
    let admin_url = server().admin_url(db_name(&url));
    let s = store.clone();
    let (silent, after) = within_30s(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let ask = || {
            runtime.block_on(
                s.secret_holder_async(SecretKind::Token, "live", t0)
                    .unwrap(),
            )
        };
        ask().unwrap();
        let mut admin = postgres::Client::connect(&admin_url, postgres::NoTls).unwrap();
        let pid: i32 = of_connections(&mut admin, "pid", "followup lookup");
        let signal = |sig: &str| {
            let ok = std::process::Command::new("kill")
                .args([sig, &pid.to_string()])
                .status()
                .unwrap()
                .success();
            assert!(ok, "kill {sig} {pid}");
        };
        signal("-STOP");
        let started = Instant::now();
        let silent = ask();
        let waited = started.elapsed();
        let after = ask();
        signal("-CONT");
        ((silent, waited), after)
    });
    let (silent, waited) = silent;
    assert!(
        matches!(silent, Err(StoreError::Busy { .. })),
        "a silent connection answered {silent:?}"
    );
    assert!(
        waited >= Duration::from_secs(4),
        "busy after only {waited:?}"
    );
    assert_eq!(
        after.unwrap().map(|(a, _)| a.id),
        Some(client.id),
        "the next lookup waited on the silent connection"
    );
}

/// What the server keeps of the lookup (watch.rs) is used, and is never older than a change
/// committed before the request, whoever made it: another store on the same database stands
/// for another server or the CLI. A version, a revocation, a disabled account and an expiry
/// each show on the very next lookup; after the listening connection is ended, lookups are
/// still right, and are kept again once a new one listens.
#[test]
fn what_the_lookup_keeps_is_never_older_than_a_commit_before_it() {
    use followup_store::directory::{Directory, SecretKind};
    let url = server().fresh_database();
    let store = std::sync::Arc::new(PgStore::connect(&url).unwrap());
    let other = PgStore::connect(&url).unwrap();
    let t0 = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    let (client, coach) = client_and_coach(&*store);
    let ws = client.workspace.unwrap();
    let secret =
        |kind, hash, account, expires| keep_secret(&*store, kind, hash, account, t0, expires);
    secret(SecretKind::Token, "live", client.id, None);
    secret(SecretKind::Token, "second", client.id, None);
    secret(SecretKind::Session, "coach", coach.id, None);
    let soon = t0 + jiff::SignedDuration::from_secs(10);
    secret(SecretKind::Token, "soon", client.id, Some(soon));
    add_contact(&*store, ws, "Dana Reyes");
    let s = store.clone();
    let admin_url = server().admin_url(db_name(&url));
    within_30s(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let ask = |kind, hash: &str, now| {
            runtime
                .block_on(s.secret_holder_async(kind, hash, now).unwrap())
                .unwrap()
        };
        let blocking =
            |kind, hash: &str, now| other.secret_holder_with_version(kind, hash, now).unwrap();
        // Kept: once a connection listens, asking again asks PostgreSQL nothing.
        let kept = |kind, hash: &str| {
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                let before = s.lookups_asked();
                assert_eq!(ask(kind, hash, t0), blocking(kind, hash, t0), "{hash}");
                if s.lookups_asked() == before {
                    return;
                }
                assert!(
                    Instant::now() < deadline,
                    "{hash} never answered from memory"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        };
        for hash in ["live", "second", "soon"] {
            kept(SecretKind::Token, hash);
        }
        kept(SecretKind::Session, "coach");
        // A change elsewhere, then at once a lookup: the new version, from memory.
        let asked = s.lookups_asked();
        for i in 0..40 {
            add_contact(&other, ws, &format!("Person {i}"));
            let version = other.version(ws).unwrap();
            let answer = ask(SecretKind::Token, "live", t0);
            assert_eq!(answer, Some((client.clone(), Some(version))), "change {i}");
        }
        assert_eq!(
            s.lookups_asked(),
            asked,
            "versions came from the announcements"
        );
        // The coach's session is of no workspace and outlives the client's changes.
        assert_eq!(
            ask(SecretKind::Session, "coach", t0),
            Some((coach.clone(), None))
        );
        // An expiry is checked against the time asked, kept or not.
        assert!(ask(SecretKind::Token, "soon", t0).is_some());
        assert_eq!(ask(SecretKind::Token, "soon", soon), None, "expired");
        // A revocation elsewhere: the very next lookup refuses.
        other.revoke_secret_hash(SecretKind::Token, "live").unwrap();
        assert_eq!(ask(SecretKind::Token, "live", t0), None, "revoked");
        // A disabled account: answered as the blocking lookup answers (the app refuses it).
        other.set_disabled(client.id, true).unwrap();
        let disabled = ask(SecretKind::Token, "second", t0);
        assert!(
            disabled.as_ref().is_some_and(|(a, _)| a.disabled),
            "{disabled:?}"
        );
        assert_eq!(disabled, blocking(SecretKind::Token, "second", t0));
        other.set_disabled(client.id, false).unwrap();
        kept(SecretKind::Token, "second");
        // The listening connection ended: a change right after is still seen, then what is
        // asked is kept again on a new connection.
        let mut admin = postgres::Client::connect(&admin_url, postgres::NoTls).unwrap();
        let ended: i64 = of_connections(
            &mut admin,
            "count(pg_terminate_backend(pid))",
            "followup watch",
        );
        assert_eq!(ended, 1, "one listening connection");
        add_contact(&other, ws, "After the end");
        let version = other.version(ws).unwrap();
        let answer = ask(SecretKind::Token, "second", t0);
        assert_eq!(answer.map(|(_, v)| v), Some(Some(version)));
        kept(SecretKind::Token, "second");
        // The runtime the listening connection ran on ends (the server stops): a lookup on
        // another does not wait out the five seconds for heartbeats nobody will send.
        drop(runtime);
        let next = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let started = Instant::now();
        let answer = next
            .block_on(
                s.secret_holder_async(SecretKind::Token, "second", t0)
                    .unwrap(),
            )
            .unwrap();
        assert_eq!(answer.map(|(a, _)| a.id), Some(client.id));
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "waited {:?} for a listener whose runtime is gone",
            started.elapsed()
        );
    });
}
