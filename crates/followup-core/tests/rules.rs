//! RULES.md's worked examples, one test each, plus the planner's properties.
//! (One integration-test binary for the crate: each file under tests/ is a slow link.)

use followup_core::agenda::{Planned, Window, agenda, today_view};
use followup_core::plan::{Action, History, Rule, Snooze, Subject, plan, point_of_contact};
use followup_core::*;
use jiff::civil::{Date, date};
use proptest::prelude::*;

const DANA: ContactId = ContactId(1);

fn contact(id: i64, name: &str, tier: Option<Tier>) -> Contact {
    Contact {
        id: ContactId(id),
        name: name.into(),
        emails: vec![],
        phones: vec![],
        organization: None,
        title: None,
        tier,
        prefers: None,
        linkedin: None,
        birthday: None,
        work_anniversary: None,
        personal_anniversary: None,
        notes: None,
        added_on: date(2026, 2, 1),
        cadence_start: None,
    }
}

fn job(id: i64, org: &str, contacts: &[i64]) -> Job {
    Job {
        id: JobId(id),
        organization: OrgRef {
            id: OrgId(id),
            name: org.into(),
        },
        title: "Senior Data Engineer".into(),
        url: None,
        response_time: None,
        applied: None,
        stage: Stage::Interviewing,
        contacts: contacts.iter().map(|c| ContactId(*c)).collect(),
        added_on: date(2026, 2, 1),
        notes: None,
    }
}

fn touch(id: i64, kind: TouchKind, on: Date, job: Option<i64>) -> Touch {
    Touch {
        id: TouchId(id),
        kind,
        direction: kind.default_direction(),
        date: on,
        contacts: vec![DANA],
        job: job.map(JobId),
        note: None,
        answers: None,
        poor_fit: false,
        promises: vec![],
        message: None,
    }
}

fn theirs(d: Date) -> Promise {
    Promise {
        whose: Whose::Theirs,
        kind: PromiseKind::Decide,
        date: Some(d),
    }
}

fn mine(d: Date) -> Promise {
    Promise {
        whose: Whose::Mine,
        kind: PromiseKind::FollowUp,
        date: Some(d),
    }
}

fn dana_plan(h: &History, p: &Policy) -> FollowUp {
    let items = plan(Subject::Contact(DANA), h, p);
    items
        .into_iter()
        .find(|i| i.key.slot == Slot::FollowUp)
        .expect("a pending follow-up")
}

fn history(touches: Vec<Touch>, jobs: Vec<Job>) -> History {
    History {
        contact: Some(contact(1, "Dana Reyes", Some(Tier::Regular))),
        jobs,
        touches,
        snoozes: vec![],
    }
}

fn interview(on: Date) -> Touch {
    let mut t = touch(1, TouchKind::Interview, on, Some(1));
    t.answers = Some(InterviewAnswers::default());
    t
}

#[test]
fn example_01_their_timeline_plus_grace() {
    let mut iv = interview(date(2026, 3, 5));
    iv.promises.push(theirs(date(2026, 3, 9)));
    let h = history(vec![iv], vec![job(1, "Northwind", &[1])]);
    let item = dana_plan(&h, &Policy::default());
    assert_eq!(item.action, Action::ThankYou);
    assert_eq!(item.rule, Rule(6));
    assert_eq!(item.due, date(2026, 3, 6));
    assert_eq!(item.channel, Channel::Email);
    let then = item.then.expect("the thank-you names the follow-up date");
    assert_eq!(then.due, date(2026, 3, 11));
    assert_eq!(then.action, Action::FollowUp);
    assert_eq!(then.rule, Rule(3));
    assert!(
        then.why.contains("9 Mar")
            && then.why.contains("2 business days")
            && then.why.ends_with("(F3)"),
        "{}",
        then.why
    );

    // Once the thank-you is sent, the follow-up itself is the pending item.
    let mut h = h;
    h.touches
        .push(touch(2, TouchKind::ThankYou, date(2026, 3, 6), Some(1)));
    let item = dana_plan(&h, &Policy::default());
    assert_eq!(
        (item.due, item.action, item.rule, item.channel),
        (date(2026, 3, 11), Action::FollowUp, Rule(3), Channel::Email)
    );
}

fn example_2_history() -> History {
    let mut h = history(
        vec![
            interview(date(2026, 3, 5)),
            touch(2, TouchKind::ThankYou, date(2026, 3, 5), Some(1)),
        ],
        vec![job(1, "Northwind", &[1])],
    );
    h.contact.as_mut().unwrap().tier = Some(Tier::Casual);
    h
}

#[test]
fn example_02_default_wait_after_interview() {
    let item = dana_plan(&example_2_history(), &Policy::default());
    assert_eq!(
        (item.due, item.action, item.rule, item.channel),
        (date(2026, 3, 19), Action::FollowUp, Rule(4), Channel::Email)
    );
    assert!(item.unasked.contains(&Question::Timeline));
    // The agenda carries the note too.
    let a = today_view(&Planned { id: 1, item }, date(2026, 3, 19));
    assert!(a.unasked.contains(&Question::Timeline));
    assert!(!a.call_now);
}

#[test]
fn example_03_call_now_when_the_default_wait_has_passed() {
    let item = dana_plan(&example_2_history(), &Policy::default());
    let today = date(2026, 3, 25);
    let items = agenda(
        &[Planned { id: 7, item }],
        Window {
            today,
            until: date(2026, 4, 8),
            open_jobs: 5,
        },
        &Policy::default(),
    );
    assert_eq!(items.len(), 1);
    let a = &items[0];
    assert_eq!(a.due, date(2026, 3, 19), "overdue since 19 Mar");
    assert_eq!(a.overdue_days, 6);
    assert_eq!(a.action, Action::FollowUp);
    assert_eq!(a.rule, Rule(4));
    assert_eq!(a.channel, Channel::Phone);
    assert!(a.call_now && a.why.contains("call now"), "{}", a.why);
}

#[test]
fn example_04_your_stated_date_wins() {
    let mut ty = touch(2, TouchKind::ThankYou, date(2026, 3, 5), Some(1));
    ty.promises.push(mine(date(2026, 3, 31)));
    let h = history(
        vec![interview(date(2026, 3, 5)), ty],
        vec![job(1, "Northwind", &[1])],
    );
    let item = dana_plan(&h, &Policy::default());
    assert_eq!(
        (item.due, item.action, item.rule, item.channel),
        (date(2026, 3, 31), Action::FollowUp, Rule(2), Channel::Email)
    );
}

fn silent_history() -> History {
    history(
        vec![
            interview(date(2026, 3, 2)),
            touch(2, TouchKind::ThankYou, date(2026, 3, 3), Some(1)),
            touch(3, TouchKind::FollowUp, date(2026, 3, 11), Some(1)),
        ],
        vec![job(1, "Northwind", &[1])],
    )
}

#[test]
fn example_05_retry_after_silence() {
    let p = Policy::default();
    let mut h = silent_history();
    let item = dana_plan(&h, &p);
    assert_eq!(
        (item.due, item.action, item.rule, item.channel),
        (date(2026, 3, 17), Action::Retry, Rule(7), Channel::Email)
    );
    h.touches
        .push(touch(4, TouchKind::FollowUp, date(2026, 3, 17), Some(1)));
    let item = dana_plan(&h, &p);
    assert_eq!(
        (item.due, item.action, item.rule),
        (date(2026, 3, 31), Action::ValueAdd, Rule(8))
    );
    assert_eq!(item.move_on_from, Some(date(2026, 4, 8)));
    // Nothing inbound by 8 Apr: the pending item becomes a move-on review.
    let a = today_view(&Planned { id: 1, item }, date(2026, 4, 8));
    assert_eq!((a.action, a.rule), (Action::MoveOnReview, Rule(9)));
    // And once the value-add goes out, the next status date is past the limit.
    h.touches
        .push(touch(5, TouchKind::ValueAdd, date(2026, 3, 31), Some(1)));
    let item = dana_plan(&h, &p);
    assert_eq!(
        (item.due, item.action, item.rule),
        (date(2026, 4, 8), Action::MoveOnReview, Rule(9))
    );
}

#[test]
fn example_06_reply_with_a_date_replaces_the_retry() {
    let mut h = silent_history();
    let mut reply = touch(4, TouchKind::Reply, date(2026, 3, 13), Some(1));
    reply.promises.push(theirs(date(2026, 3, 20)));
    h.touches.push(reply);
    let item = dana_plan(&h, &Policy::default());
    assert_eq!(
        (item.due, item.action, item.rule, item.channel),
        (date(2026, 3, 24), Action::FollowUp, Rule(3), Channel::Email)
    );
}

#[test]
fn example_07_respect_the_posting() {
    let mut j = job(1, "Northwind", &[1]);
    j.stage = Stage::Applied;
    j.applied = Some(date(2026, 3, 2));
    j.response_time = Some(Wait::Weeks(3));
    let h = history(
        vec![touch(1, TouchKind::Application, date(2026, 3, 2), Some(1))],
        vec![j],
    );
    let item = dana_plan(&h, &Policy::default());
    assert_eq!(
        (item.due, item.action, item.rule, item.channel),
        (date(2026, 3, 23), Action::FollowUp, Rule(5), Channel::Email)
    );
}

#[test]
fn example_08_accept_rejection_gracefully() {
    let mut j = job(1, "Northwind", &[1]);
    j.stage = Stage::Rejected;
    let mut h = history(
        vec![
            interview(date(2026, 3, 2)),
            touch(2, TouchKind::ThankYou, date(2026, 3, 3), Some(1)),
            touch(3, TouchKind::Rejection, date(2026, 3, 13), Some(1)),
        ],
        vec![j],
    );
    let p = Policy::default();
    let item = dana_plan(&h, &p);
    assert_eq!(
        (item.due, item.action, item.rule, item.channel),
        (
            date(2026, 3, 17),
            Action::RejectionReply,
            Rule(10),
            Channel::Email
        )
    );
    h.touches
        .push(touch(4, TouchKind::FollowUp, date(2026, 3, 17), Some(1)));
    let item = dana_plan(&h, &p);
    assert_eq!(
        (item.due, item.action, item.rule),
        (date(2026, 6, 15), Action::KeepInTouch, Rule(13))
    );
}

#[test]
fn example_09_networking_meeting() {
    let mut meet = touch(1, TouchKind::Meeting, date(2026, 3, 3), None);
    meet.promises.push(Promise {
        whose: Whose::Theirs,
        kind: PromiseKind::Act,
        date: None,
    });
    let mut h = history(vec![meet.clone()], vec![]);
    h.contact.as_mut().unwrap().tier = Some(Tier::Casual);
    let item = dana_plan(&h, &Policy::default());
    assert_eq!(
        (item.due, item.action, item.rule, item.channel),
        (
            date(2026, 3, 10),
            Action::FollowUp,
            Rule(12),
            Channel::Email
        )
    );
    meet.promises.clear();
    h.touches = vec![meet];
    let item = dana_plan(&h, &Policy::default());
    assert_eq!(
        (item.due, item.action, item.rule),
        (date(2026, 4, 14), Action::FollowUp, Rule(12))
    );
}

#[test]
fn example_10_leap_day_birthday() {
    let mut c = contact(1, "Dana Reyes", Some(Tier::Casual));
    c.birthday = Some(date(1988, 2, 29));
    let h = History {
        contact: Some(c),
        ..History::default()
    };
    let p = Policy::default();
    let planned: Vec<Planned> = plan(Subject::Contact(DANA), &h, &p)
        .into_iter()
        .map(|item| Planned { id: 3, item })
        .collect();
    let items = agenda(
        &planned,
        Window {
            today: date(2026, 2, 20),
            until: date(2026, 3, 6),
            open_jobs: 5,
        },
        &p,
    );
    assert_eq!(items.len(), 1);
    let a = &items[0];
    assert_eq!(
        (a.due, a.action, a.rule, a.channel),
        (
            date(2026, 2, 28),
            Action::Occasion,
            Rule(14),
            Channel::Email
        )
    );
    assert_eq!(a.due.weekday(), jiff::civil::Weekday::Saturday);
}

#[test]
fn example_11_one_message_for_two_roles() {
    let mut a = touch(1, TouchKind::Interview, date(2026, 2, 25), Some(1));
    a.promises.push(theirs(date(2026, 3, 9)));
    let mut b = touch(2, TouchKind::Interview, date(2026, 2, 26), Some(2));
    b.promises.push(theirs(date(2026, 3, 10)));
    let h = history(
        vec![
            a,
            b,
            touch(3, TouchKind::ThankYou, date(2026, 2, 26), Some(1)),
            touch(4, TouchKind::ThankYou, date(2026, 2, 27), Some(2)),
        ],
        vec![job(1, "Northwind", &[1]), job(2, "Contoso", &[1])],
    );
    let items = plan(Subject::Contact(DANA), &h, &Policy::default());
    assert_eq!(items.len(), 1, "one item for Dana");
    let item = &items[0];
    assert_eq!(
        (item.due, item.action, item.rule, item.channel),
        (date(2026, 3, 11), Action::FollowUp, Rule(3), Channel::Email)
    );
    let jobs: Vec<i64> = item.jobs.iter().map(|j| j.id.0).collect();
    assert_eq!(jobs, vec![1, 2], "names both roles");
}

#[test]
fn example_12_pestering_warns() {
    let p = Policy::default();
    let earlier = touch(1, TouchKind::FollowUp, date(2026, 3, 9), Some(1));
    let w = followup_core::plan::gap_warning(&[earlier], DANA, date(2026, 3, 10), &p)
        .expect("a warning");
    assert_eq!(w.rule, Rule(15));
    assert!(w.message.contains("3 bd"), "{}", w.message);
    assert_eq!(w.earliest, Some(date(2026, 3, 12)));
    // A reply in between clears it.
    let mut reply = touch(2, TouchKind::Reply, date(2026, 3, 9), Some(1));
    reply.id = TouchId(2);
    let earlier = touch(1, TouchKind::FollowUp, date(2026, 3, 9), Some(1));
    assert!(
        followup_core::plan::gap_warning(&[earlier, reply], DANA, date(2026, 3, 10), &p).is_none()
    );
}

#[test]
fn example_13_pipeline_item() {
    let items = agenda(
        &[],
        Window {
            today: date(2026, 3, 10),
            until: date(2026, 3, 24),
            open_jobs: 3,
        },
        &Policy::default(),
    );
    assert_eq!(items.len(), 1);
    let a = &items[0];
    assert_eq!(
        (a.due, a.action, a.rule),
        (date(2026, 3, 10), Action::Pipeline, Rule(18))
    );
    assert!(a.why.contains("3 open"));
}

#[test]
fn example_14_holidays_are_not_business_days() {
    let mut p = Policy::default();
    p.calendar.holidays.insert(date(2026, 7, 3));
    let mut iv = interview(date(2026, 6, 25));
    iv.promises.push(theirs(date(2026, 7, 2)));
    let h = history(
        vec![
            iv,
            touch(2, TouchKind::ThankYou, date(2026, 6, 25), Some(1)),
        ],
        vec![job(1, "Northwind", &[1])],
    );
    let item = dana_plan(&h, &p);
    assert_eq!(
        (item.due, item.action, item.rule, item.channel),
        (date(2026, 7, 7), Action::FollowUp, Rule(3), Channel::Email)
    );
}

#[test]
fn poor_fit_gets_a_thank_you_at_most() {
    let mut iv = interview(date(2026, 3, 5));
    iv.poor_fit = true;
    let mut h = history(vec![iv], vec![job(1, "Northwind", &[1])]);
    h.contact.as_mut().unwrap().tier = None;
    let item = dana_plan(&h, &Policy::default());
    assert_eq!(item.action, Action::ThankYou);
    assert!(item.then.is_none());
    h.touches
        .push(touch(2, TouchKind::ThankYou, date(2026, 3, 6), Some(1)));
    assert!(plan(Subject::Contact(DANA), &h, &Policy::default()).is_empty());
}

#[test]
fn eager_preset_waits_a_week() {
    let item = dana_plan(&example_2_history(), &Preset::Eager.policy());
    assert_eq!(item.due, date(2026, 3, 12));
}

#[test]
fn snooze_holds_until_a_newer_touch() {
    let mut h = example_2_history();
    let key = PlanKey {
        subject: Subject::Contact(DANA),
        slot: Slot::FollowUp,
    };
    h.snoozes.push(Snooze {
        key,
        until: date(2026, 3, 27),
        after: Some(TouchId(2)),
    });
    assert_eq!(dana_plan(&h, &Policy::default()).due, date(2026, 3, 27));
    h.touches
        .push(touch(3, TouchKind::Reply, date(2026, 3, 20), Some(1)));
    assert_ne!(dana_plan(&h, &Policy::default()).due, date(2026, 3, 27));
}

#[test]
fn a_job_without_contact_is_its_own_subject() {
    let mut j = job(9, "Initech", &[]);
    j.stage = Stage::Applied;
    j.applied = Some(date(2026, 3, 2));
    let mut t = touch(1, TouchKind::Application, date(2026, 3, 2), Some(9));
    t.contacts.clear();
    let h = History {
        contact: None,
        jobs: vec![j.clone()],
        touches: vec![t.clone()],
        snoozes: vec![],
    };
    assert_eq!(point_of_contact(&j, &[&t]), None);
    let items = plan(Subject::Job(JobId(9)), &h, &Policy::default());
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].due, date(2026, 3, 9));
    assert_eq!(items[0].jobs[0].organization, "Initech");
}

// ---- properties -------------------------------------------------------------------------

fn arb_kind() -> impl Strategy<Value = TouchKind> {
    prop::sample::select(TouchKind::ALL.to_vec())
}

prop_compose! {
    fn arb_touches()(steps in prop::collection::vec((arb_kind(), 0i64..6, 0u8..3, any::<bool>(), 0i64..20), 0..14)) -> Vec<Touch> {
        let mut day = date(2026, 3, 2);
        let mut out = Vec::new();
        for (i, (kind, gap, job, promise, pdays)) in steps.into_iter().enumerate() {
            day = day.checked_add(jiff::Span::new().days(gap)).unwrap();
            let mut t = touch(i as i64 + 1, kind, day, if job == 0 { None } else { Some(i64::from(job)) });
            if promise {
                let d = day.checked_add(jiff::Span::new().days(pdays + 1)).unwrap();
                t.promises.push(if pdays % 2 == 0 { mine(d) } else { theirs(d) });
            }
            out.push(t);
        }
        out
    }
}

fn arb_history() -> impl Strategy<Value = (History, Option<Tier>)> {
    (
        arb_touches(),
        prop::option::of(prop::sample::select(Tier::ALL.to_vec())),
        prop::sample::select(vec![Stage::Applied, Stage::Interviewing, Stage::Offer]),
    )
        .prop_map(|(touches, tier, stage)| {
            let mut h = history(
                touches,
                vec![job(1, "Northwind", &[1]), job(2, "Contoso", &[1])],
            );
            for j in &mut h.jobs {
                j.stage = stage;
            }
            h.contact.as_mut().unwrap().tier = tier;
            (h, tier)
        })
}

proptest! {
    #[test]
    fn agenda_is_deterministic_to_the_byte((h, _) in arb_history(), today_off in 0i64..60) {
        let p = Policy::default();
        let today = date(2026, 3, 2).checked_add(jiff::Span::new().days(today_off)).unwrap();
        let run = |h: &History| {
            let planned: Vec<Planned> = plan(Subject::Contact(DANA), h, &p)
                .into_iter()
                .enumerate()
                .map(|(i, item)| Planned { id: i as i64 + 1, item })
                .collect();
            let w = Window { today, until: date(2027, 1, 1), open_jobs: 2 };
            serde_json::to_string(&agenda(&planned, w, &p)).unwrap()
        };
        let mut reversed = h.clone();
        reversed.touches.reverse();
        prop_assert_eq!(run(&h), run(&reversed));
    }

    #[test]
    fn no_open_job_and_no_tiered_contact_is_left_without_a_next_date((h, tier) in arb_history()) {
        let items = plan(Subject::Contact(DANA), &h, &Policy::default());
        let pending = items.iter().find(|i| i.key.slot == Slot::FollowUp);
        let poor_fit = h.touches.iter().any(|t| t.poor_fit || t.kind == TouchKind::Withdrawal);
        if matches!(tier, Some(Tier::Critical | Tier::Regular)) {
            prop_assert!(pending.is_some(), "tiered contact without a next date");
        }
        if !poor_fit {
            let pending = pending.expect("open jobs need a next date");
            for j in &h.jobs {
                prop_assert!(pending.jobs.iter().any(|r| r.id == j.id), "job {} not covered", j.id);
            }
        }
    }

    #[test]
    fn no_proposal_closer_than_the_gap((h, _) in arb_history()) {
        let p = Policy::default();
        let items = plan(Subject::Contact(DANA), &h, &p);
        let Some(pending) = items.iter().find(|i| i.key.slot == Slot::FollowUp) else { return Ok(()) };
        let mut ts: Vec<&Touch> = h.touches.iter().collect();
        ts.sort_by_key(|a| (a.date, a.id));
        let last = ts.iter().rev().find(|t| t.direction != Direction::Internal);
        if let Some(t) = last.filter(|t| t.direction == Direction::Outbound) {
            let floor = p.calendar.add(t.date, p.gap);
            prop_assert!(pending.due >= floor, "due {} before gap floor {}", pending.due, floor);
        }
    }
}

// ---- RULES.md's second edition: clarifications C1-C12 (C9, C10 and C12 are tested where
// promises, drafts and warnings are shown) ----------------------------------------------

fn on_agenda(item: FollowUp, today: Date) -> AgendaItem {
    let items = agenda(
        &[Planned { id: 1, item }],
        Window {
            today,
            until: today.checked_add(jiff::Span::new().days(60)).unwrap(),
            open_jobs: 5,
        },
        &Policy::default(),
    );
    items.into_iter().next().expect("one item")
}

/// A thank-you sent on `on` that names the engine's date as the person's promise (F6).
fn thank_you_naming(id: i64, on: Date, named: Date) -> Touch {
    let mut ty = touch(id, TouchKind::ThankYou, on, Some(1));
    ty.promises.push(mine(named));
    ty
}

#[test]
fn clarification_c01_a_taken_over_date_says_where_it_came_from() {
    // Interview 1 Jun, no timeline: F4 proposes 15 Jun; the thank-you of 2 Jun names it.
    let h = history(
        vec![
            interview(date(2026, 6, 1)),
            thank_you_naming(2, date(2026, 6, 2), date(2026, 6, 15)),
        ],
        vec![job(1, "Northwind", &[1])],
    );
    let item = dana_plan(&h, &Policy::default());
    assert_eq!((item.due, item.rule), (date(2026, 6, 15), Rule(2)));
    let why = item.reason.clone().expect("the why as data");
    let origin = why.origin.as_ref().expect("C1: where the date came from");
    assert_eq!(origin.rule, Rule(4));
    assert_eq!(
        item.why,
        "you said in your thank-you of 2 Jun that you would follow up on 15 Jun: 14 days after your interview on 1 Jun, no timeline known (F2, from F4)"
    );
    // The JSON carries the structure beside the words.
    let json = serde_json::to_value(&item).unwrap();
    assert_eq!(json["reason"]["rule"], "F2");
    assert_eq!(json["reason"]["origin"]["rule"], "F4");
    assert_eq!(json["reason"]["origin"]["basis"]["basis"], "default-wait");
    // A date of the person's own is not a taken-over one.
    let h = history(
        vec![
            interview(date(2026, 6, 1)),
            thank_you_naming(2, date(2026, 6, 2), date(2026, 6, 20)),
        ],
        vec![job(1, "Northwind", &[1])],
    );
    assert!(
        dana_plan(&h, &Policy::default())
            .reason
            .unwrap()
            .origin
            .is_none()
    );
}

#[test]
fn clarification_c02_late_after_a_default_wait_means_call_even_when_promised() {
    let h = history(
        vec![
            interview(date(2026, 6, 1)),
            thank_you_naming(2, date(2026, 6, 2), date(2026, 6, 15)),
        ],
        vec![job(1, "Northwind", &[1])],
    );
    let a = on_agenda(dana_plan(&h, &Policy::default()), date(2026, 6, 20));
    assert!(a.call_now, "five days late after F4's date: call now");
    assert_eq!(a.channel, Channel::Phone);
    assert!(a.why.contains("call now"), "{}", a.why);
    // A date from F3 keeps the person's channel.
    let mut iv = interview(date(2026, 6, 1));
    iv.promises.push(theirs(date(2026, 6, 5)));
    let h = history(
        vec![iv, thank_you_naming(2, date(2026, 6, 2), date(2026, 6, 9))],
        vec![job(1, "Northwind", &[1])],
    );
    let a = on_agenda(dana_plan(&h, &Policy::default()), date(2026, 6, 20));
    assert!(!a.call_now);
    assert_eq!(a.channel, Channel::Email);
}

#[test]
fn clarification_c03_thank_you_names_the_recorded_date() {
    // Interview Wed 2 Dec, "you'll hear by Thu 3 Dec": F3 gives Mon 7 Dec. The thank-you is due
    // Thu 3 Dec; 3 business days after it is Tue 8 Dec, so the note names 8 Dec.
    let mut iv = interview(date(2026, 12, 2));
    iv.promises.push(theirs(date(2026, 12, 3)));
    let h = history(vec![iv.clone()], vec![job(1, "Northwind", &[1])]);
    let item = dana_plan(&h, &Policy::default());
    assert_eq!(item.action, Action::ThankYou);
    let named = item.then.expect("the date the note names").due;
    assert_eq!(named, date(2026, 12, 8));
    assert_eq!(
        plan::named_date(date(2026, 12, 7), date(2026, 12, 3), &Policy::default()),
        named
    );
    // Sending it records that date: the agenda keeps the same one.
    let h = history(
        vec![iv, thank_you_naming(2, date(2026, 12, 3), named)],
        vec![job(1, "Northwind", &[1])],
    );
    let after = dana_plan(&h, &Policy::default());
    assert_eq!((after.due, after.rule), (named, Rule(2)));
    assert_eq!(after.reason.unwrap().origin.unwrap().rule, Rule(3));
}

#[test]
fn clarification_c04_an_unsent_thank_you_folds_into_the_follow_up() {
    let h = history(
        vec![interview(date(2026, 3, 5))],
        vec![job(1, "Northwind", &[1])],
    );
    let item = dana_plan(&h, &Policy::default());
    assert_eq!(item.action, Action::ThankYou);
    // Before the follow-up's day, the thank-you is what is due.
    assert_eq!(
        on_agenda(item.clone(), date(2026, 3, 10)).action,
        Action::ThankYou
    );
    // On it, one item: the follow-up, which thanks them too.
    let a = on_agenda(item, date(2026, 3, 19));
    assert_eq!(
        (a.action, a.due, a.rule),
        (Action::FollowUp, date(2026, 3, 19), Rule(4))
    );
    assert!(a.thanks_too && a.then.is_none());
    assert!(a.why.contains("was never sent"), "{}", a.why);
    // Sending that follow-up ends the thank-you too: no note comes back overdue.
    let h = history(
        vec![
            interview(date(2026, 3, 5)),
            touch(2, TouchKind::FollowUp, date(2026, 3, 19), Some(1)),
        ],
        vec![job(1, "Northwind", &[1])],
    );
    let item = dana_plan(&h, &Policy::default());
    assert_eq!((item.action, item.due), (Action::Retry, date(2026, 3, 25)));
}

#[test]
fn clarification_c05_a_promise_to_act_by_a_date_is_that_date_plus_grace() {
    let mut meeting = touch(1, TouchKind::Meeting, date(2026, 3, 3), None);
    meeting.promises.push(Promise {
        whose: Whose::Theirs,
        kind: PromiseKind::Act,
        date: Some(date(2026, 3, 5)),
    });
    let h = history(vec![meeting.clone()], vec![]);
    let item = dana_plan(&h, &Policy::default());
    // Thu 5 Mar + 2 bd = Mon 9 Mar.
    assert_eq!(
        (item.due, item.rule),
        (date(2026, 3, 9), Rule::clarification(5))
    );
    assert!(
        item.why.contains("promised to act by 5 Mar"),
        "{}",
        item.why
    );
    // Without a date: the action wait (F12).
    meeting.promises[0].date = None;
    let item = dana_plan(&history(vec![meeting], vec![]), &Policy::default());
    assert_eq!((item.due, item.rule), (date(2026, 3, 10), Rule(12)));
}

#[test]
fn clarification_c06_an_offer_makes_a_decide_item_and_stops_status_follow_ups() {
    let mut j = job(1, "Northwind", &[1]);
    j.stage = Stage::Offer;
    let mut offer = touch(2, TouchKind::Offer, date(2026, 3, 10), Some(1));
    offer.promises.push(Promise {
        whose: Whose::Mine,
        kind: PromiseKind::Decide,
        date: Some(date(2026, 3, 20)),
    });
    let h = history(
        vec![interview(date(2026, 3, 2)), offer.clone()],
        vec![j.clone()],
    );
    let item = dana_plan(&h, &Policy::default());
    // Fri 20 Mar - 2 bd = Wed 18 Mar.
    assert_eq!(
        (item.due, item.action, item.rule),
        (date(2026, 3, 18), Action::Decide, Rule::clarification(6))
    );
    // Silence after it is no reason to chase them (no F7, F8, F9).
    let mut later = h.clone();
    later
        .touches
        .push(touch(3, TouchKind::FollowUp, date(2026, 3, 11), Some(1)));
    let item = dana_plan(&later, &Policy::default());
    assert_ne!(item.action, Action::MoveOnReview);
    // With no date for the answer: decide within 2 bd of the offer.
    offer.promises.clear();
    let h = history(vec![offer], vec![j]);
    let item = dana_plan(&h, &Policy::default());
    assert_eq!((item.due, item.action), (date(2026, 3, 12), Action::Decide));
}

#[test]
fn clarification_c07_greetings_chain_nothing_and_merge_the_keep_in_touch() {
    let mut c = contact(1, "Dana Reyes", Some(Tier::Critical));
    c.work_anniversary = Some(date(2019, 12, 6));
    // Last touch 7 Nov: the 30-day keep-in-touch falls on 7 Dec, a day after the anniversary.
    let h = History {
        contact: Some(c.clone()),
        jobs: vec![],
        touches: vec![touch(1, TouchKind::Reply, date(2026, 11, 7), None)],
        snoozes: vec![],
    };
    let items = plan(Subject::Contact(DANA), &h, &Policy::default());
    assert!(
        items.iter().all(|i| i.action != Action::KeepInTouch),
        "merged into the occasion: {items:?}"
    );
    let occ = items.iter().find(|i| i.action == Action::Occasion).unwrap();
    assert!(occ.why.contains("keeps you in touch"), "{}", occ.why);
    // The greeting (done on 24 Nov, twelve days early) asks no reply: no retry, no F12
    // follow-up, and the occasion is not shown again this year.
    let mut h = h;
    h.touches
        .push(touch(2, TouchKind::Greeting, date(2026, 11, 24), None));
    let items = plan(Subject::Contact(DANA), &h, &Policy::default());
    let pending = items.iter().find(|i| i.key.slot == Slot::FollowUp).unwrap();
    assert_eq!(
        pending.action,
        Action::KeepInTouch,
        "F13 counts from the greeting"
    );
    assert_eq!(pending.due, date(2026, 12, 24));
    let planned: Vec<Planned> = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| Planned {
            id: i as i64 + 1,
            item,
        })
        .collect();
    let shown = agenda(
        &planned,
        Window {
            today: date(2026, 11, 24),
            until: date(2026, 12, 8),
            open_jobs: 5,
        },
        &Policy::default(),
    );
    assert!(
        shown.iter().all(|a| a.action != Action::Occasion),
        "{shown:?}"
    );
}

#[test]
fn clarification_c08_moving_on_needs_no_thank_you() {
    // Interview, no thank-you, a follow-up on 19 Mar, then silence past 4 weeks.
    let h = history(
        vec![
            interview(date(2026, 3, 5)),
            touch(2, TouchKind::FollowUp, date(2026, 3, 19), Some(1)),
            touch(3, TouchKind::ValueAdd, date(2026, 3, 25), Some(1)),
        ],
        vec![job(1, "Northwind", &[1])],
    );
    let item = dana_plan(&h, &Policy::default());
    assert_eq!(item.move_on_from, Some(date(2026, 4, 16)));
    let a = on_agenda(item, date(2026, 4, 20));
    assert_eq!(a.action, Action::MoveOnReview);
}

#[test]
fn clarification_c11_your_date_on_a_weekend_is_not_moved() {
    // Sat 28 Mar.
    let h = history(
        vec![
            interview(date(2026, 3, 5)),
            thank_you_naming(2, date(2026, 3, 5), date(2026, 3, 28)),
        ],
        vec![job(1, "Northwind", &[1])],
    );
    let item = dana_plan(&h, &Policy::default());
    assert_eq!((item.due, item.rule), (date(2026, 3, 28), Rule(2)));
}
