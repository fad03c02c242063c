//! The agenda: what is due in a window, snoozing an item, marking one done.

use followup_core::agenda::{self, AgendaItem, Planned, Window};
use followup_core::model::*;
use followup_core::plan::Action;
use followup_core::{Event, Wait};
use jiff::civil::Date;
use serde::Serialize;

use crate::error::{Field, Result, invalid, refused};
use crate::jobs::move_stage;
use crate::lookup::{plan_item, resolve_job};
use crate::touches::{Logged, NewTouch, log_in};
use crate::uow::Work;
use crate::views::next_view;
use crate::{App, Ctx};

/// What `done` did.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Done {
    Logged(Box<Logged>),
    /// A move-on review closes the job as no-response; `from` is the stage it was at.
    Closed {
        job: Job,
        from: Stage,
    },
}

impl App {
    /// The agenda from today to `until` (default: the next 14 days).
    pub fn agenda(&self, cx: &Ctx, until: Option<Date>) -> Result<Vec<AgendaItem>> {
        let today = cx.today;
        let until = match until {
            Some(d) if d < today => {
                return Err(invalid(
                    Field::Until,
                    format!("{d} is before today ({today}); the agenda looks ahead"),
                ));
            }
            Some(d) => d,
            None => followup_core::calendar::add_calendar(today, Wait::Days(14)),
        };
        let tx = self.store.read(cx.owner)?;
        let planned = tx.plan_window(today, until)?;
        let open_jobs = tx.open_job_count()?;
        Ok(agenda::agenda_owned(
            planned,
            Window {
                today,
                until,
                open_jobs,
            },
            &cx.policy,
        ))
    }

    /// Moves an agenda item to a later day; the item comes back then (an event).
    pub fn snooze(&self, cx: &Ctx, id: i64, until: Date) -> Result<AgendaItem> {
        if until <= cx.today {
            return Err(invalid(
                Field::Until,
                format!(
                    "{until} is not after today ({}); snooze moves an item later",
                    cx.today
                ),
            ));
        }
        self.change(cx, |w| {
            let item = plan_item(w.tx.as_ref(), id)?;
            if item.item.action == Action::Occasion {
                return Err(refused(format!(
                    "item {id} is an occasion (F14): it falls on its day; nothing to snooze"
                )));
            }
            let after = w.tx.newest_touch()?;
            let key = item.item.key;
            w.append(&Event::Snoozed { key, until, after })?;
            w.touch([key.subject]);
            w.replan_touched()?;
            let p = plan_item(w.tx.as_ref(), id)?;
            Ok(next_view(&p, cx.today))
        })
    }

    /// Marks an item done by logging the touch that does it (or closing the job, for a
    /// move-on review), reading the item and writing in one transaction.
    pub fn done(&self, cx: &Ctx, id: i64, on: Option<Date>, note: Option<String>) -> Result<Done> {
        if id == agenda::PIPELINE_ID {
            return Err(refused(
                "item 0 is the pipeline (F18): it is done by adding jobs (`followup job add`)",
            ));
        }
        self.change(cx, |w| done_in(w, id, on, note))
    }

    /// The key of an agenda item (what an undo of its snooze names).
    pub fn item_key(&self, cx: &Ctx, id: i64) -> Result<followup_core::PlanKey> {
        Ok(plan_item(self.store.read(cx.owner)?.as_ref(), id)?.item.key)
    }

    /// Every plan item, by id (for `plan --all` and the incremental-equals-full property).
    pub fn plan_all(&self, cx: &Ctx) -> Result<Vec<Planned>> {
        Ok(self.store.read(cx.owner)?.plan_all()?)
    }
}

/// The touch that does an item's action.
pub(crate) fn done_kind(action: Action) -> TouchKind {
    match action {
        Action::ThankYou => TouchKind::ThankYou,
        Action::ValueAdd => TouchKind::ValueAdd,
        Action::KeepInTouch => TouchKind::Outreach,
        // C7: a greeting asks no reply; it chains nothing.
        Action::Occasion => TouchKind::Greeting,
        Action::FollowUp | Action::Retry | Action::RejectionReply => TouchKind::FollowUp,
        // Handled before a touch is built: closing, deciding, adding jobs.
        Action::MoveOnReview | Action::Pipeline | Action::Decide => TouchKind::FollowUp,
    }
}

/// [`App::done`] inside a change already begun (a sent draft logs it with its mail record).
pub(crate) fn done_in(
    w: &mut Work<'_>,
    id: i64,
    on: Option<Date>,
    note: Option<String>,
) -> Result<Done> {
    let cx = w.cx;
    let item = plan_item(w.tx.as_ref(), id)?;
    let view = agenda::today_view(&item, cx.today);
    let job = view.jobs.first().map(|j| j.id);
    match view.action {
        Action::MoveOnReview => {
            let job = job.ok_or_else(|| refused(format!("item {id} names no job to close")))?;
            let mut job = resolve_job(w.tx.as_ref(), &job.to_string())?;
            let from = job.stage;
            move_stage(w, &mut job, Stage::NoResponse)?;
            return Ok(Done::Closed { job, from });
        }
        Action::Decide => {
            let job = job.map(|j| j.0).unwrap_or_default();
            return Err(refused(format!(
                "item {id} is an offer to decide on (C6): answer them, then `followup job close {job} accepted` (or withdrawn)"
            )));
        }
        _ => {}
    }
    let mut touch = NewTouch::new(done_kind(view.action));
    touch.with = view
        .contact
        .as_ref()
        .map(|c| vec![c.id.to_string()])
        .unwrap_or_default();
    let keep_job = !matches!(view.action, Action::KeepInTouch | Action::Occasion);
    touch.job = job.filter(|_| keep_job).map(|j| j.to_string());
    touch.on = on;
    touch.note = note;
    Ok(Done::Logged(Box::new(log_in(w, touch)?)))
}
