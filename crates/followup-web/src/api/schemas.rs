//! The shapes the API answers with, for the OpenAPI document only. The records themselves are
//! followup-core's types, which carry no OpenAPI dependency (core stays pure); these mirror
//! their JSON (`followup --json`), and a test holds each example against the real output.
#![allow(dead_code)]

use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

/// A string schema whose values are `words`: one of followup's vocabularies, so a client (and
/// schemathesis) knows the words without reading the error that lists them. The API reads
/// them as the command line does (any letter case, `_` for `-`).
fn one_of<'a>(words: impl IntoIterator<Item = &'a str>, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(words))
        .into()
}

/// A unit type whose schema is one of a vocabulary's words, for `value_type = ...` and path
/// parameters.
macro_rules! word_schema {
    ($(#[$m:meta])* $name:ident, $words:expr, $description:literal) => {
        $(#[$m])*
        pub struct $name;
        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                one_of($words, $description)
            }
        }
        impl utoipa::ToSchema for $name {}
    };
}

word_schema!(
    /// A job's stage.
    StageWord,
    followup_core::Stage::ALL.iter().map(|s| s.as_str()),
    "a job's stage (open: lead, applied, interviewing, offer; the others close it)"
);
word_schema!(
    /// An open stage, which a job may be added at.
    OpenStageWord,
    followup_core::Stage::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.as_str()),
    "an open stage: lead, applied, interviewing or offer"
);
word_schema!(
    /// What a touch was.
    TouchKindWord,
    followup_core::TouchKind::ALL.iter().map(|s| s.as_str()),
    "what the touch was (the kinds of `followup log`)"
);
word_schema!(
    /// Which way a touch went.
    DirectionWord,
    followup_core::Direction::ALL.iter().map(|s| s.as_str()),
    "which way the touch went"
);
word_schema!(
    /// A contact's tier.
    TierWord,
    followup_core::Tier::ALL.iter().map(|s| s.as_str()),
    "how important the contact is; sets the keep-in-touch cadence"
);
word_schema!(
    /// How a contact prefers to be reached.
    ChannelWord,
    followup_core::Channel::ALL.iter().map(|s| s.as_str()),
    "how the contact prefers to be reached"
);
word_schema!(
    /// An account's role.
    RoleWord,
    followup_app::Role::ALL.iter().map(|r| r.as_str()),
    "an account's role"
);
word_schema!(
    /// How far a grant lets a coach in.
    GrantScopeWord,
    ["view", "edit"],
    "view (read everything) or edit (work in it as the client would)"
);
word_schema!(
    /// The orders of a caseload.
    CaseloadSortWord,
    followup_app::CaseloadSort::ALL.iter().map(|s| s.as_str()),
    "the order of the caseload"
);
word_schema!(
    /// What `POST /api/v1/import/{kind}` reads.
    ImportKindWord,
    ["linkedin", "vcard"],
    "linkedin (a Connections.csv) or vcard"
);

/// An organization as a record names it.
#[derive(ToSchema)]
pub struct OrgRef {
    id: i64,
    name: String,
}

/// A contact. Absent fields are empty.
#[derive(ToSchema)]
pub struct Contact {
    id: i64,
    name: String,
    emails: Vec<String>,
    phones: Vec<String>,
    organization: Option<OrgRef>,
    title: Option<String>,
    #[schema(value_type = Option<TierWord>, inline)]
    tier: Option<String>,
    #[schema(value_type = Option<ChannelWord>, inline)]
    prefers: Option<String>,
    linkedin: Option<String>,
    /// YYYY-MM-DD.
    birthday: Option<String>,
    work_anniversary: Option<String>,
    personal_anniversary: Option<String>,
    notes: Option<String>,
    /// YYYY-MM-DD.
    added_on: String,
}

/// A job (an opportunity).
#[derive(ToSchema)]
pub struct Job {
    id: i64,
    organization: OrgRef,
    title: String,
    url: Option<String>,
    /// "3w", "10bd"...
    response_time: Option<String>,
    applied: Option<String>,
    #[schema(value_type = StageWord, inline)]
    stage: String,
    /// Contact ids.
    contacts: Vec<i64>,
    added_on: String,
    notes: Option<String>,
}

/// A logged touch.
#[derive(ToSchema)]
pub struct Touch {
    id: i64,
    #[schema(value_type = TouchKindWord, inline)]
    kind: String,
    #[schema(value_type = DirectionWord, inline)]
    direction: String,
    date: String,
    /// Contact ids.
    contacts: Vec<i64>,
    job: Option<i64>,
    note: Option<String>,
    message: Option<String>,
}

/// What a contact delete answers.
#[derive(ToSchema)]
pub struct RemovedContact {
    removed: Contact,
    /// For `POST /api/v1/undo`: `restore-contact:ID`.
    undo: String,
}

/// What a job delete answers.
#[derive(ToSchema)]
pub struct RemovedJob {
    removed: Job,
    /// `restore-job:ID`.
    undo: String,
}

/// What a retract answers.
#[derive(ToSchema)]
pub struct RemovedTouch {
    removed: Touch,
    /// `restore-touch:ID`.
    undo: String,
}

/// What a merge answers.
#[derive(ToSchema)]
pub struct Merged {
    /// The contact that remains, with the details it took.
    contact: Contact,
    /// The contact merged away.
    from: Contact,
    /// How many touches and jobs moved.
    touches: u32,
    jobs: u32,
}

/// What an undo answers.
#[derive(ToSchema)]
pub struct Undone {
    /// What was undone, in words.
    undone: String,
}
