//! What the pipeline's cards and the contact list show besides the records: a job's point of
//! contact, next follow-up and the day it entered its stage; a contact's last touch and next
//! follow-up. Read with indexed lookups per record shown, never the whole log: a coach's book
//! holds 100,000 contacts.

use std::collections::BTreeMap;

use followup_core::agenda::AgendaItem;
use followup_core::model::*;
use followup_core::plan::{ContactRef, PlanKey, Slot, Subject};
use followup_store::ReadTx;
use jiff::civil::Date;
use serde::Serialize;

use crate::error::Result;
use crate::views::next_view;
use crate::{App, Ctx};

/// An open job as a pipeline card shows it.
#[derive(Debug, Clone, Serialize)]
pub struct JobCard {
    pub job: Job,
    /// The first linked contact: the one a follow-up goes to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactRef>,
    /// The earliest item planned for this job.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<AgendaItem>,
    /// When the job came into its stage, as far as the records tell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<StageSince>,
}

/// The day a job came into its stage, and what says so.
///
/// The log records each stage change with its day, but reading the log per card would read
/// every event of the book. The touches of the job are indexed, and the kind of touch that
/// moves a job into a stage is fixed (an application into `applied`, an interview into
/// `interviewing`, an offer into `offer`), so the first such touch is when the job got there.
/// A stage set by hand with no such touch has no day here: `since` is `None`, and the page
/// says nothing rather than guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StageSince {
    pub on: Date,
    pub by: SinceBy,
}

/// What dates a stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SinceBy {
    /// The first touch of the kind that moves a job into this stage.
    Touch(TouchKind),
    /// The job's applied day, with no application logged.
    AppliedDay,
    /// A lead is a lead from the day it was added.
    Added,
}

/// A contact as the contact list shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ContactLine {
    pub contact: Contact,
    /// The day and kind of the latest touch with them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_touch: Option<(Date, TouchKind)>,
    /// The earliest item planned for them (a follow-up or the next occasion).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<AgendaItem>,
}

/// Above this many contacts one scan of the touches and the plan costs less than an indexed
/// lookup for each.
const LOOKUPS_UP_TO: usize = 400;

impl App {
    /// True while this person has recorded nothing: the pages offer first steps instead.
    pub fn is_new_book(&self, cx: &Ctx) -> Result<bool> {
        Ok(self.store.read(cx.owner)?.is_empty()?)
    }

    /// The open jobs as the pipeline's cards, by id.
    pub fn job_cards(&self, cx: &Ctx) -> Result<Vec<JobCard>> {
        let tx = self.store.read(cx.owner)?;
        let mut cards = Vec::new();
        for job in tx.jobs()?.into_iter().filter(|j| j.stage.is_open()) {
            let contact = match job.contacts.first() {
                Some(id) => tx.contact(*id)?.map(|c| ContactRef {
                    id: c.id,
                    name: c.name,
                }),
                None => None,
            };
            let next = next_of_job(tx.as_ref(), &job, cx.today)?;
            let since = stage_since(&job, &tx.touches_of_job(job.id)?);
            cards.push(JobCard {
                job,
                contact,
                next,
                since,
            });
        }
        Ok(cards)
    }

    /// These contacts with their last touch and next item, in the order given.
    pub fn contact_lines(&self, cx: &Ctx, contacts: Vec<Contact>) -> Result<Vec<ContactLine>> {
        let tx = self.store.read(cx.owner)?;
        let today = cx.today;
        if contacts.len() <= LOOKUPS_UP_TO {
            let mut lines = Vec::with_capacity(contacts.len());
            for contact in contacts {
                let last_touch = tx
                    .touches_of_contact(contact.id)?
                    .iter()
                    .max_by_key(|t| (t.date, t.id))
                    .map(|t| (t.date, t.kind));
                let mut next: Option<AgendaItem> = None;
                for slot in CONTACT_SLOTS {
                    let key = PlanKey {
                        subject: Subject::Contact(contact.id),
                        slot,
                    };
                    if let Some(p) = tx.planned_for(&key)? {
                        next = earliest(next, next_view(&p, today));
                    }
                }
                lines.push(ContactLine {
                    contact,
                    last_touch,
                    next,
                });
            }
            return Ok(lines);
        }
        let mut last: BTreeMap<ContactId, (Date, TouchId, TouchKind)> = BTreeMap::new();
        for t in tx.all_touches()? {
            for c in &t.contacts {
                let e = last.entry(*c).or_insert((t.date, t.id, t.kind));
                if (t.date, t.id) > (e.0, e.1) {
                    *e = (t.date, t.id, t.kind);
                }
            }
        }
        let mut next: BTreeMap<ContactId, AgendaItem> = BTreeMap::new();
        for p in tx.plan_all()? {
            if let Subject::Contact(c) = p.item.key.subject {
                let a = next_view(&p, today);
                let e = next.remove(&c);
                if let Some(a) = earliest(e, a) {
                    next.insert(c, a);
                }
            }
        }
        Ok(contacts
            .into_iter()
            .map(|contact| ContactLine {
                last_touch: last.get(&contact.id).map(|(d, _, k)| (*d, *k)),
                next: next.remove(&contact.id),
                contact,
            })
            .collect())
    }
}

const CONTACT_SLOTS: [Slot; 4] = [
    Slot::FollowUp,
    Slot::Birthday,
    Slot::WorkAnniversary,
    Slot::PersonalAnniversary,
];

fn earliest(a: Option<AgendaItem>, b: AgendaItem) -> Option<AgendaItem> {
    match a {
        Some(a) if (a.due, a.id) <= (b.due, b.id) => Some(a),
        _ => Some(b),
    }
}

/// The earliest item planned about `job`: its contacts' follow-ups that name it, or its own.
fn next_of_job(tx: &dyn ReadTx, job: &Job, today: Date) -> Result<Option<AgendaItem>> {
    let subjects = job
        .contacts
        .iter()
        .map(|c| Subject::Contact(*c))
        .chain([Subject::Job(job.id)]);
    let mut next = None;
    for subject in subjects {
        let key = PlanKey {
            subject,
            slot: Slot::FollowUp,
        };
        if let Some(p) = tx.planned_for(&key)?
            && p.item.jobs.iter().any(|j| j.id == job.id)
        {
            next = earliest(next, next_view(&p, today));
        }
    }
    Ok(next)
}

/// When `job` came into its stage, from its touches (see [`StageSince`]).
pub fn stage_since(job: &Job, touches: &[Touch]) -> Option<StageSince> {
    let first = |kind: TouchKind| {
        touches
            .iter()
            .filter(|t| t.kind == kind)
            .min_by_key(|t| (t.date, t.id))
            .map(|t| StageSince {
                on: t.date,
                by: SinceBy::Touch(kind),
            })
    };
    match job.stage {
        Stage::Lead => Some(StageSince {
            on: job.added_on,
            by: SinceBy::Added,
        }),
        Stage::Applied => first(TouchKind::Application).or(job.applied.map(|on| StageSince {
            on,
            by: SinceBy::AppliedDay,
        })),
        Stage::Interviewing => first(TouchKind::Interview),
        Stage::Offer => first(TouchKind::Offer),
        // A closed job's card is not shown; its outcome is its last word.
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use followup_core::model::{Direction, JobId, OrgId, OrgRef};

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn job(stage: Stage) -> Job {
        Job {
            id: JobId(1),
            organization: OrgRef {
                id: OrgId(1),
                name: "Acme".into(),
            },
            title: "Engineer".into(),
            url: None,
            response_time: None,
            applied: Some(d("2026-03-02")),
            stage,
            contacts: vec![],
            added_on: d("2026-03-01"),
            notes: None,
        }
    }

    fn touch(id: i64, kind: TouchKind, on: &str) -> Touch {
        Touch {
            id: TouchId(id),
            kind,
            direction: Direction::Mutual,
            date: d(on),
            contacts: vec![],
            job: Some(JobId(1)),
            note: None,
            answers: None,
            poor_fit: false,
            promises: vec![],
            message: None,
        }
    }

    #[test]
    fn interviewing_dates_from_the_first_interview() {
        let ts = [
            touch(1, TouchKind::Application, "2026-03-02"),
            touch(3, TouchKind::Interview, "2026-03-20"),
            touch(2, TouchKind::Interview, "2026-03-12"),
        ];
        assert_eq!(
            stage_since(&job(Stage::Interviewing), &ts),
            Some(StageSince {
                on: d("2026-03-12"),
                by: SinceBy::Touch(TouchKind::Interview)
            })
        );
    }

    #[test]
    fn applied_falls_back_to_the_applied_day_and_a_lead_to_when_it_was_added() {
        assert_eq!(
            stage_since(&job(Stage::Applied), &[]).map(|s| (s.on, s.by)),
            Some((d("2026-03-02"), SinceBy::AppliedDay))
        );
        assert_eq!(
            stage_since(&job(Stage::Lead), &[]).map(|s| (s.on, s.by)),
            Some((d("2026-03-01"), SinceBy::Added))
        );
    }

    #[test]
    fn a_stage_set_by_hand_has_no_day() {
        let ts = [touch(1, TouchKind::Application, "2026-03-02")];
        assert_eq!(stage_since(&job(Stage::Offer), &ts), None);
    }
}
