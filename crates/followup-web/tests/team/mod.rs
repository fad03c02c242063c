//! Signing in on a team server: the gate, sessions, invitations, tokens, an admin's page, and
//! workspace paths. Over the in-memory store and directory (the PostgreSQL ones are held to
//! the same contracts; the isolation suite runs on PostgreSQL itself).

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use followup_app::accounts::Secret;
use followup_app::{Actor, App, Config, Role};
use followup_store::{MemoryDirectory, MemoryStore};
use followup_web::{PublicUrl, WebState};

use crate::support::*;

const PASSWORD: &str = "correct horse battery";

struct Team {
    server: Server,
    app: Arc<App>,
    /// (email, workspace) of two clients; Ana's search has a contact in it.
    ana: (String, i64),
    ben: (String, i64),
}

fn team() -> Team {
    let app = App::with_store(Arc::new(MemoryStore::new()), Config::default())
        .with_directory(Arc::new(MemoryDirectory::new()));
    let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    app.team_init("admin@example.com", Some(PASSWORD), now)
        .unwrap();
    let ana = app
        .add_user(None, "ana@example.com", Role::Client, Some(PASSWORD), now)
        .unwrap()
        .account;
    let ben = app
        .add_user(None, "ben@example.com", Role::Client, Some(PASSWORD), now)
        .unwrap()
        .account;
    let cx = app
        .ctx_for(ana.workspace.unwrap(), Actor::Owner, TODAY)
        .unwrap();
    app.add_contact(
        &cx,
        followup_app::NewContact {
            name: "Zanzibar Quill".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let app = Arc::new(app);
    Team {
        server: Server {
            dir: tempfile::tempdir().unwrap(),
            state: WebState::shared(app.clone(), Some(TODAY)).serving(PORT),
        },
        app,
        ana: (ana.email, ana.workspace.unwrap().0),
        ben: (ben.email, ben.workspace.unwrap().0),
    }
}

/// Sam, a coach nobody has let in yet.
fn add_sam(t: &Team) -> followup_app::Account {
    let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    t.app
        .add_user(None, "sam@example.com", Role::Coach, Some(PASSWORD), now)
        .unwrap()
        .account
}

/// Signs in through the form; the session cookie's value.
async fn sign_in(s: &Server, email: &str) -> String {
    let (st, body, h) = send(
        s,
        form(
            "/login",
            &format!("email={email}&password=correct+horse+battery&next=/"),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{body}");
    cookie_of(&h)
}

fn cookie_of(h: &axum::http::HeaderMap) -> String {
    let set = h
        .get(header::SET_COOKIE)
        .expect("a cookie")
        .to_str()
        .unwrap();
    set.split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string()
}

async fn as_cookie(
    s: &Server,
    uri: &str,
    cookie: &str,
) -> (StatusCode, String, axum::http::HeaderMap) {
    let req = Request::get(uri)
        .header(header::COOKIE, format!("followup_session={cookie}"))
        .body(Body::empty())
        .unwrap();
    send(s, req).await
}

async fn as_bearer(s: &Server, req: Request<Body>, token: &str) -> (StatusCode, String) {
    let mut req = req;
    req.headers_mut().insert(
        header::AUTHORIZATION,
        format!("Bearer {token}").parse().unwrap(),
    );
    let (st, body, _) = send(s, req).await;
    (st, body)
}

fn api_get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

#[tokio::test]
async fn with_accounts_nobody_gets_in_without_signing_in() {
    let t = team();
    let s = &t.server;
    let (st, _, h) = send(s, api_get("/contacts/1")).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(h[header::LOCATION], "/login?next=%2Fcontacts%2F1");
    let (st, body, h) = send(s, api_get("/api/v1/contacts")).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(h[header::WWW_AUTHENTICATE], "Bearer");
    assert!(
        body.contains("\"status\":401") && body.contains("Bearer"),
        "{body}"
    );
    // A token that opens nothing, and a header that is not a bearer token.
    let (st, _) = as_bearer(s, api_get("/api/v1/contacts"), "0123").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let mut req = api_get("/api/v1/contacts");
    req.headers_mut()
        .insert(header::AUTHORIZATION, "Basic YWJjOmRlZg==".parse().unwrap());
    assert_eq!(send(s, req).await.0, StatusCode::UNAUTHORIZED);
    // What anyone may see: the sign-in page, the assets, the API's description.
    for uri in ["/login", "/assets/style.css", "/openapi.json"] {
        assert_eq!(get(s, uri).await.0, StatusCode::OK, "{uri}");
    }
}

#[tokio::test]
async fn signing_in_sets_a_session_cookie_that_opens_your_own_search() {
    let t = team();
    let s = &t.server;
    let (st, _, h) = send(
        s,
        form(
            "/login",
            "email=Ana%40Example.com&password=correct+horse+battery&next=/contacts",
        ),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(
        h[header::LOCATION],
        "/contacts",
        "back where they were going"
    );
    let set = h[header::SET_COOKIE].to_str().unwrap();
    for part in ["followup_session=", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set.contains(part), "{set}");
    }
    assert!(!set.contains("Secure"), "plain http on loopback: {set}");
    let cookie = cookie_of(&h);
    let (st, body, _) = as_cookie(s, "/contacts", &cookie).await;
    assert_eq!(st, StatusCode::OK);
    assert!(body.contains("Zanzibar Quill"), "Ana sees her own contact");
    // Ben signs in and sees an empty search, never Ana's.
    let ben = sign_in(s, &t.ben.0).await;
    let (_, body, _) = as_cookie(s, "/contacts", &ben).await;
    assert!(!body.contains("Zanzibar"), "{body}");
    // Signing out ends the session on the server, not only in the browser.
    let (st, _, h) = post_as(s, "/logout", &cookie, "").await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert!(
        h[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let (st, _, h) = as_cookie(s, "/contacts", &cookie).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert!(h[header::LOCATION].to_str().unwrap().starts_with("/login"));
}

#[tokio::test]
async fn behind_https_the_cookie_is_secure_and_the_public_host_is_answered() {
    let t = team();
    let public = PublicUrl::parse("https://followup.example.com").unwrap();
    let s = Server {
        dir: tempfile::tempdir().unwrap(),
        state: WebState::shared(t.app.clone(), Some(TODAY))
            .serving(PORT)
            .public_url(public),
    };
    let req = Request::post("/login")
        .header(header::HOST, "followup.example.com")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(
            "email=ana@example.com&password=correct+horse+battery",
        ))
        .unwrap();
    let (st, body, h) = send(&s, req).await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{body}");
    assert!(h[header::SET_COOKIE].to_str().unwrap().contains("; Secure"));
    // The calendar address on Settings is the public one, https and all.
    let cookie = cookie_of(&h);
    let with = |req: axum::http::request::Builder| {
        req.header(header::HOST, "followup.example.com")
            .header(header::COOKIE, format!("followup_session={cookie}"))
            .body(Body::empty())
            .unwrap()
    };
    let (st, _, _) = send(&s, with(Request::post("/settings/calendar-token"))).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, page, _) = send(&s, with(Request::get("/settings"))).await;
    let ws = t.ana.1;
    assert!(
        page.contains(&format!("https://followup.example.com/w/{ws}/calendar/")),
        "{page}"
    );
    // Any other name is still refused (DNS rebinding).
    let req = Request::get("/login")
        .header(header::HOST, "evil.example")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&s, req).await.0, StatusCode::MISDIRECTED_REQUEST);
    assert!(PublicUrl::parse("followup.example.com").is_err());
    assert!(PublicUrl::parse("https://x.example/path").is_err());
}

#[tokio::test]
async fn wrong_passwords_are_refused_alike_then_slowed() {
    let t = team();
    let s = &t.server;
    for body in [
        "email=ana@example.com&password=wrong+password",
        "email=nobody@example.com&password=correct+horse+battery",
        "email=not-an-email&password=x",
    ] {
        let (st, page, h) = send(s, form("/login", body)).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "{body}");
        assert!(page.contains("Wrong email or password."), "{page}");
        assert!(!h.contains_key(header::SET_COOKIE));
    }
    for _ in 0..4 {
        send(
            s,
            form("/login", "email=ana@example.com&password=guess+guess"),
        )
        .await;
    }
    // Five failures: even the right password waits.
    let (st, page, h) = send(
        s,
        form(
            "/login",
            "email=ana@example.com&password=correct+horse+battery",
        ),
    )
    .await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{page}");
    assert!(page.contains("Too many wrong passwords") && !h.contains_key(header::SET_COOKIE));
    // Another email is not held up.
    sign_in(s, &t.ben.0).await;
}

#[tokio::test]
async fn sign_in_only_sends_people_to_this_server() {
    let t = team();
    for next in ["//evil.example/x", "https://evil.example/", "\\\\evil"] {
        let body = format!(
            "email=ana@example.com&password=correct+horse+battery&next={}",
            next.replace('/', "%2F")
        );
        let (st, _, h) = send(&t.server, form("/login", &body)).await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        assert_eq!(h[header::LOCATION], "/", "{next}");
    }
}

#[tokio::test]
async fn workspace_paths_open_your_own_and_refuse_the_rest() {
    let t = team();
    let s = &t.server;
    let ana = sign_in(s, &t.ana.0).await;
    let (st, body, _) = as_cookie(s, &format!("/w/{}/contacts", t.ana.1), &ana).await;
    assert_eq!(st, StatusCode::OK);
    assert!(body.contains("Zanzibar Quill"));
    let prefix = format!("href=\"/w/{}/contacts/", t.ana.1);
    assert!(body.contains(&prefix), "links keep the workspace: {body}");
    assert!(
        body.contains("href=\"/assets/style.css\""),
        "assets are shared"
    );
    let (st, body, _) = as_cookie(s, &format!("/w/{}/contacts", t.ben.1), &ana).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{body}");
    let (st, _, _) = as_cookie(s, "/w/abc/contacts", &ana).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // A change posted under a workspace redirects within it.
    let (st, body, h) = post_as(
        s,
        &format!("/w/{}/contacts", t.ana.1),
        &ana,
        "name=Lena+Ortiz",
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{body}");
    let to = h[header::LOCATION].to_str().unwrap();
    assert!(to.starts_with(&format!("/w/{}/contacts/", t.ana.1)), "{to}");
    // The API the same way, with a token.
    let account = t.app.account_named(&t.ana.0).unwrap();
    let Secret(token) = t
        .app
        .create_token(
            &account,
            "test",
            jiff::Timestamp::from_second(1_800_000_000).unwrap(),
        )
        .unwrap();
    let (st, body) = as_bearer(
        s,
        api_get(&format!("/api/v1/workspaces/{}/contacts", t.ana.1)),
        &token,
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert!(body.contains("Lena Ortiz") && body.contains("Zanzibar Quill"));
    let (st, body) = as_bearer(
        s,
        api_get(&format!("/api/v1/workspaces/{}/contacts", t.ben.1)),
        &token,
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(
        body.contains("\"status\":403") && !body.contains("Zanzibar"),
        "{body}"
    );
}

#[tokio::test]
async fn tokens_are_shown_once_work_as_bearer_and_stop_when_revoked() {
    let t = team();
    let s = &t.server;
    let ana = sign_in(s, &t.ana.0).await;
    let (st, page, h) = post_as(s, "/account/tokens", &ana, "label=laptop+script").await;
    assert_eq!(st, StatusCode::OK, "{page}");
    assert_eq!(h[header::CACHE_CONTROL], "no-store");
    let at = page
        .find("<code class=\"secret\">")
        .expect("the token, shown")
        + 21;
    let token: String = page[at..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    assert_eq!(token.len(), 32);
    let (st, body) = as_bearer(s, api_get("/api/v1/contacts"), &token).await;
    assert_eq!(st, StatusCode::OK);
    assert!(body.contains("Zanzibar Quill"));
    // The list shows its name, never its value again.
    let (_, page, _) = as_cookie(s, "/account", &ana).await;
    assert!(page.contains("laptop script") && !page.contains(&token));
    let (st, list) = as_bearer(s, api_get("/api/v1/account/tokens"), &token).await;
    assert_eq!(st, StatusCode::OK);
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    let id = list[0]["id"].as_i64().unwrap();
    assert_eq!(list[0]["name"], "laptop script");
    let req = Request::delete(format!("/api/v1/account/tokens/{id}"))
        .body(Body::empty())
        .unwrap();
    let (st, _) = as_bearer(s, req, &token).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = as_bearer(s, api_get("/api/v1/contacts"), &token).await;
    assert_eq!(
        st,
        StatusCode::UNAUTHORIZED,
        "a revoked token opens nothing"
    );
}

#[tokio::test]
async fn an_invitation_sets_a_password_once() {
    let t = team();
    let s = &t.server;
    let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    let added = t
        .app
        .add_user(None, "cleo@example.com", Role::Client, None, now)
        .unwrap();
    let Secret(code) = added.invitation.unwrap();
    // Not signed in yet, and no password to sign in with.
    let (st, page, _) = send(
        s,
        form("/login", "email=cleo@example.com&password=anything+at+all"),
    )
    .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{page}");
    let (st, page) = get(s, &format!("/invite/{code}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("cleo@example.com") && page.contains("at least 10 characters"));
    let (st, page, _) = send(s, form(&format!("/invite/{code}"), "password=short")).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Password: too short"), "{page}");
    let (st, _, h) = send(
        s,
        form(&format!("/invite/{code}"), "password=a+long+enough+one"),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let cookie = cookie_of(&h);
    assert_eq!(as_cookie(s, "/", &cookie).await.0, StatusCode::OK);
    // Used up.
    assert_eq!(
        get(s, &format!("/invite/{code}")).await.0,
        StatusCode::NOT_FOUND
    );
    let (st, _, _) = send(
        s,
        form(&format!("/invite/{code}"), "password=another+long+one"),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, _, _) = send(
        s,
        form(
            "/login",
            "email=cleo@example.com&password=a+long+enough+one",
        ),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_admin_manages_people_and_sees_no_search() {
    let t = team();
    let s = &t.server;
    let admin = sign_in(s, "admin@example.com").await;
    // No job search of their own: Today sends them to their account page.
    let (st, _, h) = as_cookie(s, "/", &admin).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(h[header::LOCATION], "/account");
    let (st, page, _) = as_cookie(s, "/account", &admin).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("ana@example.com") && page.contains("ben@example.com"));
    assert!(!page.contains("Zanzibar"));
    let (st, _, _) = as_cookie(s, &format!("/w/{}/", t.ana.1), &admin).await;
    assert_eq!(
        st,
        StatusCode::FORBIDDEN,
        "an admin needs a grant like anyone"
    );
    // Adding someone makes an invitation link on this server.
    let (st, page, _) = post_as(
        s,
        "/account/users",
        &admin,
        "email=Dan%40Example.com&role=coach",
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{page}");
    assert!(page.contains("Added dan@example.com as coach."), "{page}");
    assert!(page.contains(&format!("http://{HOST}/invite/")), "{page}");
    // Disabling Ben ends his session at once.
    let ben = sign_in(s, &t.ben.0).await;
    let ben_id = t.app.account_named(&t.ben.0).unwrap().id.0;
    let (st, page, _) = post_as(
        s,
        &format!("/account/users/{ben_id}"),
        &admin,
        "change=disable",
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{page}");
    assert_eq!(as_cookie(s, "/", &ben).await.0, StatusCode::SEE_OTHER);
    let (st, _, _) = send(
        s,
        form(
            "/login",
            "email=ben@example.com&password=correct+horse+battery",
        ),
    )
    .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    // A client cannot do an admin's work.
    let ana = sign_in(s, &t.ana.0).await;
    assert_eq!(
        post_as(
            s,
            "/account/users",
            &ana,
            "email=eve%40example.com&role=admin"
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert!(t.app.account_named("eve@example.com").is_err());
}

#[tokio::test]
async fn a_workspace_calendar_feed_opens_with_its_own_token_only() {
    let t = team();
    let s = &t.server;
    let ana = sign_in(s, &t.ana.0).await;
    assert_eq!(
        post_as(s, "/settings/calendar-token", &ana, "").await.0,
        StatusCode::SEE_OTHER
    );
    let (_, page, _) = as_cookie(s, "/settings", &ana).await;
    let prefix = format!("http://{HOST}/w/{}/calendar/", t.ana.1);
    let at = page
        .find(&prefix)
        .expect("the feed's address, under the workspace")
        + prefix.len();
    let token: String = page[at..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    // A phone, signed in to nothing, gets the calendar by the token in the path.
    let (st, body) = get(s, &format!("/w/{}/calendar/{token}.ics", t.ana.1)).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(body.starts_with("BEGIN:VCALENDAR"));
    // The same token names nobody else's calendar, and a wrong one opens nothing.
    assert_eq!(
        get(s, &format!("/w/{}/calendar/{token}.ics", t.ben.1))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(s, &format!("/w/{}/calendar/0000.ics", t.ana.1)).await.0,
        StatusCode::NOT_FOUND
    );
    // Without the workspace in the path, a feed is a page like any other: sign in first.
    assert_eq!(
        get(s, &format!("/calendar/{token}.ics")).await.0,
        StatusCode::SEE_OTHER
    );
}

/// Posts a form with a session.
async fn post_as(
    s: &Server,
    uri: &str,
    cookie: &str,
    body: &str,
) -> (StatusCode, String, axum::http::HeaderMap) {
    let req = Request::post(uri)
        .header(header::COOKIE, format!("followup_session={cookie}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
        .unwrap();
    send(s, req).await
}

#[tokio::test]
async fn a_client_lets_a_coach_in_and_out_and_sees_who_came() {
    let t = team();
    let s = &t.server;
    add_sam(&t);
    let ana = sign_in(s, &t.ana.0).await;
    let sam = sign_in(s, "sam@example.com").await;
    let ws = t.ana.1;
    let contacts = format!("/w/{ws}/contacts");
    // No grant: nothing.
    assert_eq!(as_cookie(s, &contacts, &sam).await.0, StatusCode::FORBIDDEN);
    // A view grant: Sam reads, and cannot change.
    let (st, page, _) = post_as(
        s,
        "/account/grants",
        &ana,
        "coach=sam%40example.com&scope=view&until=",
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{page}");
    assert!(
        page.contains(
            "sam@example.com may now see (not change) your job search, until you revoke it."
        ),
        "{page}"
    );
    let (st, page, _) = as_cookie(s, &contacts, &sam).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("Zanzibar Quill"));
    assert!(
        page.contains(
            "<p class=\"working-for\" role=\"note\">ana@example.com's job search: you may see it, not change it</p>"
        ),
        "whose search, and what Sam may do, on every page: {page}"
    );
    let (st, _, _) = post_as(s, &contacts, &sam, "name=Coach+Added").await;
    assert_eq!(st, StatusCode::FORBIDDEN, "a view grant changes nothing");
    // Sam's account page lists the search shared with him.
    let (_, page, _) = as_cookie(s, "/account", &sam).await;
    assert!(
        page.contains(&format!("<a href=\"/w/{ws}/\">ana@example.com</a>")),
        "{page}"
    );
    // An edit grant: Sam works in it.
    post_as(
        s,
        "/account/grants",
        &ana,
        "coach=sam%40example.com&scope=edit&until=2026-12-31",
    )
    .await;
    let (st, body, _) = post_as(s, &contacts, &sam, "name=Coach+Added").await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{body}");
    let (_, page, _) = as_cookie(s, "/contacts", &ana).await;
    assert!(page.contains("Coach Added"));
    // Ana sees who came in, and revokes.
    let (_, page, _) = as_cookie(s, "/account", &ana).await;
    assert!(
        page.contains(
            "sam@example.com</strong> <span class=\"muted\">can see and change through 2026-12-31"
        ),
        "{page}"
    );
    assert!(
        page.contains(&format!(
            "{TODAY}: <strong>sam@example.com</strong> (coach), 2 requests"
        )),
        "{page}"
    );
    let (st, page, _) = post_as(s, "/account/grants/revoke", &ana, "coach=sam%40example.com").await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("sam@example.com can no longer open your job search."));
    assert_eq!(as_cookie(s, &contacts, &sam).await.0, StatusCode::FORBIDDEN);
    // Refusals name the field: a client cannot be granted, a past day is refused.
    let (_, page, _) = post_as(
        s,
        "/account/grants",
        &ana,
        "coach=ben%40example.com&scope=view",
    )
    .await;
    assert!(
        page.contains("Email: ben@example.com is a client"),
        "{page}"
    );
    let (_, page, _) = post_as(
        s,
        "/account/grants",
        &ana,
        "coach=sam%40example.com&scope=view&until=2020-01-01",
    )
    .await;
    assert!(page.contains("Until: that day has passed"), "{page}");
}

#[tokio::test]
async fn an_expired_grant_opens_nothing() {
    let t = team();
    let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    let sam = t
        .app
        .add_user(None, "sam@example.com", Role::Coach, Some(PASSWORD), now)
        .unwrap()
        .account;
    let ana = t.app.account_named(&t.ana.0).unwrap();
    let day = TODAY.checked_add(jiff::Span::new().days(3)).unwrap();
    t.app
        .grant(
            &ana,
            "sam@example.com",
            followup_app::GrantScope::Edit,
            Some(day),
            TODAY,
            now,
        )
        .unwrap();
    let ws = ana.workspace.unwrap();
    assert!(
        t.app.access(&sam, ws, day).is_ok(),
        "holds through its last day"
    );
    let after = day.checked_add(jiff::Span::new().days(1)).unwrap();
    let e = t.app.access(&sam, ws, after).unwrap_err().to_string();
    assert!(e.contains(&format!("ended on {day}")), "{e}");
}

#[tokio::test]
async fn grants_through_the_api() {
    let t = team();
    let s = &t.server;
    add_sam(&t);
    let ana = t.app.account_named(&t.ana.0).unwrap();
    let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    let Secret(token) = t.app.create_token(&ana, "api", now).unwrap();
    let mut put = json_req(
        "/api/v1/account/grants",
        serde_json::json!({"coach": "sam@example.com", "scope": "view", "until": "2026-12-31"}),
    );
    *put.method_mut() = axum::http::Method::PUT;
    let (st, body) = as_bearer(s, put, &token).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let (st, body) = as_bearer(s, api_get("/api/v1/account/grants"), &token).await;
    assert_eq!(st, StatusCode::OK);
    let list: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        list,
        serde_json::json!([{"coach": "sam@example.com", "scope": "view", "until": "2026-12-31", "live": true}])
    );
    let mut bad = json_req(
        "/api/v1/account/grants",
        serde_json::json!({"coach": "sam@example.com", "scope": "own"}),
    );
    *bad.method_mut() = axum::http::Method::PUT;
    let (st, body) = as_bearer(s, bad, &token).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("scope: \\\"own\\\": give view or edit"),
        "{body}"
    );
    let del = Request::delete("/api/v1/account/grants/sam@example.com")
        .body(Body::empty())
        .unwrap();
    assert_eq!(as_bearer(s, del, &token).await.0, StatusCode::NO_CONTENT);
    let (_, body) = as_bearer(s, api_get("/api/v1/account/grants"), &token).await;
    assert_eq!(body, "[]");
    let (st, body) = as_bearer(s, api_get("/api/v1/account/visits"), &token).await;
    assert_eq!((st, body.as_str()), (StatusCode::OK, "[]"));
}

#[tokio::test]
async fn what_a_coach_logs_is_on_record_as_theirs() {
    let t = team();
    let s = &t.server;
    add_sam(&t);
    let ana = sign_in(s, &t.ana.0).await;
    let sam = sign_in(s, "sam@example.com").await;
    let ws = t.ana.1;
    // Sam names himself; a name too long is refused and changes nothing.
    let (st, page, _) = post_as(
        s,
        "/account/name",
        &sam,
        &format!("name={}", "x".repeat(81)),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        page.contains("Name: expected at most 80 characters, found 81"),
        "{page}"
    );
    let (_, page, _) = post_as(s, "/account/name", &sam, "name=Sam+Lee").await;
    assert!(
        page.contains("Saved: others now read “Sam Lee” where you act."),
        "{page}"
    );
    post_as(
        s,
        "/account/grants",
        &ana,
        "coach=sam%40example.com&scope=edit&until=",
    )
    .await;
    // Sam logs a call in Ana's search; Ana logs one herself.
    let (st, body, _) = post_as(
        s,
        &format!("/w/{ws}/log"),
        &sam,
        "kind=meeting&with=Zanzibar+Quill&note=Coached+the+pitch",
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert!(body.contains("Logged meeting"), "{body}");
    let (st, body, _) = post_as(s, "/log", &ana, "kind=follow-up&with=Zanzibar+Quill").await;
    assert_eq!(st, StatusCode::OK);
    assert!(body.contains("Logged follow-up"), "{body}");
    // Ana's timeline says which one Sam logged, and only that one.
    let (_, page, _) = as_cookie(s, "/contacts/1", &ana).await;
    assert_eq!(
        page.matches("<span class=\"by\">logged by Sam Lee (coach)</span>")
            .count(),
        1,
        "{page}"
    );
    assert!(page.contains("Coached the pitch<span class=\"by\">logged by Sam Lee (coach)"));
    // The API says so too, and the export names Sam by email, so it means the same elsewhere.
    let (_, body, _) = as_cookie(s, "/api/v1/contacts/1", &ana).await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let actors = v["actors"].as_object().expect("actors");
    assert_eq!(actors.len(), 1, "{body}");
    let who = actors.values().next().unwrap();
    assert_eq!(who["logged_by"]["name"], "Sam Lee");
    assert_eq!(who["logged_by"]["role"], "coach");
    let cx = t
        .app
        .ctx_for(followup_core::model::OwnerId(ws), Actor::Owner, TODAY)
        .unwrap();
    let export = t.app.export_json(&cx).unwrap();
    let v: serde_json::Value = serde_json::from_str(&export).unwrap();
    let by: Vec<_> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["by"].as_str())
        .collect();
    assert_eq!(by, ["sam@example.com"], "only Sam's event carries `by`");
    // Ana's own account page has no trace of Sam's name being hers; Sam's page shows it.
    let (_, page, _) = as_cookie(s, "/account", &sam).await;
    assert!(page.contains("value=\"Sam Lee\""), "{page}");
}

#[tokio::test]
async fn a_coach_keeps_templates_of_their_own_for_every_client() {
    let t = team();
    let s = &t.server;
    let sam_account = add_sam(&t);
    let ana = sign_in(s, &t.ana.0).await;
    let ben = sign_in(s, &t.ben.0).await;
    let sam = sign_in(s, "sam@example.com").await;
    for client in [&ana, &ben] {
        post_as(
            s,
            "/account/grants",
            client,
            "coach=sam%40example.com&scope=edit&until=",
        )
        .await;
    }
    let (ana_ws, ben_ws) = (t.ana.1, t.ben.1);
    let page_uri = format!("/w/{ana_ws}/settings/templates/outreach");
    let (_, page, _) = as_cookie(s, &page_uri, &sam).await;
    assert!(page.contains("You are a coach here"), "{page}");
    // A broken template is refused and nothing is kept.
    let (st, _, _) = post_as(
        s,
        &page_uri,
        &sam,
        "text=Subject%3A+x%0A%0A%7B%7B+nope+%7D%7D",
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, body, _) = post_as(
        s,
        &page_uri,
        &sam,
        "text=Subject%3A+Coffee%3F%0A%0ADear+%7B%7B+dear+%7D%7D%2C+COACH-MARK",
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{body}");
    let (_, page, _) = as_cookie(s, &page_uri, &sam).await;
    assert!(
        page.contains("yours as a coach, used in every search you draft in"),
        "{page}"
    );
    // Sam's drafts use it in Ana's search and in Ben's; Ana's own drafts do not.
    let as_sam = |ws: i64| {
        t.app
            .ctx_for(
                followup_core::model::OwnerId(ws),
                Actor::Account(sam_account.id.0),
                TODAY,
            )
            .unwrap()
    };
    let as_owner = |ws: i64| {
        t.app
            .ctx_for(followup_core::model::OwnerId(ws), Actor::Owner, TODAY)
            .unwrap()
    };
    let d = t
        .app
        .draft_to(&as_sam(ana_ws), "Zanzibar Quill", "outreach")
        .unwrap();
    assert!(d.body.contains("Dear Zanzibar, COACH-MARK"), "{}", d.body);
    assert_eq!(d.subject, "Coffee?");
    assert!(t.app.template(&as_sam(ben_ws), "outreach").unwrap().coach);
    let d = t
        .app
        .draft_to(&as_owner(ana_ws), "Zanzibar Quill", "outreach")
        .unwrap();
    assert!(!d.body.contains("COACH-MARK"), "{}", d.body);
    let (_, page, _) = as_cookie(s, "/settings/templates/outreach", &ana).await;
    assert!(page.contains("In use: built in"), "{page}");
    assert!(!page.contains("COACH-MARK"));
    // Reset forgets Sam's; the client's applies to him again.
    let (st, _, _) = post_as(s, &format!("{page_uri}/reset"), &sam, "").await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert!(!t.app.template(&as_sam(ben_ws), "outreach").unwrap().coach);
}
