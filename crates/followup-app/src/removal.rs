//! Taking things back: deleting a contact or an opportunity, retracting or correcting a
//! logged touch, merging two records of one person, restoring what was deleted.
//!
//! Each is an event, never an erasure: the log (and so the export) keeps everything, a
//! deleted record leaves every list and plan but the trash, and its restore brings back
//! exactly what went with it. Each replans the subjects it moved. The short-lived "Undo"
//! that front ends offer after a change is [`crate::undo`], built on these.

use std::collections::BTreeSet;

use followup_core::model::{
    Channel, Contact, ContactId, Job, JobId, Tier, Touch, TouchId, TouchKind,
};
use followup_core::plan::Subject;
use followup_core::{ContactPatch, Event};
use followup_store::{ReadTx, Removal, Trash};
use jiff::civil::Date;
use serde::Serialize;

use crate::error::{AppError, Field, Result, invalid};
use crate::lookup::{resolve_contact, resolve_job};
use crate::replan::job_subjects;
use crate::uow::Work;
use crate::{App, Ctx, fields};

/// A correction to a logged touch: `None` leaves a field as logged.
#[derive(Debug, Clone, Default)]
pub struct EditTouch {
    pub kind: Option<TouchKind>,
    pub on: Option<Date>,
    /// Replaces the contacts (ids or names).
    pub with: Option<Vec<String>>,
    /// `Some(None)` takes the touch off its opportunity.
    pub job: Option<Option<String>>,
    /// `Some("")` clears it.
    pub note: Option<String>,
    pub message: Option<String>,
}

/// What a merge did: the contact that remains, and how much moved to it.
#[derive(Debug, Clone, Serialize)]
pub struct Merged {
    pub contact: Contact,
    pub from: Contact,
    pub touches: usize,
    pub jobs: usize,
}

impl App {
    /// Deletes a contact: it leaves every list, lookup and plan; its touches with nobody
    /// else and no opportunity go with it. [`App::restore_contact`] undoes it.
    pub fn delete_contact(&self, cx: &Ctx, who: &str) -> Result<Contact> {
        self.change(cx, |w| {
            let c = resolve_contact(w.tx.as_ref(), who)?;
            let mut subjects = vec![Subject::Contact(c.id)];
            for j in w.tx.jobs_of_contact(c.id)? {
                subjects.extend(job_subjects(&j));
            }
            w.append(&Event::ContactRemoved { id: c.id })?;
            w.touch(subjects);
            Ok(c)
        })
    }

    /// Brings back a deleted contact with the touches that went with it.
    pub fn restore_contact(&self, cx: &Ctx, id: ContactId) -> Result<Contact> {
        self.change(cx, |w| {
            let trash = w.tx.trash()?;
            let c = match trash.contacts.into_iter().find(|(c, _)| c.id == id) {
                Some((c, Removal::Deleted)) => c,
                Some((c, Removal::MergedInto(into))) => {
                    return Err(AppError::Refused(format!(
                        "contact {id} ({}) was merged into contact {into}; its history is there",
                        c.name
                    )));
                }
                _ => return Err(not_deleted("contact", id.0)),
            };
            w.append(&Event::ContactRestored { id })?;
            let mut subjects = vec![Subject::Contact(id)];
            for j in w.tx.jobs_of_contact(id)? {
                subjects.extend(job_subjects(&j));
            }
            w.touch(subjects);
            Ok(c)
        })
    }

    /// Deletes an opportunity and the touches logged against it. [`App::restore_job`]
    /// undoes it. Closing it (`job close`) is what ends a real one; this is for a mistake.
    pub fn delete_job(&self, cx: &Ctx, which: &str) -> Result<Job> {
        self.change(cx, |w| {
            let j = resolve_job(w.tx.as_ref(), which)?;
            let mut subjects: BTreeSet<Subject> = job_subjects(&j).into_iter().collect();
            for t in w.tx.touches_of_job(j.id)? {
                subjects.extend(t.contacts.iter().map(|c| Subject::Contact(*c)));
            }
            w.append(&Event::JobRemoved { id: j.id })?;
            w.touch(subjects);
            Ok(j)
        })
    }

    /// Brings back a deleted opportunity with its touches.
    pub fn restore_job(&self, cx: &Ctx, id: JobId) -> Result<Job> {
        self.change(cx, |w| {
            let trash = w.tx.trash()?;
            let Some((j, Removal::Deleted)) = trash.jobs.into_iter().find(|(j, _)| j.id == id)
            else {
                return Err(not_deleted("job", id.0));
            };
            w.append(&Event::JobRestored { id })?;
            let mut subjects: BTreeSet<Subject> = job_subjects(&j).into_iter().collect();
            for t in w.tx.touches_of_job(id)? {
                subjects.extend(t.contacts.iter().map(|c| Subject::Contact(*c)));
            }
            w.touch(subjects);
            Ok(j)
        })
    }

    /// Takes back a logged touch: it counts for nothing (dates, promises, gaps) until
    /// [`App::restore_touch`]. Stages it moved stay where they are.
    pub fn retract_touch(&self, cx: &Ctx, id: TouchId) -> Result<Touch> {
        self.change(cx, |w| retract_in(w, id))
    }

    /// Brings back a retracted touch.
    pub fn restore_touch(&self, cx: &Ctx, id: TouchId) -> Result<Touch> {
        self.change(cx, |w| {
            let trash = w.tx.trash()?;
            let Some((t, Removal::Retracted)) = trash.touches.into_iter().find(|(t, _)| t.id == id)
            else {
                return Err(not_deleted("touch", id.0));
            };
            w.append(&Event::TouchRestored { id })?;
            let subjects = touch_subjects(w.tx.as_ref(), &t)?;
            w.touch(subjects);
            Ok(t)
        })
    }

    /// Corrects a logged touch (its kind, day, people, opportunity, note or message) and
    /// replans both what it was about and what it is about now. A corrected kind does not
    /// move stages: `job stage` does that.
    pub fn edit_touch(&self, cx: &Ctx, id: TouchId, e: EditTouch) -> Result<Touch> {
        if let Some(on) = e.on
            && on > cx.today
        {
            return Err(invalid(
                Field::On,
                format!(
                    "{on} is after today ({}); log what has happened, promise what will",
                    cx.today
                ),
            ));
        }
        let note = e
            .note
            .map(|n| fields::opt_note(Field::Note, Some(n)))
            .transpose()?;
        let message = e
            .message
            .map(|n| fields::opt_note(Field::Message, Some(n)))
            .transpose()?;
        self.change(cx, |w| {
            let old = need_touch(w.tx.as_ref(), id)?;
            let mut t = old.clone();
            if let Some(k) = e.kind {
                t.kind = k;
                t.direction = k.default_direction();
            }
            if let Some(on) = e.on {
                t.date = on;
            }
            if let Some(with) = &e.with {
                let mut ids = Vec::new();
                for who in with {
                    let c = resolve_contact(w.tx.as_ref(), who)?.id;
                    if !ids.contains(&c) {
                        ids.push(c);
                    }
                }
                t.contacts = ids;
            }
            if let Some(job) = &e.job {
                t.job = match job.as_deref().map(str::trim) {
                    None | Some("") => None,
                    Some(j) => Some(resolve_job(w.tx.as_ref(), j)?.id),
                };
            }
            if let Some(n) = note {
                t.note = n;
            }
            if let Some(m) = message {
                t.message = m;
            }
            if t.contacts.is_empty() && t.job.is_none() {
                return Err(invalid(
                    Field::With,
                    "needs at least one contact (or a job)",
                ));
            }
            if let Some(p) = t
                .promises
                .iter()
                .filter_map(|p| p.date)
                .find(|d| *d < t.date)
            {
                return Err(invalid(
                    Field::On,
                    format!(
                        "{} is after a date this touch promised ({p}); retract it and log it again",
                        t.date
                    ),
                ));
            }
            if t == old {
                return Err(AppError::NothingToChange { what: "touch edit" });
            }
            let mut subjects = touch_subjects(w.tx.as_ref(), &old)?;
            w.append(&Event::TouchEdited { touch: t.clone() })?;
            subjects.extend(touch_subjects(w.tx.as_ref(), &t)?);
            w.touch(subjects);
            Ok(t)
        })
    }

    /// Makes two records of one person one: `from`'s touches and opportunities move to
    /// `into`, `into`'s empty fields take `from`'s values (emails and phones are joined), and
    /// `from` is removed for good.
    pub fn merge_contacts(&self, cx: &Ctx, from: &str, into: &str) -> Result<Merged> {
        self.change(cx, |w| {
            let a = resolve_contact(w.tx.as_ref(), from)?;
            let b = resolve_contact(w.tx.as_ref(), into)?;
            if a.id == b.id {
                return Err(AppError::Refused(format!(
                    "{from:?} and {into:?} are the same contact ({}, #{}); nothing to merge",
                    a.name, a.id
                )));
            }
            merge_in(w, a.id, b.id)
        })
    }

    /// What is deleted, retracted or merged away, with why.
    pub fn trash(&self, cx: &Ctx) -> Result<Trash> {
        Ok(self.store.read(cx.owner)?.trash()?)
    }

    /// One live touch by id.
    pub fn touch_by_id(&self, cx: &Ctx, id: TouchId) -> Result<Touch> {
        need_touch(self.store.read(cx.owner)?.as_ref(), id)
    }
}

/// Merges `from` into `into` inside a unit of work (also what adding to a contact does).
pub(crate) fn merge_in(w: &mut Work<'_>, from: ContactId, into: ContactId) -> Result<Merged> {
    let a = w.tx.contact(from)?.ok_or_else(|| not_found_contact(from))?;
    let b = w.tx.contact(into)?.ok_or_else(|| not_found_contact(into))?;
    let touches = w.tx.touches_of_contact(a.id)?.len();
    let a_jobs = w.tx.jobs_of_contact(a.id)?;
    let mut subjects = vec![Subject::Contact(a.id), Subject::Contact(b.id)];
    for j in a_jobs.iter().chain(&w.tx.jobs_of_contact(b.id)?) {
        subjects.extend(job_subjects(j));
    }
    let patch = fill_from(&b, &a);
    if !patch.is_empty() {
        w.append(&Event::ContactEdited { id: b.id, patch })?;
    }
    w.append(&Event::ContactsMerged {
        from: a.id,
        into: b.id,
    })?;
    // The merged-away contact's plan goes with it: there is no record left to plan from.
    w.touch(subjects);
    let contact = w.tx.contact(b.id)?.unwrap_or(b);
    Ok(Merged {
        contact,
        from: a,
        touches,
        jobs: a_jobs.len(),
    })
}

fn not_found_contact(id: ContactId) -> AppError {
    AppError::NotFound {
        what: "contact",
        query: id.to_string(),
        hint: String::new(),
    }
}

/// Retracts inside a unit of work (also what undoing Done does).
pub(crate) fn retract_in(w: &mut Work<'_>, id: TouchId) -> Result<Touch> {
    let t = need_touch(w.tx.as_ref(), id)?;
    let subjects = touch_subjects(w.tx.as_ref(), &t)?;
    w.append(&Event::TouchRetracted { id })?;
    w.touch(subjects);
    Ok(t)
}

fn need_touch(tx: &dyn ReadTx, id: TouchId) -> Result<Touch> {
    tx.touch(id)?.ok_or_else(|| AppError::NotFound {
        what: "touch",
        query: id.to_string(),
        hint: "; `followup contact show NAME` lists a contact's touches with their ids".into(),
    })
}

fn not_deleted(what: &'static str, id: i64) -> AppError {
    AppError::NotFound {
        what: if what == "touch" {
            "retracted touch"
        } else if what == "job" {
            "deleted job"
        } else {
            "deleted contact"
        },
        query: id.to_string(),
        hint: "; `followup trash` lists what can be restored".into(),
    }
}

/// Everything whose plan a touch feeds: its contacts, and its opportunity with that
/// opportunity's contacts.
fn touch_subjects(tx: &dyn ReadTx, t: &Touch) -> Result<BTreeSet<Subject>> {
    let mut s: BTreeSet<Subject> = t.contacts.iter().map(|c| Subject::Contact(*c)).collect();
    if let Some(j) = t.job {
        match tx.job(j)? {
            Some(job) => s.extend(job_subjects(&job)),
            None => {
                s.insert(Subject::Job(j));
            }
        }
    }
    Ok(s)
}

/// The patch that gives `into` what only `from` has: empty fields filled, emails and
/// phones joined (theirs after, no twice).
fn fill_from(into: &Contact, from: &Contact) -> ContactPatch {
    fn join(a: &[String], b: &[String]) -> Option<Vec<String>> {
        let mut all = a.to_vec();
        for x in b {
            if !all.iter().any(|y| y.eq_ignore_ascii_case(x)) {
                all.push(x.clone());
            }
        }
        (all.len() > a.len()).then_some(all)
    }
    fn fill<T: Clone>(a: &Option<T>, b: &Option<T>) -> Option<Option<T>> {
        match (a, b) {
            (None, Some(v)) => Some(Some(v.clone())),
            _ => None,
        }
    }
    let notes = match (&into.notes, &from.notes) {
        (Some(a), Some(b)) if a != b => Some(Some(format!("{a}\n{b}"))),
        (a, b) => fill(a, b),
    };
    let tier: Option<Option<Tier>> = fill(&into.tier, &from.tier);
    let prefers: Option<Option<Channel>> = fill(&into.prefers, &from.prefers);
    ContactPatch {
        name: None,
        emails: join(&into.emails, &from.emails),
        phones: join(&into.phones, &from.phones),
        organization: fill(&into.organization, &from.organization),
        title: fill(&into.title, &from.title),
        tier,
        prefers,
        linkedin: fill(&into.linkedin, &from.linkedin),
        birthday: fill(&into.birthday, &from.birthday),
        work_anniversary: fill(&into.work_anniversary, &from.work_anniversary),
        personal_anniversary: fill(&into.personal_anniversary, &from.personal_anniversary),
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str) -> Contact {
        Contact {
            id: ContactId(1),
            name: name.into(),
            emails: vec![],
            phones: vec![],
            organization: None,
            title: None,
            tier: None,
            prefers: None,
            linkedin: None,
            birthday: None,
            work_anniversary: None,
            personal_anniversary: None,
            notes: None,
            added_on: jiff::civil::date(2026, 1, 1),
            cadence_start: None,
        }
    }

    #[test]
    fn a_merge_fills_only_what_is_empty_and_joins_lists() {
        let mut into = person("Priya Shah");
        into.emails = vec!["priya@acme.example".into()];
        into.title = Some("CTO".into());
        let mut from = person("Priya  Shah");
        from.emails = vec!["PRIYA@acme.example".into(), "p@home.example".into()];
        from.title = Some("VP".into());
        from.tier = Some(Tier::Critical);
        let p = fill_from(&into, &from);
        assert_eq!(
            p.emails,
            Some(vec!["priya@acme.example".into(), "p@home.example".into()])
        );
        assert_eq!(p.title, None, "a field already set stays");
        assert_eq!(p.tier, Some(Some(Tier::Critical)));
        assert_eq!(p.name, None);
        assert!(fill_from(&into, &into).is_empty());
    }
}
