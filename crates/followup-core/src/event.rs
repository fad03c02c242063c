//! Events: every change the person makes, as data. The log of these is the truth; contacts,
//! jobs and the plan are what the log implies.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::model::{Channel, Contact, ContactId, Job, JobId, OrgId, Stage, Tier, Touch, TouchId};
use crate::plan::PlanKey;

/// One change, with the ids it assigns, so that replaying the log gives the same rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Event {
    OrganizationAdded {
        id: OrgId,
        name: String,
    },
    ContactAdded {
        contact: Contact,
    },
    ContactEdited {
        id: ContactId,
        patch: ContactPatch,
    },
    JobAdded {
        job: Job,
    },
    JobStageChanged {
        id: JobId,
        stage: Stage,
    },
    /// An opportunity's details corrected (its stage moves by [`Event::JobStageChanged`]).
    JobEdited {
        id: JobId,
        patch: JobPatch,
    },
    JobContactLinked {
        id: JobId,
        contact: ContactId,
    },
    TouchLogged {
        touch: Touch,
    },
    /// The person moved an item to a later date. It holds until a newer touch changes the
    /// item: `after` is the newest touch the person had seen when snoozing.
    Snoozed {
        key: PlanKey,
        until: Date,
        after: Option<TouchId>,
    },
    /// The days of a public-holiday calendar are not business days (F16); a calendar imported
    /// again under the same name replaces its days.
    HolidaysKept {
        source: String,
        days: Vec<Date>,
    },
    /// The person deleted a contact. Its touches that concern nobody else and no opportunity
    /// go with it; touches shared with others stay and still name it. Nothing is erased: the
    /// log keeps it and [`Event::ContactRestored`] brings it back with those touches.
    ContactRemoved {
        id: ContactId,
    },
    /// Undoes [`Event::ContactRemoved`].
    ContactRestored {
        id: ContactId,
    },
    /// The person deleted an opportunity; the touches logged against it go with it.
    JobRemoved {
        id: JobId,
    },
    /// Undoes [`Event::JobRemoved`], with the touches that went with it.
    JobRestored {
        id: JobId,
    },
    /// A logged touch was a mistake: it no longer counts for anything (a correction, not an
    /// erasure: the log keeps it, and [`Event::TouchRestored`] brings it back).
    TouchRetracted {
        id: TouchId,
    },
    /// Undoes [`Event::TouchRetracted`].
    TouchRestored {
        id: TouchId,
    },
    /// A logged touch corrected: the record as it should have been (same id).
    TouchEdited {
        touch: Touch,
    },
    /// Two records of one person become one: `from`'s touches and opportunities now name
    /// `into`, and `from` is removed (for good: its history lives on in `into`). Filling
    /// `into`'s empty fields from `from` is a [`Event::ContactEdited`] before this.
    ContactsMerged {
        from: ContactId,
        into: ContactId,
    },
    /// Undoes the newest [`Event::Snoozed`] of this item.
    SnoozeWithdrawn {
        key: PlanKey,
    },
    /// A mail message was read from the person's mailbox (and, when it meant a touch, the
    /// touch logged beside it in the same change): kept by Message-ID, so it is read once.
    MailRead {
        mail: MailRecord,
    },
}

/// What a mail message meant to the search, as `mail sync` read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MailMeaning {
    /// From a contact: an inbound reply, logged.
    Reply,
    /// Sent by the person to a contact: the outbound touch, logged.
    Sent,
    /// An automatic answer: not a reply; a return day snoozes the pending follow-up.
    AutoReply,
    /// A delivery failure: the address it names is marked.
    Bounce,
    /// From (or to) nobody among the contacts: counted, never made a contact.
    Stranger,
    /// A mailing (a list, a newsletter): counted.
    Bulk,
}

impl MailMeaning {
    pub const ALL: [MailMeaning; 6] = [
        MailMeaning::Reply,
        MailMeaning::Sent,
        MailMeaning::AutoReply,
        MailMeaning::Bounce,
        MailMeaning::Stranger,
        MailMeaning::Bulk,
    ];

    /// The meaning a word names ([`MailMeaning::as_str`]).
    pub fn parse(word: &str) -> Option<MailMeaning> {
        MailMeaning::ALL.into_iter().find(|m| m.as_str() == word)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MailMeaning::Reply => "reply",
            MailMeaning::Sent => "sent",
            MailMeaning::AutoReply => "auto-reply",
            MailMeaning::Bounce => "bounce",
            MailMeaning::Stranger => "stranger",
            MailMeaning::Bulk => "bulk",
        }
    }
}

/// A mail message as followup keeps it: headers and subject only, never a body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailRecord {
    /// Without angle brackets; unique per owner.
    pub message_id: String,
    pub meaning: MailMeaning,
    /// The day it arrived (or was sent).
    pub day: Date,
    /// The other side's address (the sender of what came in, the first recipient of what
    /// went out; for a bounce, the address that failed).
    pub address: String,
    /// The subject, without reply prefixes, folded (threads are also matched by it).
    pub thread: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<JobId>,
    /// The touch it logged, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub touch: Option<TouchId>,
    /// For an auto-reply, the day its writer is back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub back_on: Option<Date>,
}

impl Event {
    /// The event's name as the log and the export spell it (`contact-added`).
    pub fn kind(&self) -> &'static str {
        match self {
            Event::OrganizationAdded { .. } => "organization-added",
            Event::ContactAdded { .. } => "contact-added",
            Event::ContactEdited { .. } => "contact-edited",
            Event::JobAdded { .. } => "job-added",
            Event::JobStageChanged { .. } => "job-stage-changed",
            Event::JobEdited { .. } => "job-edited",
            Event::JobContactLinked { .. } => "job-contact-linked",
            Event::TouchLogged { .. } => "touch-logged",
            Event::Snoozed { .. } => "snoozed",
            Event::HolidaysKept { .. } => "holidays-kept",
            Event::ContactRemoved { .. } => "contact-removed",
            Event::ContactRestored { .. } => "contact-restored",
            Event::JobRemoved { .. } => "job-removed",
            Event::JobRestored { .. } => "job-restored",
            Event::TouchRetracted { .. } => "touch-retracted",
            Event::TouchRestored { .. } => "touch-restored",
            Event::TouchEdited { .. } => "touch-edited",
            Event::ContactsMerged { .. } => "contacts-merged",
            Event::SnoozeWithdrawn { .. } => "snooze-withdrawn",
            Event::MailRead { .. } => "mail-read",
        }
    }
}

/// The fields `contact edit` can change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Replaces the list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emails: Option<Vec<String>>,
    /// Replaces the list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phones: Option<Vec<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "double_option"
    )]
    pub organization: Option<Option<crate::model::OrgRef>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "double_option"
    )]
    pub title: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "double_option"
    )]
    pub tier: Option<Option<Tier>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "double_option"
    )]
    pub prefers: Option<Option<Channel>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "double_option"
    )]
    pub linkedin: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "double_option"
    )]
    pub birthday: Option<Option<Date>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "double_option"
    )]
    pub work_anniversary: Option<Option<Date>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "double_option"
    )]
    pub personal_anniversary: Option<Option<Date>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "double_option"
    )]
    pub notes: Option<Option<String>>,
}

impl ContactPatch {
    /// True when the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == ContactPatch::default()
    }

    /// The contact with this patch applied.
    pub fn apply(&self, c: &Contact) -> Contact {
        let mut c = c.clone();
        if let Some(v) = &self.name {
            c.name = v.clone();
        }
        if let Some(v) = &self.emails {
            c.emails = v.clone();
        }
        if let Some(v) = &self.phones {
            c.phones = v.clone();
        }
        if let Some(v) = &self.organization {
            c.organization = v.clone();
        }
        if let Some(v) = &self.title {
            c.title = v.clone();
        }
        if let Some(v) = self.tier {
            c.tier = v;
        }
        if let Some(v) = self.prefers {
            c.prefers = v;
        }
        if let Some(v) = &self.linkedin {
            c.linkedin = v.clone();
        }
        if let Some(v) = self.birthday {
            c.birthday = v;
        }
        if let Some(v) = self.work_anniversary {
            c.work_anniversary = v;
        }
        if let Some(v) = self.personal_anniversary {
            c.personal_anniversary = v;
        }
        if let Some(v) = &self.notes {
            c.notes = v.clone();
        }
        c
    }
}

/// The fields of an opportunity an edit can change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<crate::model::OrgRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "double_option"
    )]
    pub url: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "double_option"
    )]
    pub response_time: Option<Option<crate::calendar::Wait>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "double_option"
    )]
    pub notes: Option<Option<String>>,
}

impl JobPatch {
    /// True when the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == JobPatch::default()
    }

    /// The opportunity with this patch applied.
    pub fn apply(&self, j: &Job) -> Job {
        let mut j = j.clone();
        if let Some(v) = &self.organization {
            j.organization = v.clone();
        }
        if let Some(v) = &self.title {
            j.title = v.clone();
        }
        if let Some(v) = &self.url {
            j.url = v.clone();
        }
        if let Some(v) = self.response_time {
            j.response_time = v;
        }
        if let Some(v) = &self.notes {
            j.notes = v.clone();
        }
        j
    }
}

/// `Some(None)` ("clear this field") must survive a round trip: JSON `null` reads as
/// `Some(None)`, an absent field as `None`.
fn double_option<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clearing_a_field_survives_a_round_trip() {
        let p = ContactPatch {
            tier: Some(None),
            notes: Some(Some("x".into())),
            ..ContactPatch::default()
        };
        let text = serde_json::to_string(&p).unwrap();
        let back: ContactPatch = serde_json::from_str(&text).unwrap();
        assert_eq!(back, p);
    }
}
