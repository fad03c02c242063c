//! The JSON API under `/api/v1`: what the pages do, for scripts and other programs. The shapes
//! are the CLI's `--json` shapes (docs/CLI.md); errors are `{status, message}`.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use followup_app::Field;
use followup_app::input::{day, opt_day, opt_word, past_day, word};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use crate::extract::{ApiBytes, ApiJson, ApiPath, ApiQuery};
use crate::{WebError, WebState};

mod accounts;
mod caseload;
mod corrections;
mod schemas;

type ApiResult = Result<Response, WebError>;

fn ok<T: serde::Serialize>(v: T) -> ApiResult {
    Ok(Json(v).into_response())
}

/// The API's routes, to nest under `/api/v1`.
pub fn router() -> Router<WebState> {
    Router::new()
        .route("/agenda", get(agenda))
        .route("/contacts", get(contacts).post(add_contact))
        .route(
            "/contacts/{id}",
            get(contact)
                .patch(corrections::edit_contact)
                .delete(corrections::delete_contact),
        )
        .route("/contacts/{id}/merge", post(corrections::merge_contact))
        .route("/import/{kind}", post(import))
        .route("/jobs", get(jobs).post(add_job))
        .route(
            "/jobs/{id}",
            get(job)
                .patch(corrections::edit_job)
                .delete(corrections::delete_job),
        )
        .route("/jobs/{id}/stage", post(stage))
        .route("/touches", post(log))
        .route(
            "/touches/{id}",
            axum::routing::patch(corrections::edit_touch).delete(corrections::retract_touch),
        )
        .route("/undo", post(corrections::undo))
        .route("/trash", get(corrections::trash))
        .route("/items/{id}/done", post(done))
        .route("/items/{id}/snooze", post(snooze))
        .route("/items/{id}/draft", get(draft))
        .route("/items/{id}/warnings", get(warnings))
        .route("/me", get(me).patch(set_me))
        .route("/settings", get(settings).put(set_settings))
        .route(
            "/account",
            get(accounts::account).patch(accounts::rename_account),
        )
        .route(
            "/account/tokens",
            get(accounts::tokens).post(accounts::create_token),
        )
        .route(
            "/account/tokens/{id}",
            axum::routing::delete(accounts::revoke_token),
        )
        .route(
            "/account/grants",
            get(accounts::grants).put(accounts::set_grant),
        )
        .route(
            "/account/grants/{coach}",
            axum::routing::delete(accounts::revoke_grant),
        )
        .route("/account/visits", get(accounts::visits))
        .route("/caseload", get(caseload::caseload))
        .route(
            "/caseload/{workspace}/note",
            axum::routing::put(caseload::set_note),
        )
        .route(
            "/accounts",
            get(accounts::accounts).post(accounts::add_account),
        )
        .route(
            "/accounts/{id}",
            axum::routing::patch(accounts::change_account),
        )
        // After the routes: it applies to those already added.
        .method_not_allowed_fallback(crate::edge::api_method_not_allowed)
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "followup",
        description = "A job search and a network, followed up at the right time. Shapes as `followup --json` (docs/CLI.md); every error, whatever refused the request (a bad field, malformed JSON, a missing Content-Type, a bad path or query parameter, an unknown route, a wrong method, a body over 8 MiB, another site, another Host), is {status, message} with a 4xx status (5xx only for the server's own failures)."
    ),
    components(schemas(ApiError)),
    paths(
        agenda,
        contacts,
        contact,
        add_contact,
        corrections::edit_contact,
        corrections::delete_contact,
        corrections::merge_contact,
        jobs,
        add_job,
        job,
        corrections::edit_job,
        corrections::delete_job,
        stage,
        log,
        corrections::edit_touch,
        corrections::retract_touch,
        corrections::undo,
        corrections::trash,
        done,
        snooze,
        draft,
        warnings,
        me,
        set_me,
        settings,
        set_settings,
        import,
        accounts::account,
        accounts::rename_account,
        accounts::tokens,
        accounts::create_token,
        accounts::revoke_token,
        accounts::accounts,
        accounts::add_account,
        accounts::change_account,
        accounts::grants,
        accounts::set_grant,
        accounts::revoke_grant,
        accounts::visits,
        caseload::caseload,
        caseload::set_note
    ),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

/// The bearer token of a team server (`Authorization: Bearer TOKEN`).
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "On a team server every route needs a token (Account page, or `followup user token EMAIL`); a one-person book served on loopback needs none.",
                    ))
                    .build(),
            ),
        );
    }
}

/// Every error the API answers with (written by `WebError`; this type documents it).
#[derive(Serialize, ToSchema)]
pub struct ApiError {
    /// The HTTP status, repeated.
    status: u16,
    /// One line: what was wrong and where.
    message: String,
}

/// `/openapi.json`.
pub async fn openapi() -> Response {
    Json(ApiDoc::openapi()).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgendaQuery {
    until: Option<String>,
    offset: Option<usize>,
    limit: Option<usize>,
}

/// Items per page of the agenda unless `limit` says otherwise.
const PAGE: usize = 500;

/// The agenda: overdue, today, and up to `until` (default 14 days), a page at a time
/// (`offset`, `limit`, default 500). `X-Total-Count` gives the total, and a `Link` header
/// with `rel="next"` the next page.
#[utoipa::path(get, path = "/api/v1/agenda",
    params(("until" = Option<String>, Query, description = "last day shown: a date or a phrase"),
           ("offset" = Option<usize>, Query, description = "items to skip (default 0)"),
           ("limit" = Option<usize>, Query, description = "items per page (default 500, at most 5000)")),
    responses((status = "4XX", description = "refused: what was wrong and where", body = ApiError), (status = 200, description = "agenda items, as `followup agenda --json`"),
              (status = 422, description = "a bad date")))]
async fn agenda(State(s): State<WebState>, ApiQuery(q): ApiQuery<AgendaQuery>) -> ApiResult {
    let offset = q.offset.unwrap_or(0);
    let limit = q.limit.unwrap_or(PAGE).clamp(1, 5000);
    let page = |items: Vec<followup_core::AgendaItem>| -> (String, usize) {
        let total = items.len();
        let slice: Vec<_> = items.into_iter().skip(offset).take(limit).collect();
        (serde_json::to_string(&slice).expect("serializable"), total)
    };
    let (body, total) = if q.until.is_none() && offset == 0 && limit == PAGE {
        // The first page of the default window is what every client asks for: cached.
        let mut total = 0;
        let bytes = s
            .cached(crate::View::AgendaJson, |app, cx| {
                let (json, n) = page(app.agenda(cx, None)?);
                Ok(format!("{n}\n{json}"))
            })
            .map_err(WebError::into_json)?;
        let split = bytes.iter().position(|b| *b == b'\n').unwrap_or(0);
        if let Ok(n) = std::str::from_utf8(&bytes[..split]).unwrap_or("0").parse() {
            total = n;
        }
        (bytes.slice(split + 1..), total)
    } else {
        let items = s
            .with(|app, cx| {
                let until = opt_day(cx, Field::Until, q.until.as_deref())?;
                app.agenda(cx, until)
            })
            .map_err(WebError::into_json)?;
        let (json, total) = page(items);
        (axum::body::Bytes::from(json), total)
    };
    let mut headers = axum::http::HeaderMap::new();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    headers.insert("x-total-count", total.into());
    if offset + limit < total {
        let until = q
            .until
            .as_deref()
            .map(|u| format!("&until={}", u.replace(' ', "%20")))
            .unwrap_or_default();
        let link = format!(
            "</api/v1/agenda?offset={}&limit={limit}{until}>; rel=\"next\"",
            offset + limit
        );
        if let Ok(v) = axum::http::HeaderValue::from_str(&link) {
            headers.insert(axum::http::header::LINK, v);
        }
    }
    Ok((headers, body).into_response())
}

/// Every contact.
#[utoipa::path(get, path = "/api/v1/contacts", responses((status = "4XX", description = "refused: what was wrong and where", body = ApiError), (status = 200, description = "contacts")))]
async fn contacts(State(s): State<WebState>) -> ApiResult {
    ok(s.with(|app, cx| app.contacts(cx))
        .map_err(WebError::into_json)?)
}

/// One contact with its jobs, timeline, promises and next items.
#[utoipa::path(get, path = "/api/v1/contacts/{id}",
    params(("id" = String, Path, description = "id or unambiguous name")),
    responses((status = "4XX", description = "refused: what was wrong and where", body = ApiError), (status = 200, description = "as `contact show --json`"), (status = 404, description = "no such contact")))]
async fn contact(State(s): State<WebState>, ApiPath(id): ApiPath<String>) -> ApiResult {
    ok(s.with(|app, cx| app.contact_view(cx, &id))
        .map_err(WebError::into_json)?)
}

/// Every job.
#[utoipa::path(get, path = "/api/v1/jobs", responses((status = "4XX", description = "refused: what was wrong and where", body = ApiError), (status = 200, description = "jobs")))]
async fn jobs(State(s): State<WebState>) -> ApiResult {
    ok(s.with(|app, cx| app.jobs(cx))
        .map_err(WebError::into_json)?)
}

/// One job with its contacts, timeline, promises and next item.
#[utoipa::path(get, path = "/api/v1/jobs/{id}",
    params(("id" = String, Path, description = "id or unambiguous name")),
    responses((status = "4XX", description = "refused: what was wrong and where", body = ApiError), (status = 200, description = "as `job show --json`"), (status = 404, description = "no such job")))]
async fn job(State(s): State<WebState>, ApiPath(id): ApiPath<String>) -> ApiResult {
    ok(s.with(|app, cx| app.job_view(cx, &id))
        .map_err(WebError::into_json)?)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageBody {
    #[schema(value_type = schemas::StageWord, inline)]
    stage: String,
}

/// Moves a job to a stage; a closed stage closes it.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/stage",
    params(("id" = String, Path, description = "id or unambiguous name")),
    request_body(content = StageBody, description = "{\"stage\": \"interviewing\"}", content_type = "application/json"),
    responses((status = "4XX", description = "refused: what was wrong and where", body = ApiError), (status = 200, description = "the job"), (status = 422, description = "bad stage or closed job")))]
async fn stage(
    State(s): State<WebState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<StageBody>,
) -> ApiResult {
    ok(s.with(|app, cx| {
        let st: followup_core::Stage = word(Field::Stage, &b.stage)?;
        if st.is_open() {
            app.set_stage(cx, &id, st)
        } else {
            app.close_job(cx, &id, st)
        }
    })
    .map_err(WebError::into_json)?)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TouchBody {
    #[schema(value_type = schemas::TouchKindWord, inline)]
    kind: String,
    with: Vec<String>,
    job: Option<String>,
    on: Option<String>,
    note: Option<String>,
    they_decide_by: Option<String>,
    i_will_follow_up: Option<String>,
    they_will_act_by: Option<String>,
    /// With an offer: the day your answer is due (C6).
    answer_by: Option<String>,
    #[serde(default)]
    they_will_act: bool,
    #[serde(default)]
    poor_fit: bool,
}

/// Logs a touch; answers what it changed (next dates, warnings).
#[utoipa::path(post, path = "/api/v1/touches",
    request_body(content = TouchBody, description = "{\"kind\": \"interview\", \"with\": [\"Dana Reyes\"], \"job\": \"1\", \"they_decide_by\": \"next monday\"}", content_type = "application/json"),
    responses((status = "4XX", description = "refused: what was wrong and where", body = ApiError), (status = 200, description = "as `log --json`"), (status = 422, description = "bad input")))]
async fn log(State(s): State<WebState>, ApiJson(b): ApiJson<TouchBody>) -> ApiResult {
    ok(s.with(|app, cx| {
        let t = followup_app::NewTouch {
            kind: word(Field::Kind, &b.kind)?,
            with: b.with,
            job: b.job,
            on: b
                .on
                .as_deref()
                .map(|d| past_day(cx, Field::On, d))
                .transpose()?,
            note: b.note,
            they_decide_by: opt_day(cx, Field::TheyDecideBy, b.they_decide_by.as_deref())?,
            i_will_follow_up: opt_day(cx, Field::IWillFollowUp, b.i_will_follow_up.as_deref())?,
            they_will_act_by: opt_day(cx, Field::TheyWillActBy, b.they_will_act_by.as_deref())?,
            answer_by: opt_day(cx, Field::AnswerBy, b.answer_by.as_deref())?,
            they_will_act: b.they_will_act,
            poor_fit: b.poor_fit,
            ..followup_app::NewTouch::default()
        };
        app.log(cx, t)
    })
    .map_err(WebError::into_json)?)
}

/// Marks an agenda item done by logging the touch that does it.
#[utoipa::path(post, path = "/api/v1/items/{id}/done",
    params(("id" = i64, Path, description = "agenda item id")),
    responses((status = "4XX", description = "refused: what was wrong and where", body = ApiError), (status = 200, description = "as `done --json`"), (status = 404, description = "no such item")))]
async fn done(State(s): State<WebState>, ApiPath(id): ApiPath<i64>) -> ApiResult {
    ok(s.with(|app, cx| app.done(cx, id, None, None))
        .map_err(WebError::into_json)?)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SnoozeBody {
    until: String,
}

/// Moves an agenda item to a later day.
#[utoipa::path(post, path = "/api/v1/items/{id}/snooze",
    params(("id" = i64, Path, description = "agenda item id")),
    request_body(content = SnoozeBody, description = "{\"until\": \"friday\"}", content_type = "application/json"),
    responses((status = "4XX", description = "refused: what was wrong and where", body = ApiError), (status = 200, description = "the item as it now stands"), (status = 422, description = "bad date")))]
async fn snooze(
    State(s): State<WebState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<SnoozeBody>,
) -> ApiResult {
    ok(
        s.with(|app, cx| app.snooze(cx, id, day(cx, Field::Until, &b.until)?))
            .map_err(WebError::into_json)?,
    )
}

/// The draft message for an agenda item.
#[utoipa::path(get, path = "/api/v1/items/{id}/draft",
    params(("id" = i64, Path, description = "agenda item id")),
    responses((status = "4XX", description = "refused: what was wrong and where", body = ApiError), (status = 200, description = "{subject, body, channel, to, warnings, template}; warnings come first with F15 when sending it now would be too soon after the last message (C12), and name rule `me` when it is signed [YOUR NAME]")))]
async fn draft(State(s): State<WebState>, ApiPath(id): ApiPath<i64>) -> ApiResult {
    ok(s.with(|app, cx| app.draft_checked(cx, id, false))
        .map_err(WebError::into_json)?)
}

/// What doing an agenda item now would be warned about, before doing it (C12): the F15 gap.
/// `done` records all the same; ask here first to let a person decide.
#[utoipa::path(get, path = "/api/v1/items/{id}/warnings",
    params(("id" = i64, Path, description = "agenda item id")),
    responses((status = "4XX", description = "refused: what was wrong and where", body = ApiError), (status = 200, description = "[{rule, message, earliest?}]; empty when nothing stands in the way"), (status = 404, description = "no such item")))]
async fn warnings(State(s): State<WebState>, ApiPath(id): ApiPath<i64>) -> ApiResult {
    ok(s.with(|app, cx| app.gap_check(cx, id))
        .map_err(WebError::into_json)?)
}

/// Who drafts sign as: the name, signature, phone and time zone in force, and where each comes from.
#[utoipa::path(get, path = "/api/v1/me",
    responses((status = "4XX", description = "refused: what was wrong and where", body = ApiError), (status = 200, description = "{name?, signature?, phone?, time_zone?, sources: {name?, signature?, phone?, time_zone?}}; a source is `settings` or `config`")))]
async fn me(State(s): State<WebState>) -> ApiResult {
    ok(s.with(|app, cx| app.identity(cx))
        .map_err(WebError::into_json)?)
}

/// Settings as the API shows them: who you are, and each policy parameter.
#[derive(Serialize)]
struct SettingsView {
    identity: followup_app::identity::Identity,
    policy: Vec<followup_app::policy_settings::ParamView>,
}

fn settings_view(
    app: &followup_app::App,
    cx: &followup_app::Ctx,
) -> Result<SettingsView, followup_app::AppError> {
    Ok(SettingsView {
        identity: app.identity(cx)?,
        policy: app.policy_params(cx)?,
    })
}

/// Settings: who you are, and each policy parameter with its value, default and rule.
#[utoipa::path(get, path = "/api/v1/settings",
    responses((status = "4XX", description = "refused: what was wrong and where", body = ApiError), (status = 200, description = "{identity: as GET /api/v1/me, policy: [{key, label, rule, hint, value, default, rules_default, overridden}]}; `default` is the config file's value (else RULES.md's)")))]
async fn settings(State(s): State<WebState>) -> ApiResult {
    ok(s.with(settings_view).map_err(WebError::into_json)?)
}

/// A change to the settings: the identity's fields, policy parameters by key, and overrides
/// to drop.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsBody {
    /// As PATCH /api/v1/me: "" forgets a field.
    identity: Option<MeBody>,
    /// Parameter key (`grace`, `cadence.critical`, `calendar.weekend`) to value as typed
    /// (`"3bd"`, `"none"`, `"saturday, sunday"`); "" drops the override.
    policy: Option<std::collections::BTreeMap<String, String>>,
    /// Parameter keys whose overrides to drop; `"*"` drops them all.
    reset: Option<Vec<String>>,
}

/// Changes what the body names; every value is checked before anything is kept, and a
/// policy change replans every follow-up at once.
#[utoipa::path(put, path = "/api/v1/settings",
    request_body(content = SettingsBody, description = "{\"policy\": {\"grace\": \"3bd\"}, \"identity\": {\"time_zone\": \"Europe/Berlin\"}}", content_type = "application/json"),
    responses((status = "4XX", description = "refused: what was wrong and where", body = ApiError), (status = 200, description = "the settings now in force, as GET /api/v1/settings"), (status = 422, description = "a bad value (named by its key), an unknown parameter, or nothing to change")))]
async fn set_settings(State(s): State<WebState>, ApiJson(b): ApiJson<SettingsBody>) -> ApiResult {
    ok(s.with(|app, cx| {
        let change = followup_app::policy_settings::PolicyChange {
            values: b.policy.unwrap_or_default(),
            reset: b.reset.unwrap_or_default(),
        };
        let policy = !(change.values.is_empty() && change.reset.is_empty());
        // The policy's values are checked before the identity is kept: a refusal keeps nothing.
        if let Some(e) = app.policy_problems(&change).into_iter().next() {
            return Err(e);
        }
        let me = b
            .identity
            .map(|me| followup_app::identity::IdentityChange {
                name: me.name,
                signature: me.signature,
                phone: me.phone,
                time_zone: me.time_zone,
            })
            .unwrap_or_default();
        if !me.is_empty() {
            app.set_identity(cx, me)?;
        } else if !policy {
            return Err(followup_app::AppError::NothingToChange { what: "settings" });
        }
        if policy {
            app.set_policy(cx, change)?;
        }
        settings_view(app, cx)
    })
    .map_err(WebError::into_json)?)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeBody {
    name: Option<String>,
    signature: Option<String>,
    phone: Option<String>,
    /// An IANA time zone name, `Europe/Berlin`: the day "today" is.
    time_zone: Option<String>,
}

/// Sets the name, signature, phone or time zone ("" forgets it: the config's applies).
#[utoipa::path(patch, path = "/api/v1/me",
    request_body(content = MeBody, description = "{\"name\": \"Alex Morgan\", \"phone\": \"+1 555 0199\"}", content_type = "application/json"),
    responses((status = "4XX", description = "refused: what was wrong and where", body = ApiError), (status = 200, description = "the identity now in force, as GET /api/v1/me"), (status = 422, description = "a bad field, or nothing to change")))]
async fn set_me(State(s): State<WebState>, ApiJson(b): ApiJson<MeBody>) -> ApiResult {
    ok(s.with(|app, cx| {
        app.set_identity(
            cx,
            followup_app::identity::IdentityChange {
                name: b.name,
                signature: b.signature,
                phone: b.phone,
                time_zone: b.time_zone,
            },
        )
    })
    .map_err(WebError::into_json)?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    tier: Option<String>,
    #[serde(default)]
    dry_run: bool,
    name: Option<String>,
}

/// Imports people from a LinkedIn `Connections.csv` (`kind` = linkedin) or vCards (`vcard`),
/// sent as the request body; `?dry_run=true` reports without writing.
#[utoipa::path(post, path = "/api/v1/import/{kind}",
    params(("kind" = inline(schemas::ImportKindWord), Path, description = "linkedin or vcard"),
           ("dry_run" = Option<bool>, Query, description = "report, write nothing"),
           ("tier" = Option<String>, Query, description = "tier for new contacts"),
           ("name" = Option<String>, Query, description = "the file's name, for messages")),
    request_body(content = String, description = "the file's bytes", content_type = "text/plain"),
    responses((status = "4XX", description = "refused: what was wrong and where", body = ApiError), (status = 200, description = "{source, created, updated, unchanged, skipped, dry_run, notes}"),
              (status = 422, description = "the file is broken (file, card and line named); nothing was written")))]
async fn import(
    State(s): State<WebState>,
    ApiPath(kind): ApiPath<String>,
    ApiQuery(q): ApiQuery<ImportQuery>,
    ApiBytes(body): ApiBytes,
) -> ApiResult {
    let name = q.name.unwrap_or_else(|| format!("upload.{kind}"));
    let report = crate::pages::import_bytes(
        &s,
        &kind,
        &name,
        q.tier.as_deref().unwrap_or(""),
        &body,
        q.dry_run,
    )
    .map_err(WebError::into_json)?;
    ok(report)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContactBody {
    /// The only field required.
    name: String,
    email: Option<String>,
    #[serde(default)]
    emails: Vec<String>,
    phone: Option<String>,
    #[serde(default)]
    phones: Vec<String>,
    company: Option<String>,
    title: Option<String>,
    #[schema(value_type = Option<schemas::TierWord>, inline)]
    tier: Option<String>,
    #[schema(value_type = Option<schemas::ChannelWord>, inline)]
    prefers: Option<String>,
    linkedin: Option<String>,
    /// A date or a phrase, as the CLI takes it.
    birthday: Option<String>,
    work_anniversary: Option<String>,
    personal_anniversary: Option<String>,
    notes: Option<String>,
    /// Add even when a contact with the same name or email is here (otherwise 409).
    #[serde(default)]
    allow_duplicate: bool,
}

/// Adds a contact. A contact with the same name (ignoring case) or a shared email is answered
/// 409 naming it, unless `allow_duplicate` is true.
#[utoipa::path(post, path = "/api/v1/contacts",
    request_body(content = NewContactBody, description = "{\"name\": \"Priya Shah\", \"email\": \"priya@acme.example\", \"tier\": \"regular\"}", content_type = "application/json"),
    responses((status = "4XX", description = "refused: what was wrong and where", body = ApiError), (status = 201, description = "the contact, as GET /api/v1/contacts/{id} lists it", body = schemas::Contact), (status = 409, description = "a contact with that name or email is here"), (status = 422, description = "a bad field")))]
async fn add_contact(State(s): State<WebState>, ApiJson(b): ApiJson<NewContactBody>) -> ApiResult {
    let made = s
        .with(|app, cx| {
            let mut emails: Vec<String> = b.email.into_iter().collect();
            emails.extend(b.emails);
            let mut phones: Vec<String> = b.phone.into_iter().collect();
            phones.extend(b.phones);
            let n = followup_app::NewContact {
                name: b.name,
                emails,
                phones,
                company: b.company,
                title: b.title,
                tier: opt_word(Field::Tier, b.tier.as_deref())?,
                prefers: opt_word(Field::Prefers, b.prefers.as_deref())?,
                linkedin: b.linkedin,
                birthday: opt_day(cx, Field::Birthday, b.birthday.as_deref())?,
                work_anniversary: opt_day(
                    cx,
                    Field::WorkAnniversary,
                    b.work_anniversary.as_deref(),
                )?,
                personal_anniversary: opt_day(
                    cx,
                    Field::PersonalAnniversary,
                    b.personal_anniversary.as_deref(),
                )?,
                notes: b.notes,
            };
            if !b.allow_duplicate {
                let similar = app.similar_contacts(cx, &n.name, &n.emails)?;
                if !similar.is_empty() {
                    let named: Vec<String> = similar
                        .iter()
                        .map(|c| format!("{} (#{})", c.name, c.id))
                        .collect();
                    return Ok(Err(named.join(", ")));
                }
            }
            Ok(Ok(app.add_contact(cx, n)?))
        })
        .map_err(WebError::into_json)?;
    match made {
        Ok(c) => Ok((axum::http::StatusCode::CREATED, Json(c)).into_response()),
        Err(named) => Err(WebError::new(
            axum::http::StatusCode::CONFLICT,
            format!("already here: {named}; send \"allow_duplicate\": true to add another"),
        )
        .into_json()),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewJobBody {
    organization: String,
    /// The role's title.
    title: String,
    /// Contacts at it, by id or name.
    #[serde(default)]
    contacts: Vec<String>,
    /// When you applied (also logs the application, F5): a date or a phrase.
    applied: Option<String>,
    /// The response time the posting states: "3 weeks".
    response_time: Option<String>,
    url: Option<String>,
    #[schema(value_type = Option<schemas::OpenStageWord>, inline)]
    stage: Option<String>,
    notes: Option<String>,
    /// Add the organization as new even when its name is close to one here (otherwise 409).
    #[serde(default)]
    new_organization: bool,
}

/// Adds a job. An organization not here whose name is close to one that is ("Acme" beside
/// "Acme Analytics") is answered 409 naming it, unless `new_organization` is true.
#[utoipa::path(post, path = "/api/v1/jobs",
    request_body(content = NewJobBody, description = "{\"organization\": \"Acme Analytics\", \"title\": \"Data Engineer\", \"applied\": \"yesterday\"}", content_type = "application/json"),
    responses((status = "4XX", description = "refused: what was wrong and where", body = ApiError), (status = 201, description = "the job, as GET /api/v1/jobs lists it", body = schemas::Job), (status = 409, description = "an organization with a close name is here"), (status = 422, description = "a bad field")))]
async fn add_job(State(s): State<WebState>, ApiJson(b): ApiJson<NewJobBody>) -> ApiResult {
    let made = s
        .with(|app, cx| {
            let n = followup_app::NewJob {
                organization: b.organization,
                title: b.title,
                contacts: b.contacts,
                applied: b
                    .applied
                    .as_deref()
                    .map(|d| past_day(cx, Field::Applied, d))
                    .transpose()?,
                response_time: b
                    .response_time
                    .as_deref()
                    .map(|t| {
                        t.parse::<followup_core::Wait>().map_err(|e| {
                            followup_app::error::invalid(Field::ResponseTime, e.to_string())
                        })
                    })
                    .transpose()?,
                url: b.url,
                stage: opt_word(Field::Stage, b.stage.as_deref())?,
                notes: b.notes,
            };
            if !b.new_organization {
                let close = app.close_organizations(cx, &n.organization)?;
                if !close.is_empty() {
                    return Ok(Err(close.join(", ")));
                }
            }
            Ok(Ok(app.add_job(cx, n)?))
        })
        .map_err(WebError::into_json)?;
    match made {
        Ok(j) => Ok((axum::http::StatusCode::CREATED, Json(j)).into_response()),
        Err(close) => Err(WebError::new(
            axum::http::StatusCode::CONFLICT,
            format!("organization: not here, but close to {close}; use that name, or send \"new_organization\": true"),
        )
        .into_json()),
    }
}
