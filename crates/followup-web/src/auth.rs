//! Who is asking, and in whose workspace: the gate every request passes on a team server.
//!
//! A one-person book has no accounts, and the gate lets every request through as its one
//! person (loopback only, `check_bind`). Once the database has accounts, every page and API
//! route but signing in, invitations, the assets and the OpenAPI document needs a session
//! cookie (`followup_session`: HttpOnly, SameSite=Lax, Secure behind TLS) or an API bearer
//! token. The gate then decides the workspace once, for every handler:
//!
//! - `/api/v1/workspaces/{id}/...` and `/w/{id}/...` are workspace `id`, if the account may
//!   open it (`App::access`); the path is rewritten to the plain route (`/api/v1/...`, `/...`)
//!   so the same handlers serve both, and links in `/w/{id}` pages keep the prefix;
//! - every other path is the account's own workspace.
//!
//! The request's [`Scope`] rides in a task-local that `WebState::ctx` reads: no handler can
//! forget to check, because none builds its own context.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use followup_app::Actor;
use followup_app::grants::Access;
use followup_app::{Account, SecretKind};
use followup_core::model::OwnerId;

use crate::edge::is_api;
use crate::{WebError, WebState, blocking};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "followup_session";

/// Sign-in failures allowed per email within [`ATTEMPT_WINDOW`] before it is refused (429).
pub const MAX_FAILURES: u32 = 5;
pub const ATTEMPT_WINDOW: Duration = Duration::from_secs(15 * 60);

tokio::task_local! {
    static SCOPE: Scope;
}

/// Who a request acts as, and in which workspace.
#[derive(Debug, Clone)]
pub(crate) struct Scope {
    /// The signed-in account (none on a one-person book or a calendar feed).
    pub account: Option<Account>,
    /// The workspace the request works in; none for an account page of someone who owns no
    /// job search (an admin, a coach).
    pub owner: Option<OwnerId>,
    pub actor: Actor,
    /// `/w/{id}` when the page was asked under a workspace path: links keep it.
    pub prefix: Option<String>,
    /// Whose search a page shows when it is not the viewer's own, and what they may do in
    /// it: the banner a coach reads on every page of a client's workspace.
    pub working_for: Option<String>,
    /// The data version of `owner`, when it was read with the account (the signed-in
    /// person's own workspace: one round trip for both).
    pub version: FirstVersion,
}

/// A version read with the account, for the request's first context only: a later one (after
/// a change the request itself made) reads the version again.
#[derive(Debug, Clone, Default)]
pub(crate) struct FirstVersion(std::sync::Arc<std::sync::Mutex<Option<u64>>>);

impl FirstVersion {
    fn new(v: Option<u64>) -> FirstVersion {
        FirstVersion(std::sync::Arc::new(std::sync::Mutex::new(v)))
    }

    /// The version, once.
    pub(crate) fn take(&self) -> Option<u64> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    /// The version, if not yet taken, leaving it for [`FirstVersion::take`].
    pub(crate) fn peek(&self) -> Option<u64> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// This request's scope, if the gate set one (team servers only).
pub(crate) fn current() -> Option<Scope> {
    SCOPE.try_with(|s| s.clone()).ok()
}

/// The signed-in account of this request, or a 401.
pub(crate) fn signed_in() -> Result<Account, WebError> {
    current()
        .and_then(|s| s.account)
        .ok_or_else(|| WebError::new(StatusCode::UNAUTHORIZED, "sign in first"))
}

/// Paths anyone may ask for, signed in or not.
fn is_public(path: &str) -> bool {
    path == "/login"
        || path == "/logout"
        || path.starts_with("/invite/")
        || path.starts_with("/assets/")
        || path == "/openapi.json"
}

/// Paths about the account itself, which need no workspace (a coach's caseload is theirs).
fn is_account_path(path: &str) -> bool {
    ["/account", "/caseload"]
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")))
        || ["/api/v1/account", "/api/v1/accounts", "/api/v1/caseload"]
            .iter()
            .any(|p| path == *p || path.starts_with(&format!("{p}/")))
}

/// `(workspace, the plain path)` for `/w/{id}/...` and `/api/v1/workspaces/{id}/...`.
fn split_workspace(path: &str) -> Option<Result<(OwnerId, String), String>> {
    let (head, rest) = if let Some(r) = path.strip_prefix("/api/v1/workspaces/") {
        ("/api/v1", r)
    } else if let Some(r) = path.strip_prefix("/w/") {
        ("", r)
    } else {
        return None;
    };
    let (id, tail) = match rest.split_once('/') {
        Some((id, tail)) => (id, format!("/{tail}")),
        None => (rest, "/".to_string()),
    };
    Some(match id.parse::<i64>() {
        Ok(n) if n > 0 => {
            let plain = if head.is_empty() {
                tail
            } else if tail == "/" {
                head.to_string()
            } else {
                format!("{head}{tail}")
            };
            Ok((OwnerId(n), plain))
        }
        _ => Err(format!("{id:?} is not a workspace id (a positive number)")),
    })
}

/// The value of cookie `name`, if the request carries it.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn bearer(headers: &HeaderMap) -> Option<Result<String, ()>> {
    let v = headers.get(header::AUTHORIZATION)?;
    let text = v.to_str().ok()?;
    Some(match text.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim().to_string())
        }
        _ => Err(()),
    })
}

/// The account the request's bearer token or session cookie opens, with its own workspace's
/// version when read beside it. Asked on the async thread where the directory can (a team
/// server on PostgreSQL: every request asks, and leaving the async workers to ask was the
/// largest part of a cached read's time), otherwise the blocking way.
async fn identify(s: &WebState, headers: &HeaderMap) -> Result<Opened, WebError> {
    match identify_async(s, headers) {
        Ask::Known(known) => known,
        Ask::Asking(asked) => Ok(asked.await?),
        Ask::Blocking(kind, value, now) => {
            blocking(|| Ok(s.app.holder_with_version(kind, &value, now)?))
        }
    }
}

/// The account a secret opens, with its own workspace's version when read beside it; none
/// for no secret, or one that opens nothing.
type Opened = Option<(Account, Option<u64>)>;

/// How [`identify`] finds the account: already known from the headers alone, asked without
/// a thread, or asked the blocking way.
enum Ask<F> {
    Known(Result<Opened, WebError>),
    Asking(F),
    Blocking(SecretKind, String, jiff::Timestamp),
}

fn identify_async(
    s: &WebState,
    headers: &HeaderMap,
) -> Ask<impl Future<Output = followup_app::Result<Opened>> + Send + use<>> {
    let now = followup_app::clock::now();
    let (kind, value) = match bearer(headers) {
        Some(Ok(token)) => (SecretKind::Token, token),
        Some(Err(())) => return Ask::Known(Ok(None)),
        None => match cookie(headers, SESSION_COOKIE) {
            Some(v) => (SecretKind::Session, v),
            None => return Ask::Known(Ok(None)),
        },
    };
    match s.app.holder_with_version_async(kind, &value, now) {
        Some(asked) => Ask::Asking(asked),
        None => Ask::Blocking(kind, value, now),
    }
}

/// Who is asking, found before the request waits for its turn (`edge::lane`), where that
/// takes no thread: on a team server on PostgreSQL, the account is asked of the server's
/// memory or its own lookup connections (and the memory waits for a heartbeat, a round trip
/// to PostgreSQL). Inside the lane, those waits held one of a few read turns doing nothing,
/// and left the two cores a sixth idle with 64 connections (docs/BENCHMARKS.md, seventh
/// round). The gate takes the answer from the request ([`Identified`]); where finding it
/// would block (SQLite, the first request of a server), the gate asks itself, in the lane.
pub async fn identify_early(State(s): State<WebState>, mut req: Request, next: Next) -> Response {
    if s.is_team()
        && !is_public(req.uri().path())
        && let Ask::Asking(asked) = identify_async(&s, req.headers())
    {
        let found = asked.await.map_err(WebError::from);
        req.extensions_mut().insert(Identified(found));
    }
    next.run(req).await
}

/// The account [`identify_early`] found for a request (or why it could not), for the gate.
#[derive(Clone)]
struct Identified(Result<Opened, WebError>);

fn refuse(api: bool, e: WebError) -> Response {
    if api {
        e.into_json().into_response()
    } else {
        e.into_response()
    }
}

/// The gate (see the module docs).
pub async fn gate(State(s): State<WebState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let api = is_api(&path);
    // Public in either kind of book: answered without asking the database which kind (the
    // stylesheet of a page saying the database is away must still load).
    if is_public(&path) {
        return next.run(req).await;
    }
    // Once a team server, always one: no need to leave the async thread to know it.
    let known = if s.is_team() {
        Ok(true)
    } else {
        blocking(|| s.team_mode())
    };
    let team = match known {
        Ok(t) => t,
        Err(e) => return refuse(api, e),
    };
    if !team {
        return next.run(req).await;
    }
    let within = match split_workspace(&path) {
        None => None,
        Some(Ok(w)) => Some(w),
        Some(Err(why)) => return refuse(api, WebError::not_found(&why)),
    };
    // A calendar feed is opened by its own secret, by a phone that cannot sign in: it needs
    // the workspace in its path, and its token is checked against that workspace's.
    if let Some((ws, plain)) = &within
        && plain
            .strip_prefix("/calendar/")
            .is_some_and(|file| !file.is_empty() && !file.contains('/'))
    {
        set_path(&mut req, plain);
        let scope = Scope {
            account: None,
            owner: Some(*ws),
            actor: Actor::Owner,
            prefix: None,
            working_for: None,
            version: FirstVersion::default(),
        };
        return SCOPE.scope(scope, next.run(req)).await;
    }
    let identified = match req.extensions_mut().remove::<Identified>() {
        Some(Identified(found)) => found,
        None => identify(&s, req.headers()).await,
    };
    let (account, own_version) = match identified {
        Ok(Some(a)) => a,
        Ok(None) => return unauthenticated(api, req.uri()),
        Err(e) => return refuse(api, e),
    };
    let mut working_for = None;
    let (owner, prefix) = match &within {
        Some((ws, plain)) => {
            let today = match s.today {
                Some(d) => d,
                None => match blocking(|| s.app.today_for(*ws)) {
                    Ok(d) => d,
                    Err(e) => return refuse(api, WebError::from(e)),
                },
            };
            let access = match blocking(|| s.app.access(&account, *ws, today)) {
                Ok(a) => a,
                Err(e) => return refuse(api, WebError::from(e)),
            };
            let reads = matches!(*req.method(), Method::GET | Method::HEAD);
            if !reads && !access.may_change() {
                return refuse(
                    api,
                    WebError::new(
                        StatusCode::FORBIDDEN,
                        "you may look at this job search but not change it (a view grant)",
                    ),
                );
            }
            if access != Access::Owner
                && let Err(e) = blocking(|| {
                    s.app
                        .record_visit(&account, *ws, today, followup_app::clock::now())
                })
            {
                return refuse(api, WebError::from(e));
            }
            let prefix = (!api).then(|| format!("/w/{}", ws.0));
            if !api && let Access::Granted(_) = access {
                working_for = Some(match blocking(|| s.app.workspace_holder(*ws)) {
                    Ok(Some(client)) => format!(
                        "{}'s job search{}: you may {}",
                        client.label(),
                        if client.name.is_some() {
                            format!(" ({})", client.email)
                        } else {
                            String::new()
                        },
                        if access.may_change() {
                            "see and change it"
                        } else {
                            "see it, not change it"
                        }
                    ),
                    Ok(None) => format!("workspace {}", ws.0),
                    Err(e) => return refuse(api, WebError::from(e)),
                });
            }
            set_path(&mut req, plain);
            (Some(*ws), prefix)
        }
        None if is_account_path(&path) => (account.workspace, None),
        None => match s.app.own_workspace(&account) {
            Ok(w) => (Some(w), None),
            // Someone with no job search of their own lands on their account page.
            Err(_) if !api => return Redirect::to("/account").into_response(),
            Err(e) => return refuse(api, WebError::from(e)),
        },
    };
    let actor = if account.workspace == owner {
        Actor::Owner
    } else {
        Actor::Account(account.id.0)
    };
    // The version read with the account is of the account's own workspace only.
    let version = own_version.filter(|_| owner.is_some() && owner == account.workspace);
    let scope = Scope {
        account: Some(account),
        owner,
        actor,
        prefix: prefix.clone(),
        working_for,
        version: FirstVersion::new(version),
    };
    let mut res = SCOPE.scope(scope, next.run(req)).await;
    if let Some(p) = prefix {
        prefix_location(&mut res, &p);
    }
    res
}

fn set_path(req: &mut Request, path: &str) {
    let query = req
        .uri()
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    if let Ok(uri) = format!("{path}{query}").parse::<Uri>() {
        *req.uri_mut() = uri;
    }
}

/// A page asks the person to sign in (and brings them back); the API answers 401.
fn unauthenticated(api: bool, uri: &Uri) -> Response {
    if api {
        let mut res = WebError::new(
            StatusCode::UNAUTHORIZED,
            "sign in first: send `Authorization: Bearer TOKEN` (a token from Settings or `followup user token`)",
        )
        .into_json()
        .into_response();
        res.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return res;
    }
    let back = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let next = crate::encode_query(back);
    Redirect::to(&format!("/login?next={next}")).into_response()
}

/// A redirect inside a `/w/{id}` page stays in that workspace.
fn prefix_location(res: &mut Response, prefix: &str) {
    let Some(loc) = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
    else {
        return;
    };
    if loc.starts_with('/')
        && !loc.starts_with("//")
        && !loc.starts_with("/w/")
        && let Ok(v) = HeaderValue::from_str(&format!("{prefix}{loc}"))
    {
        res.headers_mut().insert(header::LOCATION, v);
    }
}

/// Links and forms in a page rendered under `/w/{id}` keep the prefix (the assets, and the
/// account's own pages, are the same for every workspace).
pub(crate) fn prefix_links(html: String) -> String {
    let Some(prefix) = current().and_then(|s| s.prefix) else {
        return html;
    };
    let mut out = String::with_capacity(html.len() + 256);
    let mut rest = html.as_str();
    const ATTRS: [&str; 5] = [
        "href=\"/",
        "action=\"/",
        "hx-post=\"/",
        "hx-get=\"/",
        "formaction=\"/",
    ];
    while let Some((at, attr)) = ATTRS
        .iter()
        .filter_map(|a| rest.find(a).map(|i| (i, *a)))
        .min_by_key(|(i, _)| *i)
    {
        let cut = at + attr.len() - 1;
        out.push_str(&rest[..cut]);
        let after = &rest[cut..];
        let shared = [
            "/assets/",
            "/account",
            "/caseload",
            "/login",
            "/logout",
            "/w/",
        ]
        .iter()
        .any(|p| after.starts_with(p));
        if !shared {
            out.push_str(&prefix);
        }
        rest = after;
        // Step past the slash so the same attribute is not found again.
        out.push('/');
        rest = &rest[1..];
    }
    out.push_str(rest);
    out
}

/// Sign-in failures per email, to slow guessing (kept in memory: a restart forgets them,
/// which costs an attacker a restart they cannot cause).
#[derive(Default)]
pub(crate) struct Attempts {
    failures: BTreeMap<String, (u32, Instant)>,
}

impl Attempts {
    /// `Err(minutes)` while the email is locked out.
    pub fn check(&mut self, email: &str) -> Result<(), u64> {
        let now = Instant::now();
        self.failures
            .retain(|_, (_, since)| now.duration_since(*since) < ATTEMPT_WINDOW);
        match self.failures.get(email) {
            Some((n, since)) if *n >= MAX_FAILURES => {
                let left = ATTEMPT_WINDOW.saturating_sub(now.duration_since(*since));
                Err(left.as_secs().div_ceil(60).max(1))
            }
            _ => Ok(()),
        }
    }

    pub fn failed(&mut self, email: &str) {
        let e = self
            .failures
            .entry(email.to_string())
            .or_insert((0, Instant::now()));
        e.0 += 1;
    }

    pub fn succeeded(&mut self, email: &str) {
        self.failures.remove(email);
    }
}

/// The session cookie for `value` (`Secure` when the server is reached over https).
pub(crate) fn session_cookie(value: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        followup_app::accounts::SESSION_LIFE.as_secs()
    ))
    .expect("a hex value makes a valid header")
}

/// The cookie that ends the session in the browser.
pub(crate) fn cleared_cookie() -> HeaderValue {
    HeaderValue::from_static("followup_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// True when the request came over https (directly or through a proxy that says so).
pub(crate) fn is_https(s: &WebState, headers: &HeaderMap) -> bool {
    s.public_https()
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_paths_split_into_the_plain_route() {
        let ok = |p: &str| split_workspace(p).unwrap().unwrap();
        assert_eq!(
            ok("/api/v1/workspaces/7/contacts/3"),
            (OwnerId(7), "/api/v1/contacts/3".into())
        );
        assert_eq!(ok("/api/v1/workspaces/7"), (OwnerId(7), "/api/v1".into()));
        assert_eq!(ok("/w/7/"), (OwnerId(7), "/".into()));
        assert_eq!(ok("/w/7"), (OwnerId(7), "/".into()));
        assert_eq!(ok("/w/7/contacts"), (OwnerId(7), "/contacts".into()));
        assert!(split_workspace("/w/x/contacts").unwrap().is_err());
        assert!(split_workspace("/w/0/").unwrap().is_err());
        assert!(split_workspace("/contacts").is_none());
    }

    #[test]
    fn cookies_are_found_by_name() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; followup_session=abc; b=2"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
    }

    #[test]
    fn attempts_lock_an_email_after_five_failures() {
        let mut a = Attempts::default();
        for _ in 0..MAX_FAILURES {
            assert!(a.check("x@example.com").is_ok());
            a.failed("x@example.com");
        }
        assert_eq!(a.check("x@example.com"), Err(15));
        assert!(a.check("y@example.com").is_ok());
    }
}
