//! Planning: the plan items of the subjects a change touched, or of everything (`replan`),
//! rebuilt from the log inside the caller's transaction.

use std::collections::{BTreeMap, BTreeSet};

use followup_core::Policy;
use followup_core::model::{Contact, Job, Touch};
use followup_core::plan::{self, FollowUp, History, Subject};
use followup_store::{ReadTx, WriteTx};

use crate::error::Result;
use crate::{App, Ctx};

impl App {
    /// Rebuilds the whole plan from the log; returns how many items it holds.
    ///
    /// Reads each table once and groups in memory, rather than one set of look-ups per
    /// subject: a coach's million touches replan in seconds (docs/BENCHMARKS.md).
    pub fn replan(&self, cx: &Ctx) -> Result<usize> {
        self.change(cx, |w| w.replan_everything())
    }
}

pub(crate) fn full_replan(tx: &mut dyn WriteTx, policy: &Policy) -> Result<usize> {
    let policy = policy.clone();
    let contacts = tx.contacts()?;
    let jobs = tx.jobs()?;
    let touches = tx.all_touches()?;
    let snoozes = tx.all_snoozes()?;

    let index = LogIndex::new(&touches, &jobs, snoozes);
    // The planner is pure: plan the contacts on every core, in order-preserving chunks.
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let chunk = contacts.len().div_ceil(threads).max(1);
    let mut items: Vec<FollowUp> = std::thread::scope(|scope| {
        let handles: Vec<_> = contacts
            .chunks(chunk)
            .map(|cs| {
                let policy = &policy;
                let index = &index;
                scope.spawn(move || {
                    let mut out = Vec::new();
                    for c in cs {
                        let h = index.contact(c);
                        out.extend(plan::plan_ref(Subject::Contact(c.id), &h, policy));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("the planner does not panic"))
            .collect()
    });
    for j in &jobs {
        let subject = Subject::Job(j.id);
        items.extend(plan::plan_ref(subject, &index.job(j), &policy));
    }
    tx.replace_all_plan(&items)?;
    Ok(items.len())
}

/// The whole log grouped for a full replan: which touches and jobs each subject sees.
struct LogIndex<'a> {
    touches: &'a [Touch],
    jobs: &'a [Job],
    // Indexed by id: ids are given per owner as 1, 2, 3... and never reused, so a vector is
    // dense and far cheaper than a map for a million touches.
    by_contact: Vec<Vec<u32>>,
    by_job: Vec<Vec<u32>>,
    jobs_of: Vec<Vec<u32>>,
    snoozes_of: BTreeMap<Subject, Vec<plan::Snooze>>,
}

fn slot(v: &mut Vec<Vec<u32>>, id: i64) -> &mut Vec<u32> {
    let i = usize::try_from(id).unwrap_or(0);
    if v.len() <= i {
        v.resize_with(i + 1, Vec::new);
    }
    &mut v[i]
}

fn get(v: &[Vec<u32>], id: i64) -> &[u32] {
    usize::try_from(id)
        .ok()
        .and_then(|i| v.get(i))
        .map(|x| x.as_slice())
        .unwrap_or(&[])
}

impl<'a> LogIndex<'a> {
    fn new(touches: &'a [Touch], jobs: &'a [Job], snoozes: Vec<plan::Snooze>) -> LogIndex<'a> {
        let mut ix = LogIndex {
            touches,
            jobs,
            by_contact: Vec::new(),
            by_job: Vec::new(),
            jobs_of: Vec::new(),
            snoozes_of: BTreeMap::new(),
        };
        for (i, t) in touches.iter().enumerate() {
            for c in &t.contacts {
                slot(&mut ix.by_contact, c.0).push(i as u32);
            }
            if let Some(j) = t.job {
                slot(&mut ix.by_job, j.0).push(i as u32);
            }
        }
        for (i, j) in jobs.iter().enumerate() {
            for c in &j.contacts {
                slot(&mut ix.jobs_of, c.0).push(i as u32);
            }
        }
        for s in snoozes {
            ix.snoozes_of.entry(s.key.subject).or_default().push(s);
        }
        ix
    }

    fn touches_into(&self, idx: &[u32], into: &mut Vec<&'a Touch>) {
        into.extend(idx.iter().map(|i| &self.touches[*i as usize]));
    }

    fn snoozes(&self, s: Subject) -> Vec<&plan::Snooze> {
        self.snoozes_of
            .get(&s)
            .map(|v| v.iter().collect())
            .unwrap_or_default()
    }

    /// The same history `history(tx, Subject::Contact(..))` reads, borrowed from the index.
    fn contact<'s>(&'s self, c: &'a Contact) -> plan::HistoryRef<'s>
    where
        'a: 's,
    {
        let jobs: Vec<&Job> = get(&self.jobs_of, c.id.0)
            .iter()
            .map(|i| &self.jobs[*i as usize])
            .collect();
        let mut touches = Vec::new();
        self.touches_into(get(&self.by_contact, c.id.0), &mut touches);
        for j in &jobs {
            self.touches_into(get(&self.by_job, j.id.0), &mut touches);
        }
        plan::HistoryRef {
            contact: Some(c),
            jobs,
            touches,
            snoozes: self.snoozes(Subject::Contact(c.id)),
        }
    }

    fn job<'s>(&'s self, j: &'a Job) -> plan::HistoryRef<'s>
    where
        'a: 's,
    {
        let mut touches = Vec::new();
        self.touches_into(get(&self.by_job, j.id.0), &mut touches);
        plan::HistoryRef {
            contact: None,
            jobs: vec![j],
            touches,
            snoozes: self.snoozes(Subject::Job(j.id)),
        }
    }
}

pub(crate) fn job_subjects(j: &Job) -> Vec<Subject> {
    let mut v = vec![Subject::Job(j.id)];
    v.extend(j.contacts.iter().map(|c| Subject::Contact(*c)));
    v
}

/// Replaces the plan items of each subject inside the caller's transaction.
pub(crate) fn replan_subjects(
    tx: &mut dyn WriteTx,
    policy: &Policy,
    subjects: impl IntoIterator<Item = Subject>,
) -> Result<()> {
    let subjects: BTreeSet<Subject> = subjects.into_iter().collect();
    for s in subjects {
        let h = history(tx, s)?;
        let items: Vec<FollowUp> = plan::plan(s, &h, policy);
        tx.replace_plan(s, &items)?;
    }
    Ok(())
}

/// Everything the planner needs about one subject.
pub fn history(tx: &dyn ReadTx, s: Subject) -> Result<History> {
    let mut h = History {
        snoozes: tx.snoozes(s)?,
        ..History::default()
    };
    match s {
        Subject::Contact(c) => {
            h.contact = tx.contact(c)?;
            h.jobs = tx.jobs_of_contact(c)?;
            h.touches = tx.touches_of_contact(c)?;
            for j in &h.jobs {
                h.touches.extend(tx.touches_of_job(j.id)?);
            }
        }
        Subject::Job(j) => {
            if let Some(job) = tx.job(j)? {
                h.jobs.push(job);
                h.touches = tx.touches_of_job(j)?;
            }
        }
    }
    Ok(h)
}
