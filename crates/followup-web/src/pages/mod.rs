//! The pages and their form actions, one module per page. Every form works without
//! JavaScript (POST, then a redirect or a page); with htmx, done and snooze swap the one item
//! in place.

mod contact;
mod contacts;
mod draft;
mod import;
mod item;
mod items;
mod job;
mod log;
mod pipeline;
mod rules;
mod timeline;
mod today;

pub use contact::{contact, edit_contact};
pub use contacts::contacts;
pub use draft::{draft, send_draft};
pub(crate) use import::import_bytes;
pub use import::{import_confirm, import_form, import_preview};
pub use item::ItemView;
pub use items::{done, snooze};
pub use job::job;
pub use log::{log_form, log_touch};
pub use pipeline::{move_job, pipeline};
pub use rules::rules;
pub use today::today;

use askama::Template;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Html;
use jiff::civil::Date;

use crate::WebError;

pub(crate) fn render(t: &impl Template) -> Result<Html<String>, WebError> {
    t.render()
        .map(crate::auth::prefix_links)
        .map(caseload_link)
        .map(Html)
        .map_err(|e| WebError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("template: {e}")))
}

/// Someone working in a client's workspace under a grant gets a way back to their caseload
/// at the head of the menu, and a line on every page saying whose search it is: the pages
/// say "you" to the person whose search they show.
fn caseload_link(html: String) -> String {
    let Some(scope) = crate::auth::current() else {
        return html;
    };
    let granted = scope.prefix.is_some()
        && scope.actor != followup_app::Actor::Owner
        && scope.account.is_some();
    if !granted {
        return html;
    }
    const NAV: &str = "<nav aria-label=\"Main\">";
    let html = html.replacen(NAV, &format!("{NAV}<a href=\"/caseload\">Caseload</a>"), 1);
    match scope.working_for {
        Some(line) => {
            const MAIN: &str = "<main id=\"main\">";
            let banner = format!(
                "{MAIN}\n<p class=\"working-for\" role=\"note\">{}</p>",
                escape_html(&line)
            );
            html.replacen(MAIN, &banner, 1)
        }
        None => html,
    }
}

/// Text for HTML made outside a template.
fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub(crate) fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

pub(crate) fn day(d: Date, today: Date) -> String {
    followup_core::plan::day_label(d, today)
}

#[derive(Template)]
#[template(path = "error.html")]
pub(crate) struct ErrorPage {
    pub nav: &'static str,
    pub status: String,
    pub message: String,
}

pub(crate) fn some(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}
