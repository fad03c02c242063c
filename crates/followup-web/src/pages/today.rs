//! Today: overdue, today and the next two weeks, a hundred items a page.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::{ItemView, day, render};
use crate::notice::{Notice, NoticeQuery};
use crate::{WebError, WebState};

#[derive(Template)]
#[template(path = "today.html")]
struct TodayPage {
    nav: &'static str,
    today: String,
    items: Vec<ItemView>,
    notice: Option<String>,
    /// 1-based page, and how many items there are in all.
    page: usize,
    total: usize,
    more: bool,
}

/// Items on one page of Today: a coach's two weeks can hold thousands.
const PER_PAGE: usize = 100;

fn today_page(
    app: &followup_app::App,
    cx: &followup_app::Ctx,
    notice: Option<&Notice>,
    page: usize,
) -> Result<String, WebError> {
    let notice = notice.map(|n| n.sentence(app, cx));
    let today = cx.today;
    let items = app.agenda(cx, None)?;
    let total = items.len();
    let start = (page - 1) * PER_PAGE;
    Ok(render(&TodayPage {
        nav: "today",
        today: day(today, today),
        items: items
            .iter()
            .skip(start)
            .take(PER_PAGE)
            .map(|a| ItemView::new(a, today))
            .collect(),
        notice,
        page,
        total,
        more: start + PER_PAGE < total,
    })?
    .0)
}

pub async fn today(
    State(s): State<WebState>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let page = q.page.unwrap_or(1).max(1);
    let html = match Notice::from_query(&q) {
        Some(notice) => s
            .with_web(|app, cx| today_page(app, cx, Some(&notice), page))?
            .into(),
        None if page > 1 => s
            .with_web(|app, cx| today_page(app, cx, None, page))?
            .into(),
        None => s.cached(crate::View::TodayPage, |app, cx| {
            today_page(app, cx, None, 1)
        })?,
    };
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
}
