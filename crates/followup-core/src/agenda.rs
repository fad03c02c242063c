//! The agenda: `agenda(plan, today)`, everything that depends on today.
//!
//! The plan's items carry natural due dates; here they become overdue (F2), "call now" (F4),
//! a move-on review once the silence limit has passed (F9), this year's occasions (F14) and
//! the pipeline item (F18). One total order, documented in docs/RULES.md: due date (so
//! overdue first), then contact name, then rule, then id.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::model::{Channel, Question};
use crate::plan::{Action, ContactRef, FollowUp, JobRef, PlanKey, Rule, Step, occasion_in, short};
use crate::policy::Policy;

/// A plan item with the short number the store gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Planned {
    pub id: i64,
    pub item: FollowUp,
}

/// The id of the pipeline item (F18): it belongs to no contact.
pub const PIPELINE_ID: i64 = 0;

/// One line of the agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaItem {
    pub id: i64,
    pub due: Date,
    pub overdue_days: i64,
    pub action: Action,
    pub rule: Rule,
    pub why: String,
    pub channel: Channel,
    pub contact: Option<ContactRef>,
    pub jobs: Vec<JobRef>,
    /// F4: the date has passed: call now.
    pub call_now: bool,
    /// F17: questions that went unasked at the interview.
    pub unasked: Vec<Question>,
    /// F6: what a thank-you should name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub then: Option<Step>,
    /// The plan item's stable key; `None` for the pipeline item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<PlanKey>,
}

/// What the agenda needs besides the plan.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub today: Date,
    /// The last day shown (inclusive).
    pub until: Date,
    /// How many opportunities are open (F18).
    pub open_jobs: u32,
}

/// Builds the agenda for the window from plan items (those due by `until`, and occasions).
pub fn agenda(planned: &[Planned], w: Window, p: &Policy) -> Vec<AgendaItem> {
    agenda_owned(planned.to_vec(), w, p)
}

/// `agenda`, taking the plan items by value: their strings move into the agenda instead of
/// being copied (thousands of items in a coach's window).
pub fn agenda_owned(planned: Vec<Planned>, w: Window, p: &Policy) -> Vec<AgendaItem> {
    let mut out = Vec::with_capacity(planned.len() + 1);
    for pl in planned {
        let it = &pl.item;
        if it.action == Action::Occasion {
            for year in w.today.year()..=w.until.year() {
                let Some(d) = occasion_in(it.due, year) else {
                    continue;
                };
                if d >= w.today && d <= w.until {
                    let mut a = item(&pl, w.today);
                    a.due = d;
                    a.overdue_days = 0;
                    out.push(a);
                }
            }
            continue;
        }
        if it.due > w.until {
            continue;
        }
        out.push(view_owned(pl, w.today));
    }
    if w.open_jobs < p.pipeline_minimum {
        out.push(AgendaItem {
            id: PIPELINE_ID,
            due: w.today,
            overdue_days: 0,
            action: Action::Pipeline,
            rule: Rule(18),
            why: format!(
                "F18: {} open opportunit{}, minimum {}: waiting on one employer is the time to find others",
                w.open_jobs,
                if w.open_jobs == 1 { "y" } else { "ies" },
                p.pipeline_minimum
            ),
            channel: p.default_channel,
            contact: None,
            jobs: Vec::new(),
            call_now: false,
            unasked: Vec::new(),
            then: None,
            key: None,
        });
    }
    sort(&mut out);
    out
}

/// The agenda's one total order.
pub fn sort(items: &mut [AgendaItem]) {
    items.sort_by_cached_key(|x| {
        (
            x.due,
            x.contact.as_ref().map(|c| c.name.to_lowercase()),
            x.rule,
            x.id,
        )
    });
}

fn item(pl: &Planned, today: Date) -> AgendaItem {
    let it = &pl.item;
    AgendaItem {
        id: pl.id,
        due: it.due,
        overdue_days: (today - it.due).get_days().max(0) as i64,
        action: it.action,
        rule: it.rule,
        why: it.why.clone(),
        channel: it.channel,
        contact: it.contact.clone(),
        jobs: it.jobs.clone(),
        call_now: false,
        unasked: it.unasked.clone(),
        then: it.then.clone(),
        key: Some(it.key),
    }
}

/// One plan item as it stands today.
pub fn today_view(pl: &Planned, today: Date) -> AgendaItem {
    view_owned(pl.clone(), today)
}

fn view_owned(pl: Planned, today: Date) -> AgendaItem {
    let a = AgendaItem {
        id: pl.id,
        due: pl.item.due,
        overdue_days: 0,
        action: pl.item.action,
        rule: pl.item.rule,
        why: pl.item.why,
        channel: pl.item.channel,
        contact: pl.item.contact,
        jobs: pl.item.jobs,
        call_now: false,
        unasked: pl.item.unasked,
        then: pl.item.then,
        key: Some(pl.item.key),
    };
    adjust(a, pl.item.move_on_from, pl.item.call_when_late, today)
}

/// What today changes: overdue days, F9's review past the silence limit, F4's "call now".
fn adjust(
    mut a: AgendaItem,
    move_on_from: Option<Date>,
    call_when_late: bool,
    today: Date,
) -> AgendaItem {
    let natural = a.due;
    a.overdue_days = days_between(natural, today).max(0);
    if let Some(limit) = move_on_from
        && today >= limit
        && a.action != Action::ThankYou
    {
        a.action = Action::MoveOnReview;
        a.rule = Rule(9);
        a.why = format!(
            "F9: silent past {}: close as no-response, or keep it by choice (was {})",
            short(limit),
            a.why
        );
    }
    if call_when_late && natural < today && a.action != Action::MoveOnReview {
        a.call_now = true;
        a.channel = Channel::Phone;
        a.why = format!("{}; overdue since {}: call now", a.why, short(natural));
    }
    a
}

/// Whole days from `a` to `b` (negative when `b` is earlier).
pub fn days_between(a: Date, b: Date) -> i64 {
    (b - a).get_days() as i64
}
