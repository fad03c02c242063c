//! What the views of a contact and of a job show besides the records: the promises made and
//! where each stands (C9), and the next date of a plan item.

use std::collections::{BTreeMap, BTreeSet};

use followup_core::agenda::{self, AgendaItem, Planned};
use followup_core::model::{JobId, Promise, Touch, TouchId};
use followup_core::plan::{self, Action};
use followup_core::promises::{PromiseState, TouchAt, promise_states};
use jiff::civil::Date;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct PromiseView {
    pub touch: TouchId,
    pub made_on: Date,
    #[serde(flatten)]
    pub promise: Promise,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<JobId>,
    /// `pending`, `kept`, `replaced` or `missed`.
    pub state: PromiseState,
    /// The touch that kept it, and its day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kept_by: Option<TouchAt>,
    /// The touch whose newer promise took its place, and its day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<TouchAt>,
}

pub(crate) fn next_view(p: &Planned, today: Date) -> AgendaItem {
    let mut a = agenda::today_view(p, today);
    if p.item.action == Action::Occasion {
        // The next time the occasion comes round.
        let this = plan::occasion_in(p.item.due, today.year());
        let d = match this {
            Some(d) if d >= today => d,
            _ => plan::occasion_in(p.item.due, today.year() + 1).unwrap_or(p.item.due),
        };
        a.due = d;
        a.overdue_days = 0;
    }
    a
}

pub(crate) fn promises_of(made_at: &[Touch], context: &[Touch], today: Date) -> Vec<PromiseView> {
    let ids: BTreeSet<TouchId> = made_at.iter().map(|t| t.id).collect();
    let jobs: BTreeMap<TouchId, Option<JobId>> = made_at.iter().map(|t| (t.id, t.job)).collect();
    let all: Vec<Touch> = made_at.iter().chain(context).cloned().collect();
    promise_states(&all, today)
        .into_iter()
        .filter(|s| ids.contains(&s.touch))
        .map(|s| PromiseView {
            touch: s.touch,
            made_on: s.made_on,
            job: jobs.get(&s.touch).copied().flatten(),
            promise: s.promise,
            state: s.state,
            kept_by: s.kept_by,
            replaced_by: s.replaced_by,
        })
        .collect()
}
