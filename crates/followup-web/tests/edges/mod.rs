//! The server's edges (issue 10, "Trust at the edges"): only its own Host is answered, every
//! response carries the CSP and Referrer-Policy, notices are keys, a GET writes nothing, every
//! API error is `{status, message}`, and an import is confirmed by a token for the upload.

use crate::support::*;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use followup_app::{App, Config};
use followup_web::{BODY_LIMIT, CSP, REFERRER_POLICY, WebState};

fn get_with_host(uri: &str, host: Option<&str>) -> Request<Body> {
    let mut req = Request::get(uri);
    if let Some(h) = host {
        req = req.header(header::HOST, h);
    }
    req.body(Body::empty()).unwrap()
}

/// A refused request: 421, one line naming the host (or its absence) and the good ones.
fn assert_misdirected(st: StatusCode, body: &str, h: &HeaderMap, named: &str) {
    assert_eq!(st, StatusCode::MISDIRECTED_REQUEST, "{body}");
    assert!(
        h[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(body.trim_end().lines().count(), 1, "{body}");
    assert!(body.contains(named), "{body}");
    assert!(body.contains("127.0.0.1:7878"), "{body}");
}

#[tokio::test]
async fn the_servers_own_names_are_answered() {
    let s = demo();
    for host in [
        "127.0.0.1:7878",
        "localhost:7878",
        "LocalHost:7878",
        "[::1]:7878",
    ] {
        let (st, body, _) = send_raw(&s, get_with_host("/", Some(host))).await;
        assert_eq!(st, StatusCode::OK, "{host}: {body}");
        let (st, _, _) = send_raw(&s, get_with_host("/api/v1/contacts", Some(host))).await;
        assert_eq!(st, StatusCode::OK, "{host}");
    }
}

#[tokio::test]
async fn a_foreign_host_is_misdirected() {
    let s = demo();
    for host in [
        "evil.example:7878",
        "evil.example",
        "127.0.0.1.evil.example:7878",
        "localhost.:7878",
    ] {
        let (st, body, h) = send_raw(&s, get_with_host("/", Some(host))).await;
        assert_misdirected(st, &body, &h, host);
    }
    // Under /api/ the refusal is the API's JSON.
    let (st, body, h) = send_raw(
        &s,
        get_with_host("/api/v1/agenda", Some("evil.example:7878")),
    )
    .await;
    assert_eq!(st, StatusCode::MISDIRECTED_REQUEST);
    assert_eq!(h[header::CONTENT_TYPE], "application/json");
    let e: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(e["status"], 421);
    assert!(e["message"].as_str().unwrap().contains("evil.example"));
    // A state change through a rebound name does not happen.
    let mut req = form("/items/6/done", "");
    req.headers_mut()
        .insert(header::HOST, "evil.example:7878".parse().unwrap());
    let (st, _, _) = send_raw(&s, req).await;
    assert_eq!(st, StatusCode::MISDIRECTED_REQUEST);
    let (_, agenda) = get(&s, "/api/v1/agenda").await;
    assert!(agenda.contains("\"id\":6,"), "item 6 is still to do");
    // An absolute URI naming another host, whatever Host says.
    let req = Request::get("http://evil.example:7878/")
        .header(header::HOST, HOST)
        .body(Body::empty())
        .unwrap();
    let (st, body, h) = send_raw(&s, req).await;
    assert_misdirected(st, &body, &h, "evil.example");
}

#[tokio::test]
async fn an_empty_host_is_misdirected() {
    let s = demo();
    let (st, body, h) = send_raw(&s, get_with_host("/", Some(""))).await;
    assert_misdirected(st, &body, &h, "Host \"\"");
}

#[tokio::test]
async fn a_missing_host_is_misdirected() {
    let s = demo();
    let (st, body, h) = send_raw(&s, get_with_host("/", None)).await;
    assert_misdirected(st, &body, &h, "no Host header");
}

#[tokio::test]
async fn a_host_with_another_port_is_misdirected() {
    let s = demo();
    for host in ["127.0.0.1:7879", "localhost:80", "[::1]:07878", "127.0.0.1"] {
        let (st, body, h) = send_raw(&s, get_with_host("/", Some(host))).await;
        assert_misdirected(st, &body, &h, host);
    }
}

#[tokio::test]
async fn a_server_not_told_its_port_answers_no_one() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open_shared(&dir.path().join("web.db"), Config::default()).unwrap();
    let s = Server {
        dir,
        state: WebState::new(app, Some(TODAY)),
    };
    let (st, body, _) = send(&s, get_with_host("/", Some(HOST))).await;
    assert_eq!(st, StatusCode::MISDIRECTED_REQUEST);
    assert!(body.contains("not told which port"), "{body}");
}

/// Every GET address a person or a script uses, with the demo's ids.
const PAGES: [&str; 20] = [
    "/",
    "/?page=2",
    "/?notice=done&kind=follow-up&item=4",
    "/pipeline",
    "/contacts",
    "/contacts?q=northwind",
    "/contacts/1",
    "/contacts/1?notice=saved",
    "/jobs/1",
    "/log",
    "/import",
    "/settings",
    "/settings/templates/follow-up",
    "/items/8/draft",
    "/api/v1/agenda",
    "/api/v1/contacts/1",
    "/api/v1/jobs",
    "/api/v1/items/8/draft",
    "/api/v1/settings",
    "/openapi.json",
];

#[tokio::test]
async fn every_response_carries_the_csp_and_referrer_policy() {
    let s = demo();
    let mut uris: Vec<&str> = PAGES.to_vec();
    uris.extend([
        "/assets/style.css",
        "/assets/app.js",
        "/assets/htmx.min.js",
        "/contacts/999",
        "/no-such-page",
        "/api/v1/contacts/999",
    ]);
    for uri in uris {
        let (st, _, h) = send(&s, get_with_host(uri, None)).await;
        assert!(st.is_success() || st.is_client_error(), "{uri}: {st}");
        assert_eq!(h[header::CONTENT_SECURITY_POLICY], CSP, "{uri}");
        assert_eq!(h[header::REFERRER_POLICY], REFERRER_POLICY, "{uri}");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{uri}");
    }
    let (_, _, h) = send_raw(&s, get_with_host("/", Some("evil.example:7878"))).await;
    assert_eq!(h[header::CONTENT_SECURITY_POLICY], CSP, "the refusal too");
    // The policy allows no inline code and no other origin.
    assert!(!CSP.contains("unsafe") && !CSP.contains("http") && !CSP.contains('*'));
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(CSP.contains(directive), "{directive}");
    }
    assert_eq!(REFERRER_POLICY, "no-referrer");
}

/// Inline code the CSP would block: a `<script>` without `src`, a `<style>` element, a
/// `style=` attribute, or an `on...=` handler. Returns what it found.
fn inline_code(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let lower = html.to_ascii_lowercase();
    for (at, _) in lower.match_indices("<script") {
        let tag = &lower[at..at + lower[at..].find('>').unwrap_or(0)];
        if !tag.contains(" src=") {
            found.push(tag.to_string());
        }
    }
    if lower.contains("<style") {
        found.push("<style>".into());
    }
    let bytes = lower.as_bytes();
    for (at, _) in lower.match_indices("on") {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        if !matches!(before, Some(b' ' | b'\t' | b'\n' | b'"' | b'\'')) {
            continue;
        }
        let name: String = lower[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        if name.len() > 2 && lower[at + name.len()..].trim_start().starts_with('=') {
            found.push(name);
        }
    }
    for (at, _) in lower.match_indices("style") {
        if at > 0
            && bytes[at - 1].is_ascii_whitespace()
            && lower[at + 5..].trim_start().starts_with('=')
        {
            found.push("style=".into());
        }
    }
    found
}

#[test]
fn no_template_holds_inline_script_style_or_handlers() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            inline_code(&text),
            Vec::<String>::new(),
            "{}",
            path.display()
        );
        seen += 1;
    }
    assert!(seen >= 14, "read the templates: {seen}");
    // The scanner finds what it looks for.
    let bad = r#"<script>x()</script><button onclick="x()"><p style="color:red"><style>"#;
    assert_eq!(inline_code(bad).len(), 4, "{:?}", inline_code(bad));
    // htmx is told not to add its own <style> (its indicator rules are in style.css).
    let base = std::fs::read_to_string(dir.join("base.html")).unwrap();
    assert!(base.contains(r#""includeIndicatorStyles":false"#));
    assert!(include_str!("../../assets/style.css").contains(".htmx-indicator"));
}

#[tokio::test]
async fn no_page_carries_inline_code() {
    let s = demo();
    for uri in PAGES
        .iter()
        .filter(|u| !u.contains("api") && !u.contains("json"))
    {
        let (st, body) = get(&s, uri).await;
        assert_eq!(st, StatusCode::OK, "{uri}");
        assert_eq!(inline_code(&body), Vec::<String>::new(), "{uri}");
    }
    let (_, draft) = get(&s, "/items/8/draft").await;
    assert!(
        draft.contains(r#"data-copy="body""#) && draft.contains(r#"src="/assets/app.js""#),
        "the copy button works from the script file"
    );
}

#[tokio::test]
async fn a_notice_shows_only_the_servers_own_sentences() {
    let s = demo();
    // Free text in the URL is not shown: a link from elsewhere cannot put words on the page.
    for q in [
        "/?notice=Your+account+is+locked",
        "/?notice=Your%20account%20is%20locked",
        "/contacts/1?notice=Your+account+is+locked",
        "/?notice=snoozed",
    ] {
        let (st, page) = get(&s, q).await;
        assert_eq!(st, StatusCode::OK);
        assert!(!page.contains("class=\"notice\""), "{q}: {page}");
        assert!(!page.contains("account is locked"), "{q}");
    }
    // Done without htmx: the redirect names a key and ids; the page writes the sentence.
    // (Confirmed: item 6 comes too soon after the last message, C12.)
    let (st, _, h) = send(&s, form("/items/6/done", "confirm=yes")).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let to = h[header::LOCATION].to_str().unwrap().to_string();
    assert!(to.starts_with("/?notice=done&kind=follow-up"), "{to}");
    let (_, page) = get(&s, &to).await;
    assert!(page.contains("Logged the follow-up. Next:"), "{page}");
    // Snooze: the item's new day, read back from the plan.
    let (st, _, h) = send(&s, form("/items/11/snooze", "until=friday")).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let to = h[header::LOCATION].to_str().unwrap().to_string();
    // The notice's key and ids, and the Undo the server wrote (a token, never text).
    assert_eq!(
        to,
        "/?notice=snoozed&item=11&undo=withdraw-snooze%3Acontact%2F14%2Ffollow-up"
    );
    let (_, page) = get(&s, &to).await;
    assert!(page.contains("until Fri 27 Nov."), "{page}");
    // A contact's form: saved, or nothing to save.
    let (st, _, h) = send(&s, form("/contacts/1", "tier=critical&prefers=phone")).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(h[header::LOCATION], "/contacts/1?notice=saved");
    let (_, page) = get(&s, "/contacts/1?notice=saved").await;
    assert!(page.contains("<div class=\"notice\" role=\"status\"><p>Saved.</p>"));
    let (_, _, h) = send(&s, form("/contacts/1", "")).await;
    assert_eq!(h[header::LOCATION], "/contacts/1?notice=unchanged");
    let (_, page) = get(&s, "/contacts/1?notice=unchanged").await;
    assert!(page.contains("Nothing changed."));
}

/// What the database holds, as another connection and as bytes on disk would see it.
fn snapshot(s: &Server, probe: &App) -> (u64, Vec<Vec<u8>>) {
    let files = ["web.db", "web.db-wal"]
        .iter()
        .map(|f| std::fs::read(s.dir.path().join(f)).unwrap_or_default())
        .collect();
    (
        probe.data_version(&probe.ctx(TODAY).unwrap()).unwrap(),
        files,
    )
}

#[tokio::test]
async fn a_get_changes_nothing() {
    let s = demo();
    let probe = App::open(&s.dir.path().join("web.db"), Config::default()).unwrap();
    let before = snapshot(&s, &probe);
    for uri in PAGES.iter().chain(&[
        "/calendar/00000000000000000000000000000000.ics",
        "/assets/style.css",
    ]) {
        let (st, _) = get(&s, uri).await;
        assert!(
            st.is_success() || st == StatusCode::NOT_FOUND,
            "{uri}: {st}"
        );
        assert!(snapshot(&s, &probe) == before, "GET {uri} wrote");
    }
    // Settings offers to make the calendar address; only the POST makes it.
    let (_, settings) = get(&s, "/settings").await;
    assert!(settings.contains("Create a calendar address"));
    let (st, _, _) = send(&s, form("/settings/calendar-token", "")).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert!(snapshot(&s, &probe) != before, "the probe sees writes");
}

/// An API error: JSON with the status as a number and a one-line message.
fn api_error(st: StatusCode, body: &str, h: &HeaderMap) -> String {
    assert!(st.is_client_error(), "{st}: {body}");
    assert_eq!(h[header::CONTENT_TYPE], "application/json", "{body}");
    let e: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(e["status"], st.as_u16(), "{body}");
    let message = e["message"].as_str().unwrap().to_string();
    assert!(!message.is_empty() && !message.contains('\n'), "{body}");
    message
}

fn post(uri: &str, content_type: Option<&str>, body: impl Into<Body>) -> Request<Body> {
    let mut req = Request::post(uri);
    if let Some(t) = content_type {
        req = req.header(header::CONTENT_TYPE, t);
    }
    req.body(body.into()).unwrap()
}

#[tokio::test]
async fn api_malformed_json_is_a_400() {
    let s = demo();
    let req = post(
        "/api/v1/touches",
        Some("application/json"),
        r#"{"kind": "note", "with": ["#,
    );
    let (st, body, h) = send(&s, req).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(
        api_error(st, &body, &h).contains("not valid JSON"),
        "{body}"
    );
}

#[tokio::test]
async fn api_body_without_json_content_type_is_a_415() {
    let s = demo();
    let json = r#"{"until": "friday"}"#;
    for kind in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let (st, body, h) = send(&s, post("/api/v1/items/4/snooze", kind, json)).await;
        assert_eq!(st, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{kind:?}");
        assert!(api_error(st, &body, &h).contains("Content-Type: application/json"));
    }
}

#[tokio::test]
async fn api_unknown_field_is_named() {
    let s = demo();
    let (_, before) = get(&s, "/api/v1/agenda").await;
    let (st, body, h) = send(
        &s,
        json_req(
            "/api/v1/touches",
            serde_json::json!({"kind": "follow-up", "with": ["Dana Reyes"], "i_will_folow_up": "friday"}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let m = api_error(st, &body, &h);
    assert!(m.contains("unknown field `i_will_folow_up`"), "{m}");
    let (_, after) = get(&s, "/api/v1/agenda").await;
    assert_eq!(before, after, "nothing was logged");
}

#[tokio::test]
async fn api_wrong_type_is_a_422_naming_the_field() {
    let s = demo();
    let (st, body, h) = send(
        &s,
        json_req("/api/v1/items/4/snooze", serde_json::json!({"until": 5})),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(api_error(st, &body, &h).contains("until"), "{body}");
}

#[tokio::test]
async fn api_bad_path_parameter_is_a_400() {
    let s = demo();
    let (st, body, h) = send(&s, post("/api/v1/items/abc/done", None, "")).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let m = api_error(st, &body, &h);
    assert!(
        m.contains("/api/v1/items/abc/done")
            && m.contains("expected a number (an id), found \"abc\""),
        "{m}"
    );
}

#[tokio::test]
async fn api_bad_query_parameter_is_a_400() {
    let s = demo();
    let (st, body, h) = send(&s, get_with_host("/api/v1/agenda?limit=many", None)).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(api_error(st, &body, &h).contains("limit"), "{body}");
    // A misspelt option is refused rather than ignored: a real import is not a dry run.
    let req = post(
        "/api/v1/import/vcard?dryrun=true",
        None,
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nEND:VCARD\r\n",
    );
    let (st, body, h) = send(&s, req).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(api_error(st, &body, &h).contains("dryrun"), "{body}");
    let (_, contacts) = get(&s, "/api/v1/contacts").await;
    assert!(!contacts.contains("Lovelace"));
}

#[tokio::test]
async fn api_unknown_route_is_a_404() {
    let s = demo();
    for uri in ["/api/v1/nothing", "/api/v2/agenda", "/api/", "/api"] {
        let (st, body, h) = send(&s, get_with_host(uri, None)).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{uri}");
        assert!(api_error(st, &body, &h).contains("/openapi.json"), "{body}");
    }
    // Outside the API an unknown address is a page.
    let (st, body) = get(&s, "/nothing").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(body.starts_with("<!doctype html>"));
}

#[tokio::test]
async fn api_wrong_method_is_a_405() {
    let s = demo();
    let req = Request::delete("/api/v1/agenda")
        .body(Body::empty())
        .unwrap();
    let (st, body, h) = send(&s, req).await;
    assert_eq!(st, StatusCode::METHOD_NOT_ALLOWED);
    assert!(
        api_error(st, &body, &h).contains("DELETE /api/v1/agenda"),
        "{body}"
    );
    assert!(h[header::ALLOW].to_str().unwrap().contains("GET"));
    let (st, body, h) = send(&s, get_with_host("/api/v1/items/4/done", None)).await;
    assert_eq!(st, StatusCode::METHOD_NOT_ALLOWED);
    api_error(st, &body, &h);
}

#[tokio::test]
async fn api_body_too_large_is_a_413() {
    let s = demo();
    let big = vec![b'a'; BODY_LIMIT + 1];
    for (uri, kind) in [
        ("/api/v1/import/vcard", None),
        ("/api/v1/touches", Some("application/json")),
    ] {
        let (st, body, h) = send(&s, post(uri, kind, big.clone())).await;
        assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE, "{uri}");
        assert!(api_error(st, &body, &h).contains("8 MiB"), "{body}");
    }
}

#[tokio::test]
async fn api_change_from_another_site_is_a_403() {
    let s = demo();
    let mut req = post("/api/v1/items/6/done", None, "");
    req.headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    let (st, body, h) = send(&s, req).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(api_error(st, &body, &h).contains("another site"), "{body}");
}

#[tokio::test]
async fn the_openapi_document_lists_every_route() {
    let s = demo();
    let (st, body) = get(&s, "/openapi.json").await;
    assert_eq!(st, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    for (path, method) in [
        ("/api/v1/agenda", "get"),
        ("/api/v1/contacts", "get"),
        ("/api/v1/contacts/{id}", "get"),
        ("/api/v1/contacts/{id}", "patch"),
        ("/api/v1/jobs", "get"),
        ("/api/v1/jobs/{id}", "get"),
        ("/api/v1/jobs/{id}/stage", "post"),
        ("/api/v1/touches", "post"),
        ("/api/v1/items/{id}/done", "post"),
        ("/api/v1/items/{id}/snooze", "post"),
        ("/api/v1/items/{id}/draft", "get"),
        ("/api/v1/items/{id}/warnings", "get"),
        ("/api/v1/me", "get"),
        ("/api/v1/me", "patch"),
        ("/api/v1/settings", "get"),
        ("/api/v1/settings", "put"),
        ("/api/v1/import/{kind}", "post"),
        ("/api/v1/caseload", "get"),
        ("/api/v1/caseload/{workspace}/note", "put"),
    ] {
        let op = &doc["paths"][path][method];
        assert!(op.is_object(), "{method} {path}");
        assert_eq!(
            op["responses"]["4XX"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ApiError",
            "{method} {path}"
        );
    }
    let about = doc["info"]["description"].as_str().unwrap();
    assert!(about.contains("{status, message}"), "{about}");
    let schemas = &doc["components"]["schemas"];
    let error = &schemas["ApiError"]["properties"];
    assert!(
        error["status"].is_object() && error["message"].is_object(),
        "{doc}"
    );
    // Request bodies are described as what they accept: these fields and no others.
    let touch = &schemas["TouchBody"];
    assert_eq!(touch["additionalProperties"], false, "{touch}");
    assert!(
        touch["properties"]["i_will_follow_up"].is_object(),
        "{touch}"
    );
    // Every reference resolves.
    let text = doc.to_string();
    for (at, _) in text.match_indices("#/components/schemas/") {
        let name: String = text[at + 21..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        assert!(
            schemas[&name].is_object(),
            "{name} is referenced, not defined"
        );
    }
}

/// A LinkedIn export padded with preamble lines (which the importer skips) so that the
/// Import form's whole request is `size` bytes.
fn padded_export(size: usize) -> Vec<u8> {
    let csv = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/fixtures/linkedin/Connections.csv"
    ))
    .unwrap();
    let overhead = body_len(b"") + csv.len();
    let mut pad = size - overhead;
    let mut file = Vec::with_capacity(size);
    while pad > 0 {
        let line = pad.min(1000);
        file.extend(std::iter::repeat_n(b'x', line - 1));
        file.push(b'\n');
        pad -= line;
    }
    file.extend_from_slice(&csv);
    file
}

fn body_len(file: &[u8]) -> usize {
    upload_body("XYZBOUNDARY", "Connections.csv", file).len()
}

#[tokio::test]
async fn a_file_at_the_limit_previews_then_confirms() {
    let s = demo();
    let file = padded_export(BODY_LIMIT);
    let req = upload("Connections.csv", &file);
    assert_eq!(body_len(&file), BODY_LIMIT);
    let (st, page, _) = send(&s, req).await;
    assert_eq!(st, StatusCode::OK, "{}", &page[..page.len().min(500)]);
    assert!(page.contains("This would import Connections.csv: 35 created"));
    let token = token_in(&page);
    assert_eq!(token.len(), 32);
    let (st, page, _) = send(&s, form("/import/confirm", &format!("token={token}"))).await;
    assert_eq!(st, StatusCode::OK, "{page}");
    assert!(
        page.contains("Imported Connections.csv: 35 created"),
        "{page}"
    );
}

#[tokio::test]
async fn a_file_over_the_limit_is_a_413_page_in_the_apps_words() {
    let s = demo();
    let file = padded_export(BODY_LIMIT + 1);
    let (st, page, h) = send(&s, upload("Connections.csv", &file)).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        h[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.contains("larger than 8 MiB"), "{page}");
}

#[tokio::test]
async fn an_unknown_import_token_asks_for_the_file_again() {
    let s = demo();
    for token in ["00000000000000000000000000000000", "", "x"] {
        let (st, page, _) = send(&s, form("/import/confirm", &format!("token={token}"))).await;
        assert_eq!(st, StatusCode::GONE, "{token:?}");
        assert!(page.contains("upload the file again"), "{page}");
    }
}

/// A row the store cannot read is the server's fault: a 500, as a page and as JSON, that
/// names no table, row or parser, only a reference to the server's log.
#[tokio::test]
async fn an_unreadable_row_is_a_500_that_tells_a_reference_not_the_store_words() {
    let s = demo();
    let db = rusqlite::Connection::open(s.dir.path().join("web.db")).unwrap();
    let id: i64 = db
        .query_row("SELECT min(id) FROM contacts", [], |r| r.get(0))
        .unwrap();
    db.execute("UPDATE contacts SET data = '{' WHERE id = ?1", [id])
        .unwrap();
    drop(db);
    let told = |body: &str| {
        for word in ["unreadable", "column", "EOF", "database row", "web.db"] {
            assert!(!body.contains(word), "{word} told: {body}");
        }
        assert!(body.contains("under reference"), "{body}");
    };
    let (st, page, _) = send(&s, get_with_host(&format!("/contacts/{id}"), None)).await;
    assert_eq!(st, StatusCode::INTERNAL_SERVER_ERROR, "{page}");
    told(&page);
    let (st, body, h) = send(&s, get_with_host(&format!("/api/v1/contacts/{id}"), None)).await;
    assert_eq!(st, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert_eq!(h[header::CONTENT_TYPE], "application/json", "{body}");
    let e: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(e["status"], 500, "{body}");
    told(e["message"].as_str().unwrap());
}
