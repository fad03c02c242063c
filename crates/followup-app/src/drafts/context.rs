//! The context a template is rendered with: who it is to and from, which job, what was said
//! last, which thread it continues, and the dates it names.

use followup_core::draft::{DraftContext, Person, Role};
use followup_core::model::{Contact, Direction, Job, PromiseKind, Touch, TouchKind};
use followup_core::policy::Policy;
use jiff::civil::Date;

use super::{long_date, person};

/// Whom a message without a contact greets: the organization's hiring team, by name
/// ("Northwind hiring team", C10).
fn hiring_team(roles: &[Role]) -> String {
    match roles.first().filter(|r| !r.organization.is_empty()) {
        Some(r) => format!("{} hiring team", r.organization),
        None => "hiring team".into(),
    }
}

/// A number to call back: the contact's first phone, else a direct line given at an
/// interview (F17) that reads as a phone number.
pub(super) fn phone_of(contact: &Contact, touches: &[Touch]) -> Option<String> {
    contact.phones.first().cloned().or_else(|| {
        touches
            .iter()
            .rev()
            .filter(|t| t.contacts.contains(&contact.id))
            .filter_map(|t| t.answers.as_ref()?.direct_contact.clone())
            .find(|d| !d.contains('@') && d.chars().filter(char::is_ascii_digit).count() >= 7)
    })
}

/// Which touches a draft reads: the role's when it is about one; for a keep-in-touch or an
/// occasion everything with the contact; else the contact's touches outside any role, as the
/// planner reads a networking thread (F12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Thread {
    Role,
    Network,
    Everything,
}

fn thread_for(action: &str, has_role: bool) -> Thread {
    match action {
        "keep-in-touch" | "occasion" => Thread::Everything,
        _ if has_role => Thread::Role,
        _ => Thread::Network,
    }
}

/// What is known for a draft, from the records (C10: a draft says only what happened).
pub(super) fn context(
    me: &Person,
    contact: Option<&Contact>,
    jobs: &[Job],
    touches: &[Touch],
    today: Date,
    policy: &Policy,
    action: &str,
) -> DraftContext {
    let roles: Vec<Role> = jobs
        .iter()
        .map(|j| Role {
            title: j.title.clone(),
            organization: j.organization.name.clone(),
        })
        .collect();
    let roles_text = roles
        .iter()
        .map(|r| format!("{} at {}", r.title, r.organization))
        .collect::<Vec<_>>()
        .join(" and ");
    let job = jobs.first().map(|j| j.id);
    let with_them = |t: &Touch| contact.is_none_or(|c| t.contacts.contains(&c.id));
    // The thread the message belongs to, notes to oneself left out.
    let kind = thread_for(action, job.is_some());
    let thread: Vec<&Touch> = touches
        .iter()
        .filter(|t| t.direction != Direction::Internal)
        .filter(|t| match kind {
            Thread::Role => t.job == job,
            Thread::Network => t.job.is_none() && with_them(t),
            Thread::Everything => with_them(t),
        })
        .collect();
    // The current thread: from the last time they spoke on. A promise older than that is
    // history, and so is one whose date passed more than the silence limit ago (C10).
    let heard = thread.iter().rposition(|t| t.direction.heard_from_them());
    let current = &thread[heard.unwrap_or(0)..];
    let fresh = |d: Date| policy.calendar.add(d, policy.silence_limit) >= today;
    let after = |i: usize| current[i + 1..].iter().copied();
    // *Mine*: the newest promise of the current thread, until a status message keeps it.
    let mine = current
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, t)| t.my_promise().map(|d| (i, d)))
        .filter(|(i, d)| {
            fresh(*d) && !after(*i).any(|t| t.kind.is_status() || t.kind == TouchKind::Outreach)
        })
        .map(|(_, d)| d);
    let decide = current
        .iter()
        .rev()
        .find_map(|t| t.their_promise(PromiseKind::Decide).and_then(|p| p.date))
        .filter(|d| fresh(*d));
    let interview = thread.iter().rev().find(|t| t.kind == TouchKind::Interview);
    let may_follow_up = interview
        .and_then(|t| t.answers.as_ref())
        .and_then(|a| a.may_follow_up);
    let agreed = match (decide, mine) {
        (Some(d), _) if may_follow_up == Some(true) || mine.is_some() => format!(
            "We agreed I would reach out if I had not heard by {}",
            long_date(d, today)
        ),
        (_, Some(m)) => format!("I mentioned I would follow up on {}", long_date(m, today)),
        _ => String::new(),
    };
    let problems: Vec<String> = thread
        .iter()
        .rev()
        .filter(|t| matches!(t.kind, TouchKind::Interview | TouchKind::Meeting))
        .filter_map(|t| t.note.clone())
        .collect();
    let mut attempt = 0u32;
    let mut last_sent = String::new();
    for t in thread.iter().rev() {
        if t.direction.heard_from_them() {
            break;
        }
        if t.kind.is_status() {
            if attempt == 0 {
                last_sent = long_date(t.date, today);
            }
            attempt += 1;
        }
    }
    // What was agreed is worth saying in the first message after it, not in the ones after.
    let agreed = if attempt == 0 { agreed } else { String::new() };
    let last_heard = heard.map(|i| thread[i]);
    let their_last_note = last_heard.and_then(|t| t.note.clone()).unwrap_or_default();
    let they_promised = last_heard
        .map(|t| {
            if t.their_promise(PromiseKind::Act).is_some() {
                "act"
            } else if t.their_promise(PromiseKind::Decide).is_some() {
                "decide"
            } else {
                ""
            }
        })
        .unwrap_or("")
        .to_string();
    // A conversation with this person: about the role when the message is about one.
    let met = touches
        .iter()
        .rev()
        .filter(|t| contact.is_some() && with_them(t))
        .filter(|t| kind != Thread::Role || t.job == job)
        .find(|t| matches!(t.kind, TouchKind::Interview | TouchKind::Meeting));
    // The ask still unanswered: the newest outreach since they last spoke, unless it is as
    // stale as an old promise (then the message starts afresh).
    let outreach = current[usize::from(heard.is_some())..]
        .iter()
        .rev()
        .find(|t| t.kind == TouchKind::Outreach)
        .filter(|t| fresh(t.date));
    let applied = jobs.first().and_then(|j| j.applied).or_else(|| {
        thread
            .iter()
            .find(|t| t.kind == TouchKind::Application)
            .map(|t| t.date)
    });
    let day = |d: Date| long_date(d, today);
    DraftContext {
        me: me.clone(),
        contact: contact.map(person).unwrap_or_default(),
        dear: match contact {
            Some(c) => person(c).first_name,
            None => hiring_team(&roles),
        },
        role: roles.first().cloned().unwrap_or_default(),
        roles,
        roles_text,
        interview_date: interview.map(|t| day(t.date)).unwrap_or_default(),
        agreed,
        follow_up_on: mine.filter(|d| *d >= today).map(day).unwrap_or_default(),
        problems,
        attempt,
        last_sent,
        their_last_note,
        last_touch: thread
            .last()
            .map(|t| t.kind.to_string())
            .unwrap_or_default(),
        last_touch_on: thread.last().map(|t| day(t.date)).unwrap_or_default(),
        last_heard: last_heard.map(|t| t.kind.to_string()).unwrap_or_default(),
        last_heard_on: last_heard.map(|t| day(t.date)).unwrap_or_default(),
        they_promised,
        i_promised: mine.is_some(),
        met: met.is_some(),
        met_on: met.map(|t| day(t.date)).unwrap_or_default(),
        interviewed: interview.is_some(),
        applied_on: applied.map(day).unwrap_or_default(),
        asked_on: outreach.map(|t| day(t.date)).unwrap_or_default(),
        ask: outreach.and_then(|t| t.note.clone()).unwrap_or_default(),
        ..DraftContext::default()
    }
}
