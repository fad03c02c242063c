//! Use cases against a real (in-memory) SQLite store: the incremental plan, kept inside each
//! command's transaction, always equals a full rebuild from the log.

use followup_app::{App, Config, NewContact, NewJob, NewTouch};
use followup_core::TouchKind;
use followup_store::SqliteStore;
use jiff::ToSpan;
use jiff::civil::date;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Contact {
        tier: u8,
        birthday: bool,
    },
    Job {
        contact: u8,
        applied: bool,
    },
    Log {
        kind: u8,
        contact: u8,
        job: u8,
        promise: u8,
    },
    Close {
        job: u8,
        outcome: u8,
    },
    Snooze {
        item: u8,
        days: u8,
    },
    EditTier {
        contact: u8,
        tier: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => (0u8..4, any::<bool>()).prop_map(|(tier, birthday)| Op::Contact { tier, birthday }),
        1 => (0u8..6, any::<bool>()).prop_map(|(contact, applied)| Op::Job { contact, applied }),
        4 => (0u8..12, 0u8..6, 0u8..5, 0u8..4)
            .prop_map(|(kind, contact, job, promise)| Op::Log { kind, contact, job, promise }),
        1 => (0u8..5, 0u8..4).prop_map(|(job, outcome)| Op::Close { job, outcome }),
        1 => (0u8..12, 1u8..20).prop_map(|(item, days)| Op::Snooze { item, days }),
        1 => (0u8..6, 0u8..4).prop_map(|(contact, tier)| Op::EditTier { contact, tier }),
    ]
}

const TIERS: [&str; 4] = ["critical", "regular", "casual", ""];

fn apply(app: &mut App, op: &Op) {
    // Errors are bad input (a closed job closed again, an unknown id): they change nothing.
    let _ = match op {
        Op::Contact { tier, birthday } => {
            let n = app.contacts().map(|c| c.len()).unwrap_or(0) + 1;
            app.add_contact(NewContact {
                name: format!("Person {n}"),
                tier: Some(TIERS[*tier as usize].to_string()).filter(|t| !t.is_empty()),
                birthday: birthday.then(|| "1990-02-28".to_string()),
                ..NewContact::default()
            })
            .map(|_| ())
        }
        Op::Job { contact, applied } => app
            .add_job(NewJob {
                organization: format!("Org {contact}"),
                title: "Engineer".into(),
                contacts: if *contact == 0 {
                    vec![]
                } else {
                    vec![contact.to_string()]
                },
                applied: applied.then(|| app.today.to_string()),
                ..NewJob::default()
            })
            .map(|_| ()),
        Op::Log {
            kind,
            contact,
            job,
            promise,
        } => {
            let kind = TouchKind::ALL[*kind as usize];
            let later = app.today.checked_add(10.days()).unwrap().to_string();
            app.log(NewTouch {
                kind: kind.as_str().into(),
                with: vec![(contact + 1).to_string()],
                job: (*job > 0).then(|| job.to_string()),
                they_decide_by: (*promise == 1).then(|| later.clone()),
                i_will_follow_up: (*promise == 2).then(|| later.clone()),
                they_will_act: *promise == 3 && kind == TouchKind::Meeting,
                ..NewTouch::default()
            })
            .map(|_| ())
        }
        Op::Close { job, outcome } => app
            .close_job(
                &job.to_string(),
                ["accepted", "rejected", "withdrawn", "no-response"][*outcome as usize],
            )
            .map(|_| ()),
        Op::Snooze { item, days } => {
            let until = app
                .today
                .checked_add(i64::from(*days).days())
                .unwrap()
                .to_string();
            app.snooze(i64::from(*item), &until).map(|_| ())
        }
        Op::EditTier { contact, tier } => app
            .edit_contact(
                &(contact + 1).to_string(),
                followup_app::EditContact {
                    tier: Some(TIERS[*tier as usize].to_string()),
                    ..Default::default()
                },
            )
            .map(|_| ()),
    };
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn incremental_plan_equals_full_rebuild(ops in prop::collection::vec((op(), 0i64..4), 1..40)) {
        let store = SqliteStore::in_memory().unwrap();
        let mut app = App::with_store(Box::new(store), Config::default(), date(2026, 3, 2));
        for (op, advance) in &ops {
            app.today = app.today.checked_add(advance.days()).unwrap();
            apply(&mut app, op);
        }
        let incremental = serde_json::to_string(&app.plan_all().unwrap()).unwrap();
        app.replan().unwrap();
        let full = serde_json::to_string(&app.plan_all().unwrap()).unwrap();
        prop_assert_eq!(incremental, full);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// C12: the F15 warning shown before doing an item (draft, done) is the one doing it
    /// earns, and looking records nothing.
    #[test]
    fn clarification_c12_the_warning_before_is_the_warning_after(
        ops in prop::collection::vec((op(), 0i64..3), 1..40),
    ) {
        let store = SqliteStore::in_memory().unwrap();
        let mut app = App::with_store(Box::new(store), Config::default(), date(2026, 3, 2));
        for (op, advance) in &ops {
            app.today = app.today.checked_add(advance.days()).unwrap();
            apply(&mut app, op);
        }
        let ids: Vec<i64> = app.plan_all().unwrap().iter().map(|p| p.id).collect();
        for id in ids {
            let events = app.events().unwrap().len();
            let Ok(before) = app.gap_check(id) else { continue };
            prop_assert_eq!(app.events().unwrap().len(), events, "gap_check wrote");
            match app.done(id, None, None) {
                Ok(followup_app::Done::Logged(l)) => {
                    let after: Vec<_> =
                        l.warnings.into_iter().filter(|w| w.rule.0 == 15).collect();
                    prop_assert_eq!(before, after, "item {}", id);
                }
                Ok(followup_app::Done::Closed(_)) => prop_assert!(before.is_empty()),
                Err(_) => {}
            }
        }
    }
}

#[test]
fn rejection_closes_the_job_and_asks_for_a_reply() {
    let store = SqliteStore::in_memory().unwrap();
    let mut app = App::with_store(Box::new(store), Config::default(), date(2026, 3, 13));
    app.add_contact(NewContact {
        name: "Dana Reyes".into(),
        tier: Some("regular".into()),
        ..Default::default()
    })
    .unwrap();
    app.add_job(NewJob {
        organization: "Northwind".into(),
        title: "Engineer".into(),
        contacts: vec!["Dana".into()],
        ..Default::default()
    })
    .unwrap();
    let logged = app
        .log(NewTouch {
            kind: "rejection".into(),
            with: vec!["Dana".into()],
            job: Some("1".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(logged.stage_changes[0].to, followup_core::Stage::Rejected);
    assert_eq!(logged.next[0].due, date(2026, 3, 17));
    assert_eq!(logged.next[0].action, followup_core::Action::RejectionReply);
}

// ---- drafts -------------------------------------------------------------------------------

use followup_app::drafts;
use followup_core::draft::{DraftContext, MessageKind, Person, Role, lint, word_count};

fn words(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec("[A-Za-z]{1,12}", 1..=max).prop_map(|w| w.join(" "))
}

prop_compose! {
    fn arb_context()(
        first in "[A-Z][a-z]{1,14}",
        last in "[A-Z][a-z]{1,19}",
        me in words(4),
        title in words(6),
        org in words(4),
        problems in prop::collection::vec(words(20), 0..3),
        interview in any::<bool>(),
        agreed in any::<bool>(),
        follow_up in any::<bool>(),
        attempt in 0u32..5,
        note in words(20),
    ) -> DraftContext {
        let date = "Wednesday 30 September 2026".to_string();
        DraftContext {
            me: Person { name: me.clone(), signature: me, ..Person::default() },
            contact: Person {
                name: format!("{first} {last}"),
                first_name: first,
                organization: org.clone(),
                ..Person::default()
            },
            role: Role { title: title.clone(), organization: org.clone() },
            roles: vec![Role { title, organization: org }],
            interview_date: if interview { date.clone() } else { String::new() },
            agreed: if agreed {
                format!("We agreed I would reach out if I had not heard by {date}")
            } else {
                String::new()
            },
            follow_up_on: if follow_up { date.clone() } else { String::new() },
            last_sent: date,
            problems,
            attempt,
            their_last_note: note,
            ..DraftContext::default()
        }
    }
}

fn draft(name: &str, ctx: &DraftContext) -> String {
    let t = drafts::load(name, None).unwrap();
    drafts::render(&t, ctx).unwrap().1
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// M1: the defaults stay short whatever was recorded (names, titles, notes up to 20 words).
    #[test]
    fn every_default_draft_stays_within_m1(ctx in arb_context()) {
        for name in drafts::names() {
            let body = draft(name, &ctx);
            if let Some(limit) = MessageKind::of_template(name).word_limit() {
                prop_assert!(word_count(&body) <= limit, "{name}: {} words\n{body}", word_count(&body));
            }
            // The defaults never plead (M3).
            let pleading: Vec<_> = lint(&body, MessageKind::Other, None)
                .into_iter()
                .filter(|w| w.rule == "M3")
                .collect();
            prop_assert!(pleading.is_empty(), "{name}: {pleading:?}");
        }
    }

    /// F8: consecutive status drafts to one contact differ and never ask the same question.
    #[test]
    fn consecutive_status_drafts_never_repeat_a_question(ctx in arb_context()) {
        let sequence = [("follow-up", 0), ("retry", 1), ("value-add", 2), ("value-add", 3), ("value-add", 4)];
        let mut previous: Option<String> = None;
        for (name, attempt) in sequence {
            let body = draft(name, &DraftContext { attempt, ..ctx.clone() });
            if let Some(prev) = &previous {
                prop_assert_ne!(prev, &body);
                let repeats: Vec<_> = lint(&body, MessageKind::Status, Some(prev))
                    .into_iter()
                    .filter(|w| w.rule == "F8")
                    .collect();
                prop_assert!(repeats.is_empty(), "{name} after the previous: {repeats:?}");
            }
            previous = Some(body);
        }
    }
}
