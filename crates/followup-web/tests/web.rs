//! The router, called with `oneshot`: pages, form actions with and without htmx, CSRF, the
//! JSON API and its errors, the OpenAPI document, assets, and the calendar feed. The
//! edges (Host, headers, notices, read-only GETs, API errors, import tokens) are in edges.rs.

mod caseload;
mod corrections;
mod edges;
mod isolation;
mod mail;
mod support;
mod team;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use followup_app::{App, Config};
use followup_web::{WebState, check_bind};
use support::*;

#[tokio::test]
async fn every_page_renders_readable_without_javascript() {
    let s = demo();
    for uri in [
        "/",
        "/pipeline",
        "/contacts",
        "/contacts?q=northwind",
        "/contacts/1",
        "/jobs/1",
        "/log",
        "/import",
        "/settings",
        "/rules",
        "/items/8/draft",
    ] {
        let (st, body) = get(&s, uri).await;
        assert_eq!(st, StatusCode::OK, "{uri}: {body}");
        assert!(body.starts_with("<!doctype html>"), "{uri}");
        assert!(body.contains("<nav aria-label=\"Main\">"), "{uri}");
    }
    let (_, today) = get(&s, "/").await;
    assert!(
        today.contains("your interview on 23 Nov: a thank-you note within 1 day")
            && today.contains("<a class=\"rule\" href=\"/rules#F6\""),
        "items carry their why, in plain words, and the rule as a link"
    );
    assert!(
        today.contains("action=\"/items/8/done\"") && today.contains("hx-post=\"/items/8/done\"")
    );
    let (_, contacts) = get(&s, "/contacts?q=northwind").await;
    assert!(contacts.contains("Dana Reyes") && !contacts.contains("Marcus Bell"));
    let (_, draft) = get(&s, "/items/8/draft").await;
    assert!(draft.contains("Thank you") && draft.contains("mailto:maya.patel"));
    let (st, _) = get(&s, "/contacts/999").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // Today pages by a hundred; the demo fits on one.
    assert!(!today.contains("href=\"/?page=2\""));
    let (st, page2) = get(&s, "/?page=2").await;
    assert_eq!(st, StatusCode::OK);
    assert!(page2.contains("href=\"/?page=1\"") && !page2.contains("class=\"item\""));
}

#[tokio::test]
async fn templates_escape_what_people_typed() {
    let s = demo();
    let (st, _, _) = send(
        &s,
        json_req(
            "/api/v1/touches",
            serde_json::json!({"kind": "note", "with": ["Dana Reyes"], "note": "<script>alert(1)</script>"}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    let (_, page) = get(&s, "/contacts/1").await;
    assert!(!page.contains("<script>alert(1)</script>"));
    assert!(
        page.contains("&#60;script&#62;") || page.contains("&lt;script&gt;"),
        "escaped"
    );
}

#[tokio::test]
async fn done_and_snooze_work_with_and_without_htmx() {
    let s = demo();
    // Plain form: redirect back to Today with a notice. (Item 6 comes too soon after the
    // last message, so Done asked first and this is the "Record anyway" answer, C12.)
    let (st, _, h) = send(&s, form("/items/6/done", "confirm=yes")).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert!(
        h[header::LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/?notice=done&kind=follow-up")
    );
    // htmx: the item's fragment comes back.
    let mut req = form("/items/11/snooze", "until=friday");
    req.headers_mut()
        .insert("hx-request", "true".parse().unwrap());
    let (st, body, _) = send(&s, req).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        body.contains("Snoozed") && body.contains("until Fri 27 Nov."),
        "{body}"
    );
    let (_, today) = get(&s, "/").await;
    let at = today
        .find("id=\"item-11\"")
        .expect("still in the two weeks");
    assert!(today[at..].contains("Fri 27 Nov"), "now due Friday");
    // A bad date is a clear error, not a crash.
    let (st, body, _) = send(&s, form("/items/4/snooze", "until=someday")).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("someday"));
}

#[tokio::test]
async fn state_changes_from_another_site_are_refused() {
    let s = demo();
    let mut req = form("/items/6/done", "");
    req.headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    let (st, _, _) = send(&s, req).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let mut req = form("/items/6/done", "");
    req.headers_mut()
        .insert("origin", "https://evil.example".parse().unwrap());
    req.headers_mut()
        .insert(header::HOST, "127.0.0.1:7878".parse().unwrap());
    let (st, _, _) = send(&s, req).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // GET never changes anything: done is POST only.
    let (st, _) = get(&s, "/items/6/done").await;
    assert_eq!(st, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn the_log_form_shows_what_changed() {
    let s = demo();
    let (st, body, _) = send(
        &s,
        form(
            "/log",
            "kind=interview&with=Dana+Reyes&job=&on=today&note=&they_decide_by=&i_will_follow_up=&next_step=&all_hear_back=&may_follow_up=&they_prefer=&direct_contact=&on_linkedin=",
        ),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(body.contains("Logged interview"), "{body}");
    assert!(
        body.contains("Next:") && body.contains("thank-you"),
        "{body}"
    );
    assert!(body.contains("F17"), "unasked questions warned");
}

#[tokio::test]
async fn the_pipeline_moves_jobs() {
    let s = demo();
    // The board is cached per change: the one read before the moves must not come back.
    let (_, before) = get(&s, "/pipeline").await;
    assert!(before.contains("Closed (4)"), "{before}");
    let (st, _, _) = send(&s, form("/jobs/4/stage", "stage=applied")).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, body) = get(&s, "/api/v1/jobs/4").await;
    assert!(body.contains("\"stage\":\"applied\""), "{body}");
    let (st, _, _) = send(&s, form("/jobs/4/stage", "stage=withdrawn")).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, page) = get(&s, "/pipeline").await;
    assert!(page.contains("Closed (5)"), "{page}");
}

#[tokio::test]
async fn the_api_does_what_the_pages_do() {
    let s = demo();
    let (st, body, h) = send(
        &s,
        Request::get("/api/v1/agenda").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    let items: serde_json::Value = serde_json::from_str(&body).unwrap();
    let total: usize = h["x-total-count"].to_str().unwrap().parse().unwrap();
    assert_eq!(items.as_array().unwrap().len(), total);
    // Pages: a limit of 5 gives five and a link to the next.
    let (_, five, h) = send(
        &s,
        Request::get("/api/v1/agenda?limit=5")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let five: serde_json::Value = serde_json::from_str(&five).unwrap();
    assert_eq!(five.as_array().unwrap().len(), 5);
    assert_eq!(five[0], items[0]);
    assert!(
        h[header::LINK]
            .to_str()
            .unwrap()
            .contains("offset=5&limit=5")
    );
    let first = &items[0];
    for f in [
        "id",
        "due",
        "overdue_days",
        "action",
        "rule",
        "why",
        "channel",
        "contact",
        "jobs",
    ] {
        assert!(first.get(f).is_some(), "{f}");
    }
    let (st, body, _) = send(
        &s,
        json_req(
            "/api/v1/touches",
            serde_json::json!({"kind": "follow-up", "with": ["Tom Okafor"], "job": "Initech"}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["warnings"][0]["rule"], "F15", "{v}");
    let (st, body, _) = send(
        &s,
        json_req(
            "/api/v1/items/4/snooze",
            serde_json::json!({"until": "2026-12-20"}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let (st, body) = get(&s, "/api/v1/items/4/draft").await;
    assert_eq!(st, StatusCode::OK);
    let d: serde_json::Value = serde_json::from_str(&body).unwrap();
    for f in ["subject", "body", "channel", "to", "warnings"] {
        assert!(d.get(f).is_some(), "{f}");
    }
    // Errors are JSON with a status and a message.
    let (st, body) = get(&s, "/api/v1/contacts/999").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let e: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(e["status"], 404);
    assert!(e["message"].as_str().unwrap().contains("999"));
    let (st, body, _) = send(
        &s,
        json_req(
            "/api/v1/touches",
            serde_json::json!({"kind": "lunch", "with": ["Dana Reyes"]}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    // The API names the refused field by its JSON key (issue 12), never a CLI argument.
    assert!(body.contains("\"message\":\"kind: "), "{body}");
    assert!(!body.contains("KIND") && !body.contains("--"), "{body}");
    let (st, body, _) = send(
        &s,
        json_req(
            "/api/v1/touches",
            serde_json::json!({"kind": "reply", "with": ["Dana Reyes"], "on": "someday"}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("\"message\":\"on: "), "{body}");
    assert!(!body.contains("--on"), "{body}");
    // Contacts are edited, and networks imported, as the pages do.
    let req = Request::patch("/api/v1/contacts/Dana%20Reyes")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"tier": "critical", "prefers": "phone"}"#))
        .unwrap();
    let (st, body, _) = send(&s, req).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(body.contains("\"tier\":\"critical\""));
    let vcf =
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nEMAIL:ada@example.com\r\nEND:VCARD\r\n";
    let req = Request::post("/api/v1/import/vcard?dry_run=true&name=ada.vcf")
        .body(Body::from(vcf))
        .unwrap();
    let (st, body, _) = send(&s, req).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(
        body.contains("\"created\":1") && body.contains("\"dry_run\":true"),
        "{body}"
    );
    let req = Request::post("/api/v1/import/vcard?name=cut.vcf")
        .body(Body::from("BEGIN:VCARD\r\nFN:Ada\r\n"))
        .unwrap();
    let (st, body, _) = send(&s, req).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("cut.vcf: card 1 (line 1)"), "{body}");
    // The OpenAPI document lists the API.
    let (st, body) = get(&s, "/openapi.json").await;
    assert_eq!(st, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(doc["paths"]["/api/v1/agenda"]["get"].is_object(), "{doc}");
    assert!(doc["paths"]["/api/v1/touches"]["post"].is_object());
}

#[tokio::test]
async fn assets_are_embedded_with_cache_headers() {
    let s = demo();
    let (st, body, h) = send(
        &s,
        Request::get("/assets/htmx.min.js")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert!(body.contains("htmx"));
    assert!(
        h[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let (st, _, h) = send(
        &s,
        Request::get("/assets/style.css")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        h[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
}

#[tokio::test]
async fn the_calendar_feed_needs_its_secret() {
    let s = demo();
    let (_, settings) = get(&s, "/settings").await;
    assert!(
        settings.contains("Create a calendar address") && !settings.contains("/calendar/"),
        "no address until asked for: {settings}"
    );
    let (st, _, _) = send(&s, form("/settings/calendar-token", "")).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, settings) = get(&s, "/settings").await;
    assert!(
        settings.contains("http://127.0.0.1:7878/calendar/"),
        "{settings}"
    );
    let start = settings.find("/calendar/").unwrap();
    let token: String = settings[start + 10..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    assert_eq!(token.len(), 32, "128 bits");
    let (st, ics) = get(&s, &format!("/calendar/{token}.ics")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.contains("BEGIN:VALARM"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("feed.ics");
    std::fs::write(&file, &ics).unwrap();
    validate_ics(&file);
    let (st, _) = get(&s, "/calendar/00000000000000000000000000000000.ics").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // Rotating the token retires the old address.
    let (st, _, _) = send(&s, form("/settings/calendar-token", "")).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (st, _) = get(&s, &format!("/calendar/{token}.ics")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

/// `../shared/tools/validate_ics.py --strict`, installing its parsers when missing.
fn validate_ics(path: &std::path::Path) {
    use std::process::Command;
    let tool = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/tools/validate_ics.py");
    let have = Command::new("python3")
        .args(["-c", "import icalendar, vobject"])
        .output()
        .unwrap();
    if !have.status.success() {
        let pip = Command::new("python3")
            .args(["-m", "pip", "install", "--quiet", "icalendar", "vobject"])
            .output()
            .unwrap();
        assert!(
            pip.status.success(),
            "{}",
            String::from_utf8_lossy(&pip.stderr)
        );
    }
    let out = Command::new("python3")
        .arg(&tool)
        .arg("--strict")
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[tokio::test]
async fn import_shows_a_dry_run_then_imports() {
    let s = demo();
    let csv = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/fixtures/linkedin/Connections.csv"
    ))
    .unwrap();
    let (st, page, _) = send(&s, upload("Connections.csv", &csv)).await;
    assert_eq!(st, StatusCode::OK, "{page}");
    assert!(
        page.contains("This would import Connections.csv: 35 created"),
        "{page}"
    );
    let (_, contacts) = get(&s, "/api/v1/contacts").await;
    assert!(!contacts.contains("Quellbrook"), "the dry run wrote");
    // Confirm: the form carries the preview's token, not the file.
    let token = token_in(&page);
    assert!(!page.contains("Quellbrook"), "the file is not in the page");
    let (st, page, _) = send(&s, form("/import/confirm", &format!("token={token}"))).await;
    assert_eq!(st, StatusCode::OK, "{page}");
    assert!(
        page.contains("Imported Connections.csv: 35 created"),
        "{page}"
    );
    let (_, contacts) = get(&s, "/api/v1/contacts").await;
    assert!(contacts.contains("Quellbrook"));
    // A token serves once: confirming again asks for the file again.
    let (st, page, _) = send(&s, form("/import/confirm", &format!("token={token}"))).await;
    assert_eq!(st, StatusCode::GONE);
    assert!(page.contains("upload the file again"), "{page}");
}

#[test]
fn only_loopback_until_accounts() {
    assert!(check_bind(&"127.0.0.1:7878".parse().unwrap(), false).is_ok());
    assert!(check_bind(&"[::1]:7878".parse().unwrap(), false).is_ok());
    let e = check_bind(&"0.0.0.0:7878".parse().unwrap(), false).unwrap_err();
    assert!(e.contains("loopback") && e.contains("team"), "{e}");
    assert!(check_bind(&"192.168.1.5:80".parse().unwrap(), false).is_err());
    // With accounts everyone signs in, so the network may reach it.
    assert!(check_bind(&"0.0.0.0:7878".parse().unwrap(), true).is_ok());
    assert!(check_bind(&"192.168.1.5:80".parse().unwrap(), true).is_ok());
}

#[tokio::test]
async fn the_cached_agenda_follows_writes_from_another_process() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    let app = App::open(&path, Config::default()).unwrap();
    followup_app::demo::build(&app, &app.ctx(TODAY).unwrap()).unwrap();
    let s = Server {
        dir: tempfile::tempdir().unwrap(),
        state: WebState::new(app, Some(TODAY)).serving(PORT),
    };
    let (_, before) = get(&s, "/api/v1/agenda").await;
    let (_, again) = get(&s, "/api/v1/agenda").await;
    assert_eq!(before, again);
    // The CLI, say, writes through its own connection.
    let other = App::open(&path, Config::default()).unwrap();
    other
        .log(
            &other.ctx(TODAY).unwrap(),
            followup_app::NewTouch {
                kind: followup_core::TouchKind::Reply,
                with: vec!["Emma Novak".into()],
                ..Default::default()
            },
        )
        .unwrap();
    let (_, after) = get(&s, "/api/v1/agenda").await;
    assert_ne!(before, after, "a stale agenda was served");
    assert!(!after.contains("F12: outreach on 13 Nov"), "Emma replied");
    let (_, page) = get(&s, "/").await;
    assert!(!page.contains("F12: outreach on 13 Nov"));
}

/// Item 6 of the demo: Tom Okafor's retry, due Thu 26 Nov; on Mon 23 Nov it would come less
/// than 3 bd after the follow-up he has not answered.
const TOO_SOON: &str = "6";

#[tokio::test]
async fn clarification_c12_done_shows_the_warning_and_asks_before_recording() {
    let s = demo();
    let (_, before) = get(&s, "/api/v1/contacts/Tom%20Okafor").await;
    let touches = |page: &str| {
        serde_json::from_str::<serde_json::Value>(page).unwrap()["timeline"]
            .as_array()
            .unwrap()
            .len()
    };
    let n = touches(&before);
    // Without JavaScript: a page with the warning and a form that confirms; nothing recorded.
    let (st, page, _) = send(&s, form(&format!("/items/{TOO_SOON}/done"), "")).await;
    assert_eq!(st, StatusCode::OK, "{page}");
    assert!(page.starts_with("<!doctype html>"));
    assert!(page.contains("F15") && page.contains("3 bd"), "{page}");
    assert!(
        page.contains("name=\"confirm\" value=\"yes\"") && page.contains("Record anyway"),
        "{page}"
    );
    let (_, after) = get(&s, "/api/v1/contacts/Tom%20Okafor").await;
    assert_eq!(touches(&after), n, "asking recorded nothing");
    // With htmx: the item's fragment turns into the question, in place.
    let mut req = form(&format!("/items/{TOO_SOON}/done"), "");
    req.headers_mut()
        .insert("hx-request", "true".parse().unwrap());
    let (st, frag, _) = send(&s, req).await;
    assert_eq!(st, StatusCode::OK);
    assert!(!frag.contains("<!doctype html>"), "a fragment: {frag}");
    assert!(
        frag.contains(&format!("id=\"item-{TOO_SOON}\"")) && frag.contains("F15"),
        "{frag}"
    );
    assert!(frag.contains(&format!("hx-post=\"/items/{TOO_SOON}/done\"")));
    // Confirmed: recorded, with htmx too.
    let mut req = form(&format!("/items/{TOO_SOON}/done"), "confirm=yes");
    req.headers_mut()
        .insert("hx-request", "true".parse().unwrap());
    let (st, frag, _) = send(&s, req).await;
    assert_eq!(st, StatusCode::OK);
    assert!(frag.contains("Logged the follow-up"), "{frag}");
    let (_, after) = get(&s, "/api/v1/contacts/Tom%20Okafor").await;
    assert_eq!(touches(&after), n + 1);
    // An item with nothing too soon is done at once, as before.
    let (st, _, h) = send(&s, form("/items/8/done", "")).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert!(
        h[header::LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/?notice=done&kind=thank-you")
    );
}

#[tokio::test]
async fn clarification_c12_the_draft_warns_before_sending() {
    let s = demo();
    let (st, page) = get(&s, &format!("/items/{TOO_SOON}/draft")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        page.contains("F15") && page.contains("role=\"alert\""),
        "{page}"
    );
    let (_, body) = get(&s, &format!("/api/v1/items/{TOO_SOON}/draft")).await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["warnings"][0]["rule"], "F15", "{v}");
    // The API says it before anything is done, too.
    let (st, body) = get(&s, &format!("/api/v1/items/{TOO_SOON}/warnings")).await;
    assert_eq!(st, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v[0]["rule"], "F15", "{v}");
    assert!(v[0]["earliest"].is_string(), "{v}");
    let (_, body) = get(&s, "/api/v1/items/8/warnings").await;
    assert_eq!(body, "[]");
    let (st, _) = get(&s, "/api/v1/items/999/warnings").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn clarification_c09_pages_show_kept_and_replaced_promises() {
    let s = demo();
    let log = |body: serde_json::Value| json_req("/api/v1/touches", body);
    // On 23 Nov: a meeting where I promised a date, then a newer date in a note (the first
    // is replaced), then a message to her (the second is kept).
    for body in [
        serde_json::json!({"kind": "meeting", "with": ["Dana Reyes"], "i_will_follow_up": "2026-11-30"}),
        serde_json::json!({"kind": "note", "with": ["Dana Reyes"], "i_will_follow_up": "2026-12-02"}),
        serde_json::json!({"kind": "outreach", "with": ["Dana Reyes"]}),
    ] {
        let (st, b, _) = send(&s, log(body)).await;
        assert_eq!(st, StatusCode::OK, "{b}");
    }
    let (_, body) = get(&s, "/api/v1/contacts/1").await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let mine: Vec<&serde_json::Value> = v["promises"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["date"] == "2026-11-30" || p["date"] == "2026-12-02")
        .collect();
    assert_eq!(mine.len(), 2, "{v}");
    assert_eq!(mine[0]["state"], "replaced", "{v}");
    assert!(mine[0]["replaced_by"]["touch"].is_i64());
    assert_eq!(mine[1]["state"], "kept", "{v}");
    assert_eq!(mine[1]["kept_by"]["date"], "2026-11-23");
    let (_, page) = get(&s, "/contacts/1").await;
    assert!(
        page.contains("class=\"promise replaced\"") && page.contains("by a newer promise"),
        "{page}"
    );
    assert!(
        page.contains("class=\"promise kept\"") && page.contains("kept on Mon 23 Nov"),
        "{page}"
    );
    assert!(
        !page.contains("<span class=\"badge\">pending</span> you will follow up by Mon 30 Nov"),
        "never shown as still to come: {page}"
    );
}

#[tokio::test]
async fn settings_keep_the_name_drafts_sign_with() {
    let s = demo();
    // The demo has no name: its drafts say so, and link to the form.
    let (_, draft) = get(&s, "/items/8/draft").await;
    assert!(draft.contains("[YOUR NAME]") && draft.contains("href=\"/settings#me\""));
    let (_, page) = get(&s, "/settings").await;
    assert!(page.contains("action=\"/settings/me\"") && page.contains("name=\"signature\""));
    // A bad phone is refused naming the field; nothing is kept.
    let (st, body, _) = send(
        &s,
        form("/settings/me", "name=Alex+Morgan&signature=&phone=call+me"),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("--phone") || body.contains("phone"), "{body}");
    let (_, me) = get(&s, "/api/v1/me").await;
    assert!(!me.contains("Alex"), "{me}");
    // Saved: the form shows it, and drafts sign with it.
    let (st, _, h) = send(
        &s,
        form(
            "/settings/me",
            "name=Alex+Morgan&signature=Alex+Morgan%0D%0A%2B1+555+0199&phone=%2B1+555+0199",
        ),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let to = h[header::LOCATION].to_str().unwrap().to_string();
    let (_, page) = get(&s, &to).await;
    assert!(
        page.contains("Saved.") && page.contains("value=\"Alex Morgan\""),
        "{page}"
    );
    let (_, draft) = get(&s, "/items/8/draft").await;
    assert!(
        !draft.contains("[YOUR NAME]") && draft.contains("Alex Morgan\n+1 555 0199"),
        "{draft}"
    );
    assert!(!draft.contains("href=\"/settings#me\""));
    // Another site cannot change it.
    let mut req = form("/settings/me", "name=Mallory&signature=&phone=");
    req.headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    let (st, _, _) = send(&s, req).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // The API reads and sets the same identity.
    let (_, me) = get(&s, "/api/v1/me").await;
    let v: serde_json::Value = serde_json::from_str(&me).unwrap();
    assert_eq!(v["name"], "Alex Morgan");
    assert_eq!(v["sources"]["name"], "settings");
    let req = axum::http::Request::patch("/api/v1/me")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"name": "Sam Lee"}"#))
        .unwrap();
    let (st, body, _) = send(&s, req).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(body.contains("Sam Lee"));
    let req = axum::http::Request::patch("/api/v1/me")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"nickname": "Sam"}"#))
        .unwrap();
    let (st, _, _) = send(&s, req).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
}

/// C6 through the web: the Log form's "your answer is due by" and the API's `answer_by` make a
/// `decide` item 2 business days before; with another kind the API refuses it, naming it.
#[tokio::test]
async fn clarification_c06_an_offer_logged_in_the_web_makes_a_decide_item() {
    let s = demo();
    let (st, _, _) = send(
        &s,
        form(
            "/log",
            "kind=offer&with=Marcus+Bell&job=Contoso&on=today&answer_by=2026-12-04",
        ),
    )
    .await;
    assert!(st.is_success() || st.is_redirection(), "{st}");
    let (_, body) = get(&s, "/api/v1/agenda?limit=500").await;
    let items: serde_json::Value = serde_json::from_str(&body).unwrap();
    let decide = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["action"] == "decide")
        .unwrap_or_else(|| panic!("a decide item: {items}"));
    // Fri 4 Dec - 2 bd = Wed 2 Dec.
    assert_eq!(decide["due"], "2026-12-02");
    assert_eq!(decide["rule"], "C6");
    assert_eq!(decide["contact"]["name"], "Marcus Bell");
    // The API: the same field; refused on another kind.
    let (st, body, _) = send(
        &s,
        json_req(
            "/api/v1/touches",
            serde_json::json!({"kind": "reply", "with": ["Tom Okafor"], "answer_by": "friday"}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("answer"), "{body}");
}

/// Text from the web's doors passes the same checks as the command line's: a control character
/// or an over-long name is refused naming the field, through the API and the Log form; a vCard
/// uploaded with control characters has them removed; nothing is written on a refusal.
#[tokio::test]
async fn text_is_checked_at_the_webs_doors_too() {
    let s = demo();
    let before = get(&s, "/api/v1/contacts/1").await.1;
    let patch = |body: &str| {
        Request::patch("/api/v1/contacts/1")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let (st, body, _) = send(&s, patch(r#"{"notes": "Dana\u001b[2J"}"#)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("control characters"), "{body}");
    let long = format!(r#"{{"title": "{}"}}"#, "x".repeat(201));
    let (st, body, _) = send(&s, patch(&long)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("at most 200 characters"), "{body}");
    let (st, body, _) = send(
        &s,
        form("/log", "kind=note&with=Dana+Reyes&on=today&note=bell%07"),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("control characters"), "{body}");
    // A form names the refused field by its label, never by a CLI flag (issue 12).
    let (st, body, _) = send(&s, form("/log", "kind=reply&with=Dana+Reyes&on=someday")).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("Date: "), "{body}");
    assert!(!body.contains("--on"), "{body}");
    assert_eq!(
        get(&s, "/api/v1/contacts/1").await.1,
        before,
        "nothing changed"
    );
    let vcf = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\u{1b}]0;x\u{7} Lovelace\r\nEMAIL:ada@example.com\r\nEND:VCARD\r\n";
    let req = Request::post("/api/v1/import/vcard?name=ada.vcf")
        .body(Body::from(vcf))
        .unwrap();
    let (st, body, _) = send(&s, req).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let (_, list) = get(&s, "/api/v1/contacts").await;
    assert!(list.contains("\"Ada]0;x Lovelace\""), "{list}");
}

/// Issue 12: the server reads beside another process's long write, and a change it cannot
/// make meanwhile says so (503, "another followup is writing") instead of hanging or a raw
/// lock error; afterwards the same change goes through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_go_on_while_another_process_writes() {
    use followup_store::Store;
    let s = support::demo();
    let other = followup_store::SqliteStore::open(&s.dir.path().join("web.db")).unwrap();
    let held = other.write(followup_app::DEFAULT_OWNER).unwrap();
    let started = std::time::Instant::now();
    for path in ["/", "/pipeline", "/contacts/1", "/jobs/1", "/api/v1/agenda"] {
        let (st, body) = get(&s, path).await;
        assert_eq!(st, StatusCode::OK, "{path}: {body}");
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "reads waited for the writer: {:?}",
        started.elapsed()
    );
    let snooze = || {
        json_req(
            "/api/v1/items/2/snooze",
            serde_json::json!({"until": "friday"}),
        )
    };
    let (st, body, _) = send(&s, snooze()).await;
    assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(body.contains("another followup is writing"), "{body}");
    assert!(!body.contains("locked"), "{body}");
    drop(held);
    let (st, body, _) = send(&s, snooze()).await;
    assert_eq!(st, StatusCode::OK, "{body}");
}

/// Issue 13: a person adds a contact and a job from the web. A refused form comes back as
/// typed with the message beside the field (the form's words, never a flag); a name already
/// here, or an organization close to one, is offered before anything is added.
#[tokio::test]
async fn contacts_and_jobs_are_added_from_forms() {
    let s = support::demo();
    let (st, body) = get(&s, "/contacts/new").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        body.contains("action=\"/contacts\"") && body.contains("name=\"name\""),
        "{body}"
    );
    assert!(
        get(&s, "/contacts")
            .await
            .1
            .contains("href=\"/contacts/new\"")
    );
    assert!(get(&s, "/pipeline").await.1.contains("href=\"/jobs/new\""));
    let before = get(&s, "/api/v1/contacts").await.1;

    // Refused: every field comes back, the message beside the field.
    let (st, body, _) = send(
        &s,
        form(
            "/contacts",
            "name=Priya+Shah&email=priya%40acme.example&birthday=someday&title=Data+Lead",
        ),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.contains("id=\"birthday-error\"") && body.contains("Birthday: "),
        "{body}"
    );
    for kept in [
        "value=\"Priya Shah\"",
        "value=\"priya@acme.example\"",
        "value=\"someday\"",
        "value=\"Data Lead\"",
    ] {
        assert!(body.contains(kept), "{kept} lost: {body}");
    }
    assert!(!body.contains("--birthday"), "{body}");
    let (st, body, _) = send(&s, form("/contacts", "name=&email=x%40y.example")).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("id=\"name-error\"") && body.contains("value=\"x@y.example\""),
        "{body}"
    );
    assert_eq!(
        get(&s, "/api/v1/contacts").await.1,
        before,
        "refused forms added nothing"
    );

    // Added, then seen.
    let (st, _, headers) = send(
        &s,
        form(
            "/contacts",
            "name=Priya+Shah&email=priya%40acme.example&tier=regular",
        ),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let to = headers[header::LOCATION].to_str().unwrap().to_string();
    assert!(to.ends_with("?notice=added"), "{to}");
    let (st, page) = get(&s, &to).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        page.contains("Priya Shah") && page.contains("Added."),
        "{page}"
    );

    // The same name again: the one here is offered, nothing is added until confirmed.
    let (st, body, _) = send(&s, form("/contacts", "name=priya+shah")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        body.contains("may be someone already here")
            && body.contains("name=\"confirm\" value=\"yes\""),
        "{body}"
    );
    let count = |b: &str| {
        serde_json::from_str::<serde_json::Value>(b)
            .unwrap()
            .as_array()
            .unwrap()
            .len()
    };
    let n = count(&get(&s, "/api/v1/contacts").await.1);
    let (st, _, _) = send(&s, form("/contacts", "name=priya+shah&confirm=yes")).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(count(&get(&s, "/api/v1/contacts").await.1), n + 1);

    // A job at an organization close to one here: offered, then used.
    let (st, body) = get(&s, "/jobs/new").await;
    assert_eq!(st, StatusCode::OK);
    assert!(body.contains("<option value=\"Northwind\">"), "{body}");
    let (st, body, _) = send(
        &s,
        form(
            "/jobs",
            "organization=Northwnd&role=Data+Engineer&applied=yesterday",
        ),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        body.contains("name=\"use_organization\" value=\"Northwind\""),
        "{body}"
    );
    assert!(
        body.contains("value=\"Data Engineer\"") && body.contains("value=\"yesterday\""),
        "{body}"
    );
    let (st, _, headers) = send(
        &s,
        form(
            "/jobs",
            "organization=Northwnd&role=Data+Engineer&applied=yesterday&use_organization=Northwind",
        ),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let to = headers[header::LOCATION].to_str().unwrap().to_string();
    let (_, page) = get(&s, &to).await;
    assert!(
        page.contains("Northwind") && page.contains("Data Engineer"),
        "{page}"
    );
    let (st, body, _) = send(
        &s,
        form("/jobs", "organization=Initrode&role=&applied=someday"),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.contains("Role: ") || body.contains("Applied on: "),
        "{body}"
    );
    assert!(body.contains("value=\"Initrode\""), "{body}");
}

/// The API adds contacts and jobs with the forms' fields, answers 201 with the record, and
/// 409 for a likely duplicate unless told otherwise.
#[tokio::test]
async fn the_api_adds_contacts_and_jobs() {
    let s = support::demo();
    let post = |uri: &'static str, v: serde_json::Value| json_req(uri, v);
    let (st, body, _) = send(&s, post("/api/v1/contacts", serde_json::json!({"name": "Priya Shah", "email": "priya@acme.example", "birthday": "12 April 1990"}))).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let c: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(c["name"], "Priya Shah");
    assert_eq!(c["birthday"], "1990-04-12");
    let (st, body, _) = send(
        &s,
        post(
            "/api/v1/contacts",
            serde_json::json!({"name": "Someone", "email": "PRIYA@acme.example"}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::CONFLICT, "{body}");
    assert!(
        body.contains("Priya Shah") && body.contains("allow_duplicate"),
        "{body}"
    );
    let (st, _, _) = send(
        &s,
        post(
            "/api/v1/contacts",
            serde_json::json!({"name": "Priya Shah", "allow_duplicate": true}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, body, _) = send(
        &s,
        post(
            "/api/v1/contacts",
            serde_json::json!({"name": "X", "email": "nope"}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("\"message\":\"email: "), "{body}");
    let (st, body, _) = send(
        &s,
        post(
            "/api/v1/contacts",
            serde_json::json!({"email": "a@b.example"}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    let (st, body, _) = send(
        &s,
        post(
            "/api/v1/jobs",
            serde_json::json!({"organization": "Northwnd", "title": "Analyst"}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::CONFLICT, "{body}");
    assert!(
        body.contains("Northwind") && body.contains("new_organization"),
        "{body}"
    );
    let (st, body, _) = send(&s, post("/api/v1/jobs", serde_json::json!({"organization": "Northwind", "title": "Analyst", "contacts": ["Priya Shah (#"]}))).await;
    assert!(
        st == StatusCode::NOT_FOUND || st == StatusCode::UNPROCESSABLE_ENTITY,
        "{st} {body}"
    );
    let (st, body, _) = send(&s, post("/api/v1/jobs", serde_json::json!({"organization": "Northwind", "title": "Analyst", "applied": "yesterday"}))).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let j: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(j["stage"], "applied");
    let (st, _, _) = send(&s, post("/api/v1/jobs", serde_json::json!({"organization": "Northwnd", "title": "Analyst", "new_organization": true}))).await;
    assert_eq!(st, StatusCode::CREATED);
    let (_, doc) = get(&s, "/openapi.json").await;
    let doc: serde_json::Value = serde_json::from_str(&doc).unwrap();
    assert!(doc["paths"]["/api/v1/contacts"]["post"]["requestBody"].is_object());
    assert!(doc["paths"]["/api/v1/jobs"]["post"]["requestBody"].is_object());
}

fn htmx(mut req: Request<Body>) -> Request<Body> {
    req.headers_mut()
        .insert("hx-request", "true".parse().unwrap());
    req
}

/// Where `needle` first is in `page`, or a failure naming it.
fn at(page: &str, needle: &str) -> usize {
    page.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} is not on the page:\n{page}"))
}

#[tokio::test]
async fn today_groups_items_overdue_today_this_week_later_with_counts() {
    let s = demo();
    let (_, page) = get(&s, "/").await;
    // The counts count every item of the two weeks, each linking to its group.
    for count in [
        "<a href=\"#group-overdue\"><strong>3</strong> overdue</a>",
        "<a href=\"#group-today\"><strong>1</strong> today</a>",
        "<a href=\"#group-week\"><strong>6</strong> this week</a>",
        "<a href=\"#group-later\"><strong>4</strong> later</a>",
    ] {
        assert!(page.contains(count), "{count}");
    }
    let overdue = at(&page, "id=\"group-overdue\">Overdue");
    let today = at(&page, "id=\"group-today\">Today");
    let week = at(&page, "id=\"group-week\">This week");
    let later = at(&page, "id=\"group-later\">Later");
    assert!(overdue < today && today < week && week < later);
    // Aisha Khan's keep-in-touch was due Wed 18 Nov: overdue, with a badge saying how late.
    let aisha = at(&page, "Aisha Khan");
    assert!(overdue < aisha && aisha < today);
    assert!(page[aisha..today].contains("<span class=\"badge late\">5 days overdue</span>"));
    // Diego Rossi's follow-up on Thu 26 Nov is this week; Marcus Bell's on Tue 1 Dec later.
    let diego = at(&page, "Diego Rossi");
    assert!(week < diego && diego < later);
    assert!(at(&page, "Marcus Bell</a>") > later);
}

#[tokio::test]
async fn an_empty_book_shows_three_first_steps() {
    let s = empty();
    let (st, page) = get(&s, "/").await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("Three first steps"), "{page}");
    let job = at(&page, "href=\"/jobs/new\">Add a job</a>");
    let import = at(&page, "href=\"/import\">Import LinkedIn</a>");
    let name = at(&page, "href=\"/settings#me\">Set your name</a>");
    assert!(job < import && import < name);
    // The F18 pipeline item says less than the first steps; it is not shown beside them.
    assert!(!page.contains("class=\"item"), "no agenda items: {page}");
    // Once something is recorded, the agenda takes their place.
    let (st, _, _) = send(
        &s,
        json_req(
            "/api/v1/contacts",
            serde_json::json!({"name": "Dana Reyes", "tier": "critical"}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED);
    let (_, page) = get(&s, "/").await;
    assert!(!page.contains("Three first steps"));
}

#[tokio::test]
async fn pipeline_cards_carry_contact_next_follow_up_and_days_in_stage() {
    let s = demo();
    let (_, page) = get(&s, "/pipeline").await;
    let card = &page[at(&page, "id=\"job-2\"")..];
    let card = &card[..at(card, "</article>")];
    assert!(card.contains("data-job=\"2\" draggable=\"true\""));
    assert!(card.contains("Contoso") && card.contains("Data Platform Engineer"));
    assert!(
        card.contains("<a href=\"/contacts/4\">Marcus Bell</a>"),
        "{card}"
    );
    assert!(
        card.contains("bring something of value") && card.contains("Tue 1 Dec"),
        "{card}"
    );
    // Days in stage come from the first interview on the job (a touch that moves it there).
    assert!(
        card.contains("<strong>26 days</strong>")
            && card.contains("since the interview on Wed 28 Oct"),
        "{card}"
    );
    // The no-JS and keyboard way stays: the stage select and Move, posting the same form.
    assert!(card.contains("action=\"/jobs/2/stage\"") && card.contains(">Move</button>"));
    let column = &page[at(&page, "data-stage=\"interviewing\"")..];
    assert!(column.find("id=\"job-2\"") < column.find("data-stage=\"offer\""));
    // A late next follow-up shows as late on its card.
    let late = &page[at(&page, "id=\"job-3\"")..];
    assert!(late[..at(late, "</article>")].contains("5 days overdue"));
}

#[tokio::test]
async fn the_pipeline_moves_with_htmx_and_says_what_moved() {
    let s = demo();
    // A plain form: back to the pipeline, with a notice written from the record.
    let (st, _, h) = send(&s, form("/jobs/4/stage", "stage=applied")).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let to = h[header::LOCATION].to_str().unwrap().to_string();
    assert_eq!(to, "/pipeline?notice=moved&job=4&undo=stage%3A4%3Dlead");
    let (_, page) = get(&s, &to).await;
    assert!(page.contains("Moved Initech: Machine Learning Engineer to applied."));
    // htmx: the board comes back with the sentence in it, the card in its new column.
    let (st, board, _) = send(&s, htmx(form("/jobs/4/stage", "stage=interviewing"))).await;
    assert_eq!(st, StatusCode::OK);
    assert!(board.contains("id=\"board\""));
    assert!(board.contains("Moved Initech: Machine Learning Engineer to interviewing."));
    let column = &board[at(&board, "data-stage=\"interviewing\"")..];
    assert!(column.find("id=\"job-4\"") < column.find("data-stage=\"offer\""));
    // A refused move says why where the sentence would be, and changes nothing.
    let (st, board, _) = send(&s, htmx(form("/jobs/4/stage", "stage=interviewing"))).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(board.contains("role=\"alert\"") && board.contains("already at stage interviewing"));
}

#[tokio::test]
async fn contacts_filter_by_tier_and_sort_by_last_touch_and_next_follow_up() {
    let s = demo();
    let names = |page: &str| -> Vec<String> {
        page.split("<td data-label=\"Name\"><a href=\"/contacts/")
            .skip(1)
            .map(|r| r[r.find('>').unwrap() + 1..r.find("</a>").unwrap()].to_string())
            .collect()
    };
    let (_, all) = get(&s, "/contacts").await;
    assert_eq!(names(&all).len(), 21);
    assert_eq!(names(&all)[0], "Aisha Khan", "by name");
    // Each row has the tier, the last touch and the next follow-up.
    let row = &all[at(&all, "Aisha Khan</a>")..];
    let row = &row[..at(row, "</tr>")];
    assert!(
        row.contains("tier-critical") && row.contains("Mon 19 Oct, reply"),
        "{row}"
    );
    assert!(
        row.contains("Wed 18 Nov") && row.contains("5 days overdue"),
        "{row}"
    );
    let (_, critical) = get(&s, "/contacts?tier=critical").await;
    let critical = names(&critical);
    assert_eq!(critical.len(), 6, "{critical:?}");
    assert!(critical.iter().all(|n| all.contains(n.as_str())));
    assert!(!critical.contains(&"Dana Reyes".to_string()));
    let (_, page) = get(&s, "/contacts?q=northwind&tier=regular").await;
    assert_eq!(names(&page), ["Dana Reyes"]);
    // Sorted by the last touch, the longest ago first.
    let (_, page) = get(&s, "/contacts?sort=last").await;
    assert_eq!(names(&page)[0], "Liam Walsh");
    // Sorted by the next follow-up, the soonest first; nothing planned last.
    let (_, page) = get(&s, "/contacts?sort=next").await;
    let by_next = names(&page);
    assert_eq!(by_next[..2], ["Aisha Khan", "Sofia Alvarez"]);
    assert!(page.contains("<th aria-sort=\"ascending\"><a href=\"/contacts?sort=next\">"));
    let tail: Vec<&str> = by_next[by_next.len() - 4..]
        .iter()
        .map(|s| s.as_str())
        .collect();
    assert_eq!(
        tail,
        ["Chloe Martin", "Grace Liu", "Liam Walsh", "Wei Chen"]
    );
    // The links keep the filter.
    let (_, page) = get(&s, "/contacts?tier=casual&q=a").await;
    assert!(
        page.contains("href=\"/contacts?q=a&#38;tier=casual&#38;sort=last\""),
        "{page}"
    );
    // A sort or tier it does not know is a 400 naming the parameter.
    let (st, body) = get(&s, "/contacts?sort=age").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(
        body.contains("sort: expected name, tier, last or next"),
        "{body}"
    );
    let (st, _) = get(&s, "/contacts?tier=vip").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn contact_and_job_pages_lead_with_next_then_promises_then_timeline() {
    let s = demo();
    for uri in ["/contacts/9", "/jobs/1"] {
        let (_, page) = get(&s, uri).await;
        let next = at(&page, "<h2 id=\"next\">Next</h2>");
        let why = at(&page, "class=\"why\"");
        let promises = at(&page, "<h2>Promises</h2>");
        let timeline = at(&page, "<h2>Timeline</h2>");
        let details = at(&page, "<h2>Details</h2>");
        assert!(
            next < why && why < promises && promises < timeline && timeline < details,
            "{uri}"
        );
    }
    let (_, page) = get(&s, "/contacts/9").await;
    assert!(page.contains("Talent Acquisition Lead at Stark Industries"));
    let (_, page) = get(&s, "/jobs/1").await;
    assert!(page.contains("since the offer on Tue 17 Nov"), "{page}");
}

#[tokio::test]
async fn htmx_snooze_and_done_answer_in_the_item() {
    let s = demo();
    // Still in the two weeks: the item comes back with its new day and the sentence in it,
    // marked for focus.
    let (st, body, _) = send(&s, htmx(form("/items/11/snooze", "until=friday"))).await;
    assert_eq!(st, StatusCode::OK);
    assert!(body.starts_with("<article class=\"item"), "{body}");
    assert!(body.contains("id=\"item-11\""));
    assert!(
        body.contains("<p class=\"notice\" role=\"status\" tabindex=\"-1\" data-focus>Snoozed")
    );
    assert!(
        body.contains("<span class=\"due\">Fri 27 Nov</span>"),
        "{body}"
    );
    // Beyond the two weeks: the sentence takes the item's place.
    let (st, body, _) = send(&s, htmx(form("/items/4/snooze", "until=in+3+weeks"))).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        body.starts_with("<div class=\"notice\" role=\"status\" id=\"item-4\""),
        "{body}"
    );
    assert!(body.contains("until Mon 14 Dec."), "{body}");
    // Done: what was logged and what comes next, in place of the item.
    let (st, body, _) = send(&s, htmx(form("/items/8/done", ""))).await;
    assert_eq!(st, StatusCode::OK);
    assert!(body.contains("Logged the thank-you."), "{body}");
}

#[tokio::test]
async fn a_refused_snooze_date_shows_beside_the_field_with_the_input_kept() {
    let s = demo();
    let (_, before) = get(&s, "/api/v1/agenda").await;
    // htmx: a 422 htmx swaps (base.html's responseHandling), the item with the message.
    let (st, body, _) = send(&s, htmx(form("/items/4/snooze", "until=someday"))).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.starts_with("<article class=\"item"), "{body}");
    assert!(
        body.contains("value=\"someday\" aria-invalid=\"true\""),
        "{body}"
    );
    assert!(body.contains(
        "<p class=\"field-error\" id=\"until-error-4\" role=\"alert\">expected a date like"
    ));
    // Not after today: the same, in the use case's words.
    let (st, body, _) = send(&s, htmx(form("/items/4/snooze", "until=yesterday"))).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("value=\"yesterday\"") && body.contains("is not after today"));
    // Without JavaScript: Today again, the item with the message and the input.
    let (st, page, _) = send(&s, form("/items/4/snooze", "until=someday")).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.starts_with("<!doctype html>"));
    let item = &page[at(&page, "id=\"item-4\"")..];
    assert!(item.contains("value=\"someday\"") && item.contains("until-error-4"));
    // Nothing changed.
    let (_, after) = get(&s, "/api/v1/agenda").await;
    assert_eq!(before, after);
}

/// The due day of the agenda item about the job at `organization`, from the API.
async fn due_of(s: &support::Server, organization: &str) -> Option<String> {
    let (_, body) = get(s, "/api/v1/agenda?until=2027-06-30").await;
    let items: serde_json::Value = serde_json::from_str(&body).unwrap();
    items.as_array().unwrap().iter().find_map(|i| {
        let about = i["jobs"]
            .as_array()?
            .iter()
            .any(|j| j["organization"] == organization);
        about.then(|| i["due"].as_str().unwrap().to_string())
    })
}

/// The whole policy form as Settings shows it, with `changes` typed over it.
async fn policy_form(s: &support::Server, changes: &[(&str, &str)]) -> String {
    let (_, page) = get(s, "/settings").await;
    let mut fields = Vec::new();
    for p in followup_app::policy_settings::PARAMS {
        let pat = format!("name=\"{}\" value=\"", p.key);
        let at = page
            .find(&pat)
            .unwrap_or_else(|| panic!("{} in the form", p.key))
            + pat.len();
        let value: String = page[at..].chars().take_while(|c| *c != '"').collect();
        let value = changes
            .iter()
            .find(|(k, _)| *k == p.key)
            .map(|(_, v)| v.to_string())
            .unwrap_or(value);
        fields.push(format!(
            "{}={}",
            p.key,
            value.replace(' ', "+").replace(',', "%2C")
        ));
    }
    fields.join("&")
}

#[tokio::test]
async fn settings_a_policy_field_changes_the_agenda_and_reset_brings_the_default_back() {
    let s = demo();
    // A cold application on Friday 20 Nov: F5, nothing due before applied + 7 d.
    let (st, body, _) = send(
        &s,
        json_req(
            "/api/v1/jobs",
            serde_json::json!({"organization": "Policy Test Co", "title": "Analyst", "applied": "2026-11-20"}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(
        due_of(&s, "Policy Test Co").await.as_deref(),
        Some("2026-11-27")
    );
    let (_, page) = get(&s, "/settings").await;
    assert!(
        page.contains("Wait after applying")
            && page.contains("name=\"application_wait\" value=\"7d\"")
            && page.contains("href=\"/rules#F5\""),
        "{page}"
    );
    // Ten days: due Monday 30 Nov, at once.
    let body = policy_form(&s, &[("application_wait", "10 days")]).await;
    let (st, _, h) = send(&s, form("/settings/policy", &body)).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(h[header::LOCATION], "/settings?notice=saved#policy");
    assert_eq!(
        due_of(&s, "Policy Test Co").await.as_deref(),
        Some("2026-11-30")
    );
    let (_, page) = get(&s, "/settings?notice=saved").await;
    assert!(
        page.contains("name=\"application_wait\" value=\"10d\"")
            && page.contains("Default 7d; you set 10d.")
            && page.contains("Reset Wait after applying to 7d"),
        "{page}"
    );
    // The config's other parameters still apply; only the override is kept.
    let (_, page) = get(&s, "/settings").await;
    assert_eq!(page.matches("you set").count(), 1, "{page}");
    // Reset that field: the default, and the date, come back.
    let (st, _, _) = send(&s, form("/settings/policy/reset", "key=application_wait")).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(
        due_of(&s, "Policy Test Co").await.as_deref(),
        Some("2026-11-27")
    );
    let (_, page) = get(&s, "/settings").await;
    assert!(page.contains("name=\"application_wait\" value=\"7d\"") && !page.contains("you set"));
    // Reset all: every override goes.
    let body = policy_form(&s, &[("application_wait", "3w"), ("gap", "5bd")]).await;
    send(&s, form("/settings/policy", &body)).await;
    assert_eq!(
        due_of(&s, "Policy Test Co").await.as_deref(),
        Some("2026-12-11")
    );
    let (st, _, _) = send(&s, form("/settings/policy/reset", "key=%2A")).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, page) = get(&s, "/settings").await;
    assert!(!page.contains("you set"), "{page}");
    assert_eq!(
        due_of(&s, "Policy Test Co").await.as_deref(),
        Some("2026-11-27")
    );
}

#[tokio::test]
async fn settings_a_bad_policy_value_comes_back_as_typed_and_changes_nothing() {
    let s = demo();
    let (_, agenda_before) = get(&s, "/api/v1/agenda?until=2027-06-30").await;
    let body = policy_form(
        &s,
        &[
            ("grace", "3bd"),
            ("retry_wait", "0d"),
            ("calendar.weekend", "saturday, caturday"),
        ],
    )
    .await;
    let (st, page, _) = send(&s, form("/settings/policy", &body)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    // Each message beside its field, one line, naming it by its label; the typed values kept.
    assert!(
        page.contains("id=\"p-retry_wait-error\">Retry after silence: must be longer than zero, found &#34;0d&#34;</p>")
            || page.contains("id=\"p-retry_wait-error\">Retry after silence: must be longer than zero, found &quot;0d&quot;</p>"),
        "{page}"
    );
    assert!(
        page.contains("id=\"p-calendar-weekend-error\">Weekend: expected weekday names"),
        "{page}"
    );
    assert!(
        page.contains("name=\"retry_wait\" value=\"0d\"")
            && page.contains("name=\"grace\" value=\"3bd\"")
            && page.contains("name=\"calendar.weekend\" value=\"saturday, caturday\""),
        "{page}"
    );
    assert!(page.contains("aria-invalid=\"true\""));
    // Nothing was kept: not even the good field.
    let (_, settings) = get(&s, "/settings").await;
    assert!(settings.contains("name=\"grace\" value=\"2bd\"") && !settings.contains("you set"));
    let (_, agenda_after) = get(&s, "/api/v1/agenda?until=2027-06-30").await;
    assert_eq!(agenda_before, agenda_after);
    // An unknown parameter is refused as a whole, above the form.
    let (st, page, _) = send(&s, form("/settings/policy", "grase=3bd")).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("is not a policy parameter"), "{page}");
}

#[tokio::test]
async fn settings_a_template_edit_changes_the_draft_and_a_broken_one_is_refused() {
    let s = demo();
    let (_, draft) = get(&s, "/items/8/draft").await;
    let (_, page) = get(&s, "/settings").await;
    assert!(
        page.contains("href=\"/settings/templates/follow-up\""),
        "{page}"
    );
    // Which template item 8 uses: its draft page names none, so edit each it could be.
    let (_, tpl) = get(&s, "/settings/templates/follow-up").await;
    assert!(
        tpl.contains("<textarea") && tpl.contains("built in"),
        "{tpl}"
    );
    let (_, api) = get(&s, "/api/v1/items/8/draft").await;
    let v: serde_json::Value = serde_json::from_str(&api).unwrap();
    let name = v["template"].as_str().unwrap().to_string();
    let mine = "Subject: A word from me\n\nDear {{ dear }},\n\nMy own words about {{ role.title }}.\n\n{{ me.signature }}\n";
    let body = format!("text={}", followup_app::drafts::percent_encode(mine));
    let (st, _, h) = send(&s, form(&format!("/settings/templates/{name}"), &body)).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(
        h[header::LOCATION].to_str().unwrap(),
        format!("/settings/templates/{name}?notice=saved")
    );
    let (_, after) = get(&s, "/items/8/draft").await;
    assert!(
        after.contains("My own words about") && after != draft,
        "{after}"
    );
    let (_, page) = get(&s, "/settings").await;
    assert!(page.contains("yours, kept here"), "{page}");
    // A misspelt placeholder: refused with the line, the text kept as typed, the draft as it was.
    let broken = "Subject: Hi\n\nDear {{ contact.first_nmae }},\n";
    let body = format!("text={}", followup_app::drafts::percent_encode(broken));
    let (st, page, _) = send(&s, form(&format!("/settings/templates/{name}"), &body)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(
        page.contains("id=\"text-error\">Template: unknown placeholder contact.first_nmae; line 3"),
        "{page}"
    );
    assert!(page.contains("Dear {{ contact.first_nmae }},"), "{page}");
    let (_, still) = get(&s, "/items/8/draft").await;
    assert!(still.contains("My own words about"));
    // A broken tag too.
    let body = format!(
        "text={}",
        followup_app::drafts::percent_encode("Subject: Hi\n{% if met %}\nDear\n")
    );
    let (st, page, _) = send(&s, form(&format!("/settings/templates/{name}"), &body)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"text-error\">Template: "), "{page}");
    // Reset: the built-in one again.
    let (st, _, _) = send(&s, form(&format!("/settings/templates/{name}/reset"), "")).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, back) = get(&s, "/items/8/draft").await;
    assert_eq!(back, draft);
    let (st, _) = get(&s, "/settings/templates/no-such").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn settings_time_zone_and_the_calendar_text_are_honest() {
    let s = demo();
    let (_, page) = get(&s, "/settings").await;
    assert!(
        page.contains("This address works on this computer only."),
        "{page}"
    );
    assert!(page.contains("name=\"time_zone\""));
    let (st, page, _) = send(
        &s,
        form(
            "/settings/me",
            "name=&signature=&phone=&time_zone=Mars%2FOlympus",
        ),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("id=\"me-time_zone-error\">Time zone: no time zone is named")
            && page.contains("value=\"Mars/Olympus\""),
        "{page}"
    );
    let (st, _, _) = send(&s, form("/settings/me", "time_zone=Europe%2FBerlin")).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, me) = get(&s, "/api/v1/me").await;
    assert!(me.contains("\"time_zone\":\"Europe/Berlin\""), "{me}");
}

#[tokio::test]
async fn the_api_reads_and_sets_the_settings() {
    let s = demo();
    let (st, body) = get(&s, "/api/v1/settings").await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let grace = v["policy"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == "grace")
        .unwrap();
    assert_eq!(grace["value"], "2bd");
    assert_eq!(grace["rule"], "F3");
    let put = |body: serde_json::Value| {
        axum::http::Request::put("/api/v1/settings")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    // A bad value is named by its key, and nothing is kept (not even the good identity).
    let (st, body, _) = send(
        &s,
        put(serde_json::json!({"policy": {"gap": "soon"}, "identity": {"name": "Sam Lee"}})),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("\"message\":\"gap: expected a duration"),
        "{body}"
    );
    let (_, me) = get(&s, "/api/v1/me").await;
    assert!(!me.contains("Sam Lee"));
    let (st, body, _) = send(
        &s,
        put(serde_json::json!({"policy": {"gap": "4bd"}, "identity": {"time_zone": "America/New_York"}})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(
        body.contains("\"time_zone\":\"America/New_York\""),
        "{body}"
    );
    assert!(
        body.contains("\"key\":\"gap\",\"label\":\"Least gap between messages\",\"rule\":\"F15\""),
        "{body}"
    );
    let (st, body, _) = send(&s, put(serde_json::json!({"reset": ["*"]}))).await;
    assert_eq!(st, StatusCode::OK);
    assert!(!body.contains("\"overridden\":true"), "{body}");
    let (st, _, _) = send(&s, put(serde_json::json!({}))).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
}
