//! An agenda item's actions: Done (asking first when F15 warns, C12) and Snooze. With htmx
//! the item is swapped in place; without, the form redirects to Today with a notice.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use followup_app::input::day as parse_day;
use followup_app::{App, AppError, Ctx, Field};
use serde::Deserialize;

use super::today::{RefusedSnooze, today_page};
use super::{ItemView, is_htmx, render};
use crate::notice::{self, Notice};
use crate::{WebError, WebState};

#[derive(Template)]
#[template(path = "item_fragment.html")]
struct ItemFragment {
    id: i64,
    /// The item as it is now, with the notice inside it; `None` when it left the agenda.
    item: Option<ItemView>,
    notice: Option<String>,
    /// The Undo of what was just done: (token, page to return to).
    undo: Option<(String, String)>,
}

/// htmx's answer to an action on an item: the item with what happened in it, or, when the
/// item left the two weeks, the sentence in its place.
fn fragment(
    id: i64,
    item: Option<ItemView>,
    msg: String,
    undo: &followup_app::Undo,
) -> Result<Response, WebError> {
    let undo = Some((undo.to_string(), "/".to_string()));
    let item = item.map(|mut v| {
        v.feedback = Some(msg.clone());
        v.undo = undo.clone();
        v
    });
    Ok(render(&ItemFragment {
        id,
        item,
        notice: Some(msg),
        undo,
    })?
    .into_response())
}

/// An item of today's agenda, as a page shows it.
fn agenda_item(app: &App, cx: &Ctx, id: i64) -> Result<Option<ItemView>, AppError> {
    Ok(app
        .agenda_item(cx, id, None)?
        .map(|a| ItemView::new(&a, cx.today)))
}

/// A refusal htmx can show in the item: the item as it is, `with` the message, at the
/// refusal's status (htmx swaps 422s, see base.html). Anything else stays an error page.
fn refused_in_item(
    s: &WebState,
    id: i64,
    e: WebError,
    with: impl FnOnce(&mut ItemView, &WebError),
) -> Result<Response, WebError> {
    if e.status != StatusCode::UNPROCESSABLE_ENTITY {
        return Err(e);
    }
    let Some(mut v) = s.with(|app, cx| agenda_item(app, cx, id))? else {
        return Err(e);
    };
    with(&mut v, &e);
    let status = e.status;
    Ok((
        status,
        render(&ItemFragment {
            id,
            item: Some(v),
            notice: None,
            undo: None,
        })?,
    )
        .into_response())
}

fn back_to_today(n: &Notice, undo: &followup_app::Undo) -> Response {
    Redirect::to(&format!("/?{}", notice::with_undo(n, undo))).into_response()
}

#[derive(Template)]
#[template(path = "done_confirm_fragment.html")]
struct DoneConfirmFragment {
    id: i64,
    item: Option<ItemView>,
    warnings: Vec<String>,
}

#[derive(Template)]
#[template(path = "done_confirm.html")]
struct DoneConfirmPage {
    nav: &'static str,
    id: i64,
    item: Option<ItemView>,
    warnings: Vec<String>,
}

/// True when a form body says `confirm=yes` (the "Record anyway" button).
fn confirmed(body: &[u8]) -> bool {
    body.split(|b| *b == b'&')
        .any(|pair| pair == b"confirm=yes")
}

/// C12: Done asks before it records a touch that comes too soon after the last message
/// (F15); "Record anyway" posts again with `confirm=yes`.
pub async fn done(
    State(s): State<WebState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, WebError> {
    if !confirmed(&body) {
        let ask = s.with(|app, cx| {
            let warnings = app.gap_check(cx, id)?;
            if warnings.is_empty() {
                return Ok(None);
            }
            let today = cx.today;
            let item = notice::find_item(app, cx, id).map(|a| ItemView::new(&a, today));
            Ok(Some((warnings, item)))
        })?;
        if let Some((warnings, item)) = ask {
            let warnings: Vec<String> = warnings.into_iter().map(|w| w.message).collect();
            if is_htmx(&headers) {
                return Ok(render(&DoneConfirmFragment { id, item, warnings })?.into_response());
            }
            return Ok(render(&DoneConfirmPage {
                nav: "today",
                id,
                item,
                warnings,
            })?
            .into_response());
        }
    }
    let done = s.with(|app, cx| {
        let today = cx.today;
        let done = app.done(cx, id, None, None)?;
        let undo = followup_app::Undo::of_done(&done);
        let (msg, key) = match done {
            followup_app::Done::Logged(l) => {
                let next = l.next.first();
                (
                    notice::done(Some(l.touch.kind), next, today),
                    Notice::Done {
                        kind: Some(l.touch.kind),
                        next: next.map(|a| a.id),
                    },
                )
            }
            followup_app::Done::Closed { job: j, .. } => {
                (notice::closed(&j), Notice::Closed { job: j.id.0 })
            }
        };
        Ok((msg, key, agenda_item(app, cx, id)?, undo))
    });
    let htmx = is_htmx(&headers);
    let (msg, key, item, undo) = match done {
        Ok(d) => d,
        // A refusal (an offer to decide on, C6) shows in the item with htmx.
        Err(e) if htmx => {
            return refused_in_item(&s, id, e, |v, e| v.problem = Some(e.message.clone()));
        }
        Err(e) => return Err(e),
    };
    if htmx {
        return fragment(id, item, msg, &undo);
    }
    Ok(back_to_today(&key, &undo))
}

#[derive(Deserialize)]
pub struct SnoozeForm {
    until: String,
}

pub async fn snooze(
    State(s): State<WebState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(f): Form<SnoozeForm>,
) -> Result<Response, WebError> {
    let snoozed = s.with(|app, cx| {
        let a = app.snooze(cx, id, parse_day(cx, Field::Until, &f.until)?)?;
        let undo = followup_app::Undo::WithdrawSnooze(app.item_key(cx, id)?);
        Ok((
            notice::snoozed(&a, cx.today),
            agenda_item(app, cx, id)?,
            undo,
        ))
    });
    let (msg, item, undo) = match snoozed {
        Ok(done) => done,
        Err(e) => return refused_snooze(&s, id, &f.until, e, is_htmx(&headers)),
    };
    if is_htmx(&headers) {
        return fragment(id, item, msg, &undo);
    }
    Ok(back_to_today(&Notice::Snoozed { item: id }, &undo))
}

/// A snooze refused (a date that is not one, or not after today): the message beside the
/// field with what was typed still in it, in the item (htmx) or on Today (a plain form).
/// Nothing was recorded.
fn refused_snooze(
    s: &WebState,
    id: i64,
    typed: &str,
    e: WebError,
    htmx: bool,
) -> Result<Response, WebError> {
    // Beside the field its label would only repeat itself.
    let problem = |e: &WebError| match &e.field {
        Some((_, problem)) => problem.clone(),
        None => e.message.clone(),
    };
    if htmx {
        return refused_in_item(s, id, e, |v, e| {
            v.snooze = typed.to_string();
            v.snooze_error = Some(problem(e));
        });
    }
    if e.status != StatusCode::UNPROCESSABLE_ENTITY {
        return Err(e);
    }
    let refused = RefusedSnooze {
        item: id,
        typed: typed.to_string(),
        problem: problem(&e),
    };
    let on_today = s.with(|app, cx| agenda_item(app, cx, id))?.is_some();
    if !on_today {
        // Snoozed from a contact's page, an item beyond the two weeks: the error page says it.
        return Err(e);
    }
    let html = s.with_web(|app, cx| today_page(app, cx, None, 1, Some(&refused), None))?;
    Ok((e.status, axum::response::Html(html)).into_response())
}
