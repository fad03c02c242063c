//! The JSON API under `/api/v1`: what the pages do, for scripts and other programs. The shapes
//! are the CLI's `--json` shapes (docs/CLI.md); errors are `{status, message}`.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::OpenApi;

use crate::{WebError, WebState};

type ApiResult = Result<Response, WebError>;

fn ok<T: serde::Serialize>(v: T) -> ApiResult {
    Ok(Json(v).into_response())
}

/// The API's routes, to nest under `/api/v1`.
pub fn router() -> Router<WebState> {
    Router::new()
        .route("/agenda", get(agenda))
        .route("/contacts", get(contacts))
        .route("/contacts/{id}", get(contact))
        .route("/jobs", get(jobs))
        .route("/jobs/{id}", get(job))
        .route("/jobs/{id}/stage", post(stage))
        .route("/touches", post(log))
        .route("/items/{id}/done", post(done))
        .route("/items/{id}/snooze", post(snooze))
        .route("/items/{id}/draft", get(draft))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "followup",
        description = "A job search and a network, followed up at the right time. Shapes as `followup --json` (docs/CLI.md); errors as {status, message}."
    ),
    paths(agenda, contacts, contact, jobs, job, stage, log, done, snooze, draft)
)]
struct ApiDoc;

/// `/openapi.json`.
pub async fn openapi() -> Response {
    Json(ApiDoc::openapi()).into_response()
}

#[derive(Deserialize)]
pub struct Until {
    until: Option<String>,
}

/// The agenda: overdue, today, and up to `until` (default 14 days).
#[utoipa::path(get, path = "/api/v1/agenda",
    params(("until" = Option<String>, Query, description = "last day shown: a date or a phrase")),
    responses((status = 200, description = "agenda items, as `followup agenda --json`"),
              (status = 422, description = "a bad date")))]
async fn agenda(State(s): State<WebState>, Query(q): Query<Until>) -> ApiResult {
    if q.until.is_some() {
        return ok(s
            .with(|app| app.agenda(q.until.as_deref()))
            .map_err(WebError::into_json)?);
    }
    let body = s
        .cached(crate::View::AgendaJson, |app| {
            let items = app.agenda(None)?;
            Ok(serde_json::to_string(&items).expect("serializable"))
        })
        .map_err(WebError::into_json)?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

/// Every contact.
#[utoipa::path(get, path = "/api/v1/contacts", responses((status = 200, description = "contacts")))]
async fn contacts(State(s): State<WebState>) -> ApiResult {
    ok(s.with(|app| app.contacts()).map_err(WebError::into_json)?)
}

/// One contact with its jobs, timeline, promises and next items.
#[utoipa::path(get, path = "/api/v1/contacts/{id}",
    params(("id" = String, Path, description = "id or unambiguous name")),
    responses((status = 200, description = "as `contact show --json`"), (status = 404, description = "no such contact")))]
async fn contact(State(s): State<WebState>, Path(id): Path<String>) -> ApiResult {
    ok(s.with(|app| app.contact_view(&id))
        .map_err(WebError::into_json)?)
}

/// Every job.
#[utoipa::path(get, path = "/api/v1/jobs", responses((status = 200, description = "jobs")))]
async fn jobs(State(s): State<WebState>) -> ApiResult {
    ok(s.with(|app| app.jobs()).map_err(WebError::into_json)?)
}

/// One job with its contacts, timeline, promises and next item.
#[utoipa::path(get, path = "/api/v1/jobs/{id}",
    params(("id" = String, Path, description = "id or unambiguous name")),
    responses((status = 200, description = "as `job show --json`"), (status = 404, description = "no such job")))]
async fn job(State(s): State<WebState>, Path(id): Path<String>) -> ApiResult {
    ok(s.with(|app| app.job_view(&id))
        .map_err(WebError::into_json)?)
}

#[derive(Deserialize)]
pub struct StageBody {
    stage: String,
}

/// Moves a job to a stage; a closed stage closes it.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/stage",
    params(("id" = String, Path, description = "id or unambiguous name")),
    request_body(content = String, description = "{\"stage\": \"interviewing\"}", content_type = "application/json"),
    responses((status = 200, description = "the job"), (status = 422, description = "bad stage or closed job")))]
async fn stage(
    State(s): State<WebState>,
    Path(id): Path<String>,
    Json(b): Json<StageBody>,
) -> ApiResult {
    ok(s.with(|app| {
        let st: followup_core::Stage = b
            .stage
            .parse()
            .map_err(|e| followup_app::AppError::Invalid(format!("stage: {e}")))?;
        if st.is_open() {
            app.set_stage(&id, &b.stage)
        } else {
            app.close_job(&id, &b.stage)
        }
    })
    .map_err(WebError::into_json)?)
}

#[derive(Deserialize)]
pub struct TouchBody {
    kind: String,
    with: Vec<String>,
    job: Option<String>,
    on: Option<String>,
    note: Option<String>,
    they_decide_by: Option<String>,
    i_will_follow_up: Option<String>,
    they_will_act_by: Option<String>,
    #[serde(default)]
    they_will_act: bool,
    #[serde(default)]
    poor_fit: bool,
}

/// Logs a touch; answers what it changed (next dates, warnings).
#[utoipa::path(post, path = "/api/v1/touches",
    request_body(content = String, description = "{\"kind\": \"interview\", \"with\": [\"Dana Reyes\"], \"job\": \"1\", \"they_decide_by\": \"next monday\"}", content_type = "application/json"),
    responses((status = 200, description = "as `log --json`"), (status = 422, description = "bad input")))]
async fn log(State(s): State<WebState>, Json(b): Json<TouchBody>) -> ApiResult {
    let t = followup_app::NewTouch {
        kind: b.kind,
        with: b.with,
        job: b.job,
        on: b.on,
        note: b.note,
        they_decide_by: b.they_decide_by,
        i_will_follow_up: b.i_will_follow_up,
        they_will_act_by: b.they_will_act_by,
        they_will_act: b.they_will_act,
        poor_fit: b.poor_fit,
        ..followup_app::NewTouch::default()
    };
    ok(s.with(|app| app.log(t)).map_err(WebError::into_json)?)
}

/// Marks an agenda item done by logging the touch that does it.
#[utoipa::path(post, path = "/api/v1/items/{id}/done",
    params(("id" = i64, Path, description = "agenda item id")),
    responses((status = 200, description = "as `done --json`"), (status = 404, description = "no such item")))]
async fn done(State(s): State<WebState>, Path(id): Path<i64>) -> ApiResult {
    ok(s.with(|app| app.done(id, None, None))
        .map_err(WebError::into_json)?)
}

#[derive(Deserialize)]
pub struct SnoozeBody {
    until: String,
}

/// Moves an agenda item to a later day.
#[utoipa::path(post, path = "/api/v1/items/{id}/snooze",
    params(("id" = i64, Path, description = "agenda item id")),
    request_body(content = String, description = "{\"until\": \"friday\"}", content_type = "application/json"),
    responses((status = 200, description = "the item as it now stands"), (status = 422, description = "bad date")))]
async fn snooze(
    State(s): State<WebState>,
    Path(id): Path<i64>,
    Json(b): Json<SnoozeBody>,
) -> ApiResult {
    ok(s.with(|app| app.snooze(id, &b.until))
        .map_err(WebError::into_json)?)
}

/// The draft message for an agenda item.
#[utoipa::path(get, path = "/api/v1/items/{id}/draft",
    params(("id" = i64, Path, description = "agenda item id")),
    responses((status = 200, description = "{subject, body, channel, to, warnings, template}")))]
async fn draft(State(s): State<WebState>, Path(id): Path<i64>) -> ApiResult {
    ok(s.with(|app| app.draft(id, false))
        .map_err(WebError::into_json)?)
}
