//! Import: upload LinkedIn's CSV or a vCard file, see the dry run, confirm.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Html;
use followup_app::import::{ImportOptions, ImportReport};
use followup_core::model::Tier;
use serde::Deserialize;

use super::render;
use crate::uploads::Upload;
use crate::{WebError, WebState};

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    nav: &'static str,
    report: Option<ImportReport>,
    /// The previewed upload's token, for the confirmation.
    token: String,
}

pub async fn import_form() -> Result<Html<String>, WebError> {
    render(&ImportPage {
        nav: "import",
        report: None,
        token: String::new(),
    })
}

pub(crate) fn import_bytes(
    s: &WebState,
    kind: &str,
    name: &str,
    tier: &str,
    data: &[u8],
    dry_run: bool,
) -> Result<ImportReport, WebError> {
    run_import(s, kind, name, tier, data, dry_run)
}

fn run_import(
    s: &WebState,
    kind: &str,
    name: &str,
    tier: &str,
    data: &[u8],
    dry_run: bool,
) -> Result<ImportReport, WebError> {
    let vcard = match kind {
        "linkedin" => false,
        "vcard" => true,
        other => {
            return Err(WebError::bad(format!(
                "kind: expected linkedin or vcard, found {other:?}"
            )));
        }
    };
    let tier = match tier {
        "" => None,
        t => Some(
            t.parse::<Tier>()
                .map_err(|e| WebError::bad(format!("tier: {e}")))?,
        ),
    };
    // Parsing a large file is blocking work too: inside `with`, off the async workers.
    s.with(|app, cx| {
        let (people, skipped) = if vcard {
            followup_app::import::vcard::parse(name, data)?
        } else {
            followup_app::import::linkedin::parse(name, data)?
        };
        app.import_people(
            cx,
            name,
            people,
            skipped,
            &ImportOptions { tier, dry_run },
            &mut |_, _| {},
        )
    })
}

fn upload_error(e: axum::extract::multipart::MultipartError) -> WebError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        WebError::too_large("the upload")
    } else {
        WebError::bad(format!("upload: {}", e.body_text()))
    }
}

pub async fn import_preview(
    State(s): State<WebState>,
    mut form: Multipart,
) -> Result<Html<String>, WebError> {
    let mut upload = Upload {
        kind: String::new(),
        name: String::new(),
        tier: String::new(),
        data: Default::default(),
    };
    while let Some(field) = form.next_field().await.map_err(upload_error)? {
        match field.name().unwrap_or("") {
            "kind" => upload.kind = field.text().await.map_err(upload_error)?,
            "tier" => upload.tier = field.text().await.map_err(upload_error)?,
            "file" => {
                upload.name = field.file_name().unwrap_or("upload").to_string();
                upload.data = field.bytes().await.map_err(upload_error)?;
            }
            _ => {}
        }
    }
    let u = &upload;
    let report = run_import(&s, &u.kind, &u.name, &u.tier, &u.data, true)?;
    let token = s.uploads().keep(upload, std::time::Instant::now())?;
    render(&ImportPage {
        nav: "import",
        report: Some(report),
        token,
    })
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    token: String,
}

pub async fn import_confirm(
    State(s): State<WebState>,
    Form(f): Form<ConfirmForm>,
) -> Result<Html<String>, WebError> {
    let u = s.uploads().get(&f.token, std::time::Instant::now())?;
    let report = run_import(&s, &u.kind, &u.name, &u.tier, &u.data, false)?;
    s.uploads().forget(&f.token);
    render(&ImportPage {
        nav: "import",
        report: Some(report),
        token: String::new(),
    })
}
