//! What every request and response passes through at the server's edge: the Host check
//! against DNS rebinding, the security headers, the one error shape for whatever a layer or
//! axum itself refused, and the queues (`Lanes`: the door, then a lane by kind).

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::{WebError, WebState};

/// No inline script or style and no other origin: askama escapes what people typed, and
/// this makes anything that slipped through inert.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// A job search's URLs (contact ids, calendar token) stay on this machine.
pub const REFERRER_POLICY: &str = "no-referrer";

pub(crate) fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// True when `host` names this server: loopback by IP or by `localhost`, at the bound port.
pub(crate) fn host_is_ours(host: &str, port: u16) -> bool {
    let Some((name, p)) = host.rsplit_once(':') else {
        return false;
    };
    p == port.to_string()
        && (name == "127.0.0.1" || name == "[::1]" || name.eq_ignore_ascii_case("localhost"))
}

/// The Host a request names; `Err` says what was wrong with it.
fn requested_host(headers: &HeaderMap, uri: &Uri) -> Result<String, String> {
    let mut hosts = headers.get_all(header::HOST).iter();
    let host = match (hosts.next(), hosts.next()) {
        (None, _) => return Err("no Host header".into()),
        (Some(_), Some(_)) => return Err("more than one Host header".into()),
        (Some(h), None) => h
            .to_str()
            .map_err(|_| "a Host header that is not text".to_string())?,
    };
    if let Some(a) = uri.authority()
        && a.as_str() != host
    {
        return Err(format!(
            "the address {:?} and the Host header {host:?} differ",
            a.as_str()
        ));
    }
    Ok(host.to_string())
}

/// Waits for `turn` until the request's deadline; `None` when it did not come.
async fn turn(
    lane: &tokio::sync::Semaphore,
    until: tokio::time::Instant,
) -> Option<tokio::sync::SemaphorePermit<'_>> {
    tokio::time::timeout_at(until, lane.acquire())
        .await
        .ok()?
        .ok()
}

/// A turn that did not come within [`crate::LANE_WAIT`] is answered, not waited for forever
/// (a request body that stalls is cut off by the body timeout, which frees its turn).
fn busy(path: &str) -> Response {
    let e = WebError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "the server is busy with other requests; try again in a moment",
    );
    if is_api(path) {
        e.into_json().into_response()
    } else {
        e.into_response()
    }
}

fn is_read(req: &Request) -> bool {
    matches!(*req.method(), Method::GET | Method::HEAD)
}

/// When a request's wait for its turns ends: [`crate::LANE_WAIT`] after it came to the first.
#[derive(Clone, Copy)]
struct Deadline(tokio::time::Instant);

/// Lets a read in (`Lanes`): on a team server every read waits at the door, first come first
/// served, before anything is done for it (even finding who is asking). A change does not:
/// it may send its body slowly or wait for its workspace's lock, and either would hold a turn
/// at the door and keep everyone's reads out; it waits in its own lane, as before. The assets
/// are constant and skip the queue.
pub async fn admit(State(s): State<WebState>, mut req: Request, next: Next) -> Response {
    let until = tokio::time::Instant::now() + crate::LANE_WAIT;
    req.extensions_mut().insert(Deadline(until));
    if req.uri().path().starts_with("/assets/") || !is_read(&req) {
        return next.run(req).await;
    }
    let Some(door) = turn(&s.lanes.door, until).await else {
        return busy(req.uri().path());
    };
    let _inside = Inside {
        lanes: &s.lanes,
        turn: Some(door),
    };
    next.run(req).await
}

/// A read's turn at the door, given back (or kept out, `Lanes::read_left`) however the
/// request ends.
struct Inside<'a> {
    lanes: &'a crate::Lanes,
    turn: Option<tokio::sync::SemaphorePermit<'a>>,
}

impl Drop for Inside<'_> {
    fn drop(&mut self) {
        if let Some(turn) = self.turn.take() {
            self.lanes.read_left(turn);
        }
    }
}

/// Queues the request in its lane, once who is asking is known (`auth::identify_early`):
/// reads beside reads up to the cores, changes as many at once as the store writes (one at
/// a time on SQLite). The wait counts from the door: one [`crate::LANE_WAIT`] for both.
pub async fn lane(State(s): State<WebState>, req: Request, next: Next) -> Response {
    if req.uri().path().starts_with("/assets/") {
        return next.run(req).await;
    }
    let lane = if is_read(&req) {
        &s.lanes.reads
    } else {
        &s.lanes.writes
    };
    let until = match req.extensions().get::<Deadline>() {
        Some(Deadline(until)) => *until,
        None => tokio::time::Instant::now() + crate::LANE_WAIT,
    };
    let Some(_turn) = turn(lane, until).await else {
        return busy(req.uri().path());
    };
    // A change holding its turn narrows the reads' door while it runs.
    let _change = (!is_read(&req)).then(|| s.lanes.change_started());
    next.run(req).await
}

/// A web page on another site can make the browser resolve its own name to 127.0.0.1 (DNS
/// rebinding) and then read this server as "same origin"; such requests still carry that
/// site's name in Host, so only this server's own names are answered.
pub async fn check_host(State(s): State<WebState>, req: Request, next: Next) -> Response {
    let ours = |port| format!("127.0.0.1:{port}, localhost:{port} or [::1]:{port}");
    let refused = match (s.port, requested_host(req.headers(), req.uri())) {
        (None, _) => {
            Some("this server was not told which port it serves, so it answers no one".to_string())
        }
        (Some(port), Ok(host)) if host_is_ours(&host, port) => None,
        // The name a reverse proxy forwards (`serve --public-url`).
        (Some(_), Ok(host))
            if s.public
                .as_ref()
                .is_some_and(|p| p.host.eq_ignore_ascii_case(&host)) =>
        {
            None
        }
        (Some(port), Ok(host)) => Some(format!(
            "Host {host:?} is not this server, which answers only {} (a guard against DNS rebinding)",
            ours(port)
        )),
        (Some(port), Err(what)) => Some(format!(
            "{what}: this server answers only {} (a guard against DNS rebinding)",
            ours(port)
        )),
    };
    let Some(message) = refused else {
        return next.run(req).await;
    };
    let e = WebError::new(StatusCode::MISDIRECTED_REQUEST, message);
    if is_api(req.uri().path()) {
        return e.into_json().into_response();
    }
    // Plain text: a page's stylesheet and links would resolve under the refused name.
    (
        e.status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{}\n", e.message),
    )
        .into_response()
}

/// Gives every error response the app's shape: JSON under `/api/`, a page elsewhere. The
/// handlers and extractors already do; this catches what the layers (CSRF) and axum's own
/// routing answer with an empty or plain-text body.
pub async fn shape_errors(req: Request, next: Next) -> Response {
    let api = is_api(req.uri().path());
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let kind = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let shaped = if api {
        kind.starts_with("application/json")
    } else {
        kind.starts_with("text/html")
    };
    if shaped {
        return res;
    }
    let allow = res.headers().get(header::ALLOW).cloned();
    let csrf = res
        .extensions()
        .get::<tower_http::csrf::ProtectionError>()
        .map(|e| e.to_string());
    let text = axum::body::to_bytes(res.into_body(), 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let message = if let Some(why) = csrf {
        format!("refused a change sent from another site ({why})")
    } else if status == StatusCode::PAYLOAD_TOO_LARGE {
        WebError::too_large("the request body").message
    } else if status == StatusCode::METHOD_NOT_ALLOWED {
        method_not_allowed_message(allow.as_ref())
    } else if !text.is_empty() && !text.contains('\n') {
        text
    } else {
        status.canonical_reason().unwrap_or("error").to_lowercase()
    };
    let mut e = WebError::new(status, message);
    e.json = api;
    let mut shaped = e.into_response();
    if let Some(a) = allow {
        shaped.headers_mut().insert(header::ALLOW, a);
    }
    shaped
}

fn method_not_allowed_message(allow: Option<&HeaderValue>) -> String {
    match allow.and_then(|a| a.to_str().ok()) {
        Some(a) if !a.is_empty() => format!("method not allowed here; this address takes {a}"),
        _ => "method not allowed here".to_string(),
    }
}

/// Any path no route matches.
pub async fn not_found(uri: Uri) -> WebError {
    let path = uri.path();
    if is_api(path) {
        return WebError::new(
            StatusCode::NOT_FOUND,
            format!("no API route {path} (the routes are listed in /openapi.json)"),
        )
        .into_json();
    }
    WebError::new(StatusCode::NOT_FOUND, format!("no page {path}"))
}

/// A known API route asked with a method it does not take (axum adds `Allow`).
pub async fn api_method_not_allowed(method: Method, uri: Uri) -> WebError {
    WebError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!(
            "{method} /api/v1{}: method not allowed (the routes are listed in /openapi.json)",
            uri.path()
        ),
    )
    .into_json()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use axum::Router;
    use axum::body::Body;
    use axum::routing::{get, post};
    use followup_app::{App, Config};
    use tokio::sync::Semaphore;
    use tower::ServiceExt;

    use super::*;

    /// A router of only the queues: `POST /change` waits for a permit of `go`; `GET /read`
    /// answers at once.
    fn queues(s: &WebState, go: Arc<Semaphore>) -> Router {
        Router::new()
            .route(
                "/change",
                post(move || async move {
                    let _ = go.acquire().await.map(|p| p.forget());
                    "changed"
                }),
            )
            .route("/read", get(|| async { "read" }))
            .layer(axum::middleware::from_fn_with_state(s.clone(), lane))
            .layer(axum::middleware::from_fn_with_state(s.clone(), admit))
    }

    fn request(method: Method, path: &str) -> Request {
        Request::builder()
            .method(method)
            .uri(path)
            .body(Body::empty())
            .expect("a request")
    }

    /// Forty changes held in their handler or lane, and a read beside them: the read is
    /// answered within five seconds, then every change once let go.
    async fn a_read_beside_forty_waiting_changes(s: &WebState) {
        let go = Arc::new(Semaphore::new(0));
        let router = queues(s, go.clone());
        // Far more changes than a door of four turns a core would hold.
        let changes: Vec<_> = (0..40)
            .map(|_| tokio::spawn(router.clone().oneshot(request(Method::POST, "/change"))))
            .collect();
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(
            s.lanes.writes.available_permits(),
            0,
            "every change turn taken"
        );
        let read = tokio::time::timeout(
            Duration::from_secs(5),
            router.clone().oneshot(request(Method::GET, "/read")),
        )
        .await
        .expect("the read is answered while forty changes wait")
        .expect("an answer");
        assert_eq!(read.status(), StatusCode::OK);
        go.add_permits(40);
        for c in changes {
            let answered = tokio::time::timeout(Duration::from_secs(5), c)
                .await
                .expect("every change is answered once let go");
            assert_eq!(answered.expect("joined").expect("an answer").status(), 200);
        }
    }

    fn sqlite_state() -> WebState {
        let store = Arc::new(followup_store::SqliteStore::in_memory().expect("a store"));
        WebState::new(App::with_store(store, Config::default()), None)
    }

    /// A one-person book writes one change at a time; the changes waiting for that one
    /// writer must not fill a door and keep a read out.
    #[tokio::test]
    async fn changes_waiting_for_the_one_writer_never_keep_a_read_out() {
        let s = sqlite_state();
        assert_eq!(s.lanes.writes.available_permits(), 1, "SQLite: one writer");
        a_read_beside_forty_waiting_changes(&s).await;
    }

    /// On a team server, changes waiting in their lane (for their turn, a workspace's lock
    /// or a slow body) hold no turn at the door: a read goes past forty of them.
    #[tokio::test]
    async fn on_a_team_server_changes_waiting_never_keep_a_read_out() {
        let mut s = sqlite_state();
        // The lanes of a store that writes eight workspaces at once (PostgreSQL).
        Arc::make_mut(&mut s.0).lanes = Arc::new(crate::Lanes::new(8, None));
        a_read_beside_forty_waiting_changes(&s).await;
    }

    /// While a change is in flight the door lets in two reads a core, not four: the turns
    /// free at once, the rest as reads leave (none is taken from a read inside); when the
    /// last change ends, four again. A one-person book's door never narrows.
    #[test]
    fn a_change_in_flight_narrows_the_door_to_two_turns_a_core() {
        let cores = crate::Lanes::cores();
        let team = crate::Lanes::new(8, None);
        let inside: Vec<_> = (0..4 * cores - 1)
            .map(|_| team.door.try_acquire().expect("a turn"))
            .collect();
        assert_eq!(team.door.available_permits(), 1);
        let first = team.change_started();
        let second = team.change_started();
        assert_eq!(
            team.door.available_permits(),
            0,
            "the free turn is held back"
        );
        let mut inside = inside.into_iter();
        for _ in 0..2 * cores - 1 {
            team.read_left(inside.next().expect("a read inside"));
            assert_eq!(team.door.available_permits(), 0, "held back as reads leave");
        }
        for r in inside {
            team.read_left(r);
        }
        assert_eq!(team.door.available_permits(), 2 * cores, "two a core");
        drop(first);
        assert_eq!(
            team.door.available_permits(),
            2 * cores,
            "a change still runs"
        );
        drop(second);
        assert_eq!(
            team.door.available_permits(),
            4 * cores,
            "four a core again"
        );

        let book = crate::Lanes::new(1, None);
        let change = book.change_started();
        assert_eq!(
            book.door.available_permits(),
            tokio::sync::Semaphore::MAX_PERMITS
        );
        drop(change);
    }

    /// The operator's door (`serve --reads-at-once`): that many turns, narrowed by half while
    /// a change is in flight; a one-person book still has none.
    #[test]
    fn a_door_of_the_operators_width_narrows_by_half() {
        let team = crate::Lanes::new(8, Some(16));
        assert_eq!(team.door.available_permits(), 16);
        let change = team.change_started();
        assert_eq!(team.door.available_permits(), 8, "half while a change runs");
        drop(change);
        assert_eq!(team.door.available_permits(), 16);
        let one = crate::Lanes::new(8, Some(1));
        let change = one.change_started();
        assert_eq!(
            one.door.available_permits(),
            1,
            "one turn is never taken away"
        );
        drop(change);
        let book = crate::Lanes::new(1, Some(16));
        assert_eq!(
            book.door.available_permits(),
            tokio::sync::Semaphore::MAX_PERMITS
        );
    }

    /// A team server's store writes several workspaces at once: its reads take turns at a
    /// door of four a core, and past it, reads and changes their own lanes.
    #[test]
    fn a_store_that_writes_at_once_gets_a_door_of_four_turns_a_core() {
        let cores = crate::Lanes::cores();
        let team = crate::Lanes::new(8, None);
        assert_eq!(team.door.available_permits(), 4 * cores);
        assert_eq!(team.writes.available_permits(), 8);
        assert_eq!(team.reads.available_permits(), cores);
        let book = crate::Lanes::new(1, None);
        assert_eq!(
            book.door.available_permits(),
            tokio::sync::Semaphore::MAX_PERMITS
        );
    }
}
