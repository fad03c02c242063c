//! A coach's caseload (issue 15): the clients who granted them access, one row each, with
//! what a coach looks at first: overdue follow-ups, how long the search has been silent, the
//! pipeline against its minimum (F18), interviews this week and promises missed (C9). And
//! the coach's private note per client, kept in the directory under the coach's account, so
//! it never shows in the client's workspace, export or API.
//!
//! Only grants held count: an admin or a client with no grant gets an empty caseload, as
//! does a coach nobody granted anything. Each client's figures are read in that workspace's
//! own read transaction (row-level security keys on its owner), on the day given: nothing
//! here reads the clock.

use std::collections::BTreeMap;

use followup_core::agenda::{self, PIPELINE_ID, Window};
use followup_core::model::{OwnerId, TouchKind, Whose};
use followup_core::promises::{PromiseState, promise_states};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use serde::Serialize;

use crate::error::{AppError, Field, Result, invalid};
use crate::{Account, App};

pub(crate) mod summary;

/// The longest a coach's note may be, in characters.
pub const NOTE_MAX: usize = 2000;

/// How a client is named in a caseload: their name, or their email when they gave none.
pub fn client_label(a: &Account) -> String {
    a.label().to_string()
}

/// The orders a caseload can be listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CaseloadSort {
    /// Most overdue follow-ups first (the default).
    #[default]
    Overdue,
    /// Longest since the last touch first; a search with no touch at all before them.
    Silent,
    /// Furthest below the pipeline minimum first.
    Pipeline,
    /// Most interviews this week first.
    Interviews,
    /// Most promises missed first.
    Missed,
    /// By name (the client's label), A to Z.
    Name,
}

impl CaseloadSort {
    pub const ALL: [CaseloadSort; 6] = [
        CaseloadSort::Overdue,
        CaseloadSort::Silent,
        CaseloadSort::Pipeline,
        CaseloadSort::Interviews,
        CaseloadSort::Missed,
        CaseloadSort::Name,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseloadSort::Overdue => "overdue",
            CaseloadSort::Silent => "silent",
            CaseloadSort::Pipeline => "pipeline",
            CaseloadSort::Interviews => "interviews",
            CaseloadSort::Missed => "missed",
            CaseloadSort::Name => "name",
        }
    }

    /// Reads a sort word, exactly as [`CaseloadSort::as_str`] writes it; none is the default
    /// (most overdue first). Anything else, the empty word included, is refused naming
    /// [`Field::Sort`] and the words there are.
    pub fn parse(text: Option<&str>) -> Result<CaseloadSort> {
        let Some(t) = text else {
            return Ok(CaseloadSort::default());
        };
        CaseloadSort::ALL
            .into_iter()
            .find(|s| s.as_str() == t)
            .ok_or_else(|| {
                let words: Vec<&str> = CaseloadSort::ALL.iter().map(|s| s.as_str()).collect();
                invalid(
                    Field::Sort,
                    format!(
                        "{t:?} is not a way to sort; give one of {}",
                        words.join(", ")
                    ),
                )
            })
    }
}

/// One client in a coach's caseload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseloadRow {
    /// The client's account id.
    pub client: i64,
    pub email: String,
    /// How the client is named ([`client_label`]).
    pub label: String,
    /// Their workspace: `/w/{workspace}/` is their Today.
    pub workspace: i64,
    /// The grant: `view` or `edit`.
    pub scope: &'static str,
    /// The grant's last day, if it ends by itself.
    pub until: Option<Date>,
    /// Follow-ups due before today and not done: Today's "Overdue" group.
    pub overdue: usize,
    /// The day of the newest touch logged on or before today (any kind).
    pub last_touch: Option<Date>,
    /// Days from that touch to today; none when nothing was ever logged.
    pub days_silent: Option<i64>,
    /// Opportunities open (lead, applied, interviewing, offer).
    pub open_jobs: u32,
    /// The workspace's pipeline minimum (F18, its policy).
    pub pipeline_minimum: u32,
    /// Touches of kind `interview` dated in the ISO week (Monday to Sunday) of today, later
    /// days of the week included when they were logged ahead.
    pub interviews_this_week: usize,
    /// The client's own promises (*mine*: "I will follow up on D") whose day passed with no
    /// outbound touch keeping them (C9's `missed`).
    pub promises_missed: usize,
    /// The coach's private note on this client.
    pub note: Option<String>,
}

impl CaseloadRow {
    /// How far the pipeline is below its minimum (0 when it is not).
    pub fn pipeline_gap(&self) -> u32 {
        self.pipeline_minimum.saturating_sub(self.open_jobs)
    }
}

/// The figures of one workspace on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Figures {
    overdue: usize,
    last_touch: Option<Date>,
    open_jobs: u32,
    pipeline_minimum: u32,
    interviews_this_week: usize,
    promises_missed: usize,
}

/// A workspace's figures as computed at a data version on a day (`App`'s cache).
pub(crate) struct CachedFigures {
    version: u64,
    today: Date,
    figures: Figures,
}

/// The ISO week (Monday to Sunday) `today` is in.
pub(crate) fn week_of(today: Date) -> (Date, Date) {
    let monday = today.saturating_sub(i64::from(today.weekday().to_monday_zero_offset()).days());
    (monday, monday.saturating_add(6.days()))
}

fn live(g: &followup_store::Grant, today: Date) -> bool {
    g.until.is_none_or(|u| today <= u)
}

impl App {
    /// The caseload of `coach` on `today`, in `sort`'s order (ties by label, then workspace):
    /// one row per live, unexpired grant they hold.
    pub fn caseload(
        &self,
        coach: &Account,
        today: Date,
        sort: CaseloadSort,
    ) -> Result<Vec<CaseloadRow>> {
        let dir = self.directory()?;
        let mut notes: BTreeMap<OwnerId, String> = dir
            .coach_notes(coach.id)?
            .into_iter()
            .map(|n| (n.workspace, n.text))
            .collect();
        let grants: Vec<followup_store::Grant> = dir
            .grants_to(coach.id)?
            .into_iter()
            .filter(|g| live(g, today))
            .collect();
        // Every client in one read, not two per client.
        let workspaces: Vec<OwnerId> = grants.iter().map(|g| g.workspace).collect();
        let owners: BTreeMap<OwnerId, Account> = dir
            .workspace_accounts(&workspaces)?
            .into_iter()
            .filter_map(|a| a.workspace.map(|w| (w, a)))
            .collect();
        // Every client's version and summary in one read (each in its own snapshot).
        let kept = self
            .store
            .versions_and_settings(&workspaces, summary::KEY)?;
        let mut rows = Vec::new();
        for (g, (version, kept)) in grants.into_iter().zip(kept) {
            let Some(client) = owners.get(&g.workspace).cloned() else {
                continue;
            };
            let f = self.figures(g.workspace, today, version, kept.as_deref())?;
            rows.push(CaseloadRow {
                client: client.id.0,
                label: client_label(&client),
                email: client.email,
                workspace: g.workspace.0,
                scope: g.scope.as_str(),
                until: g.until,
                overdue: f.overdue,
                last_touch: f.last_touch,
                days_silent: f.last_touch.map(|d| i64::from((today - d).get_days())),
                open_jobs: f.open_jobs,
                pipeline_minimum: f.pipeline_minimum,
                interviews_this_week: f.interviews_this_week,
                promises_missed: f.promises_missed,
                note: notes.remove(&g.workspace),
            });
        }
        sort_rows(&mut rows, sort);
        Ok(rows)
    }

    /// [`App::caseload`] with the sort as typed (a query parameter).
    pub fn caseload_from_text(
        &self,
        coach: &Account,
        today: Date,
        sort: Option<&str>,
    ) -> Result<Vec<CaseloadRow>> {
        let sort = CaseloadSort::parse(sort)?;
        self.caseload(coach, today, sort)
    }

    /// One workspace's figures on `today`, given its `version` and the summary `kept` at it
    /// (read in one snapshot: the summary is the data's at that version, as a commit that did
    /// not write it removed it): as cached when its data has not changed since, else from the
    /// summary ([`summary`]), else computed afresh from its log. A fresh computation reads
    /// after the version, so a write in between makes the cached version older than the
    /// figures and the next caseload computes them again (never the other way round).
    fn figures(
        &self,
        ws: OwnerId,
        today: Date,
        version: u64,
        kept: Option<&str>,
    ) -> Result<Figures> {
        let lock = || self.figures.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = lock().get(&ws)
            && (c.version, c.today) == (version, today)
        {
            return Ok(c.figures);
        }
        let kept = kept
            .and_then(summary::read)
            .filter(|s| s.is_at(version))
            .and_then(|s| s.figures(today, &self.config.policy));
        let figures = match kept {
            Some(f) => f,
            None => self.compute_figures(ws, today)?,
        };
        lock().insert(
            ws,
            CachedFigures {
                version,
                today,
                figures,
            },
        );
        Ok(figures)
    }

    /// One workspace's figures, in its own read transaction, from its whole log.
    pub(crate) fn compute_figures(&self, ws: OwnerId, today: Date) -> Result<Figures> {
        let tx = self.store.read(ws)?;
        let policy = self.policy_in(&*tx)?;
        let open_jobs = tx.open_job_count()?;
        // Today's agenda up to today: its overdue items are the Today page's.
        let items = agenda::agenda_owned(
            tx.plan_window(today, today)?,
            Window {
                today,
                until: today,
                open_jobs,
            },
            &policy,
        );
        let overdue = items
            .iter()
            .filter(|a| a.id != PIPELINE_ID && (a.overdue_days > 0 || a.due < today))
            .count();
        let touches = tx.all_touches()?;
        drop(tx);
        let last_touch = touches.iter().map(|t| t.date).filter(|d| *d <= today).max();
        let (monday, sunday) = week_of(today);
        let interviews_this_week = touches
            .iter()
            .filter(|t| t.kind == TouchKind::Interview && (monday..=sunday).contains(&t.date))
            .count();
        let promises_missed = promise_states(&touches, today)
            .iter()
            .filter(|p| p.promise.whose == Whose::Mine && p.state == PromiseState::Missed)
            .count();
        Ok(Figures {
            overdue,
            last_touch,
            open_jobs,
            pipeline_minimum: policy.pipeline_minimum,
            interviews_this_week,
            promises_missed,
        })
    }

    /// Keeps the caseload summary ([`summary`]) of every client workspace that has none or an
    /// old one (a server upgraded from a version that kept none, a write by an older binary,
    /// a database filled by other means),
    /// one workspace per write; returns how many it wrote. Every change through the app keeps
    /// the summary from then on, so a server runs this once, in the background, at start:
    /// until it has, a caseload computes those clients' figures from their logs (slower,
    /// never different).
    pub fn keep_missing_summaries(&self) -> Result<usize> {
        let Some(dir) = &self.directory else {
            return Ok(0);
        };
        let mut kept = 0;
        for a in dir.accounts()? {
            let Some(ws) = a.workspace else {
                continue;
            };
            let current = |(version, text): (u64, Option<String>)| {
                text.as_deref()
                    .and_then(summary::read)
                    .is_some_and(|s| s.is_at(version))
            };
            if current(self.store.version_and_setting(ws, summary::KEY)?) {
                continue;
            }
            let mut tx = self.store.write(ws)?;
            // Read in the write: a change that landed since has kept one already.
            let before = tx.committed_version()? - 1;
            if !current((before, tx.setting(summary::KEY)?)) {
                summary::keep(tx.as_mut())?;
                tx.commit()?;
                kept += 1;
            }
        }
        Ok(kept)
    }

    /// Keeps `coach`'s private note on `workspace` (an empty one removes it); refused
    /// ([`AppError::Forbidden`]) unless the coach holds a live grant to it on `today`. The
    /// note as kept, if any.
    pub fn set_coach_note(
        &self,
        coach: &Account,
        workspace: OwnerId,
        text: &str,
        today: Date,
        now: Timestamp,
    ) -> Result<Option<String>> {
        let dir = self.directory()?;
        let held = dir
            .grants_to(coach.id)?
            .iter()
            .any(|g| g.workspace == workspace && live(g, today));
        if !held {
            return Err(AppError::Forbidden(format!(
                "workspace {} is not in your caseload: nobody granted you access to it",
                workspace.0
            )));
        }
        let text = text.replace("\r\n", "\n");
        let text = text.trim();
        if text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err(invalid(
                Field::Note,
                "contains a control character; write plain text",
            ));
        }
        let n = text.chars().count();
        if n > NOTE_MAX {
            return Err(invalid(
                Field::Note,
                format!("{n} characters; a note holds at most {NOTE_MAX}"),
            ));
        }
        dir.set_coach_note(coach.id, workspace, text, now)?;
        Ok((!text.is_empty()).then(|| text.to_string()))
    }
}

/// `rows` in `sort`'s order; ties by label (case-insensitive), then workspace.
fn sort_rows(rows: &mut [CaseloadRow], sort: CaseloadSort) {
    rows.sort_by_cached_key(|r| {
        let key: i64 = match sort {
            CaseloadSort::Overdue => -(r.overdue as i64),
            // Never touched is the longest silence.
            CaseloadSort::Silent => -r.days_silent.unwrap_or(i64::MAX / 2),
            CaseloadSort::Pipeline => i64::from(r.open_jobs) - i64::from(r.pipeline_minimum),
            CaseloadSort::Interviews => -(r.interviews_this_week as i64),
            CaseloadSort::Missed => -(r.promises_missed as i64),
            CaseloadSort::Name => 0,
        };
        (key, r.label.to_lowercase(), r.workspace)
    });
}
