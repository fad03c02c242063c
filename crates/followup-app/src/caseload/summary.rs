//! A workspace's caseload summary: what a caseload row needs of one client's data, whatever
//! the day, kept at every change the app makes on a team server (`App::change`), so a cold
//! caseload reads one small row per client instead of each client's whole log (docs/DESIGN.md,
//! "The caseload's figures").
//!
//! It is a [derived](followup_store::DERIVED) setting: a commit that does not write it again
//! removes it, so one that is there is never older than the data. A change that only logs
//! touches after the newest one (the common case: `log`, Done, a mail read) extends it from
//! those touches alone; any other change to the touches (a correction, a removal, a backdated
//! touch, an import) sums them up again from all of them.

use followup_core::agenda;
use followup_core::model::{Touch, TouchKind, Whose};
use followup_core::promises::{PromiseState, promise_states};
use followup_store::{Appended, WriteTx};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::Figures;
use crate::error::Result;
use crate::policy_settings;
use followup_core::Policy;

/// The setting the summary is kept under.
pub(crate) const KEY: &str = "derived.caseload";

/// How many of the newest touch days a summary keeps: "the last touch on or before today"
/// needs more only when that many days were logged ahead of today.
const RECENT_DAYS: usize = 8;

/// How many days before the newest touch a summary keeps interview days from: "interviews
/// this week" needs older ones only for a day long before the newest touch. Keeping every
/// interview ever made a summary of a long search pass 2 kB, which PostgreSQL compresses at
/// every write (docs/BENCHMARKS.md, fourteenth round).
const INTERVIEW_DAYS: i64 = 14;

/// One workspace's summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Summary {
    /// The version of the workspace's data this summary is of: one written by anything that
    /// does not keep summaries (an older followup) moves the version past it.
    version: u64,
    /// The client's own policy settings (over the config's, which may change without a
    /// change to the workspace): the pipeline minimum is read from both when asked.
    policy: Option<String>,
    /// Each follow-up in the plan: its due day and, for a thank-you, the day its follow-up
    /// folds into it (C4), ascending.
    dues: Vec<(Date, Option<Date>)>,
    open_jobs: u32,
    /// The newest touch days, distinct, newest first (at most [`RECENT_DAYS`]).
    recent: Vec<Date>,
    /// The newest touch, by day then id: a touch logged after it extends the summary.
    newest: Option<(Date, i64)>,
    /// Days of interview touches, ascending, those before `interviews_from` left out.
    interviews: Vec<Date>,
    /// The day before which interview days were left out (none: every one is kept; a
    /// summary written before they were left out has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    interviews_from: Option<Date>,
    /// Touches that made the person's own promises nothing kept or replaced yet, each
    /// carrying only those promises (and no note: only what C9 reads).
    open: Vec<Touch>,
}

impl Summary {
    /// Whether this summary is of the data at `version`.
    pub(crate) fn is_at(&self, version: u64) -> bool {
        self.version == version
    }

    /// The figures on `today` under the config's policy `base`, or none when the summary
    /// cannot tell the last touch on or before it (more than [`RECENT_DAYS`] days were logged
    /// ahead) or the interviews of its week (which begins before `interviews_from`).
    pub(crate) fn figures(&self, today: Date, base: &Policy) -> Option<Figures> {
        let last_touch = self.recent.iter().copied().find(|d| *d <= today);
        if last_touch.is_none() && self.recent.len() == RECENT_DAYS {
            return None;
        }
        let (monday, sunday) = super::week_of(today);
        if self.interviews_from.is_some_and(|from| monday < from) {
            return None;
        }
        Some(Figures {
            overdue: self
                .dues
                .iter()
                .filter(|(due, then)| agenda::overdue_on(*due, *then, today))
                .count(),
            last_touch,
            open_jobs: self.open_jobs,
            pipeline_minimum: policy_settings::overlay(base, self.policy.as_deref())
                .pipeline_minimum,
            interviews_this_week: self
                .interviews
                .iter()
                .filter(|d| (monday..=sunday).contains(*d))
                .count(),
            promises_missed: self
                .open
                .iter()
                .flat_map(|t| &t.promises)
                .filter(|p| p.whose == Whose::Mine && p.date.is_some_and(|d| d < today))
                .count(),
        })
    }

    /// The touches' part, from all of them.
    fn sum_touches(&mut self, touches: &[Touch]) {
        let mut days: Vec<Date> = touches.iter().map(|t| t.date).collect();
        days.sort_unstable_by(|a, b| b.cmp(a));
        days.dedup();
        days.truncate(RECENT_DAYS);
        self.recent = days;
        self.newest = touches.iter().map(|t| (t.date, t.id.0)).max();
        self.interviews = touches
            .iter()
            .filter(|t| t.kind == TouchKind::Interview)
            .map(|t| t.date)
            .collect();
        self.interviews.sort_unstable();
        self.interviews_from = None;
        self.leave_out_old_interviews();
        self.open = open_promises(touches);
    }

    /// Leaves out the interview days more than [`INTERVIEW_DAYS`] before the newest touch.
    fn leave_out_old_interviews(&mut self) {
        let Some((newest, _)) = self.newest else {
            return;
        };
        let from = newest.saturating_sub(INTERVIEW_DAYS.days());
        let old = self.interviews.partition_point(|d| *d < from);
        if old > 0 {
            self.interviews.drain(..old);
            self.interviews_from = self.interviews_from.max(Some(from));
        }
    }

    /// The touches' part extended by touches logged after every other; false (and unchanged)
    /// when one of them is not after the newest.
    fn absorb(&mut self, logged: &[Touch]) -> bool {
        let mut newest = self.newest;
        for t in logged {
            if newest.is_some_and(|n| (t.date, t.id.0) <= n) {
                return false;
            }
            newest = Some((t.date, t.id.0));
        }
        for t in logged {
            if let Err(at) = self.recent.binary_search_by(|d| t.date.cmp(d)) {
                self.recent.insert(at, t.date);
                self.recent.truncate(RECENT_DAYS);
            }
            if t.kind == TouchKind::Interview {
                let at = self.interviews.partition_point(|d| *d <= t.date);
                self.interviews.insert(at, t.date);
            }
        }
        self.newest = newest;
        self.leave_out_old_interviews();
        // Nothing between an open promise and these touches kept or replaced it (else it
        // would not be open), so these touches alone decide what happens to it now; and
        // theirs are open, nothing being after them.
        let mut open = std::mem::take(&mut self.open);
        open.extend(logged.iter().cloned());
        self.open = open_promises(&open);
        true
    }
}

/// The touches carrying the person's own promises that no later touch kept or replaced, each
/// with only those promises and nothing C9 does not read.
fn open_promises(touches: &[Touch]) -> Vec<Touch> {
    // With no day given, a dated promise nothing kept reads as missed, an undated one as
    // pending: both are open.
    let states = promise_states(touches, Date::MAX);
    let mut open: Vec<Touch> = Vec::new();
    for s in states {
        if s.promise.whose != Whose::Mine
            || !matches!(s.state, PromiseState::Missed | PromiseState::Pending)
        {
            continue;
        }
        match open.iter_mut().find(|t| t.id == s.touch) {
            Some(t) => t.promises.push(s.promise),
            None => {
                let Some(made) = touches.iter().find(|t| t.id == s.touch) else {
                    continue;
                };
                open.push(Touch {
                    note: None,
                    answers: None,
                    message: None,
                    promises: vec![s.promise],
                    ..made.clone()
                });
            }
        }
    }
    open
}

/// Keeps the summary of the workspace `tx` writes, as of everything it appended: extended
/// from the previous one when the change only logged touches after the newest, else summed
/// up from all the touches again.
pub(crate) fn keep(tx: &mut dyn WriteTx) -> Result<()> {
    let appended: Appended = tx.appended().clone();
    let version = tx.committed_version()?;
    // Only a summary of the data as this transaction found it can be extended.
    let previous: Option<Summary> = tx
        .setting(KEY)?
        .and_then(|text| read(&text))
        .filter(|p| p.is_at(version - 1));
    let mut dues: Vec<(Date, Option<Date>)> = tx.plan_dues()?;
    dues.sort_unstable();
    // What this change cannot have moved is taken from the summary before it.
    let policy = match &previous {
        Some(p) if !appended.settings.contains(policy_settings::KEY) => p.policy.clone(),
        _ => tx.setting(policy_settings::KEY)?,
    };
    let open_jobs = match &previous {
        Some(p) if !appended.jobs => p.open_jobs,
        _ => tx.open_job_count()?,
    };
    let mut summary = Summary {
        version,
        policy,
        dues,
        open_jobs,
        recent: Vec::new(),
        newest: None,
        interviews: Vec::new(),
        interviews_from: None,
        open: Vec::new(),
    };
    let extended = match previous {
        Some(p) if !appended.other => {
            summary.recent = p.recent;
            summary.newest = p.newest;
            summary.interviews = p.interviews;
            summary.interviews_from = p.interviews_from;
            summary.open = p.open;
            summary.absorb(&appended.logged)
        }
        _ => false,
    };
    if !extended {
        summary.sum_touches(&tx.all_touches()?);
    }
    // Days, numbers and touches always serialize; were one not to, no summary is kept and
    // the caseload computes the figures afresh (never wrong, only slower).
    if let Ok(text) = serde_json::to_string(&summary) {
        tx.set_setting(KEY, &text)?;
    }
    Ok(())
}

/// The summary kept in `text`, if it reads as one (a summary written by another version of
/// followup may not: then the figures are computed afresh).
pub(crate) fn read(text: &str) -> Option<Summary> {
    serde_json::from_str(text).ok()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::{Actor, App, Config, NewContact, NewJob, NewTouch};
    use followup_core::model::{OwnerId, TouchId};
    use followup_store::{MemoryDirectory, MemoryStore, Role};
    use jiff::ToSpan;
    use jiff::civil::date;
    use proptest::prelude::*;

    /// One change a client makes: log a touch (`ahead` days from the base, which moves on a
    /// day each time; negative is backdated), with or without their promise; or retract
    /// their newest touch.
    #[derive(Debug, Clone)]
    enum Op {
        Log {
            kind: usize,
            contact: usize,
            job: bool,
            ahead: i64,
            promise: Option<i64>,
            inbound: bool,
        },
        Retract,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            8 => (0..6usize, 0..2usize, any::<bool>(), -6..4i64, proptest::option::of(-3..9i64), any::<bool>())
                .prop_map(|(kind, contact, job, ahead, promise, inbound)| Op::Log {
                    kind,
                    contact,
                    job,
                    ahead,
                    promise,
                    inbound,
                }),
            1 => Just(Op::Retract),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

        /// Whatever a client does, the figures their kept summary gives on any day are those
        /// read from their whole log.
        #[test]
        fn the_summary_gives_the_figures_the_log_gives(ops in proptest::collection::vec(op(), 1..24)) {
            let app = App::with_store(Arc::new(MemoryStore::new()), Config::default())
                .with_directory(Arc::new(MemoryDirectory::new()));
            let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
            app.team_init("admin@example.com", None, now).unwrap();
            let ana = app.add_user(None, "ana@example.com", Role::Client, None, now).unwrap().account;
            let ws: OwnerId = ana.workspace.unwrap();
            let base = date(2026, 11, 2);
            let cx = app.ctx_for(ws, Actor::Owner, base).unwrap();
            for name in ["Dana Reyes", "Lee Park"] {
                app.add_contact(&cx, NewContact { name: name.into(), ..Default::default() }).unwrap();
            }
            app.add_job(&cx, NewJob {
                organization: "Northwind".into(),
                title: "Analyst".into(),
                contacts: vec!["Dana Reyes".into()],
                ..Default::default()
            }).unwrap();
            let kinds = [
                TouchKind::Outreach,
                TouchKind::FollowUp,
                TouchKind::Interview,
                TouchKind::Reply,
                TouchKind::ThankYou,
                // Closes the job: the open count moves.
                TouchKind::Rejection,
            ];
            let mut logged: Vec<TouchId> = Vec::new();
            for (i, op) in ops.iter().enumerate() {
                let day = base.saturating_add((i as i64).days());
                let cx = app.ctx_for(ws, Actor::Owner, day).unwrap();
                match op {
                    Op::Log { kind, contact, job, ahead, promise, inbound } => {
                        let kind = kinds[*kind];
                        let on = day.saturating_add(ahead.days());
                        let mut t = NewTouch {
                            with: vec![["Dana Reyes", "Lee Park"][*contact].into()],
                            job: job.then(|| "Northwind".into()),
                            on: Some(on),
                            i_will_follow_up: promise.map(|p| on.saturating_add(p.days())),
                            ..NewTouch::new(kind)
                        };
                        if *inbound {
                            t.direction = Some(followup_core::model::Direction::Inbound);
                        }
                        // A touch the app refuses (a promise before the touch, ...) changes
                        // nothing; the figures must still agree.
                        if let Ok(l) = app.log(&cx, t) {
                            logged.push(l.touch.id);
                        }
                    }
                    Op::Retract => {
                        if let Some(id) = logged.pop() {
                            app.retract_touch(&cx, id).unwrap();
                        }
                    }
                }
                let (_, kept) = app.store.version_and_setting(ws, KEY).unwrap();
                let summary = read(&kept.expect("every change keeps a summary")).unwrap();
                for ahead in [-8i64, -1, 0, 1, 3, 7, 15] {
                    let on = day.saturating_add(ahead.days());
                    let fresh = app.compute_figures(ws, on).unwrap();
                    if let Some(f) = summary.figures(on, &app.config.policy) {
                        prop_assert_eq!(f, fresh, "after {:?} on {}", op, on);
                    }
                }
            }
        }
    }

    /// A team server's app with one client, their workspace, and their context on `today`,
    /// with one contact, Dana Reyes.
    fn client_with_dana(today: Date) -> (App, OwnerId, crate::Ctx) {
        let app = App::with_store(Arc::new(MemoryStore::new()), Config::default())
            .with_directory(Arc::new(MemoryDirectory::new()));
        let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
        app.team_init("admin@example.com", None, now).unwrap();
        let ana = app
            .add_user(None, "ana@example.com", Role::Client, None, now)
            .unwrap()
            .account;
        let ws = ana.workspace.unwrap();
        let cx = app.ctx_for(ws, Actor::Owner, today).unwrap();
        app.add_contact(
            &cx,
            NewContact {
                name: "Dana Reyes".into(),
                ..Default::default()
            },
        )
        .unwrap();
        (app, ws, cx)
    }

    #[test]
    fn interviews_long_before_the_newest_touch_are_left_out() {
        let today = date(2026, 11, 25);
        let (app, ws, cx) = client_with_dana(today);
        let long_ago = date(2026, 11, 4);
        for (kind, on) in [
            (TouchKind::Interview, long_ago),
            (TouchKind::Interview, date(2026, 11, 24)),
            (TouchKind::FollowUp, today),
        ] {
            app.log(
                &cx,
                NewTouch {
                    with: vec!["Dana Reyes".into()],
                    on: Some(on),
                    ..NewTouch::new(kind)
                },
            )
            .unwrap();
        }
        let (_, kept) = app.store.version_and_setting(ws, KEY).unwrap();
        let summary = read(&kept.unwrap()).unwrap();
        assert_eq!(
            summary.interviews,
            vec![date(2026, 11, 24)],
            "the old one left out"
        );
        let f = summary.figures(today, &app.config.policy).unwrap();
        assert_eq!(f, app.compute_figures(ws, today).unwrap());
        assert_eq!(f.interviews_this_week, 1);
        // The week of the one left out cannot be told from the summary: computed afresh.
        assert_eq!(summary.figures(long_ago, &app.config.policy), None);
        assert_eq!(
            app.compute_figures(ws, long_ago)
                .unwrap()
                .interviews_this_week,
            1
        );
    }

    #[test]
    fn a_workspace_with_no_summary_gets_one_once() {
        let today = date(2026, 11, 25);
        let (app, ws, cx) = client_with_dana(today);
        app.log(
            &cx,
            NewTouch {
                with: vec!["Dana Reyes".into()],
                on: Some(date(2026, 11, 20)),
                i_will_follow_up: Some(date(2026, 11, 23)),
                ..NewTouch::new(TouchKind::Outreach)
            },
        )
        .unwrap();
        let kept = || app.store.version_and_setting(ws, KEY).unwrap().1;
        assert!(kept().is_some(), "the app's change kept one");
        // A write that knows nothing of summaries (another process, an older binary).
        app.store.write(ws).unwrap().commit().unwrap();
        assert_eq!(kept(), None, "that commit removed it");
        assert_eq!(
            app.keep_missing_summaries().unwrap(),
            1,
            "one workspace had none"
        );
        let summary = read(&kept().unwrap()).unwrap();
        let f = summary.figures(today, &app.config.policy).unwrap();
        assert_eq!(f, app.compute_figures(ws, today).unwrap());
        assert_eq!(
            (f.promises_missed, f.last_touch),
            (1, Some(date(2026, 11, 20)))
        );
        assert_eq!(
            app.keep_missing_summaries().unwrap(),
            0,
            "none is missing now"
        );
    }
}
