//! The agenda: `agenda(plan, today)`, everything that depends on today.
//!
//! The plan's items carry natural due dates; here they become overdue (F2), "call now" (F4),
//! a move-on review once the silence limit has passed (F9), this year's occasions (F14) and
//! the pipeline item (F18). One total order, documented in docs/RULES.md: due date (so
//! overdue first), then contact name, then rule, then id.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::model::{Channel, Question};
use crate::plan::{Action, ContactRef, FollowUp, JobRef, PlanKey, Rule, Step, occasion_in};
use crate::policy::Policy;
use crate::why::{Basis, Change, Why};

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
    /// The why in words: plain words first, the rules after ([`Why::line`]).
    pub why: String,
    /// The why as data (C1): rule, inputs, origin, changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Why>,
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
    /// C4: a thank-you never sent is folded into this follow-up: its draft thanks them too.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub thanks_too: bool,
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
                // C7: greeted in the month before the day: done for this year.
                let greeted = it.greeted_on.is_some_and(|g| {
                    g <= d && (d - g).get_days() as i64 <= crate::plan::OCCASION_GREETED_DAYS
                });
                if d >= w.today && d <= w.until && !greeted {
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
        let why = Why::new(
            Rule(18),
            Basis::Pipeline {
                open: w.open_jobs,
                minimum: p.pipeline_minimum,
            },
        );
        out.push(AgendaItem {
            id: PIPELINE_ID,
            due: w.today,
            overdue_days: 0,
            action: Action::Pipeline,
            rule: Rule(18),
            why: why.line(),
            reason: Some(why),
            channel: p.default_channel,
            contact: None,
            jobs: Vec::new(),
            call_now: false,
            unasked: Vec::new(),
            then: None,
            key: None,
            thanks_too: false,
        });
    }
    sort(&mut out);
    out
}

/// The agenda's one total order.
pub fn sort(items: &mut [AgendaItem]) {
    items.sort_by_cached_key(sort_key);
}

/// An item's place in the agenda's order: due date, contact name folded (none first), rule,
/// number. Stores keep plan rows in it ([`crate::line::Compact`]), so a window can be read in
/// order instead of sorted.
pub fn sort_key(x: &AgendaItem) -> (Date, Option<String>, Rule, i64) {
    (
        x.due,
        x.contact.as_ref().map(|c| c.name.to_lowercase()),
        x.rule,
        x.id,
    )
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
        reason: it.reason.clone(),
        channel: it.channel,
        contact: it.contact.clone(),
        jobs: it.jobs.clone(),
        call_now: false,
        unasked: it.unasked.clone(),
        then: it.then.clone(),
        key: Some(it.key),
        thanks_too: false,
    }
}

/// One plan item as it stands today.
pub fn today_view(pl: &Planned, today: Date) -> AgendaItem {
    view_owned(pl.clone(), today)
}

/// One plan item as it stands today, taking it by value (its strings move).
pub fn view_owned(pl: Planned, today: Date) -> AgendaItem {
    let a = AgendaItem {
        id: pl.id,
        due: pl.item.due,
        overdue_days: 0,
        action: pl.item.action,
        rule: pl.item.rule,
        why: pl.item.why,
        reason: pl.item.reason,
        channel: pl.item.channel,
        contact: pl.item.contact,
        jobs: pl.item.jobs,
        call_now: false,
        unasked: pl.item.unasked,
        then: pl.item.then,
        key: Some(pl.item.key),
        thanks_too: false,
    };
    adjust(a, pl.item.move_on_from, pl.item.call_when_late, today)
}

/// Whether a follow-up due on `due` (and for a thank-you, folding into its follow-up on
/// `then`) is overdue on `today`, as [`adjust`] and the window have it, from days alone (the
/// caseload's summary keeps only days): not before its own day (the window holds items due by
/// today), and once folded, the follow-up's day counts, which may be before the thank-you's
/// when the follow-up was promised early. followup-app's summary property test holds this to
/// the agenda's own overdue items.
pub fn overdue_on(due: Date, then: Option<Date>, today: Date) -> bool {
    if due > today {
        return false;
    }
    match then {
        Some(step) if step <= today => step < today,
        _ => due < today,
    }
}

/// What today changes: C4's unsent thank-you folded into its follow-up once that is due,
/// overdue days, F9's review past the silence limit, F4's (and C2's) "call now".
fn adjust(
    mut a: AgendaItem,
    move_on_from: Option<Date>,
    mut call_when_late: bool,
    today: Date,
) -> AgendaItem {
    if a.action == Action::ThankYou
        && let Some(step) = a.then.take_if(|s| today >= s.due)
    {
        let interview = match a.reason.as_ref().map(|r| &r.basis) {
            Some(Basis::ThankYou { interview, .. }) => Some(*interview),
            _ => None,
        };
        a.due = step.due;
        a.action = step.action;
        a.rule = step.rule;
        a.why = step.why;
        a.reason = step.reason;
        if let (Some(r), Some(interview)) = (a.reason.as_mut(), interview) {
            r.changes.push(Change::ThanksFolded { interview });
            a.why = r.line();
        }
        a.thanks_too = true;
        call_when_late = step.call_when_late;
    }
    let natural = a.due;
    a.overdue_days = days_between(natural, today).max(0);
    if let Some(limit) = move_on_from
        && today >= limit
        && a.action != Action::ThankYou
    {
        a.action = Action::MoveOnReview;
        a.rule = Rule(9);
        change(&mut a, Change::SilentPast { limit });
    }
    if call_when_late && natural < today && a.action != Action::MoveOnReview {
        a.call_now = true;
        a.channel = Channel::Phone;
        change(&mut a, Change::CallNow { since: natural });
    }
    a
}

/// Adds a change to the item's why, and its words to the line.
fn change(a: &mut AgendaItem, c: Change) {
    match a.reason.as_mut() {
        Some(r) => {
            r.changes.push(c);
            a.why = r.line();
        }
        // A plan row from before reasons were kept: keep its words, add the change's.
        None => a.why = format!("{}; {}", a.why, crate::why::change_text(&c)),
    }
}

/// Whole days from `a` to `b` (negative when `b` is earlier).
pub fn days_between(a: Date, b: Date) -> i64 {
    (b - a).get_days() as i64
}

#[cfg(test)]
mod overdue_tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_thank_you_is_overdue_until_its_follow_up_folds_in() {
        let (due, then) = (date(2026, 3, 6), Some(date(2026, 3, 13)));
        assert!(!overdue_on(due, then, date(2026, 3, 6)), "due today");
        assert!(
            overdue_on(due, then, date(2026, 3, 7)),
            "the thank-you is late"
        );
        assert!(
            !overdue_on(due, then, date(2026, 3, 13)),
            "folded: due today"
        );
        assert!(
            overdue_on(due, then, date(2026, 3, 14)),
            "the follow-up is late"
        );
        assert!(!overdue_on(due, None, date(2026, 3, 6)));
        assert!(overdue_on(due, None, date(2026, 3, 9)));
        // A follow-up promised before the thank-you's day: not in the window until then.
        let early = Some(date(2026, 3, 4));
        assert!(!overdue_on(due, early, date(2026, 3, 5)), "not due yet");
        assert!(overdue_on(due, early, date(2026, 3, 6)), "folded, and late");
    }
}
