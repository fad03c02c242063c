//! Planning: the plan items of the subjects a change touched, or of everything (`replan`),
//! rebuilt from the log inside the caller's transaction.

use std::collections::{BTreeMap, BTreeSet};

use followup_core::Policy;
use followup_core::model::{Contact, ContactId, Job, JobId, Touch};
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

/// How many contacts' ids a full replan plans at once: their touches are read, planned and
/// written, then dropped, so the replan's memory follows this, not the log (a million touches
/// held at once took 535 MiB).
const SLICE: i64 = 1024;

pub(crate) fn full_replan(tx: &mut dyn WriteTx, policy: &Policy) -> Result<usize> {
    full_replan_in(tx, policy, SLICE)
}

/// [`full_replan`] with slices of `slice` contact ids (a test makes them tiny).
fn full_replan_in(tx: &mut dyn WriteTx, policy: &Policy, slice: i64) -> Result<usize> {
    let contacts = tx.contacts()?;
    let jobs = tx.jobs()?;
    let snoozes = tx.all_snoozes()?;
    let mut snoozes_of: BTreeMap<Subject, Vec<plan::Snooze>> = BTreeMap::new();
    for s in snoozes {
        snoozes_of.entry(s.key.subject).or_default().push(s);
    }
    // Which jobs each contact is linked to (indexes into `jobs`).
    let mut jobs_of: BTreeMap<ContactId, Vec<usize>> = BTreeMap::new();
    for (i, j) in jobs.iter().enumerate() {
        for c in &j.contacts {
            jobs_of.entry(*c).or_default().push(i);
        }
    }
    let mut planned: BTreeSet<Subject> = BTreeSet::new();
    let mut count = 0;
    // Contacts come by id: each slice of ids is one read of touches.
    let mut rest = contacts.as_slice();
    while let Some(first) = rest.first() {
        let end = rest
            .iter()
            .position(|c| c.id.0 >= first.id.0.saturating_add(slice))
            .unwrap_or(rest.len());
        let (slice, after) = rest.split_at(end);
        rest = after;
        let last = slice.last().map(|c| c.id).unwrap_or(first.id);
        let touches = tx.touches_of_contacts(first.id, last)?;
        // The touches about the slice's contacts' jobs, with whoever they were.
        let mut job_touches: BTreeMap<JobId, Vec<Touch>> = BTreeMap::new();
        for c in slice {
            for i in jobs_of.get(&c.id).into_iter().flatten() {
                let id = jobs[*i].id;
                if let std::collections::btree_map::Entry::Vacant(e) = job_touches.entry(id) {
                    e.insert(tx.touches_of_job(id)?);
                }
            }
        }
        let mut by_contact: BTreeMap<ContactId, Vec<&Touch>> = BTreeMap::new();
        for t in &touches {
            for c in &t.contacts {
                by_contact.entry(*c).or_default().push(t);
            }
        }
        let history = |c: &'_ Contact| {
            let linked: Vec<&Job> = jobs_of
                .get(&c.id)
                .into_iter()
                .flatten()
                .map(|i| &jobs[*i])
                .collect();
            let mut ts: Vec<&Touch> = by_contact.get(&c.id).cloned().unwrap_or_default();
            for j in &linked {
                ts.extend(job_touches.get(&j.id).into_iter().flatten());
            }
            (linked, ts)
        };
        let items = plan_on_every_core(slice, policy, &snoozes_of, &history);
        let subjects: Vec<Subject> = slice.iter().map(|c| Subject::Contact(c.id)).collect();
        tx.replace_plan_of(&subjects, &items)?;
        count += items.len();
        planned.extend(subjects);
    }
    for chunk in jobs.chunks(usize::try_from(slice).unwrap_or(1).max(1)) {
        let mut items = Vec::new();
        let mut subjects = Vec::new();
        for j in chunk {
            let subject = Subject::Job(j.id);
            let touches = tx.touches_of_job(j.id)?;
            let h = plan::HistoryRef {
                contact: None,
                jobs: vec![j],
                touches: touches.iter().collect(),
                snoozes: snoozes_for(&snoozes_of, subject),
            };
            items.extend(plan::plan_ref(subject, &h, policy));
            subjects.push(subject);
        }
        tx.replace_plan_of(&subjects, &items)?;
        count += items.len();
        planned.extend(subjects);
    }
    // Subjects that are gone (a removed contact or job) keep no items.
    let gone: Vec<Subject> = tx
        .plan_subjects()?
        .into_iter()
        .filter(|s| !planned.contains(s))
        .collect();
    tx.replace_plan_of(&gone, &[])?;
    Ok(count)
}

/// A subject's snoozes, from the ones read for the whole replan.
fn snoozes_for(
    snoozes_of: &BTreeMap<Subject, Vec<plan::Snooze>>,
    subject: Subject,
) -> Vec<&plan::Snooze> {
    snoozes_of
        .get(&subject)
        .map(|v| v.iter().collect())
        .unwrap_or_default()
}

/// The plan of each contact of `slice`, in order: the planner is pure, so on every core.
/// `history` gives a contact's jobs and touches.
fn plan_on_every_core<'a, H>(
    slice: &'a [Contact],
    policy: &Policy,
    snoozes_of: &'a BTreeMap<Subject, Vec<plan::Snooze>>,
    history: &H,
) -> Vec<FollowUp>
where
    H: Fn(&'a Contact) -> (Vec<&'a Job>, Vec<&'a Touch>) + Sync,
{
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let chunk = slice.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = slice
            .chunks(chunk)
            .map(|cs| {
                scope.spawn(move || {
                    let mut out = Vec::new();
                    for c in cs {
                        let subject = Subject::Contact(c.id);
                        let (jobs, touches) = history(c);
                        let h = plan::HistoryRef {
                            contact: Some(c),
                            jobs,
                            touches,
                            snoozes: snoozes_for(snoozes_of, subject),
                        };
                        out.extend(plan::plan_ref(subject, &h, policy));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("the planner does not panic"))
            .collect()
    })
}

pub(crate) fn job_subjects(j: &Job) -> Vec<Subject> {
    let mut v = vec![Subject::Job(j.id)];
    v.extend(j.contacts.iter().map(|c| Subject::Contact(*c)));
    v
}

/// Replaces the plan items of each subject inside the caller's transaction; `known` holds
/// contacts' touches the caller has as the store does (not read again).
pub(crate) fn replan_subjects(
    tx: &mut dyn WriteTx,
    policy: &Policy,
    subjects: impl IntoIterator<Item = Subject>,
    known: &BTreeMap<ContactId, Vec<Touch>>,
) -> Result<()> {
    let subjects: BTreeSet<Subject> = subjects.into_iter().collect();
    for s in subjects {
        let h = history_with(tx, s, known)?;
        let items: Vec<FollowUp> = plan::plan(s, &h, policy);
        tx.replace_plan(s, &items)?;
    }
    Ok(())
}

/// Everything the planner needs about one subject.
pub fn history(tx: &dyn ReadTx, s: Subject) -> Result<History> {
    history_with(tx, s, &BTreeMap::new())
}

/// [`history`], with contacts' touches taken from `known` where it has them.
fn history_with(
    tx: &dyn ReadTx,
    s: Subject,
    known: &BTreeMap<ContactId, Vec<Touch>>,
) -> Result<History> {
    let mut h = History {
        snoozes: tx.snoozes(s)?,
        ..History::default()
    };
    match s {
        Subject::Contact(c) => {
            h.contact = tx.contact(c)?;
            h.jobs = tx.jobs_of_contact(c)?;
            h.touches = match known.get(&c) {
                Some(t) => t.clone(),
                None => tx.touches_of_contact(c)?,
            };
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::{App, Config, NewContact, NewJob, NewTouch};
    use followup_core::TouchKind;
    use followup_store::MemoryStore;
    use jiff::civil::date;

    /// A full replan in slices of two contact ids, over ids with gaps (removed contacts),
    /// touches with two contacts and jobs, plans each subject as its own history does, and
    /// leaves nothing for what was removed.
    #[test]
    fn a_replan_in_slices_plans_every_subject_once_and_drops_the_removed() {
        let app = App::with_store(Arc::new(MemoryStore::new()), Config::default());
        let today = date(2026, 11, 25);
        let cx = app.ctx(today).unwrap();
        let names: Vec<String> = (1..=9).map(|i| format!("Person {i}")).collect();
        for n in &names {
            app.add_contact(
                &cx,
                NewContact {
                    name: n.clone(),
                    ..Default::default()
                },
            )
            .unwrap();
        }
        for (org, who) in [("Northwind", "Person 2"), ("Contoso", "Person 8")] {
            app.add_job(
                &cx,
                NewJob {
                    organization: org.into(),
                    title: "Analyst".into(),
                    contacts: vec![who.into()],
                    applied: Some(date(2026, 11, 2)),
                    ..Default::default()
                },
            )
            .unwrap();
        }
        let log = |with: &[&str], job: Option<&str>, kind, on| {
            app.log(
                &cx,
                NewTouch {
                    with: with.iter().map(|w| w.to_string()).collect(),
                    job: job.map(str::to_string),
                    on: Some(on),
                    i_will_follow_up: Some(date(2026, 12, 1)),
                    ..NewTouch::new(kind)
                },
            )
            .unwrap();
        };
        log(
            &["Person 1", "Person 3"],
            None,
            TouchKind::Outreach,
            date(2026, 11, 3),
        );
        log(
            &["Person 2"],
            Some("Northwind"),
            TouchKind::Interview,
            date(2026, 11, 10),
        );
        log(
            &["Person 5", "Person 9"],
            None,
            TouchKind::Outreach,
            date(2026, 11, 12),
        );
        log(
            &["Person 8"],
            Some("Contoso"),
            TouchKind::FollowUp,
            date(2026, 11, 13),
        );
        log(&["Person 4"], None, TouchKind::Outreach, date(2026, 11, 14));
        app.delete_contact(&cx, "Person 4").unwrap();
        app.delete_contact(&cx, "Person 7").unwrap();

        let mut tx = app.store.write(cx.owner).unwrap();
        let each_alone = |tx: &dyn ReadTx| -> Vec<FollowUp> {
            let mut subjects: Vec<Subject> = tx
                .contacts()
                .unwrap()
                .iter()
                .map(|c| Subject::Contact(c.id))
                .collect();
            subjects.extend(tx.jobs().unwrap().iter().map(|j| Subject::Job(j.id)));
            let mut out: Vec<FollowUp> = subjects
                .into_iter()
                .flat_map(|s| plan::plan(s, &history(tx, s).unwrap(), &cx.policy))
                .collect();
            out.sort_by_key(|i| i.key);
            out
        };
        let plan_now = |tx: &dyn ReadTx| -> Vec<FollowUp> {
            let mut out: Vec<FollowUp> =
                tx.plan_all().unwrap().into_iter().map(|p| p.item).collect();
            out.sort_by_key(|i| i.key);
            out
        };
        let want = each_alone(&*tx);
        assert!(
            want.len() >= 6,
            "a plan worth comparing: {} items",
            want.len()
        );
        // A stale item of a removed contact, as an older plan might hold.
        let mut stale = want[0].clone();
        stale.key.subject = Subject::Contact(followup_core::model::ContactId(7));
        tx.replace_plan(stale.key.subject, std::slice::from_ref(&stale))
            .unwrap();
        let n = full_replan_in(&mut *tx, &cx.policy, 2).unwrap();
        assert_eq!(n, want.len(), "every item counted once");
        assert_eq!(
            plan_now(&*tx),
            want,
            "the plan each subject's history gives"
        );
        assert!(
            !tx.plan_subjects().unwrap().iter().any(|s| matches!(
                s,
                Subject::Contact(c) if c.0 == 4 || c.0 == 7
            )),
            "nothing left for removed contacts"
        );
        // Slices of any size give the same plan.
        full_replan_in(&mut *tx, &cx.policy, 1000).unwrap();
        assert_eq!(plan_now(&*tx), want);
    }
}
