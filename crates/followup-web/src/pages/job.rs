//! A job: stage, contacts, timeline, promises, next item.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use followup_core::model::Touch;

use super::pipeline::{in_stage_days, since_words};
use super::timeline::{PromiseLine, TouchRow, promise_lines, touch_rows};
use super::{ItemView, render};
use crate::notice::{Notice, NoticeQuery};
use crate::{WebError, WebState};

#[derive(Template)]
#[template(path = "job.html")]
struct JobPage {
    nav: &'static str,
    id: i64,
    /// This page's path, where the timeline's Correct form returns.
    here: String,
    notice: Option<String>,
    undo: Option<(String, String)>,
    name: String,
    stage: String,
    /// When it came into its stage, as far as its touches tell (followup_app::lists).
    since: Option<String>,
    fields: Vec<(String, String)>,
    contacts: Vec<(i64, String)>,
    timeline: Vec<TouchRow>,
    promises: Vec<PromiseLine>,
    next: Vec<ItemView>,
}

pub async fn job(
    State(s): State<WebState>,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> Result<Html<String>, WebError> {
    let (v, today, notice) = s.with(|app, cx| {
        let notice = Notice::from_query(&q).map(|n| n.sentence(app, cx));
        Ok((app.job_view(cx, &id.to_string())?, cx.today, notice))
    })?;
    let here = format!("/jobs/{id}");
    let j = &v.job;
    let mut fields = vec![
        ("Stage".to_string(), j.stage.to_string()),
        ("Posting".to_string(), j.url.clone().unwrap_or_default()),
        (
            "Applied".to_string(),
            j.applied.map(|d| d.to_string()).unwrap_or_default(),
        ),
        (
            "Response time".to_string(),
            j.response_time.map(|w| w.to_string()).unwrap_or_default(),
        ),
    ];
    fields.retain(|(_, v)| !v.is_empty());
    let contacts = &v.contacts;
    let about = |t: &Touch| {
        t.contacts
            .iter()
            .filter_map(|id| contacts.iter().find(|c| c.id == *id))
            .map(|c| c.name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    render(&JobPage {
        nav: "pipeline",
        id,
        undo: q.undo(&here),
        here,
        notice,
        name: format!("{}: {}", j.organization.name, j.title),
        stage: j.stage.to_string(),
        since: followup_app::lists::stage_since(j, &v.timeline)
            .map(|s| format!("{}, {}", in_stage_days(s, today), since_words(s, today))),
        fields,
        contacts: v
            .contacts
            .iter()
            .map(|c| (c.id.0, c.name.clone()))
            .collect(),
        timeline: touch_rows(&v.timeline, &v.actors, about, today),
        promises: promise_lines(&v.promises, today),
        next: v.next.iter().map(|a| ItemView::new(a, today)).collect(),
    })
}
