//! A draft of an item's message, with its warnings.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use followup_app::drafts::mailto;

use super::render;
use crate::{WebError, WebState};

#[derive(Template)]
#[template(path = "draft.html")]
struct DraftPage {
    nav: &'static str,
    action: String,
    to: String,
    channel: String,
    subject: String,
    body: String,
    warnings: Vec<String>,
    mailto: String,
    /// The draft says the placeholder: Settings sets the name.
    no_name: bool,
}

pub async fn draft(
    State(s): State<WebState>,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let d = s.with(|app, cx| app.draft_checked(cx, id, false))?;
    render(&DraftPage {
        no_name: d.warnings.iter().any(|w| w.rule == "me"),
        nav: "today",
        action: d.template.clone(),
        mailto: if d.to.contains('@') {
            mailto(&d.to, &d.subject, &d.body)
        } else {
            String::new()
        },
        to: if d.to.is_empty() {
            "(no address recorded)".into()
        } else {
            d.to.clone()
        },
        channel: d.channel.clone(),
        subject: d.subject.clone(),
        body: d.body.clone(),
        warnings: d.warnings.iter().map(|w| w.message.clone()).collect(),
    })
}
