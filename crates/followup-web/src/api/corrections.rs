//! The API's corrections: edit and delete contacts and jobs, correct and retract touches,
//! merge two contacts, list the trash, undo. Every delete answers with the `undo` that brings
//! it back (`POST /api/v1/undo`); nothing is erased (the export keeps the whole log).

use axum::extract::State;
use axum::http::StatusCode;
use followup_app::input::{clearable_day, clearable_word, opt_word, past_day};
use followup_app::{Field, Undo};
use followup_core::model::TouchId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiResult, ok};
use crate::extract::{ApiJson, ApiPath};
use crate::{WebError, WebState};

/// A list field given as one value or many.
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn list(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) if s.trim().is_empty() => Vec::new(),
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

/// The fields of the contact form; each one given is changed ("" clears it).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPatchBody {
    name: Option<String>,
    /// One address or a list; replaces the list ("" or [] clears it).
    email: Option<OneOrMany>,
    /// One number or a list; replaces the list.
    phone: Option<OneOrMany>,
    company: Option<String>,
    title: Option<String>,
    /// critical, regular, casual, or "" for none.
    tier: Option<String>,
    /// email, phone, linkedin, or "".
    prefers: Option<String>,
    linkedin: Option<String>,
    /// A date or a phrase, or "".
    birthday: Option<String>,
    work_anniversary: Option<String>,
    personal_anniversary: Option<String>,
    notes: Option<String>,
}

/// Changes a contact: any field of the contact form ("" clears it).
#[utoipa::path(patch, path = "/api/v1/contacts/{id}",
    params(("id" = String, Path, description = "id or unambiguous name")),
    request_body(content = ContactPatchBody, description = "{\"tier\": \"critical\", \"email\": \"priya@acme.example\", \"birthday\": \"\"}", content_type = "application/json"),
    responses((status = "4XX", description = "refused: what was wrong and where", body = super::ApiError), (status = 200, description = "the contact", body = super::schemas::Contact), (status = 422, description = "bad value or nothing to change")))]
pub(super) async fn edit_contact(
    State(s): State<WebState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<ContactPatchBody>,
) -> ApiResult {
    ok(s.with(|app, cx| {
        let e = followup_app::EditContact {
            name: b.name,
            emails: b.email.map(OneOrMany::list),
            phones: b.phone.map(OneOrMany::list),
            company: b.company,
            title: b.title,
            tier: clearable_word(Field::Tier, b.tier.as_deref())?,
            prefers: clearable_word(Field::Prefers, b.prefers.as_deref())?,
            linkedin: b.linkedin,
            birthday: clearable_day(cx, Field::Birthday, b.birthday.as_deref())?,
            work_anniversary: clearable_day(
                cx,
                Field::WorkAnniversary,
                b.work_anniversary.as_deref(),
            )?,
            personal_anniversary: clearable_day(
                cx,
                Field::PersonalAnniversary,
                b.personal_anniversary.as_deref(),
            )?,
            notes: b.notes,
        };
        app.edit_contact(cx, &id, e)
    })
    .map_err(WebError::into_json)?)
}

/// What a delete or a retract answers: the record as it was, and how to bring it back.
#[derive(Serialize)]
struct Removed<T: Serialize> {
    removed: T,
    /// Send as `{"undo": ...}` to `POST /api/v1/undo`.
    undo: String,
}

/// Deletes a contact; touches with nobody else go with it. The answer's `undo` restores it.
#[utoipa::path(delete, path = "/api/v1/contacts/{id}",
    params(("id" = String, Path, description = "id or unambiguous name")),
    responses((status = "4XX", description = "refused: what was wrong and where", body = super::ApiError), (status = 200, description = "{removed: the contact, undo}", body = super::schemas::RemovedContact), (status = 404, description = "no such contact")))]
pub(super) async fn delete_contact(
    State(s): State<WebState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult {
    let c = s
        .with(|app, cx| app.delete_contact(cx, &id))
        .map_err(WebError::into_json)?;
    let undo = Undo::RestoreContact(c.id).to_string();
    ok(Removed { removed: c, undo })
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeBody {
    /// The contact to keep, by id or name; the one in the path is merged into it.
    into: String,
}

/// Merges the contact in the path into another: its touches and jobs move there, empty
/// fields are filled from it, and it is removed.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/merge",
    params(("id" = String, Path, description = "the duplicate: id or unambiguous name")),
    request_body(content = MergeBody, description = "{\"into\": \"3\"}", content_type = "application/json"),
    responses((status = "4XX", description = "refused: what was wrong and where", body = super::ApiError), (status = 200, description = "{contact, from, touches, jobs}", body = super::schemas::Merged), (status = 404, description = "no such contact")))]
pub(super) async fn merge_contact(
    State(s): State<WebState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<MergeBody>,
) -> ApiResult {
    ok(s.with(|app, cx| app.merge_contacts(cx, &id, &b.into))
        .map_err(WebError::into_json)?)
}

/// The fields of the job form that an edit may change ("" clears url, notes, response_time).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobPatchBody {
    organization: Option<String>,
    title: Option<String>,
    /// Contacts to add to it, by id or name.
    #[serde(default)]
    contacts: Vec<String>,
    /// "3 weeks", or "".
    response_time: Option<String>,
    url: Option<String>,
    /// Any stage, open or closed.
    #[schema(value_type = Option<super::schemas::StageWord>, inline)]
    stage: Option<String>,
    notes: Option<String>,
}

/// Changes a job: its details, more contacts, any stage.
#[utoipa::path(patch, path = "/api/v1/jobs/{id}",
    params(("id" = String, Path, description = "id or unambiguous name")),
    request_body(content = JobPatchBody, description = "{\"title\": \"Senior Data Engineer\", \"stage\": \"interviewing\"}", content_type = "application/json"),
    responses((status = "4XX", description = "refused: what was wrong and where", body = super::ApiError), (status = 200, description = "the job", body = super::schemas::Job), (status = 422, description = "bad value or nothing to change")))]
pub(super) async fn edit_job(
    State(s): State<WebState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<JobPatchBody>,
) -> ApiResult {
    ok(s.with(|app, cx| {
        let response_time =
            followup_app::input::clearable_wait(Field::ResponseTime, b.response_time.as_deref())?;
        let e = followup_app::EditJob {
            organization: b.organization,
            title: b.title,
            add_contacts: b.contacts,
            response_time,
            url: b.url,
            stage: opt_word(Field::Stage, b.stage.as_deref())?,
            notes: b.notes,
        };
        app.edit_job(cx, &id, e)
    })
    .map_err(WebError::into_json)?)
}

/// Deletes a job added by mistake, with its touches. The answer's `undo` restores both.
#[utoipa::path(delete, path = "/api/v1/jobs/{id}",
    params(("id" = String, Path, description = "id or unambiguous name")),
    responses((status = "4XX", description = "refused: what was wrong and where", body = super::ApiError), (status = 200, description = "{removed: the job, undo}", body = super::schemas::RemovedJob), (status = 404, description = "no such job")))]
pub(super) async fn delete_job(
    State(s): State<WebState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult {
    let j = s
        .with(|app, cx| app.delete_job(cx, &id))
        .map_err(WebError::into_json)?;
    let undo = Undo::RestoreJob(j.id).to_string();
    ok(Removed { removed: j, undo })
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TouchPatchBody {
    #[schema(value_type = Option<super::schemas::TouchKindWord>, inline)]
    kind: Option<String>,
    /// A date or a phrase, not after today.
    on: Option<String>,
    /// Replaces who it was with, by id or name.
    with: Option<Vec<String>>,
    /// The job, by id or name; "" takes it off its job.
    job: Option<String>,
    note: Option<String>,
    message: Option<String>,
}

/// Corrects a logged touch; the plan follows.
#[utoipa::path(patch, path = "/api/v1/touches/{id}",
    params(("id" = i64, Path, description = "touch id")),
    request_body(content = TouchPatchBody, description = "{\"on\": \"2026-06-04\", \"note\": \"coffee\"}", content_type = "application/json"),
    responses((status = "4XX", description = "refused: what was wrong and where", body = super::ApiError), (status = 200, description = "the touch", body = super::schemas::Touch), (status = 404, description = "no such touch"), (status = 422, description = "bad value or nothing to change")))]
pub(super) async fn edit_touch(
    State(s): State<WebState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<TouchPatchBody>,
) -> ApiResult {
    ok(s.with(|app, cx| {
        let e = followup_app::EditTouch {
            kind: opt_word(Field::Kind, b.kind.as_deref())?,
            on: b
                .on
                .as_deref()
                .map(|d| past_day(cx, Field::On, d))
                .transpose()?,
            with: b.with,
            job: b.job.map(|j| Some(j).filter(|j| !j.trim().is_empty())),
            note: b.note,
            message: b.message,
        };
        app.edit_touch(cx, TouchId(id), e)
    })
    .map_err(WebError::into_json)?)
}

/// Retracts a touch logged by mistake: it counts for nothing. The answer's `undo` restores it.
#[utoipa::path(delete, path = "/api/v1/touches/{id}",
    params(("id" = i64, Path, description = "touch id")),
    responses((status = "4XX", description = "refused: what was wrong and where", body = super::ApiError), (status = 200, description = "{removed: the touch, undo}", body = super::schemas::RemovedTouch), (status = 404, description = "no such touch")))]
pub(super) async fn retract_touch(
    State(s): State<WebState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult {
    let t = s
        .with(|app, cx| app.retract_touch(cx, TouchId(id)))
        .map_err(WebError::into_json)?;
    let undo = Undo::RestoreTouch(t.id).to_string();
    ok(Removed { removed: t, undo })
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UndoBody {
    /// As a delete, a retract, Done, Snooze or a stage change answered it.
    undo: String,
}

/// Carries out an undo: restores what a delete removed, takes back a Done or a snooze, puts
/// a job back at its stage.
#[utoipa::path(post, path = "/api/v1/undo",
    request_body(content = UndoBody, description = "{\"undo\": \"restore-contact:5\"}", content_type = "application/json"),
    responses((status = "4XX", description = "refused: what was wrong and where", body = super::ApiError), (status = 200, description = "{undone: what was undone, in words}", body = super::schemas::Undone), (status = 404, description = "nothing of that to undo")))]
pub(super) async fn undo(State(s): State<WebState>, ApiJson(b): ApiJson<UndoBody>) -> ApiResult {
    let u: Undo = b.undo.parse().map_err(|e: followup_app::undo::BadUndo| {
        WebError::new(StatusCode::UNPROCESSABLE_ENTITY, format!("undo: {e}")).into_json()
    })?;
    let said = s
        .with(|app, cx| app.undo(cx, &u))
        .map_err(WebError::into_json)?;
    ok(serde_json::json!({ "undone": said }))
}

/// What was deleted, retracted or merged away, with why (`deleted`, `retracted`,
/// `merged:ID`, `contact:ID`, `job:ID`: went with that record).
#[utoipa::path(get, path = "/api/v1/trash",
    responses((status = "4XX", description = "refused: what was wrong and where", body = super::ApiError), (status = 200, description = "{contacts: [{record, why}], jobs: [...], touches: [...]}")))]
pub(super) async fn trash(State(s): State<WebState>) -> ApiResult {
    let t = s
        .with(|app, cx| app.trash(cx))
        .map_err(WebError::into_json)?;
    fn list<T: Serialize>(v: Vec<(T, followup_app::Removal)>) -> Vec<serde_json::Value> {
        v.into_iter()
            .map(|(r, why)| serde_json::json!({ "record": r, "why": why.to_text() }))
            .collect()
    }
    ok(serde_json::json!({
        "contacts": list(t.contacts),
        "jobs": list(t.jobs),
        "touches": list(t.touches),
    }))
}
