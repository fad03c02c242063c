//! The one error shape the web answers with: a status and a one-line message, as a page or,
//! under `/api/`, as `{"status": N, "message": "..."}`. axum's own rejections are reworded
//! here so that a script sees what was wrong and where, never axum's internals.

use axum::extract::rejection::{BytesRejection, FormRejection, JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use followup_app::{AppError, Field};

use crate::BODY_LIMIT;

/// An error as the web shows it: a status and a message, as a page or as JSON.
#[derive(Debug, Clone)]
pub struct WebError {
    pub status: StatusCode,
    pub message: String,
    pub json: bool,
    /// The field a refused value came from, and what was wrong: a form shows the message by
    /// the field with its label; the API names it by its JSON key.
    pub field: Option<(Field, String)>,
}

impl WebError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> WebError {
        WebError {
            status,
            message: message.into(),
            json: false,
            field: None,
        }
    }

    pub(crate) fn not_found(what: &str) -> WebError {
        WebError::new(StatusCode::NOT_FOUND, format!("no such {what}"))
    }

    pub(crate) fn bad(message: impl Into<String>) -> WebError {
        WebError::new(StatusCode::BAD_REQUEST, message)
    }

    /// A body over the limit, in the app's words rather than the transport's.
    pub(crate) fn too_large(what: &str) -> WebError {
        WebError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "{what} is larger than {} MiB, the most this server takes in one request",
                BODY_LIMIT / (1024 * 1024)
            ),
        )
    }

    /// The same error, answered as JSON (the API).
    pub(crate) fn into_json(mut self) -> WebError {
        self.json = true;
        if let Some((field, problem)) = &self.field {
            self.message = format!("{}: {problem}", field.key());
        }
        self
    }
}

/// What a person is told when the database cannot be reached. Its address and the driver's
/// words go to the server's log only: they would tell anyone who asks, signed in or not
/// (the gate asks the database first), where the database is and who connects to it.
pub(crate) const UNREACHABLE: &str =
    "the database is not answering right now; try again in a minute (the server's log says why)";

/// What a person is told when a change waited past the store's wait: another process (a long
/// CLI import) or another request held the job search's write lock. The store's own words
/// name the database, which a web client is not told.
pub(crate) const BUSY: &str =
    "another followup is writing to this job search; try again when it is done";

/// What a person is told when the store failed in a way that is not theirs to mend: a row it
/// cannot read, the database's own refusal, the driver's failure. The store's words name
/// tables, rows, constraints and where the database is, which a web client is not told; they
/// go to the server's log under the reference the person is given, so that whoever runs the
/// server can find them.
fn internal(e: &AppError) -> WebError {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let reference = format!("{}-{n}", std::process::id());
    eprintln!("followup: error {reference}: {e}");
    WebError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!(
            "the server could not do this because of a fault of its own; whoever runs it \
             finds the details in its log under reference {reference}"
        ),
    )
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> WebError {
        if e.is_unreachable() {
            eprintln!("followup: {e}");
            return WebError::new(StatusCode::SERVICE_UNAVAILABLE, UNREACHABLE);
        }
        if e.is_busy() {
            return WebError::new(StatusCode::SERVICE_UNAVAILABLE, BUSY);
        }
        if e.is_internal() {
            return internal(&e);
        }
        let status = match &e {
            AppError::NotFound { .. } => StatusCode::NOT_FOUND,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            e if e.is_bad_input() => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let mut w = WebError::new(status, e.render(|f| f.label().to_string()));
        if let AppError::Invalid { field, problem } = &e {
            w.field = Some((*field, problem.clone()));
        }
        w
    }
}

/// axum's text after its generic preamble ("Failed to ...: "), which names the field.
fn detail(text: &str) -> &str {
    text.split_once(": ").map_or(text, |(_, d)| d)
}

impl From<JsonRejection> for WebError {
    fn from(e: JsonRejection) -> WebError {
        let status = e.status();
        match &e {
            JsonRejection::JsonDataError(_) => {
                WebError::new(status, format!("request body: {}", detail(&e.body_text())))
            }
            JsonRejection::JsonSyntaxError(_) => WebError::new(
                status,
                format!("request body is not valid JSON: {}", detail(&e.body_text())),
            ),
            JsonRejection::MissingJsonContentType(_) => WebError::new(
                status,
                "request body: expected the header Content-Type: application/json",
            ),
            JsonRejection::BytesRejection(b) => from_bytes(b, "the request body"),
            _ => WebError::new(status, format!("request body: {}", e.body_text())),
        }
    }
}

impl From<FormRejection> for WebError {
    fn from(e: FormRejection) -> WebError {
        match &e {
            FormRejection::BytesRejection(b) => from_bytes(b, "the form"),
            _ => WebError::new(e.status(), format!("form: {}", detail(&e.body_text()))),
        }
    }
}

impl From<QueryRejection> for WebError {
    fn from(e: QueryRejection) -> WebError {
        WebError::new(e.status(), format!("query: {}", detail(&e.body_text())))
    }
}

impl From<BytesRejection> for WebError {
    fn from(e: BytesRejection) -> WebError {
        from_bytes(&e, "the request body")
    }
}

fn from_bytes(e: &BytesRejection, what: &str) -> WebError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        WebError::too_large(what)
    } else {
        WebError::new(e.status(), format!("{what}: {}", e.body_text()))
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if self.json {
            let body = serde_json::json!({
                "status": self.status.as_u16(),
                "message": self.message,
            });
            return (self.status, axum::Json(body)).into_response();
        }
        let page = crate::pages::ErrorPage {
            nav: "",
            status: format!(
                "{} {}",
                self.status.as_u16(),
                self.status.canonical_reason().unwrap_or("")
            ),
            message: self.message,
        };
        match askama::Template::render(&page) {
            Ok(html) => (self.status, Html(html)).into_response(),
            Err(_) => (self.status, "error").into_response(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use followup_store::StoreError;

    /// A database that cannot be reached, or busy past the wait, is a 503 that names
    /// neither its address nor the driver's words.
    #[test]
    fn an_unreachable_database_is_503_without_its_address() {
        let e = WebError::from(AppError::Store(StoreError::Open {
            path: "postgres://followup@10.0.0.7:5432/team".into(),
            detail: "error connecting to server: Connection refused (os error 111)".into(),
        }));
        assert_eq!(e.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(e.message, UNREACHABLE);
        let busy = WebError::from(AppError::Store(StoreError::Busy {
            path: "postgres://followup@10.0.0.7:5432/team".into(),
        }));
        assert_eq!(busy.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(busy.message, BUSY);
    }

    /// A row the store cannot read, or the driver's own failure, is a 500 that names no
    /// table, row, constraint or SQL: only a reference to the server's log.
    #[test]
    fn a_store_failure_is_500_with_a_reference_not_the_store_words() {
        let failures = [
            StoreError::Corrupt {
                table: "contacts",
                id: "7".into(),
                detail: "expected value at line 1 column 1".into(),
            },
            StoreError::Conflict {
                what: "plan key",
                detail: "duplicate key value violates unique constraint \"plan_id\"".into(),
            },
            StoreError::Backend("db error: ERROR: relation \"owners\" does not exist".into()),
        ];
        let mut references = Vec::new();
        for f in failures {
            let words = f.to_string();
            let e = WebError::from(AppError::Store(f));
            assert_eq!(e.status, StatusCode::INTERNAL_SERVER_ERROR, "{words}");
            for secret in [
                "contacts",
                "column",
                "constraint",
                "plan_id",
                "relation",
                "owners",
            ] {
                assert!(!e.message.contains(secret), "{secret} told: {}", e.message);
            }
            let reference = e
                .message
                .rsplit("reference ")
                .next()
                .expect("a reference")
                .to_string();
            assert!(!reference.is_empty() && !references.contains(&reference));
            references.push(reference);
        }
        // What a person can mend still says what it is.
        let missing = WebError::from(AppError::Store(StoreError::Missing {
            what: "contact",
            id: "9".into(),
        }));
        assert_eq!(missing.message, "contact 9 does not exist");
    }
}
