//! Contacts: add one, change one, list them, show one with everything recorded about it.

use followup_core::agenda::AgendaItem;
use followup_core::model::*;
use followup_core::plan::{PlanKey, Slot, Subject};
use followup_core::{ContactPatch, Event};
use followup_store::Entity;
use jiff::civil::Date;
use serde::Serialize;

use crate::error::{AppError, Field, Result, invalid};
use crate::lookup::{ensure_org, resolve_contact};
use crate::replan::job_subjects;
use crate::views::{PromiseView, next_view, promises_of};
use crate::{App, Ctx, fields};

/// A new contact. Text as typed (checked here, the same from every door); words and dates
/// already read by the front end.
#[derive(Debug, Clone, Default)]
pub struct NewContact {
    pub name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub company: Option<String>,
    pub title: Option<String>,
    pub tier: Option<Tier>,
    pub prefers: Option<Channel>,
    pub linkedin: Option<String>,
    pub birthday: Option<Date>,
    pub work_anniversary: Option<Date>,
    pub personal_anniversary: Option<Date>,
    pub notes: Option<String>,
}

/// A change to a contact: `None` leaves a field alone; `Some("")` (or `Some(None)`) clears it.
#[derive(Debug, Clone, Default)]
pub struct EditContact {
    pub name: Option<String>,
    pub emails: Option<Vec<String>>,
    pub phones: Option<Vec<String>>,
    pub company: Option<String>,
    pub title: Option<String>,
    pub tier: Option<Option<Tier>>,
    pub prefers: Option<Option<Channel>>,
    pub linkedin: Option<String>,
    pub birthday: Option<Option<Date>>,
    pub work_anniversary: Option<Option<Date>>,
    pub personal_anniversary: Option<Option<Date>>,
    pub notes: Option<String>,
}

/// A contact with everything recorded about it.
#[derive(Debug, Clone, Serialize)]
pub struct ContactView {
    pub contact: Contact,
    pub jobs: Vec<Job>,
    pub timeline: Vec<Touch>,
    /// Touches of the timeline someone other than the owner logged or corrected (a coach),
    /// by touch id.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub actors: std::collections::BTreeMap<i64, crate::actors::TouchActors>,
    pub promises: Vec<PromiseView>,
    pub next: Vec<AgendaItem>,
    /// Their addresses mail bounced from (`mail sync`), newest last: a mark to fix the address.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub bounced: Vec<followup_core::MailRecord>,
}

impl App {
    /// Records a new contact.
    pub fn add_contact(&self, cx: &Ctx, n: NewContact) -> Result<Contact> {
        self.change(cx, |w| add_contact_in(w, n))
    }

    /// What a person typed for a new contact, given instead to one already here: its empty
    /// fields filled, emails and phones joined; nothing is added (one unit of work).
    pub fn add_to_contact(&self, cx: &Ctx, n: NewContact, into: &str) -> Result<Contact> {
        self.change(cx, |w| {
            let into = resolve_contact(w.tx.as_ref(), into)?.id;
            let new = add_contact_in(w, n)?;
            Ok(crate::removal::merge_in(w, new.id, into)?.contact)
        })
    }
}

/// Adds a contact inside a unit of work.
pub(crate) fn add_contact_in(w: &mut crate::uow::Work<'_>, n: NewContact) -> Result<Contact> {
    let cx = w.cx;
    {
        let name = fields::line(Field::Name, &n.name)?;
        if name.is_empty() {
            return Err(invalid(
                Field::Name,
                "expected a contact's name, found nothing",
            ));
        }
        let emails = n
            .emails
            .iter()
            .map(|e| fields::email(Field::Email, e))
            .collect::<Result<Vec<_>>>()?;
        let phones = n
            .phones
            .iter()
            .map(|p| fields::phone(Field::Phone, p))
            .collect::<Result<Vec<_>>>()?;
        let company = fields::opt_line(Field::Company, n.company)?;
        let title = fields::opt_line(Field::Title, n.title)?;
        let linkedin = fields::opt_url(Field::Linkedin, n.linkedin)?;
        let notes = fields::opt_note(Field::Notes, n.notes)?;
        {
            let organization = match company.as_deref() {
                Some(c) => Some(ensure_org(w.tx.as_mut(), cx.today, c)?),
                None => None,
            };
            let id = ContactId(w.tx.next_id(Entity::Contact)?);
            let contact = Contact {
                id,
                name,
                emails,
                phones,
                organization,
                title,
                tier: n.tier,
                prefers: n.prefers,
                linkedin,
                birthday: n.birthday,
                work_anniversary: n.work_anniversary,
                personal_anniversary: n.personal_anniversary,
                notes,
                added_on: cx.today,
                cadence_start: None,
            };
            w.append(&Event::ContactAdded {
                contact: contact.clone(),
            })?;
            w.touch([Subject::Contact(id)]);
            Ok(contact)
        }
    }
}

impl App {
    /// Changes a contact's fields.
    pub fn edit_contact(&self, cx: &Ctx, who: &str, e: EditContact) -> Result<Contact> {
        let emails = e
            .emails
            .as_ref()
            .map(|l| l.iter().map(|m| fields::email(Field::Email, m)).collect())
            .transpose()?;
        let phones = e
            .phones
            .as_ref()
            .map(|l| l.iter().map(|p| fields::phone(Field::Phone, p)).collect())
            .transpose()?;
        let company = e
            .company
            .as_ref()
            .map(|c| fields::line(Field::Company, c))
            .transpose()?;
        let name = match e
            .name
            .as_deref()
            .map(|n| fields::line(Field::Name, n))
            .transpose()?
        {
            Some(n) if n.is_empty() => return Err(invalid(Field::Name, "a contact needs a name")),
            other => other,
        };
        let mut patch = ContactPatch {
            name,
            emails,
            phones,
            organization: None,
            title: e
                .title
                .map(|s| fields::opt_line(Field::Title, Some(s)))
                .transpose()?,
            tier: e.tier,
            prefers: e.prefers,
            linkedin: e
                .linkedin
                .map(|u| fields::opt_url(Field::Linkedin, Some(u)))
                .transpose()?,
            birthday: e.birthday,
            work_anniversary: e.work_anniversary,
            personal_anniversary: e.personal_anniversary,
            notes: e
                .notes
                .map(|n| fields::opt_note(Field::Notes, Some(n)))
                .transpose()?,
        };
        self.change(cx, |w| {
            let contact = resolve_contact(w.tx.as_ref(), who)?;
            if let Some(c) = company.as_deref() {
                patch.organization = Some(if c.is_empty() {
                    None
                } else {
                    Some(ensure_org(w.tx.as_mut(), cx.today, c)?)
                });
            }
            if patch.is_empty() {
                return Err(AppError::NothingToChange {
                    what: "contact edit",
                });
            }
            let edited = patch.apply(&contact);
            w.append(&Event::ContactEdited {
                id: contact.id,
                patch,
            })?;
            w.touch([Subject::Contact(contact.id)]);
            // A renamed contact is named in the items of every job it shares.
            for j in w.tx.jobs_of_contact(contact.id)? {
                w.touch(job_subjects(&j));
            }
            Ok(edited)
        })
    }

    /// The contacts a new one with this name and these emails may be a duplicate of: the same
    /// name (ignoring case and spaces) or a shared email address. A front end offers them
    /// before adding another.
    pub fn similar_contacts(
        &self,
        cx: &Ctx,
        name: &str,
        emails: &[String],
    ) -> Result<Vec<Contact>> {
        let fold = |s: &str| {
            s.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        };
        let name = fold(name);
        let emails: Vec<String> = emails.iter().map(|e| e.trim().to_lowercase()).collect();
        Ok(self
            .contacts(cx)?
            .into_iter()
            .filter(|c| {
                (!name.is_empty() && fold(&c.name) == name)
                    || c.emails.iter().any(|e| emails.contains(&e.to_lowercase()))
            })
            .collect())
    }

    /// Every contact, by id.
    pub fn contacts(&self, cx: &Ctx) -> Result<Vec<Contact>> {
        Ok(self.store.read(cx.owner)?.contacts()?)
    }

    /// A contact with its jobs, timeline, promises and next items.
    pub fn contact_view(&self, cx: &Ctx, who: &str) -> Result<ContactView> {
        let today = cx.today;
        let tx = self.store.read(cx.owner)?;
        let contact = resolve_contact(tx.as_ref(), who)?;
        let jobs = tx.jobs_of_contact(contact.id)?;
        let timeline = tx.touches_of_contact(contact.id)?;
        let mut context = Vec::new();
        for j in &jobs {
            context.extend(tx.touches_of_job(j.id)?);
        }
        let promises = promises_of(&timeline, &context, today);
        let mut next: Vec<AgendaItem> = Vec::new();
        for slot in [
            Slot::FollowUp,
            Slot::Birthday,
            Slot::WorkAnniversary,
            Slot::PersonalAnniversary,
        ] {
            let key = PlanKey {
                subject: Subject::Contact(contact.id),
                slot,
            };
            if let Some(p) = tx.planned_for(&key)? {
                next.push(next_view(&p, today));
            }
        }
        let bounced = tx
            .mail_with_meaning(followup_core::MailMeaning::Bounce)?
            .into_iter()
            .filter(|m| {
                m.contact == Some(contact.id)
                    || contact
                        .emails
                        .iter()
                        .any(|e| e.eq_ignore_ascii_case(&m.address))
            })
            .collect();
        Ok(ContactView {
            contact,
            jobs,
            actors: self.touch_actors(tx.as_ref())?,
            bounced,
            timeline,
            promises,
            next,
        })
    }
}
