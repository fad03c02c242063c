//! The caseload page (issue 15): a coach's clients, one row each (a card on a phone), sorted
//! by the column chosen in the header; each client opens on their Today (`/w/{id}/`), and the
//! coach's private note on them is edited in place. The API's side is `api/caseload.rs`.
//!
//! Anyone signed in may open it: it lists the job searches shared with the account (a
//! client's or an admin's is usually empty, and the page says what it is for), as the API
//! answers `{clients: []}` for them.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use followup_app::caseload::{CaseloadRow, CaseloadSort, NOTE_MAX};
use followup_app::{Account, AppError, Role};
use followup_core::model::OwnerId;
use serde::Deserialize;

use crate::accounts::today_of;
use crate::pages::render;
use crate::{WebError, WebState, auth, blocking, encode_query};

/// A column header that sorts.
pub(crate) struct SortLink {
    pub key: &'static str,
    pub label: &'static str,
    pub href: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "caseload.html")]
struct CaseloadPage {
    nav: &'static str,
    /// The account owns a job search: the page keeps that search's menu.
    own_search: bool,
    is_coach: bool,
    today: String,
    sort: &'static str,
    sorts: Vec<SortLink>,
    rows: Vec<CaseloadRow>,
    notice: Option<String>,
    /// A refused note: (workspace, what was typed, why).
    refused: Option<(i64, String, String)>,
    note_max: usize,
}

impl CaseloadPage {
    /// The text a row's note field shows: what was refused, else the note kept.
    fn note_text(&self, r: &CaseloadRow) -> String {
        match &self.refused {
            Some((ws, typed, _)) if *ws == r.workspace => typed.clone(),
            _ => r.note.clone().unwrap_or_default(),
        }
    }

    /// "today", "yesterday", "12 days ago", "nothing logged".
    fn silence(&self, r: &CaseloadRow) -> String {
        match r.days_silent {
            None => "nothing logged".into(),
            Some(0) => "today".into(),
            Some(1) => "yesterday".into(),
            Some(d) => format!("{d} days ago"),
        }
    }

    fn note_error(&self, r: &CaseloadRow) -> Option<String> {
        match &self.refused {
            Some((ws, _, why)) if *ws == r.workspace => Some(why.clone()),
            _ => None,
        }
    }
}

/// The headers, in the table's order.
const COLUMNS: [(CaseloadSort, &str); 6] = [
    (CaseloadSort::Name, "Client"),
    (CaseloadSort::Overdue, "Overdue"),
    (CaseloadSort::Silent, "Last touch"),
    (CaseloadSort::Pipeline, "Open jobs"),
    (CaseloadSort::Interviews, "Interviews this week"),
    (CaseloadSort::Missed, "Promises missed"),
];

#[derive(Deserialize, Default)]
pub struct CaseloadQuery {
    #[serde(default)]
    sort: Option<String>,
    /// The workspace whose note was just saved (the notice is written from the records).
    #[serde(default)]
    saved: Option<i64>,
}

/// A sort word that is not one: a 400 naming `sort`, on a page as in the API.
pub(crate) fn bad_sort(e: AppError) -> WebError {
    let mut w = WebError::from(e);
    if w.field.is_some() {
        w.status = StatusCode::BAD_REQUEST;
    }
    w
}

/// The signed-in account, or why the page is not there (a one-person book has no accounts).
fn account() -> Result<Account, WebError> {
    if auth::current().is_none() {
        return Err(WebError::new(
            StatusCode::NOT_FOUND,
            "this book has no accounts: it is one person's, and there is no caseload (a team server has coaches; docs/TEAM.md)",
        ));
    }
    auth::signed_in()
}

fn page(
    s: &WebState,
    account: &Account,
    sort: CaseloadSort,
    saved: Option<i64>,
    refused: Option<(i64, String, String)>,
) -> Result<String, WebError> {
    let (today, rows) = blocking(|| -> Result<_, AppError> {
        let today = today_of(s, account)?;
        Ok((today, s.app.caseload(account, today, sort)?))
    })?;
    let notice = saved
        .and_then(|ws| rows.iter().find(|r| r.workspace == ws))
        .map(|r| match r.note {
            Some(_) => format!("Your note on {} is saved.", r.label),
            None => format!("Your note on {} is cleared.", r.label),
        });
    let page = CaseloadPage {
        nav: "caseload",
        own_search: account.workspace.is_some(),
        is_coach: account.role == Role::Coach,
        today: today.strftime("%A %-d %B %Y").to_string(),
        sort: sort.as_str(),
        sorts: COLUMNS
            .iter()
            .map(|(key, label)| SortLink {
                key: key.as_str(),
                label,
                href: format!("/caseload?sort={}", key.as_str()),
                current: *key == sort,
            })
            .collect(),
        rows,
        notice,
        refused,
        note_max: NOTE_MAX,
    };
    Ok(render(&page)?.0)
}

/// `/caseload`.
pub async fn caseload(
    State(s): State<WebState>,
    Query(q): Query<CaseloadQuery>,
) -> Result<Response, WebError> {
    let account = account()?;
    // A form's empty choice is the default; the API is stricter.
    let typed = q.sort.as_deref().filter(|t| !t.is_empty());
    let sort = CaseloadSort::parse(typed).map_err(bad_sort)?;
    Ok(axum::response::Html(page(&s, &account, sort, q.saved, None)?).into_response())
}

#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    note: String,
    /// The order the page was in, to return to.
    #[serde(default)]
    sort: String,
}

/// `/caseload/{workspace}/note`: keeps the note, and returns to the caseload saying so; a
/// refused note comes back in its field with why.
pub async fn save_note(
    State(s): State<WebState>,
    Path(ws): Path<i64>,
    Form(f): Form<NoteForm>,
) -> Result<Response, WebError> {
    let account = account()?;
    let sort = CaseloadSort::parse(Some(&f.sort)).unwrap_or_default();
    let done = blocking(|| {
        let today = today_of(&s, &account)?;
        s.app.set_coach_note(
            &account,
            OwnerId(ws),
            &f.note,
            today,
            followup_app::clock::now(),
        )
    });
    match done {
        Ok(_) => Ok(Redirect::to(&format!(
            "/caseload?sort={}&saved={ws}#client-{ws}",
            encode_query(sort.as_str())
        ))
        .into_response()),
        Err(AppError::Invalid { problem, .. }) => {
            let html = page(
                &s,
                &account,
                sort,
                None,
                Some((ws, f.note.clone(), problem)),
            )?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, axum::response::Html(html)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
