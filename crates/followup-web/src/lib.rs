//! `followup-web`: the job search in a browser. `router(state)` serves the pages (askama
//! templates, readable without JavaScript, htmx for inline actions), the JSON API under
//! `/api/v1` with its `/openapi.json`, the calendar feed, and the embedded assets.
//!
//! It is not SQL and not rules: every handler calls `followup-app` and renders what it returns.
//! It is not the server process either (the binary's `serve` binds the socket).

mod api;
mod pages;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use followup_app::{App, AppError};
use jiff::civil::Date;
use tower_http::csrf::CsrfLayer;
use tower_http::set_header::SetResponseHeaderLayer;

/// What the handlers share: one person's app, and the day it is.
#[derive(Clone)]
pub struct WebState {
    app: Arc<Mutex<App>>,
    /// `--today` when pinned; else each request reads the clock.
    today: Option<Date>,
    /// The default agenda as the Today page and as JSON, kept until the data or the day
    /// changes: at a coach's scale rendering it costs milliseconds, serving it microseconds.
    cache: Arc<Mutex<Vec<Cached>>>,
}

/// One cached view: which, for what day, at what data version, and its body.
type Cached = (View, Date, u64, axum::body::Bytes);

/// A view the cache keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum View {
    TodayPage,
    AgendaJson,
}

impl WebState {
    pub fn new(app: App, today: Option<Date>) -> WebState {
        WebState {
            app: Arc::new(Mutex::new(app)),
            today,
            cache: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// A view of today's data: from the cache when neither the day nor the data changed.
    fn cached(
        &self,
        view: View,
        build: impl FnOnce(&mut App) -> Result<String, WebError>,
    ) -> Result<axum::body::Bytes, WebError> {
        let mut app = self.app.lock().unwrap_or_else(|p| p.into_inner());
        app.today = self.today.unwrap_or_else(followup_app::clock::system_today);
        let today = app.today;
        let version = app.data_version().map_err(WebError::from)?;
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, _, _, hit)) = cache
            .iter()
            .find(|(v, d, n, _)| *v == view && *d == today && *n == version)
        {
            return Ok(hit.clone());
        }
        let fresh = axum::body::Bytes::from(build(&mut app)?);
        cache.retain(|(v, _, _, _)| *v != view);
        cache.push((view, today, version, fresh.clone()));
        Ok(fresh)
    }

    /// Like `with`, for work that fails with a web error (rendering).
    fn with_web<T>(&self, f: impl FnOnce(&mut App) -> Result<T, WebError>) -> Result<T, WebError> {
        let mut app = self.app.lock().unwrap_or_else(|p| p.into_inner());
        app.today = self.today.unwrap_or_else(followup_app::clock::system_today);
        f(&mut app)
    }

    /// Runs a use case with today set for this request.
    fn with<T>(&self, f: impl FnOnce(&mut App) -> Result<T, AppError>) -> Result<T, WebError> {
        self.with_web(|app| f(app).map_err(WebError::from))
    }
}

/// An error as the web shows it: a status and a message, as a page or as JSON.
#[derive(Debug)]
pub struct WebError {
    pub status: StatusCode,
    pub message: String,
    pub json: bool,
}

impl WebError {
    fn not_found(what: &str) -> WebError {
        WebError {
            status: StatusCode::NOT_FOUND,
            message: format!("no such {what}"),
            json: false,
        }
    }

    fn bad(message: impl Into<String>) -> WebError {
        WebError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
            json: false,
        }
    }

    /// The same error, answered as JSON (the API).
    fn into_json(mut self) -> WebError {
        self.json = true;
        self
    }
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> WebError {
        let status = match &e {
            AppError::NotFound { .. } => StatusCode::NOT_FOUND,
            e if e.is_bad_input() => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        WebError {
            status,
            message: e.to_string(),
            json: false,
        }
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
        let page = pages::ErrorPage {
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

const HTMX: &str = include_str!("../assets/htmx.min.js");
const STYLE: &str = include_str!("../assets/style.css");

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            // The assets change only with the binary.
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}

/// Every page, action, API route and asset, with the safety layers.
pub fn router(state: WebState) -> Router {
    Router::new()
        .route("/", get(pages::today))
        .route("/pipeline", get(pages::pipeline))
        .route("/contacts", get(pages::contacts))
        .route(
            "/contacts/{id}",
            get(pages::contact).post(pages::edit_contact),
        )
        .route("/jobs/{id}", get(pages::job))
        .route("/jobs/{id}/stage", post(pages::move_job))
        .route("/items/{id}/done", post(pages::done))
        .route("/items/{id}/snooze", post(pages::snooze))
        .route("/items/{id}/draft", get(pages::draft))
        .route("/log", get(pages::log_form).post(pages::log_touch))
        .route(
            "/import",
            get(pages::import_form).post(pages::import_preview),
        )
        .route("/import/confirm", post(pages::import_confirm))
        .route("/settings", get(pages::settings))
        .route("/settings/calendar-token", post(pages::rotate_token))
        .route("/calendar/{file}", get(pages::calendar_feed))
        .route(
            "/assets/htmx.min.js",
            get(|| async { asset("text/javascript; charset=utf-8", HTMX) }),
        )
        .route(
            "/assets/style.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE) }),
        )
        .nest("/api/v1", api::router())
        .route("/openapi.json", get(api::openapi))
        .with_state(state)
        // Imports carry a file; nothing else needs more.
        .layer(DefaultBodyLimit::max(8 * 1024 * 1024))
        .layer(CsrfLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
}

/// Refuses any address but loopback: there are no accounts yet (the team issue brings them).
pub fn check_bind(addr: &std::net::SocketAddr) -> Result<(), String> {
    if addr.ip().is_loopback() {
        Ok(())
    } else {
        Err(format!(
            "--bind {}: followup serve listens on loopback only (127.0.0.1 or ::1) until accounts arrive with the team server; anyone on the network could read and change your job search",
            addr.ip()
        ))
    }
}
