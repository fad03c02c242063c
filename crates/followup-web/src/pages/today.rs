//! Today: overdue, today, this week and later in the next two weeks, each group with its
//! count, a hundred items a page; an empty book shows three first steps instead.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use followup_core::agenda::{AgendaItem, PIPELINE_ID};
use jiff::ToSpan;
use jiff::civil::Date;

use super::{ItemView, day, render};
use crate::notice::{Notice, NoticeQuery};
use crate::{WebError, WebState};

/// One group of Today: its heading, how many items it holds in all (on every page), and the
/// ones on this page.
pub struct Group {
    pub key: &'static str,
    pub title: &'static str,
    pub count: usize,
    pub items: Vec<ItemView>,
}

#[derive(Template)]
#[template(path = "today.html")]
struct TodayPage {
    nav: &'static str,
    today: String,
    groups: Vec<Group>,
    notice: Option<String>,
    /// The Undo of the change the notice reports: (token, page to return to).
    undo: Option<(String, String)>,
    /// Nothing recorded yet: the page offers first steps instead of an agenda.
    first_steps: bool,
    /// 1-based page, and how many items there are in all.
    page: usize,
    total: usize,
    more: bool,
}

/// Items on one page of Today: a coach's two weeks can hold thousands.
const PER_PAGE: usize = 100;

/// The groups, in the order the page shows them.
const GROUPS: [(&str, &str); 4] = [
    ("overdue", "Overdue"),
    ("today", "Today"),
    ("week", "This week"),
    ("later", "Later"),
];

/// Which group an item belongs to: overdue, due today, within the next six days, or later in
/// the two weeks.
fn group_of(a: &AgendaItem, today: Date) -> usize {
    let week_end = today.saturating_add(6.days());
    if a.overdue_days > 0 || a.due < today {
        0
    } else if a.due == today {
        1
    } else if a.due <= week_end {
        2
    } else {
        3
    }
}

/// A snooze date that was refused: the item it was for, the field as typed, and why. Shown
/// in the item, beside the field, on the page the item is on.
pub(super) struct RefusedSnooze {
    pub item: i64,
    pub typed: String,
    pub problem: String,
}

pub(super) fn today_page(
    app: &followup_app::App,
    cx: &followup_app::Ctx,
    notice: Option<&Notice>,
    page: usize,
    refused: Option<&RefusedSnooze>,
    undo: Option<(String, String)>,
) -> Result<String, WebError> {
    let notice = notice.map(|n| n.sentence(app, cx));
    let today = cx.today;
    let items = app.agenda(cx, None)?;
    // An empty book has only the pipeline item (F18): the first steps say more than it.
    let first_steps =
        items.iter().all(|a| a.id == PIPELINE_ID) && app.is_new_book(cx).unwrap_or(false);
    let total = items.len();
    // A refused snooze shows on the page its item is on.
    let page = match refused.and_then(|r| items.iter().position(|a| a.id == r.item)) {
        Some(at) => at / PER_PAGE + 1,
        None => page,
    };
    let start = (page - 1) * PER_PAGE;
    let mut groups: Vec<Group> = GROUPS
        .iter()
        .map(|(key, title)| Group {
            key,
            title,
            count: 0,
            items: Vec::new(),
        })
        .collect();
    for (i, a) in items.iter().enumerate() {
        let g = &mut groups[group_of(a, today)];
        g.count += 1;
        if (start..start + PER_PAGE).contains(&i) && !first_steps {
            let mut v = ItemView::new(a, today);
            if let Some(r) = refused.filter(|r| r.item == a.id) {
                v.snooze = r.typed.clone();
                v.snooze_error = Some(r.problem.clone());
            }
            g.items.push(v);
        }
    }
    Ok(render(&TodayPage {
        nav: "today",
        today: day(today, today),
        groups,
        notice,
        undo,
        first_steps,
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
            .with_web(|app, cx| today_page(app, cx, Some(&notice), page, None, q.undo("/")))?
            .into(),
        None if page > 1 => s
            .with_web(|app, cx| today_page(app, cx, None, page, None, None))?
            .into(),
        None => s.cached(crate::View::TodayPage, |app, cx| {
            today_page(app, cx, None, 1, None, None)
        })?,
    };
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
}
