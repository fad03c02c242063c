//! RULES.md's vocabulary as types: contacts, organizations, opportunities, touches, promises.
//!
//! Every enum spells its values exactly as RULES.md and the command line do (`thank-you`,
//! `no-response`), so the words a person reads in the docs are the words they type and the
//! words JSON carries.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::calendar::Wait;

/// Who owns a set of rows. The embedded default has one owner; the team server many.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OwnerId(pub i64);

macro_rules! id_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

id_type!(
    /// A contact's id, unique within one owner.
    ContactId
);
id_type!(
    /// An organization's id, unique within one owner.
    OrgId
);
id_type!(
    /// An opportunity's ("job" on the command line) id, unique within one owner.
    JobId
);
id_type!(
    /// A touch's id, unique within one owner.
    TouchId
);

/// Error for a word that is not one of an enum's spellings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected one of {expected}, found {found:?}")]
pub struct UnknownWord {
    pub expected: &'static str,
    pub found: String,
}

/// Defines a closed vocabulary: the Rust variant, its one spelling, Display, FromStr, serde.
macro_rules! vocabulary {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $word)] $variant),+
        }
        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The spelling used in RULES.md, on the command line and in JSON.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
            /// All spellings, joined for error messages and help.
            pub const WORDS: &'static str = concat!($($word, " "),+);
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $name {
            type Err = UnknownWord;
            fn from_str(s: &str) -> Result<Self, UnknownWord> {
                let lower = s.trim().to_ascii_lowercase().replace('_', "-");
                match lower.as_str() {
                    $($word => Ok($name::$variant),)+
                    _ => Err(UnknownWord { expected: $name::WORDS.trim_end(), found: s.to_string() }),
                }
            }
        }
    };
}

vocabulary!(
    /// How important a contact is; sets the keep-in-touch cadence (F13).
    Tier {
        Critical = "critical",
        Regular = "regular",
        Casual = "casual",
    }
);

vocabulary!(
    /// How a contact prefers to be reached (F19).
    Channel {
        Email = "email",
        Phone = "phone",
        Linkedin = "linkedin",
    }
);

vocabulary!(
    /// An opportunity's stage: open ones first, then the four ways it closes.
    Stage {
        Lead = "lead",
        Applied = "applied",
        Interviewing = "interviewing",
        Offer = "offer",
        Accepted = "accepted",
        Rejected = "rejected",
        Withdrawn = "withdrawn",
        NoResponse = "no-response",
    }
);

impl Stage {
    /// Open stages still want status follow-ups; closed ones never do.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Stage::Lead | Stage::Applied | Stage::Interviewing | Stage::Offer
        )
    }
}

vocabulary!(
    /// The kinds of touch RULES.md lists.
    TouchKind {
        Application = "application",
        Interview = "interview",
        ThankYou = "thank-you",
        FollowUp = "follow-up",
        ValueAdd = "value-add",
        Outreach = "outreach",
        Meeting = "meeting",
        Reply = "reply",
        Rejection = "rejection",
        Offer = "offer",
        Withdrawal = "withdrawal",
        Note = "note",
        /// C7: a greeting on an occasion: it asks no reply and chains nothing.
        Greeting = "greeting",
    }
);

impl TouchKind {
    /// The direction a touch of this kind has unless the person says otherwise.
    pub fn default_direction(self) -> Direction {
        use TouchKind::*;
        match self {
            Application | ThankYou | FollowUp | ValueAdd | Outreach | Withdrawal | Greeting => {
                Direction::Outbound
            }
            Reply | Rejection | Offer => Direction::Inbound,
            Interview | Meeting => Direction::Mutual,
            Note => Direction::Internal,
        }
    }

    /// A status touch asks where things stand: F7, F8 and F9 count these.
    pub fn is_status(self) -> bool {
        matches!(self, TouchKind::FollowUp | TouchKind::ValueAdd)
    }
}

vocabulary!(
    /// Which way a touch went. `mutual` is a conversation (an interview, a meeting): it counts
    /// as hearing from them, so it ends a silence (F7, F9) and resets the gap (F15).
    /// `internal` is a note to oneself: it touches no one.
    Direction {
        Outbound = "outbound",
        Inbound = "inbound",
        Mutual = "mutual",
        Internal = "internal",
    }
);

impl Direction {
    /// True when the touch means we heard from them.
    pub fn heard_from_them(self) -> bool {
        matches!(self, Direction::Inbound | Direction::Mutual)
    }
    /// True when the touch reached out to them (F15 counts these).
    pub fn reached_out(self) -> bool {
        matches!(self, Direction::Outbound)
    }
}

vocabulary!(
    /// Whose commitment a promise is.
    Whose {
        /// "I will follow up on D" (F2).
        Mine = "mine",
        /// "We decide by D", "I'll introduce you by D" (F3, F12).
        Theirs = "theirs",
    }
);

vocabulary!(
    /// What was promised.
    PromiseKind {
        /// I will follow up on the date.
        FollowUp = "follow-up",
        /// They will decide or get back by the date (F3).
        Decide = "decide",
        /// They will act on my behalf (an introduction, a referral) by the date (F12).
        Act = "act",
    }
);

/// A date someone committed to at a touch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promise {
    pub whose: Whose,
    pub kind: PromiseKind,
    /// The date; `None` for "they promised to act" with no date (F12 uses the action wait).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
}

/// The questions of F17, asked before leaving an interview. `None` means not asked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterviewAnswers {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
    /// When they expect to decide; also recorded as a *theirs* promise (F3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decide_by: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_hear_back: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub may_follow_up: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_channel: Option<Channel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct_contact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_linkedin: Option<bool>,
}

vocabulary!(
    /// F17's questions, named for the agenda's "went unasked" note.
    Question {
        NextStep = "next step",
        Timeline = "timeline",
        AllHearBack = "will every candidate hear back",
        MayFollowUp = "may I follow up",
        PreferredChannel = "preferred channel",
        DirectContact = "direct contact",
        OnLinkedin = "on LinkedIn",
    }
);

impl InterviewAnswers {
    /// The questions of F17 that went unasked, in RULES.md's order.
    pub fn unasked(&self) -> Vec<Question> {
        let mut out = Vec::new();
        if self.next_step.is_none() {
            out.push(Question::NextStep);
        }
        if self.decide_by.is_none() {
            out.push(Question::Timeline);
        }
        if self.all_hear_back.is_none() {
            out.push(Question::AllHearBack);
        }
        if self.may_follow_up.is_none() {
            out.push(Question::MayFollowUp);
        }
        if self.preferred_channel.is_none() {
            out.push(Question::PreferredChannel);
        }
        if self.direct_contact.is_none() {
            out.push(Question::DirectContact);
        }
        if self.on_linkedin.is_none() {
            out.push(Question::OnLinkedin);
        }
        out
    }
}

/// A person: hiring manager, recruiter, HR, a networking connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub id: ContactId,
    pub name: String,
    #[serde(default)]
    pub emails: Vec<String>,
    #[serde(default)]
    pub phones: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<OrgRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `None` until the person sets one: such a contact gets occasions only, like `casual`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<Tier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefers: Option<Channel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linkedin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthday: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_anniversary: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_anniversary: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// The day the contact was recorded: F13's cadence starts here when nothing was logged.
    pub added_on: Date,
    /// Where F13's cadence starts instead of `added_on`: a bulk import spreads these over the
    /// first cadence period, so a whole network does not fall due on one day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cadence_start: Option<Date>,
}

/// An organization named where it is used.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OrgRef {
    pub id: OrgId,
    pub name: String,
}

/// One role pursued at one organization ("job" on the command line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    pub id: JobId,
    pub organization: OrgRef,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The response time the posting states (F5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_time: Option<Wait>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied: Option<Date>,
    pub stage: Stage,
    /// Linked contacts, in the order they were linked.
    #[serde(default)]
    pub contacts: Vec<ContactId>,
    pub added_on: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// One interaction that happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Touch {
    pub id: TouchId,
    pub kind: TouchKind,
    pub direction: Direction,
    pub date: Date,
    pub contacts: Vec<ContactId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<JobId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// F17's answers; present on interviews.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers: Option<InterviewAnswers>,
    /// F11: the interview showed a poor fit; no status follow-ups.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub poor_fit: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub promises: Vec<Promise>,
    /// The message as sent, when the person recorded it (`--message`): the lint compares the
    /// next message to it (F8: never the same question twice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl Touch {
    /// The *mine* follow-up date promised at this touch, if any.
    pub fn my_promise(&self) -> Option<Date> {
        self.promises
            .iter()
            .find(|p| p.whose == Whose::Mine)
            .and_then(|p| p.date)
    }
    /// Their promise of a given kind at this touch, if any.
    pub fn their_promise(&self, kind: PromiseKind) -> Option<&Promise> {
        self.promises
            .iter()
            .find(|p| p.whose == Whose::Theirs && p.kind == kind)
    }
}

/// Orders touches as they happened: by date, then by id (the order they were recorded).
pub fn chronological(a: &Touch, b: &Touch) -> std::cmp::Ordering {
    (a.date, a.id).cmp(&(b.date, b.id))
}
