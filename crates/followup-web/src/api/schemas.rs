//! The shapes the API answers with, for the OpenAPI document only. The records themselves are
//! followup-core's types, which carry no OpenAPI dependency (core stays pure); these mirror
//! their JSON (`followup --json`), and a test holds each example against the real output.
#![allow(dead_code)]

use utoipa::ToSchema;

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
    /// critical, regular or casual.
    tier: Option<String>,
    /// email, phone or linkedin.
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
    /// lead, applied, interviewing, offer, accepted, rejected, withdrawn, no-response.
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
    /// application, interview, thank-you, follow-up, reply...
    kind: String,
    /// outbound, inbound, mutual or internal.
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
