//! The calendar feed, behind its secret address.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::{WebError, WebState};

pub async fn calendar_feed(
    State(s): State<WebState>,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let token = file.strip_suffix(".ics").unwrap_or("");
    let ics = if s.with(|app, cx| app.calendar_token_matches(cx, token))? {
        // A year of items with a draft each: built once per data version, like Today.
        Some(s.cached(crate::View::CalendarFeed, |app, cx| {
            Ok(app.calendar(cx, &followup_app::ics::IcsOptions::default())?)
        })?)
    } else {
        None
    };
    match ics {
        Some(text) => Ok((
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            text,
        )
            .into_response()),
        None => Err(WebError::not_found("calendar")),
    }
}
