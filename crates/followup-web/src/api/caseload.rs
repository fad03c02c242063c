//! The caseload in the API (issue 15): a coach's clients with their figures, and the coach's
//! private note on each. About the signed-in account, like `/api/v1/account`: any account
//! may ask, and sees only the grants it holds (none: `{"clients": []}`).

use axum::extract::State;
use followup_app::caseload::{CaseloadRow, CaseloadSort};
use followup_core::model::OwnerId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::accounts::{json, me};
use super::{ApiResult, ok};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::{WebState, blocking};

/// One client in the caseload.
#[derive(Serialize, ToSchema)]
pub struct ClientBody {
    /// The client's account id.
    client: i64,
    /// How the client is named (their email until accounts carry a name).
    name: String,
    email: String,
    /// Their workspace: `/api/v1/workspaces/{workspace}/...`, and `/w/{workspace}/` (their
    /// Today) in a browser.
    workspace: i64,
    #[schema(value_type = super::schemas::GrantScopeWord, inline)]
    scope: String,
    /// The grant's last day (YYYY-MM-DD), if it ends by itself.
    until: Option<String>,
    /// Follow-ups due before today and not done (Today's "Overdue").
    overdue: usize,
    /// The newest touch logged on or before today (YYYY-MM-DD); none when nothing was.
    last_touch: Option<String>,
    /// Days from that touch to today.
    days_silent: Option<i64>,
    /// Opportunities open.
    open_jobs: u32,
    /// The client's pipeline minimum (F18).
    pipeline_minimum: u32,
    /// How many opportunities short of the minimum (0 when not).
    pipeline_gap: u32,
    /// Touches of kind `interview` in the ISO week (Monday to Sunday) of today.
    interviews_this_week: usize,
    /// The client's own promises ("I will follow up on D") whose day passed unkept (C9).
    promises_missed: usize,
    /// Your private note on this client: only you see it.
    note: Option<String>,
}

impl From<CaseloadRow> for ClientBody {
    fn from(r: CaseloadRow) -> ClientBody {
        ClientBody {
            pipeline_gap: r.pipeline_gap(),
            client: r.client,
            name: r.label,
            email: r.email,
            workspace: r.workspace,
            scope: r.scope.into(),
            until: r.until.map(|d| d.to_string()),
            overdue: r.overdue,
            last_touch: r.last_touch.map(|d| d.to_string()),
            days_silent: r.days_silent,
            open_jobs: r.open_jobs,
            pipeline_minimum: r.pipeline_minimum,
            interviews_this_week: r.interviews_this_week,
            promises_missed: r.promises_missed,
            note: r.note,
        }
    }
}

/// The caseload.
#[derive(Serialize, ToSchema)]
pub struct CaseloadBody {
    clients: Vec<ClientBody>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseloadQuery {
    sort: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    /// The note (at most 2000 characters); empty removes it.
    note: String,
}

/// A note as kept.
#[derive(Serialize, ToSchema)]
pub struct NoteBody {
    workspace: i64,
    /// None once removed.
    note: Option<String>,
}

/// The clients who granted the signed-in account access, with what needs attention.
#[utoipa::path(get, path = "/api/v1/caseload", security(("bearer" = [])),
    params(("sort" = inline(Option<super::schemas::CaseloadSortWord>), Query, description = "overdue (default: most overdue first), silent (longest since the last touch first), pipeline (furthest below the minimum first), interviews, missed, or name")),
    responses((status = "4XX", description = "refused: a bad sort is a 400 naming `sort`", body = super::ApiError), (status = 200, description = "the caseload", body = CaseloadBody)))]
pub(super) async fn caseload(
    State(s): State<WebState>,
    ApiQuery(q): ApiQuery<CaseloadQuery>,
) -> ApiResult {
    let a = me()?;
    let sort = CaseloadSort::parse(q.sort.as_deref())
        .map_err(|e| crate::caseload::bad_sort(e).into_json())?;
    let rows = blocking(|| {
        let today = crate::accounts::today_of(&s, &a)?;
        s.app.caseload(&a, today, sort)
    })
    .map_err(json)?;
    ok(CaseloadBody {
        clients: rows.into_iter().map(ClientBody::from).collect(),
    })
}

/// Keeps the signed-in coach's private note on a client (replacing the one before); an empty
/// note removes it. Refused (403) without a live grant to that workspace.
#[utoipa::path(put, path = "/api/v1/caseload/{workspace}/note", security(("bearer" = [])),
    params(("workspace" = i64, Path, description = "the client's workspace, from the caseload")),
    request_body(content = NoteRequest, description = "{\"note\": \"Prepare the salary talk before Friday\"}", content_type = "application/json"),
    responses((status = "4XX", description = "refused: no grant (403), a note too long (422)", body = super::ApiError), (status = 200, description = "the note as kept", body = NoteBody)))]
pub(super) async fn set_note(
    State(s): State<WebState>,
    ApiPath(workspace): ApiPath<i64>,
    ApiJson(b): ApiJson<NoteRequest>,
) -> ApiResult {
    let a = me()?;
    let note = blocking(|| {
        let today = crate::accounts::today_of(&s, &a)?;
        s.app.set_coach_note(
            &a,
            OwnerId(workspace),
            &b.note,
            today,
            followup_app::clock::now(),
        )
    })
    .map_err(json)?;
    ok(NoteBody { workspace, note })
}
