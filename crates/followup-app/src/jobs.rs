//! Jobs (opportunities): add one, list them, show one, move it through its stages, close it.

use std::collections::BTreeSet;

use followup_core::agenda::AgendaItem;
use followup_core::model::*;
use followup_core::plan::{PlanKey, Slot, Subject};
use followup_core::{Event, Wait};
use followup_store::Entity;
use jiff::civil::Date;
use serde::Serialize;

use crate::error::{Field, Result, invalid, refused};
use crate::lookup::{ensure_org, resolve_contact, resolve_job};
use crate::replan::job_subjects;
use crate::views::{PromiseView, next_view, promises_of};
use crate::{App, Ctx, fields};

/// A new opportunity. Text as typed; the stage, wait and date already read by the front end.
#[derive(Debug, Clone, Default)]
pub struct NewJob {
    pub organization: String,
    pub title: String,
    /// Contacts by id or name.
    pub contacts: Vec<String>,
    /// The day you applied: also logs the application (F5).
    pub applied: Option<Date>,
    pub response_time: Option<Wait>,
    pub url: Option<String>,
    pub stage: Option<Stage>,
    pub notes: Option<String>,
}

/// A change to an opportunity: `None` leaves a field alone; `Some("")` clears a text field.
#[derive(Debug, Clone, Default)]
pub struct EditJob {
    pub organization: Option<String>,
    pub title: Option<String>,
    /// Contacts to add to it, by id or name (none are taken off: a touch names them).
    pub add_contacts: Vec<String>,
    pub response_time: Option<Option<Wait>>,
    pub url: Option<String>,
    /// Any stage, open or closed.
    pub stage: Option<Stage>,
    pub notes: Option<String>,
}

/// A job with everything recorded about it.
#[derive(Debug, Clone, Serialize)]
pub struct JobView {
    pub job: Job,
    pub contacts: Vec<Contact>,
    pub timeline: Vec<Touch>,
    /// Touches of the timeline someone other than the owner logged or corrected (a coach),
    /// by touch id.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub actors: std::collections::BTreeMap<i64, crate::actors::TouchActors>,
    pub promises: Vec<PromiseView>,
    pub next: Vec<AgendaItem>,
}

impl App {
    /// Records a new opportunity; an application day also logs the application (F5).
    pub fn add_job(&self, cx: &Ctx, n: NewJob) -> Result<Job> {
        let org_name = fields::line(Field::Organization, &n.organization)?;
        if org_name.is_empty() {
            return Err(invalid(
                Field::Organization,
                "expected an organization's name, found nothing",
            ));
        }
        let title = fields::line(Field::JobTitle, &n.title)?;
        if title.is_empty() {
            return Err(invalid(
                Field::JobTitle,
                "expected the role's title, found nothing",
            ));
        }
        if let Some(d) = n.applied
            && d > cx.today
        {
            return Err(invalid(
                Field::Applied,
                format!(
                    "{d} is after today ({}); log what has happened, promise what will",
                    cx.today
                ),
            ));
        }
        let stage = match n.stage {
            Some(st) if !st.is_open() => {
                return Err(invalid(
                    Field::Stage,
                    format!(
                        "a new job starts open (lead, applied, interviewing, offer), found {st}; close it with `job close`"
                    ),
                ));
            }
            Some(st) => st,
            None if n.applied.is_some() => Stage::Applied,
            None => Stage::Lead,
        };
        let url = fields::opt_url(Field::Url, n.url)?;
        let notes = fields::opt_note(Field::Notes, n.notes)?;
        self.change(cx, |w| {
            let mut contacts = Vec::new();
            for c in &n.contacts {
                let id = resolve_contact(w.tx.as_ref(), c)?.id;
                if !contacts.contains(&id) {
                    contacts.push(id);
                }
            }
            let organization = ensure_org(w.tx.as_mut(), cx.today, &org_name)?;
            let id = JobId(w.tx.next_id(Entity::Job)?);
            let job = Job {
                id,
                organization,
                title,
                url,
                response_time: n.response_time,
                applied: n.applied,
                stage,
                contacts: contacts.clone(),
                added_on: cx.today,
                notes,
            };
            w.append(&Event::JobAdded { job: job.clone() })?;
            if let Some(on) = n.applied {
                let tid = TouchId(w.tx.next_id(Entity::Touch)?);
                let touch = Touch {
                    id: tid,
                    kind: TouchKind::Application,
                    direction: Direction::Outbound,
                    date: on,
                    contacts,
                    job: Some(id),
                    note: None,
                    answers: None,
                    poor_fit: false,
                    promises: Vec::new(),
                    message: None,
                };
                w.append(&Event::TouchLogged { touch })?;
            }
            w.touch(job_subjects(&job));
            Ok(job)
        })
    }

    /// Changes an opportunity's details, links more contacts, moves its stage; one unit of
    /// work, so a refused field changes nothing.
    pub fn edit_job(&self, cx: &Ctx, which: &str, e: EditJob) -> Result<Job> {
        let org = e
            .organization
            .as_deref()
            .map(|o| fields::line(Field::Organization, o))
            .transpose()?;
        if org.as_deref() == Some("") {
            return Err(invalid(
                Field::Organization,
                "expected an organization's name, found nothing",
            ));
        }
        let title = e
            .title
            .as_deref()
            .map(|t| fields::line(Field::JobTitle, t))
            .transpose()?;
        if title.as_deref() == Some("") {
            return Err(invalid(
                Field::JobTitle,
                "expected the role's title, found nothing",
            ));
        }
        let url = e
            .url
            .map(|u| fields::opt_url(Field::Url, Some(u)))
            .transpose()?;
        let notes = e
            .notes
            .map(|n| fields::opt_note(Field::Notes, Some(n)))
            .transpose()?;
        self.change(cx, |w| {
            let mut job = resolve_job(w.tx.as_ref(), which)?;
            let mut changed = false;
            let organization = match org.as_deref() {
                Some(o) if !o.eq_ignore_ascii_case(&job.organization.name) => {
                    Some(ensure_org(w.tx.as_mut(), cx.today, o)?)
                }
                _ => None,
            };
            let patch = followup_core::JobPatch {
                organization,
                title: title.filter(|t| *t != job.title),
                url: url.filter(|u| *u != job.url),
                response_time: e.response_time.filter(|r| *r != job.response_time),
                notes: notes.filter(|n| *n != job.notes),
            };
            if !patch.is_empty() {
                w.append(&Event::JobEdited {
                    id: job.id,
                    patch: patch.clone(),
                })?;
                job = patch.apply(&job);
                changed = true;
            }
            for c in &e.add_contacts {
                let c = resolve_contact(w.tx.as_ref(), c)?.id;
                if !job.contacts.contains(&c) {
                    w.append(&Event::JobContactLinked {
                        id: job.id,
                        contact: c,
                    })?;
                    job.contacts.push(c);
                    changed = true;
                }
            }
            if let Some(stage) = e.stage.filter(|s| *s != job.stage) {
                w.append(&Event::JobStageChanged { id: job.id, stage })?;
                job.stage = stage;
                changed = true;
            }
            if !changed {
                return Err(crate::AppError::NothingToChange { what: "job edit" });
            }
            w.touch(job_subjects(&job));
            Ok(job)
        })
    }

    /// Every organization named so far (at a job or a contact), by name.
    pub fn organizations(&self, cx: &Ctx) -> Result<Vec<String>> {
        let tx = self.store.read(cx.owner)?;
        let mut names: Vec<String> = tx
            .jobs()?
            .into_iter()
            .map(|j| j.organization.name)
            .chain(
                tx.contacts()?
                    .into_iter()
                    .filter_map(|c| c.organization.map(|o| o.name)),
            )
            .collect();
        names.sort_by_key(|n| n.to_lowercase());
        names.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        Ok(names)
    }

    /// The organizations already here that `name` may be meant as, when it is none of them
    /// itself: "Acme" beside "Acme Analytics", "Northwnd" beside "Northwind". Empty when the
    /// name is one already here (it is reused) or close to none.
    pub fn close_organizations(&self, cx: &Ctx, name: &str) -> Result<Vec<String>> {
        let key = |s: &str| -> String {
            s.to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric() || c.is_whitespace())
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        let typed = key(name);
        if typed.is_empty() {
            return Ok(Vec::new());
        }
        let all = self.organizations(cx)?;
        if all.iter().any(|o| key(o) == typed) {
            return Ok(Vec::new());
        }
        Ok(all
            .into_iter()
            .filter(|o| {
                let k = key(o);
                let word_start = |long: &str, short: &str| {
                    long.starts_with(&format!("{short} ")) || long.contains(&format!(" {short}"))
                };
                word_start(&k, &typed)
                    || word_start(&typed, &k)
                    || (typed.chars().count() >= 4 && edit_distance(&k, &typed) <= 2)
            })
            .collect())
    }

    /// Every opportunity, by id.
    pub fn jobs(&self, cx: &Ctx) -> Result<Vec<Job>> {
        Ok(self.store.read(cx.owner)?.jobs()?)
    }

    /// A job with its contacts, timeline, promises and next item.
    pub fn job_view(&self, cx: &Ctx, which: &str) -> Result<JobView> {
        let today = cx.today;
        let tx = self.store.read(cx.owner)?;
        let job = resolve_job(tx.as_ref(), which)?;
        let mut contacts = Vec::new();
        for c in &job.contacts {
            if let Some(c) = tx.contact(*c)? {
                contacts.push(c);
            }
        }
        let timeline = tx.touches_of_job(job.id)?;
        let mut people: BTreeSet<ContactId> = job.contacts.iter().copied().collect();
        people.extend(timeline.iter().flat_map(|t| t.contacts.iter().copied()));
        let mut context = Vec::new();
        for c in people {
            context.extend(tx.touches_of_contact(c)?);
        }
        let promises = promises_of(&timeline, &context, today);
        let mut next = Vec::new();
        let mut keys: Vec<PlanKey> = job
            .contacts
            .iter()
            .map(|c| PlanKey {
                subject: Subject::Contact(*c),
                slot: Slot::FollowUp,
            })
            .collect();
        keys.push(PlanKey {
            subject: Subject::Job(job.id),
            slot: Slot::FollowUp,
        });
        for key in keys {
            if let Some(p) = tx.planned_for(&key)?
                && p.item.jobs.iter().any(|j| j.id == job.id)
            {
                next.push(next_view(&p, today));
            }
        }
        Ok(JobView {
            job,
            contacts,
            actors: self.touch_actors(tx.as_ref())?,
            timeline,
            promises,
            next,
        })
    }

    /// Moves an open job to another open stage.
    pub fn set_stage(&self, cx: &Ctx, which: &str, stage: Stage) -> Result<Job> {
        if !stage.is_open() {
            return Err(invalid(
                Field::Stage,
                format!("{stage} closes the job; use `followup job close ID {stage}`"),
            ));
        }
        self.change_stage(cx, which, stage)
    }

    /// Closes a job as accepted, rejected, withdrawn or no-response.
    pub fn close_job(&self, cx: &Ctx, which: &str, outcome: Stage) -> Result<Job> {
        if outcome.is_open() {
            return Err(invalid(
                Field::Outcome,
                format!("expected accepted, rejected, withdrawn or no-response, found {outcome}"),
            ));
        }
        self.change_stage(cx, which, outcome)
    }

    fn change_stage(&self, cx: &Ctx, which: &str, stage: Stage) -> Result<Job> {
        self.change(cx, |w| {
            let mut job = resolve_job(w.tx.as_ref(), which)?;
            move_stage(w, &mut job, stage)?;
            Ok(job)
        })
    }
}

/// Moves `job` to `stage` inside a unit of work: refused when it is closed or already there.
pub(crate) fn move_stage(w: &mut crate::uow::Work<'_>, job: &mut Job, stage: Stage) -> Result<()> {
    if !job.stage.is_open() {
        return Err(refused(format!(
            "job {} ({}: {}) is already closed as {}",
            job.id, job.organization.name, job.title, job.stage
        )));
    }
    if job.stage == stage {
        return Err(refused(format!(
            "job {} is already at stage {stage}",
            job.id
        )));
    }
    w.append(&Event::JobStageChanged { id: job.id, stage })?;
    job.stage = stage;
    w.touch(job_subjects(job));
    Ok(())
}

/// Levenshtein distance by characters: how many single edits turn `a` into `b`.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let here = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(row[j + 1])
            };
            prev = here;
        }
    }
    row[b.len()]
}
