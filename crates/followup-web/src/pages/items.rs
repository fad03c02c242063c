//! An agenda item's actions: Done (asking first when F15 warns, C12) and Snooze. With htmx
//! the item is swapped in place; without, the form redirects to Today with a notice.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use followup_app::Field;
use followup_app::input::day as parse_day;
use serde::Deserialize;

use super::{ItemView, is_htmx, render};
use crate::notice::{self, Notice};
use crate::{WebError, WebState};

#[derive(Template)]
#[template(path = "item_fragment.html")]
struct ItemFragment {
    item: Option<ItemView>,
    notice: Option<String>,
}

fn back_to_today(n: &Notice) -> Response {
    Redirect::to(&format!("/?{}", n.query())).into_response()
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
    let (msg, key, item) = s.with(|app, cx| {
        let today = cx.today;
        let (msg, key) = match app.done(cx, id, None, None)? {
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
            followup_app::Done::Closed(j) => (notice::closed(&j), Notice::Closed { job: j.id.0 }),
        };
        let item = app
            .agenda(cx, None)?
            .into_iter()
            .find(|a| a.id == id)
            .map(|a| ItemView::new(&a, today));
        Ok((msg, key, item))
    })?;
    if is_htmx(&headers) {
        return Ok(render(&ItemFragment {
            item,
            notice: Some(msg),
        })?
        .into_response());
    }
    Ok(back_to_today(&key))
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
    let (a, today) = s.with(|app, cx| {
        Ok((
            app.snooze(cx, id, parse_day(cx, Field::Until, &f.until)?)?,
            cx.today,
        ))
    })?;
    if is_htmx(&headers) {
        return Ok(render(&ItemFragment {
            item: None,
            notice: Some(notice::snoozed(&a, today)),
        })?
        .into_response());
    }
    Ok(back_to_today(&Notice::Snoozed { item: a.id }))
}
