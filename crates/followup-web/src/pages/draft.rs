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
    id: i64,
    /// A Send button: mail is set up and the draft has an address.
    can_send: bool,
    /// Why the last Send did not send (F15 asks to confirm).
    refused: Option<String>,
    /// The last Send was refused as too soon: the button confirms.
    confirm: bool,
}

pub async fn draft(
    State(s): State<WebState>,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    draft_page(&s, id, None)
}

#[derive(serde::Deserialize)]
pub struct SendForm {
    #[serde(default)]
    confirm: String,
}

/// Sends the draft by mail, logs the touch, and goes back to Today saying so; too soon after
/// the last message (F15), the draft comes back with the reason and a button that confirms.
pub async fn send_draft(
    State(s): State<WebState>,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<SendForm>,
) -> Result<axum::response::Response, WebError> {
    use axum::response::IntoResponse;
    let Some(mailer) = s.mailer.clone() else {
        return Err(WebError::new(
            axum::http::StatusCode::CONFLICT,
            "mail is not set up: add [mail] with smtp to the config (docs/MAIL.md)",
        ));
    };
    let confirmed = f.confirm == "yes";
    match s.with(|app, cx| app.send_draft(cx, id, confirmed, &mut |out| mailer.send(out))) {
        // Today says what was logged, as Done does: sending it is doing it.
        Ok(sent) => {
            let notice = match &sent.done {
                followup_app::agenda::Done::Logged(l) => crate::notice::Notice::Done {
                    kind: Some(l.touch.kind),
                    next: l.next.first().map(|a| a.id),
                },
                followup_app::agenda::Done::Closed { job, .. } => {
                    crate::notice::Notice::Closed { job: job.id.0 }
                }
            };
            Ok(axum::response::Redirect::to(&format!("/?{}", notice.query())).into_response())
        }
        Err(e) if e.status.is_client_error() => {
            Ok(draft_page(&s, id, Some(e.message))?.into_response())
        }
        Err(e) => Err(e),
    }
}

fn draft_page(s: &WebState, id: i64, refused: Option<String>) -> Result<Html<String>, WebError> {
    let d = s.with(|app, cx| app.draft_checked(cx, id, false))?;
    let confirm = refused.as_deref().is_some_and(|r| r.contains("F15"));
    render(&DraftPage {
        id,
        // A draft still signed [YOUR NAME] is not sendable: the page says to set the name.
        can_send: s.mailer.is_some()
            && d.channel == "email"
            && d.to.contains('@')
            && !d.warnings.iter().any(|w| w.rule == "me"),
        refused,
        confirm,
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
