//! A coach's caseload (issue 15) over the in-memory store and directory: each figure on a
//! seeded client, the sorts, which grants count, and the coach's private notes.

use std::sync::Arc;

use followup_app::caseload::{CaseloadSort, NOTE_MAX};
use followup_app::{
    Account, Actor, App, AppError, Config, Field, GrantScope, NewContact, NewJob, NewTouch, Role,
};
use followup_core::model::OwnerId;
use followup_core::{Stage, TouchKind};
use followup_store::{MemoryDirectory, MemoryStore};
use jiff::civil::{Date, date};

/// A Wednesday: its ISO week runs from Monday 23 to Sunday 29 November.
const TODAY: Date = date(2026, 11, 25);

fn now() -> jiff::Timestamp {
    jiff::Timestamp::from_second(1_800_000_000).unwrap()
}

struct Seeded {
    app: App,
    coach: Account,
    ana: Account,
    ben: Account,
}

fn add(app: &App, email: &str, role: Role) -> Account {
    app.add_user(None, email, role, None, now())
        .unwrap()
        .account
}

/// Ana: two open jobs, an overdue follow-up, an interview this week and one the week
/// before, a promise of hers missed (and one of theirs, which does not count). Ben: nothing.
/// Cleo's grant ended yesterday; Dan's was revoked.
fn seeded() -> Seeded {
    let app = App::with_store(Arc::new(MemoryStore::new()), Config::default())
        .with_directory(Arc::new(MemoryDirectory::new()));
    app.team_init("admin@example.com", None, now()).unwrap();
    let coach = add(&app, "coach@example.com", Role::Coach);
    let ana = add(&app, "ana@example.com", Role::Client);
    let ben = add(&app, "ben@example.com", Role::Client);
    let cleo = add(&app, "cleo@example.com", Role::Client);
    let dan = add(&app, "dan@example.com", Role::Client);
    let grant = |client: &Account, scope, until| {
        app.grant(
            client,
            "coach@example.com",
            scope,
            until,
            date(2026, 11, 1),
            now(),
        )
        .unwrap();
    };
    grant(&ana, GrantScope::Edit, None);
    grant(&ben, GrantScope::View, Some(TODAY));
    grant(&cleo, GrantScope::View, Some(date(2026, 11, 24)));
    grant(&dan, GrantScope::View, None);
    app.revoke_grant(&dan, "coach@example.com").unwrap();
    // Dan and Cleo have data: none of it may show.
    for c in [&cleo, &dan] {
        let cx = app
            .ctx_for(c.workspace.unwrap(), Actor::Owner, TODAY)
            .unwrap();
        app.add_contact(
            &cx,
            NewContact {
                name: "Hidden Person".into(),
                ..Default::default()
            },
        )
        .unwrap();
    }

    let cx = app
        .ctx_for(ana.workspace.unwrap(), Actor::Owner, TODAY)
        .unwrap();
    for name in ["Dana Reyes", "Lee Park"] {
        app.add_contact(
            &cx,
            NewContact {
                name: name.into(),
                ..Default::default()
            },
        )
        .unwrap();
    }
    app.add_job(
        &cx,
        NewJob {
            organization: "Northwind".into(),
            title: "Analyst".into(),
            contacts: vec!["Dana Reyes".into()],
            applied: Some(date(2026, 11, 2)),
            ..Default::default()
        },
    )
    .unwrap();
    app.add_job(
        &cx,
        NewJob {
            organization: "Contoso".into(),
            title: "Engineer".into(),
            stage: Some(Stage::Lead),
            ..Default::default()
        },
    )
    .unwrap();
    let log = |t: NewTouch| {
        app.log(&cx, t).unwrap();
    };
    // Lee: an outreach where Ana said she would follow up on 10 Nov, and did not; Lee said
    // they would decide by 12 Nov, and did not either (theirs: not Ana's to keep).
    log(NewTouch {
        with: vec!["Lee Park".into()],
        on: Some(date(2026, 11, 3)),
        i_will_follow_up: Some(date(2026, 11, 10)),
        they_decide_by: Some(date(2026, 11, 12)),
        ..NewTouch::new(TouchKind::Outreach)
    });
    // Interviews with Dana: Friday last week, and Monday this week.
    for on in [date(2026, 11, 20), date(2026, 11, 23)] {
        log(NewTouch {
            with: vec!["Dana Reyes".into()],
            job: Some("Northwind".into()),
            on: Some(on),
            ..NewTouch::new(TouchKind::Interview)
        });
    }
    Seeded {
        app,
        coach,
        ana,
        ben,
    }
}

/// Today's overdue items, as the Today page groups them.
fn overdue_on_today(app: &App, ws: OwnerId) -> usize {
    let cx = app.ctx_for(ws, Actor::Owner, TODAY).unwrap();
    app.agenda(&cx, None)
        .unwrap()
        .iter()
        .filter(|a| a.id != 0 && (a.overdue_days > 0 || a.due < TODAY))
        .count()
}

#[test]
fn caseload_figures_are_those_of_each_clients_search() {
    let s = seeded();
    let rows = s.app.caseload(&s.coach, TODAY, CaseloadSort::Name).unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r.email.as_str()).collect();
    assert_eq!(
        names,
        ["ana@example.com", "ben@example.com"],
        "expired and revoked grants drop out"
    );
    let (ana, ben) = (&rows[0], &rows[1]);
    assert_eq!(ana.workspace, s.ana.workspace.unwrap().0);
    assert_eq!(ana.client, s.ana.id.0);
    assert_eq!(ana.label, "ana@example.com");
    assert_eq!((ana.scope, ana.until), ("edit", None));
    assert_eq!((ben.scope, ben.until), ("view", Some(TODAY)));

    let want = overdue_on_today(&s.app, s.ana.workspace.unwrap());
    assert!(
        want >= 1,
        "the seed has an overdue item (Lee's missed follow-up)"
    );
    assert_eq!(ana.overdue, want);
    assert_eq!(ana.last_touch, Some(date(2026, 11, 23)));
    assert_eq!(ana.days_silent, Some(2));
    assert_eq!(
        (ana.open_jobs, ana.pipeline_minimum, ana.pipeline_gap()),
        (2, 5, 3)
    );
    assert_eq!(ana.interviews_this_week, 1, "Monday's, not last Friday's");
    assert_eq!(ana.promises_missed, 1, "Ana's own, not Lee's");

    assert_eq!(ben.overdue, 0);
    assert_eq!((ben.last_touch, ben.days_silent), (None, None));
    assert_eq!((ben.open_jobs, ben.pipeline_gap()), (0, 5));
    assert_eq!((ben.interviews_this_week, ben.promises_missed), (0, 0));

    // Next Monday, a new week: no interview this week; silence grows; Ben's grant ended.
    let later = s
        .app
        .caseload(&s.coach, date(2026, 11, 30), CaseloadSort::Name)
        .unwrap();
    assert_eq!(later.len(), 1);
    assert_eq!(later[0].interviews_this_week, 0);
    assert_eq!(later[0].days_silent, Some(7));
}

#[test]
fn caseload_sorts_by_each_column() {
    let s = seeded();
    let order = |sort| -> Vec<String> {
        s.app
            .caseload(&s.coach, TODAY, sort)
            .unwrap()
            .into_iter()
            .map(|r| r.email)
            .collect()
    };
    let (a, b) = ("ana@example.com", "ben@example.com");
    assert_eq!(order(CaseloadSort::Overdue), [a, b]);
    assert_eq!(
        order(CaseloadSort::Silent),
        [b, a],
        "never touched is the longest silence"
    );
    assert_eq!(
        order(CaseloadSort::Pipeline),
        [b, a],
        "furthest below the minimum first"
    );
    assert_eq!(order(CaseloadSort::Interviews), [a, b]);
    assert_eq!(order(CaseloadSort::Missed), [a, b]);
    assert_eq!(order(CaseloadSort::Name), [a, b]);
    assert_eq!(CaseloadSort::parse(None).unwrap(), CaseloadSort::Overdue);
    assert_eq!(
        CaseloadSort::parse(Some("silent")).unwrap(),
        CaseloadSort::Silent
    );
    // Exactly the words: what the OpenAPI document lists, and nothing else.
    for bad in ["loudest", "", " silent", "Silent"] {
        match CaseloadSort::parse(Some(bad)) {
            Err(AppError::Invalid {
                field: Field::Sort,
                problem,
            }) => assert!(problem.contains("overdue, silent, pipeline"), "{problem}"),
            other => panic!("{bad:?}: {other:?}"),
        }
    }
}

#[test]
fn caseload_counts_only_grants_held() {
    let s = seeded();
    let admin = s.app.account_named("admin@example.com").unwrap();
    let other = add(&s.app, "kim@example.com", Role::Coach);
    assert!(
        s.app
            .caseload(&admin, TODAY, CaseloadSort::Overdue)
            .unwrap()
            .is_empty()
    );
    assert!(
        s.app
            .caseload(&s.ana, TODAY, CaseloadSort::Overdue)
            .unwrap()
            .is_empty()
    );
    assert!(
        s.app
            .caseload(&other, TODAY, CaseloadSort::Overdue)
            .unwrap()
            .is_empty()
    );
    // An admin a client granted has that client in their caseload.
    s.app
        .grant(
            &s.ben,
            "admin@example.com",
            GrantScope::View,
            None,
            TODAY,
            now(),
        )
        .unwrap();
    let rows = s
        .app
        .caseload(&admin, TODAY, CaseloadSort::Overdue)
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].email, "ben@example.com");
}

#[test]
fn coach_notes_are_the_coachs_alone() {
    let s = seeded();
    let ws = s.ana.workspace.unwrap();
    let kept = s
        .app
        .set_coach_note(
            &s.coach,
            ws,
            "  Anxious about Northwind; \r\nprep salary talk  ",
            TODAY,
            now(),
        )
        .unwrap();
    assert_eq!(
        kept.as_deref(),
        Some("Anxious about Northwind; \nprep salary talk")
    );
    let rows = s.app.caseload(&s.coach, TODAY, CaseloadSort::Name).unwrap();
    assert_eq!(rows[0].note, kept);
    assert_eq!(rows[1].note, None);

    // Nobody without a live grant may write one: another coach, the client, an expired grant.
    let kim = add(&s.app, "kim@example.com", Role::Coach);
    for (who, ws) in [
        (&kim, ws),
        (&s.ana, ws),
        (&s.coach, s.ben.workspace.unwrap()),
    ] {
        let day = if who.id == s.coach.id {
            date(2026, 11, 26)
        } else {
            TODAY
        };
        match s.app.set_coach_note(who, ws, "mine now", day, now()) {
            Err(AppError::Forbidden(m)) => assert!(m.contains("not in your caseload"), "{m}"),
            other => panic!("{}: {other:?}", who.email),
        }
    }
    // And nobody else reads it: not Kim (even with a grant of her own), not Ana's search.
    s.app
        .grant(
            &s.ana,
            "kim@example.com",
            GrantScope::View,
            None,
            TODAY,
            now(),
        )
        .unwrap();
    let kims = s.app.caseload(&kim, TODAY, CaseloadSort::Name).unwrap();
    assert_eq!(kims.len(), 1);
    assert_eq!(kims[0].note, None);
    let cx = s.app.ctx_for(ws, Actor::Owner, TODAY).unwrap();
    let export = s.app.export_json(&cx).unwrap();
    assert!(
        !export.contains("Anxious"),
        "the note is not in the client's export"
    );

    // Too long, or not text: refused naming the note, nothing changed.
    let long = "x".repeat(NOTE_MAX + 1);
    for bad in [long.as_str(), "a\u{0}b"] {
        match s.app.set_coach_note(&s.coach, ws, bad, TODAY, now()) {
            Err(AppError::Invalid {
                field: Field::Note, ..
            }) => {}
            other => panic!("{other:?}"),
        }
    }
    assert!(
        s.app
            .set_coach_note(&s.coach, ws, &"é".repeat(NOTE_MAX), TODAY, now())
            .is_ok()
    );
    // Empty clears it.
    assert_eq!(
        s.app
            .set_coach_note(&s.coach, ws, "  ", TODAY, now())
            .unwrap(),
        None
    );
    let rows = s.app.caseload(&s.coach, TODAY, CaseloadSort::Name).unwrap();
    assert_eq!(rows[0].note, None);
}

/// The figures are kept between caseloads (keyed by each workspace's data version and the
/// day): a change in the client's search shows in the next caseload, whoever made it.
#[test]
fn caseload_figures_follow_each_change() {
    let s = seeded();
    let ana_of = |rows: Vec<followup_app::caseload::CaseloadRow>| {
        rows.into_iter()
            .find(|r| r.email == "ana@example.com")
            .unwrap()
    };
    let before = ana_of(s.app.caseload(&s.coach, TODAY, CaseloadSort::Name).unwrap());
    assert_eq!(before.interviews_this_week, 1);
    let again = ana_of(s.app.caseload(&s.coach, TODAY, CaseloadSort::Name).unwrap());
    assert_eq!(again, before, "nothing changed, the same figures");
    let cx = s
        .app
        .ctx_for(s.ana.workspace.unwrap(), Actor::Owner, TODAY)
        .unwrap();
    s.app
        .log(
            &cx,
            NewTouch {
                with: vec!["Dana Reyes".into()],
                job: Some("Northwind".into()),
                on: Some(TODAY),
                ..NewTouch::new(TouchKind::Interview)
            },
        )
        .unwrap();
    let after = ana_of(s.app.caseload(&s.coach, TODAY, CaseloadSort::Name).unwrap());
    assert_eq!(after.interviews_this_week, 2);
    assert_eq!(
        (after.last_touch, after.days_silent),
        (Some(TODAY), Some(0))
    );
}
