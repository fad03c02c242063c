//! The agenda: what is due in a window, snoozing an item, marking one done.

use followup_core::agenda::{self, AgendaItem, Planned, Window};
use followup_core::model::*;
use followup_core::plan::Action;
use followup_core::{Event, Wait};
use jiff::civil::Date;
use serde::Serialize;

use std::ops::ControlFlow;

use followup_core::line::{Extent, Line};
use followup_store::{PlanRow, ReadTx, RowBody};

use crate::error::{AppError, Field, Result, invalid, refused};
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

/// The agenda read one line at a time, in its order, without holding its window (issue 17):
/// the store walks the follow-ups in the agenda's order and hands each over as it reads it;
/// what it cannot give in order (occasions, the few items whose place moves today, the
/// pipeline item) is held here, in order, and merged in. [`AgendaStream::each`] can walk it
/// again (a table's widths, then its lines), all in one read transaction, so every walk sees
/// the same rows.
pub struct AgendaStream<'a> {
    tx: Box<dyn ReadTx + 'a>,
    today: Date,
    until: Date,
    side: Vec<(SortKey, AgendaItem)>,
}

type SortKey = (Date, Option<String>, followup_core::Rule, i64);

/// One line of the agenda as [`AgendaStream::each`] hands it over.
#[derive(Debug, Clone, Copy)]
pub enum AgendaRow<'r> {
    /// An item whose view today is its plain one: its kept words, borrowed from the row read.
    Line {
        id: i64,
        due: Date,
        /// Whole days past due (0 when not yet due).
        overdue_days: i64,
        line: &'r Line<'r>,
    },
    /// An item built whole, as [`App::agenda`] gives it.
    Item(&'r AgendaItem),
}

impl AgendaRow<'_> {
    pub fn id(&self) -> i64 {
        match self {
            AgendaRow::Line { id, .. } => *id,
            AgendaRow::Item(a) => a.id,
        }
    }
}

impl AgendaStream<'_> {
    pub fn today(&self) -> Date {
        self.today
    }

    /// Hands every line of the agenda to `f`, in the agenda's order, stopping at `f`'s first
    /// error. With `full`, every line is an [`AgendaRow::Item`] (what JSON prints).
    pub fn each<E: From<AppError>>(
        &self,
        full: bool,
        f: &mut dyn FnMut(AgendaRow<'_>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let today = self.today;
        let mut side = self.side.iter().peekable();
        let mut failed: Option<E> = None;
        // Rows come by due date: how overdue one is changes only with the day.
        let mut overdue = (today, 0i64);
        let walked = self
            .tx
            .plan_lines(self.until, today, full, &mut |row: PlanRow<'_>| {
                // The name is read only when an item held aside falls on the row's day.
                let mut name: Option<Option<std::borrow::Cow<'_, str>>> = None;
                while let Some((k, a)) = side.peek() {
                    if k.0 > row.due {
                        break;
                    }
                    if k.0 == row.due {
                        let name = name.get_or_insert_with(|| row.name_key());
                        if (k.1.as_deref(), k.2, k.3) > (name.as_deref(), row.rule, row.id) {
                            break;
                        }
                    }
                    if let Err(e) = f(AgendaRow::Item(a)) {
                        failed = Some(e);
                        return ControlFlow::Break(());
                    }
                    side.next();
                }
                if overdue.0 != row.due {
                    overdue = (row.due, agenda::days_between(row.due, today).max(0));
                }
                match hand(row, overdue.1, today, f) {
                    Ok(()) => ControlFlow::Continue(()),
                    Err(e) => {
                        failed = Some(e);
                        ControlFlow::Break(())
                    }
                }
            });
        if let Some(e) = failed {
            return Err(e);
        }
        walked.map_err(|e| E::from(AppError::from(e)))?;
        for (_, a) in side {
            f(AgendaRow::Item(a))?;
        }
        Ok(())
    }
}

/// Hands a row the store walked to `f` as the agenda shows it: its line, `overdue_days` past
/// due, or the item built whole.
fn hand<E>(
    row: PlanRow<'_>,
    overdue_days: i64,
    today: Date,
    f: &mut dyn FnMut(AgendaRow<'_>) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    match row.body {
        RowBody::Line(line) => f(AgendaRow::Line {
            id: row.id,
            due: row.due,
            overdue_days,
            line: &line,
        }),
        RowBody::Item(item) => {
            let a = agenda::view_owned(
                Planned {
                    id: row.id,
                    item: *item,
                },
                today,
            );
            f(AgendaRow::Item(&a))
        }
    }
}

/// An owner's agenda as [`App::agenda`] keeps it: of which data version, day and window.
pub(crate) struct Memo {
    pub(crate) version: u64,
    today: Date,
    until: Date,
    pub(crate) items: Vec<AgendaItem>,
}

/// The most owners whose agenda [`App::agenda`] keeps at once.
const MEMOS_KEPT: usize = 4096;

impl AgendaStream<'_> {
    /// The table measured without walking the window (issue 17), when the store keeps
    /// per-day extents: `day` gets each day's [`Extent`] over its firm lines, `row` every
    /// other line as [`AgendaStream::each`] would hand it (the few loose ones, the items held
    /// aside). `Ok(false)` when the store cannot say: walk with `each` instead.
    pub fn measure<E: From<AppError>>(
        &self,
        day: &mut dyn FnMut(&Extent),
        row: &mut dyn FnMut(AgendaRow<'_>) -> std::result::Result<(), E>,
    ) -> std::result::Result<bool, E> {
        let today = self.today;
        let mut failed: Option<E> = None;
        let kept = self
            .tx
            .plan_extents(self.until, today, day, &mut |r: PlanRow<'_>| {
                if failed.is_some() {
                    return;
                }
                let overdue = agenda::days_between(r.due, today).max(0);
                if let Err(e) = hand(r, overdue, today, row) {
                    failed = Some(e);
                }
            })
            .map_err(|e| E::from(AppError::from(e)))?;
        if let Some(e) = failed {
            return Err(e);
        }
        if !kept {
            return Ok(false);
        }
        for (_, a) in &self.side {
            row(AgendaRow::Item(a))?;
        }
        Ok(true)
    }
}

impl App {
    /// The agenda from today to `until` (default: the next 14 days).
    ///
    /// With a context read at a version (a web request), the owner's latest agenda is kept
    /// for that version, day and window: after a change, the views it made stale are rebuilt
    /// from one read of the plan, not one each.
    pub fn agenda(&self, cx: &Ctx, until: Option<Date>) -> Result<Vec<AgendaItem>> {
        let today = cx.today;
        let until = window_end(today, until)?;
        let memo =
            |m: &Memo| Some((m.version, m.today, m.until)) == cx.version.map(|v| (v, today, until));
        let lock = || self.agendas.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(m) = lock().get(&cx.owner).filter(|m| memo(m)) {
            return Ok(m.items.clone());
        }
        let tx = self.store.read(cx.owner)?;
        let read = (tx.plan_window(today, until)?, tx.open_job_count()?);
        drop(tx);
        let memo = App::memo_of(cx, cx.version.unwrap_or(0), (today, until), read);
        let items = memo.items.clone();
        if cx.version.is_some() {
            self.keep_memo(cx.owner, memo);
        }
        Ok(items)
    }

    /// Keeps `memo` as the owner's agenda unless a newer one is kept.
    pub(crate) fn keep_memo(&self, owner: OwnerId, memo: Memo) {
        let mut memos = self.agendas.lock().unwrap_or_else(|p| p.into_inner());
        // Bounded: a server with more owners than this forgets them all at once, and each
        // costs one read again.
        if memos.len() >= MEMOS_KEPT && !memos.contains_key(&owner) {
            memos.clear();
        }
        // A memo of a newer version (another request's) is not replaced by an older one.
        if memos.get(&owner).is_none_or(|m| m.version <= memo.version) {
            memos.insert(owner, memo);
        }
    }

    /// The window of the owner's kept agenda for `cx`'s day, if one is kept (someone is
    /// looking): a change that keeps the policy reads the agenda it leaves for that window
    /// with its commit (`WriteTx::commit_reading_window`), and it is kept at the change's
    /// version. Without it, the next read of each view the change made stale began a
    /// transaction of its own to read the same rows: on the team server about 0.4 ms of the
    /// machine after every logged touch (docs/BENCHMARKS.md, tenth round).
    pub(crate) fn memo_window(&self, cx: &Ctx) -> Option<(Date, Date)> {
        let memos = self.agendas.lock().unwrap_or_else(|p| p.into_inner());
        memos
            .get(&cx.owner)
            .filter(|m| m.today == cx.today)
            .map(|m| (m.today, m.until))
    }

    /// The memo of an agenda read at `version` for the window `today`..`until`, under
    /// `cx.policy` (which the caller knows holds at `version`).
    pub(crate) fn memo_of(
        cx: &Ctx,
        version: u64,
        (today, until): (Date, Date),
        (planned, open_jobs): (Vec<Planned>, u32),
    ) -> Memo {
        let items = agenda::agenda_owned(
            planned,
            Window {
                today,
                until,
                open_jobs,
            },
            &cx.policy,
        );
        Memo {
            version,
            today,
            until,
            items,
        }
    }

    /// Item `id` as [`App::agenda`] lists it for the window to `until`, or `None` when the
    /// agenda would not list it: the one plan row read, not the whole window (a page that
    /// answers a change shows the item it changed; at thousands of items the window cost a
    /// change more than the change itself).
    pub fn agenda_item(
        &self,
        cx: &Ctx,
        id: i64,
        until: Option<Date>,
    ) -> Result<Option<AgendaItem>> {
        let today = cx.today;
        let until = window_end(today, until)?;
        let tx = self.store.read(cx.owner)?;
        // The pipeline item depends on the open jobs alone; no other item on them.
        let (planned, open_jobs) = if id == agenda::PIPELINE_ID {
            (Vec::new(), tx.open_job_count()?)
        } else {
            (tx.plan_item(id)?.into_iter().collect(), u32::MAX)
        };
        drop(tx);
        Ok(agenda::agenda_owned(
            planned,
            Window {
                today,
                until,
                open_jobs,
            },
            &cx.policy,
        )
        .into_iter()
        .find(|a| a.id == id))
    }

    /// [`App::agenda`] as a stream: the same items in the same order, read as they are
    /// written out instead of all at once.
    pub fn agenda_stream(&self, cx: &Ctx, until: Option<Date>) -> Result<AgendaStream<'_>> {
        let today = cx.today;
        let until = window_end(today, until)?;
        let tx = self.store.read(cx.owner)?;
        let moved = tx.plan_moved(until, today)?;
        let open_jobs = tx.open_job_count()?;
        let side = agenda::agenda_owned(
            moved,
            Window {
                today,
                until,
                open_jobs,
            },
            &cx.policy,
        )
        .into_iter()
        .map(|a| (agenda::sort_key(&a), a))
        .collect();
        Ok(AgendaStream {
            tx,
            today,
            until,
            side,
        })
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

/// The last day of an agenda window: `until`, or two weeks from today.
fn window_end(today: Date, until: Option<Date>) -> Result<Date> {
    match until {
        Some(d) if d < today => Err(invalid(
            Field::Until,
            format!("{d} is before today ({today}); the agenda looks ahead"),
        )),
        Some(d) => Ok(d),
        None => Ok(followup_core::calendar::add_calendar(today, Wait::Days(14))),
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
