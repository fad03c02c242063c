//! A coach's caseload (issue 15) through the router: the page and the API, sorting, which
//! grants count, the coach's private notes, a bad sort. Over the in-memory store and
//! directory, and once over PostgreSQL, where row-level security would hide every figure if
//! each workspace were not read as its owner.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use followup_app::accounts::Secret;
use followup_app::{Account, Actor, App, Config, GrantScope, NewContact, NewJob, NewTouch, Role};
use followup_core::TouchKind;
use followup_store::{MemoryDirectory, MemoryStore};
use followup_web::WebState;
use jiff::ToSpan;
use serde_json::{Value, json};

use crate::support::*;

const PASSWORD: &str = "correct horse battery";

fn now() -> jiff::Timestamp {
    jiff::Timestamp::from_second(1_800_000_000).unwrap()
}

struct World {
    server: Server,
    app: Arc<App>,
    ana: Account,
    ben: Account,
    /// Bearer tokens and session cookies, by email.
    tokens: std::collections::BTreeMap<String, String>,
    sessions: std::collections::BTreeMap<String, String>,
}

/// An admin, coach Sam, coach Kim, clients Ana (granted to Sam, edit; with data) and Ben
/// (granted to Sam, view; nothing yet). `TODAY` is a Monday.
fn world(app: App) -> World {
    app.team_init("admin@example.com", Some(PASSWORD), now())
        .unwrap();
    let add = |email: &str, role| {
        app.add_user(None, email, role, Some(PASSWORD), now())
            .unwrap()
            .account
    };
    add("sam@example.com", Role::Coach);
    add("kim@example.com", Role::Coach);
    let ana = add("ana@example.com", Role::Client);
    let ben = add("ben@example.com", Role::Client);
    app.grant(
        &ana,
        "sam@example.com",
        GrantScope::Edit,
        None,
        TODAY,
        now(),
    )
    .unwrap();
    app.grant(
        &ben,
        "sam@example.com",
        GrantScope::View,
        None,
        TODAY,
        now(),
    )
    .unwrap();

    let cx = app
        .ctx_for(ana.workspace.unwrap(), Actor::Owner, TODAY)
        .unwrap();
    app.add_contact(
        &cx,
        NewContact {
            name: "Zanzibar Quill".into(),
            ..Default::default()
        },
    )
    .unwrap();
    app.add_job(
        &cx,
        NewJob {
            organization: "Northwind".into(),
            title: "Analyst".into(),
            contacts: vec!["Zanzibar Quill".into()],
            applied: Some(TODAY - 30.days()),
            ..Default::default()
        },
    )
    .unwrap();
    // An outreach 20 days ago where Ana said she would follow up 10 days ago, and did not;
    // an interview today.
    app.log(
        &cx,
        NewTouch {
            with: vec!["Zanzibar Quill".into()],
            on: Some(TODAY - 20.days()),
            i_will_follow_up: Some(TODAY - 10.days()),
            ..NewTouch::new(TouchKind::Outreach)
        },
    )
    .unwrap();
    app.log(
        &cx,
        NewTouch {
            with: vec!["Zanzibar Quill".into()],
            job: Some("Northwind".into()),
            on: Some(TODAY),
            ..NewTouch::new(TouchKind::Interview)
        },
    )
    .unwrap();

    let mut tokens = std::collections::BTreeMap::new();
    let mut sessions = std::collections::BTreeMap::new();
    for email in [
        "admin@example.com",
        "sam@example.com",
        "kim@example.com",
        "ana@example.com",
        "ben@example.com",
    ] {
        let a = app.account_named(email).unwrap();
        let Secret(t) = app.create_token(&a, "test", now()).unwrap();
        tokens.insert(email.to_string(), t);
        let (_, Secret(s)) = app.sign_in(email, PASSWORD, now()).unwrap();
        sessions.insert(email.to_string(), s);
    }
    let app = Arc::new(app);
    World {
        server: Server {
            dir: tempfile::tempdir().unwrap(),
            state: WebState::shared(app.clone(), Some(TODAY)).serving(PORT),
        },
        app,
        ana,
        ben,
        tokens,
        sessions,
    }
}

fn memory_world() -> World {
    world(
        App::with_store(Arc::new(MemoryStore::new()), Config::default())
            .with_directory(Arc::new(MemoryDirectory::new())),
    )
}

/// An API request as `email` (none: nobody).
async fn api(
    w: &World,
    email: Option<&str>,
    method: &str,
    uri: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(e) = email {
        req = req.header(header::AUTHORIZATION, format!("Bearer {}", w.tokens[e]));
    }
    let req = match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let (st, body, _) = send(&w.server, req).await;
    let v = serde_json::from_str(&body).unwrap_or(Value::String(body));
    (st, v)
}

/// A page request as `email`, with a form body when given.
async fn page(
    w: &World,
    email: Option<&str>,
    uri: &str,
    form_body: Option<&str>,
) -> (StatusCode, String, axum::http::HeaderMap) {
    let mut req = match form_body {
        Some(f) => form(uri, f),
        None => Request::get(uri).body(Body::empty()).unwrap(),
    };
    if let Some(e) = email {
        req.headers_mut().insert(
            header::COOKIE,
            format!("followup_session={}", w.sessions[e])
                .parse()
                .unwrap(),
        );
    }
    send(&w.server, req).await
}

fn emails(v: &Value) -> Vec<String> {
    v["clients"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"))
        .iter()
        .map(|c| c["email"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn caseload_api_gives_each_clients_figures_in_the_order_asked() {
    let w = memory_world();
    let sam = Some("sam@example.com");
    let (st, v) = api(&w, sam, "GET", "/api/v1/caseload", None).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(emails(&v), ["ana@example.com", "ben@example.com"]);
    let ana = &v["clients"][0];
    assert_eq!(ana["workspace"], w.ana.workspace.unwrap().0);
    assert_eq!(ana["client"], w.ana.id.0);
    assert_eq!(ana["name"], "ana@example.com");
    assert_eq!(ana["scope"], "edit");
    assert!(ana["overdue"].as_u64().unwrap() >= 1, "{ana}");
    assert_eq!(ana["last_touch"], TODAY.to_string());
    assert_eq!(ana["days_silent"], 0);
    assert_eq!(
        (
            &ana["open_jobs"],
            &ana["pipeline_minimum"],
            &ana["pipeline_gap"]
        ),
        (&json!(1), &json!(5), &json!(4))
    );
    assert_eq!(ana["interviews_this_week"], 1);
    assert_eq!(ana["promises_missed"], 1);
    assert_eq!(ana["note"], Value::Null);
    let ben = &v["clients"][1];
    assert_eq!(
        (&ben["overdue"], &ben["days_silent"], &ben["pipeline_gap"]),
        (&json!(0), &Value::Null, &json!(5))
    );
    // The figures are the app's.
    let rows = w
        .app
        .caseload(
            &w.app.account_named("sam@example.com").unwrap(),
            TODAY,
            followup_app::CaseloadSort::Overdue,
        )
        .unwrap();
    assert_eq!(ana["overdue"], rows[0].overdue);

    for (sort, want) in [
        ("overdue", ["ana@example.com", "ben@example.com"]),
        ("silent", ["ben@example.com", "ana@example.com"]),
        ("pipeline", ["ben@example.com", "ana@example.com"]),
        ("interviews", ["ana@example.com", "ben@example.com"]),
        ("missed", ["ana@example.com", "ben@example.com"]),
        ("name", ["ana@example.com", "ben@example.com"]),
    ] {
        let (st, v) = api(
            &w,
            sam,
            "GET",
            &format!("/api/v1/caseload?sort={sort}"),
            None,
        )
        .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(emails(&v), want, "sort={sort}");
    }

    // Listed in the OpenAPI document, with the sort's words.
    let (_, doc) = get(&w.server, "/openapi.json").await;
    let doc: Value = serde_json::from_str(&doc).unwrap();
    assert!(doc["paths"]["/api/v1/caseload"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/caseload/{workspace}/note"]["put"].is_object());
    assert!(
        doc.to_string().contains("\"interviews\""),
        "{}",
        doc["paths"]["/api/v1/caseload"]
    );
}

#[tokio::test]
async fn caseload_bad_sort_is_a_400_naming_sort() {
    let w = memory_world();
    for sort in ["loudest", "", "Overdue"] {
        let (st, v) = api(
            &w,
            Some("sam@example.com"),
            "GET",
            &format!("/api/v1/caseload?sort={sort}"),
            None,
        )
        .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{sort:?}: {v}");
        assert_eq!(v["status"], 400);
        let m = v["message"].as_str().unwrap();
        assert!(
            m.starts_with("sort: ") && m.contains("overdue, silent"),
            "{m}"
        );
    }
    // An unknown parameter is refused too, never ignored.
    let (st, v) = api(
        &w,
        Some("sam@example.com"),
        "GET",
        "/api/v1/caseload?order=x",
        None,
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");
    let (st, body, _) = page(&w, Some("sam@example.com"), "/caseload?sort=loudest", None).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(body.contains("Sort: "), "{body}");
}

#[tokio::test]
async fn caseload_drops_revoked_and_expired_grants() {
    let w = memory_world();
    w.app.revoke_grant(&w.ben, "sam@example.com").unwrap();
    let (_, v) = api(&w, Some("sam@example.com"), "GET", "/api/v1/caseload", None).await;
    assert_eq!(emails(&v), ["ana@example.com"]);
    // A grant through yesterday has ended.
    let sam = w.app.account_named("sam@example.com").unwrap();
    w.app
        .directory()
        .unwrap()
        .set_grant(&followup_store::Grant {
            workspace: w.ana.workspace.unwrap(),
            coach: sam.id,
            scope: GrantScope::View,
            until: Some(TODAY - 1.days()),
            granted: now(),
        })
        .unwrap();
    let (_, v) = api(&w, Some("sam@example.com"), "GET", "/api/v1/caseload", None).await;
    assert!(emails(&v).is_empty(), "{v}");
    // And the note needs a live grant.
    let ws = w.ana.workspace.unwrap().0;
    let (st, v) = api(
        &w,
        Some("sam@example.com"),
        "PUT",
        &format!("/api/v1/caseload/{ws}/note"),
        Some(json!({"note": "still here?"})),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
}

#[tokio::test]
async fn caseload_page_lists_clients_opening_on_their_today() {
    let w = memory_world();
    let ana = w.ana.workspace.unwrap().0;
    let (st, body, _) = page(&w, Some("sam@example.com"), "/caseload", None).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(
        body.contains(&format!("href=\"/w/{ana}/\">ana@example.com</a>")),
        "{body}"
    );
    assert!(body.contains("<a href=\"/caseload\" aria-current=\"page\">Caseload</a>"));
    assert!(body.contains("table class=\"cards caseload\""));
    // Sortable from the header, the current order marked.
    for sort in [
        "name",
        "overdue",
        "silent",
        "pipeline",
        "interviews",
        "missed",
    ] {
        assert!(
            body.contains(&format!("href=\"/caseload?sort={sort}\"")),
            "{sort}"
        );
    }
    assert!(body.contains(
        "aria-sort=\"descending\"><a href=\"/caseload?sort=overdue\" aria-current=\"true\""
    ));
    let (_, by_name) = get_as(&w, "sam@example.com", "/caseload?sort=name").await;
    assert!(by_name.contains("aria-sort=\"ascending\"><a href=\"/caseload?sort=name\""));
    assert!(by_name.find("ana@example.com").unwrap() < by_name.find("ben@example.com").unwrap());
    let (_, silent) = get_as(&w, "sam@example.com", "/caseload?sort=silent").await;
    assert!(silent.find(">ben@example.com<").unwrap() < silent.find(">ana@example.com<").unwrap());
    assert!(body.contains("1 of 5") && body.contains("4 short") && body.contains("1 missed"));
    // Their Today opens, with the way back in the menu; the account page links here too.
    let (st, today, _) = page(&w, Some("sam@example.com"), &format!("/w/{ana}/"), None).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        today.contains("<nav aria-label=\"Main\"><a href=\"/caseload\">Caseload</a>"),
        "{today}"
    );
    let (_, account) = get_as(&w, "sam@example.com", "/account").await;
    assert!(account.contains("href=\"/caseload\""));
    // A client's own Today has no such link.
    let (_, own) = get_as(&w, "ana@example.com", "/").await;
    assert!(!own.contains("href=\"/caseload\""), "{own}");
}

async fn get_as(w: &World, email: &str, uri: &str) -> (StatusCode, String) {
    let (st, body, _) = page(w, Some(email), uri, None).await;
    (st, body)
}

#[tokio::test]
async fn caseload_for_a_client_or_an_admin_says_what_it_is_for() {
    let w = memory_world();
    for who in ["ana@example.com", "admin@example.com", "kim@example.com"] {
        let (st, body) = get_as(&w, who, "/caseload").await;
        assert_eq!(st, StatusCode::OK, "{who}: {body}");
        assert!(!body.contains("<table"), "{who}");
        let (st, v) = api(&w, Some(who), "GET", "/api/v1/caseload", None).await;
        assert_eq!((st, v), (StatusCode::OK, json!({"clients": []})), "{who}");
    }
    let (_, body) = get_as(&w, "ana@example.com", "/caseload").await;
    assert!(body.contains("The caseload is for coaches"), "{body}");
    let (_, body) = get_as(&w, "kim@example.com", "/caseload").await;
    assert!(body.contains("No client has shared"), "{body}");
    // Nobody signed in: the sign-in page, or a 401.
    let (st, _, h) = page(&w, None, "/caseload", None).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert!(h[header::LOCATION].to_str().unwrap().starts_with("/login"));
    let (st, _) = api(&w, None, "GET", "/api/v1/caseload", None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn caseload_notes_are_the_coachs_alone() {
    let w = memory_world();
    let (ana, ben) = (w.ana.workspace.unwrap().0, w.ben.workspace.unwrap().0);
    let note = "Nervous about Northwind: rehearse the salary talk";
    // The form: saved, back on the caseload with a notice, in the same order.
    let (st, _, h) = page(
        &w,
        Some("sam@example.com"),
        &format!("/caseload/{ana}/note"),
        Some(&format!(
            "sort=silent&note={}",
            note.replace(' ', "+").replace(':', "%3A")
        )),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let to = h[header::LOCATION].to_str().unwrap().to_string();
    assert_eq!(
        to,
        format!("/caseload?sort=silent&saved={ana}#client-{ana}")
    );
    let (_, body) = get_as(&w, "sam@example.com", to.split('#').next().unwrap()).await;
    assert!(
        body.contains("Your note on ana@example.com is saved."),
        "{body}"
    );
    assert!(body.contains(note));
    let (_, v) = api(&w, Some("sam@example.com"), "GET", "/api/v1/caseload", None).await;
    assert_eq!(v["clients"][0]["note"], note);

    // Too long: the page again, the text kept in its field, the reason beside it.
    let long = "x".repeat(followup_app::caseload::NOTE_MAX + 1);
    let (st, body, _) = page(
        &w,
        Some("sam@example.com"),
        &format!("/caseload/{ana}/note"),
        Some(&format!("sort=overdue&note={long}")),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("a note holds at most 2000") && body.contains(&long));
    let (st, v) = api(
        &w,
        Some("sam@example.com"),
        "PUT",
        &format!("/api/v1/caseload/{ana}/note"),
        Some(json!({ "note": long })),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["message"].as_str().unwrap().starts_with("note: "), "{v}");

    // Nobody else reads it: not Ana (her caseload, her search), not Kim once Ana lets her
    // in, not the admin.
    w.app
        .grant(
            &w.ana,
            "kim@example.com",
            GrantScope::View,
            None,
            TODAY,
            now(),
        )
        .unwrap();
    for who in ["ana@example.com", "kim@example.com", "admin@example.com"] {
        let (_, v) = api(&w, Some(who), "GET", "/api/v1/caseload", None).await;
        assert!(!v.to_string().contains("Nervous"), "{who}: {v}");
        let (_, body) = get_as(&w, who, "/caseload").await;
        assert!(!body.contains("Nervous"), "{who}");
    }
    for uri in [
        "/api/v1/agenda",
        "/api/v1/contacts",
        "/api/v1/jobs",
        "/api/v1/account",
    ] {
        let (_, v) = api(&w, Some("ana@example.com"), "GET", uri, None).await;
        assert!(!v.to_string().contains("Nervous"), "{uri}: {v}");
    }
    // Nor writes one without a grant: Kim on Ben, Ana on herself, the admin, nobody.
    for (who, ws) in [
        (Some("kim@example.com"), ben),
        (Some("ana@example.com"), ana),
        (Some("admin@example.com"), ana),
    ] {
        let (st, v) = api(
            &w,
            who,
            "PUT",
            &format!("/api/v1/caseload/{ws}/note"),
            Some(json!({"note": "mine"})),
        )
        .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{who:?}: {v}");
        assert_eq!(v["status"], 403);
        let (st, _, _) = page(&w, who, &format!("/caseload/{ws}/note"), Some("note=mine")).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{who:?}");
    }
    let (st, _) = api(
        &w,
        None,
        "PUT",
        &format!("/api/v1/caseload/{ana}/note"),
        Some(json!({"note": "mine"})),
    )
    .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    // Bad input is a 4xx: a bad workspace, a body that is not the shape.
    for (uri, body) in [
        (
            "/api/v1/caseload/abc/note".to_string(),
            json!({"note": "x"}),
        ),
        ("/api/v1/caseload/-1/note".to_string(), json!({"note": "x"})),
        (format!("/api/v1/caseload/{ana}/note"), json!({"text": "x"})),
        (
            format!("/api/v1/caseload/{ana}/note"),
            json!({"note": "a\u{0}b"}),
        ),
    ] {
        let (st, v) = api(&w, Some("sam@example.com"), "PUT", &uri, Some(body)).await;
        assert!(st.is_client_error(), "{uri}: {st} {v}");
        assert!(v["message"].is_string(), "{v}");
    }

    // Empty clears it.
    let (st, v) = api(
        &w,
        Some("sam@example.com"),
        "PUT",
        &format!("/api/v1/caseload/{ana}/note"),
        Some(json!({"note": ""})),
    )
    .await;
    assert_eq!(
        (st, v),
        (StatusCode::OK, json!({"workspace": ana, "note": null}))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caseload_on_postgresql_reads_each_workspace_as_its_owner() {
    let w = tokio::task::block_in_place(|| {
        let url = followup_store_pg::testing::TestServer::shared().fresh_database();
        world(App::open_postgres(&url, Config::default()).expect("the test database opens"))
    });
    let sam = Some("sam@example.com");
    let (st, v) = api(&w, sam, "GET", "/api/v1/caseload?sort=name", None).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(emails(&v), ["ana@example.com", "ben@example.com"]);
    // Row-level security let each figure through: the reads ran as Ana's workspace.
    let ana = &v["clients"][0];
    assert_eq!(ana["open_jobs"], 1, "{ana}");
    assert_eq!(ana["last_touch"], TODAY.to_string());
    assert_eq!(ana["interviews_this_week"], 1);
    assert_eq!(ana["promises_missed"], 1);
    assert!(ana["overdue"].as_u64().unwrap() >= 1, "{ana}");
    let memory = memory_world();
    let (_, want) = api(&memory, sam, "GET", "/api/v1/caseload?sort=name", None).await;
    for key in [
        "overdue",
        "days_silent",
        "open_jobs",
        "pipeline_gap",
        "interviews_this_week",
        "promises_missed",
    ] {
        assert_eq!(
            ana[key], want["clients"][0][key],
            "{key}: PostgreSQL and memory agree"
        );
    }
    // The note is kept in PostgreSQL, and only Sam reads it.
    let ws = w.ana.workspace.unwrap().0;
    let (st, v) = api(
        &w,
        sam,
        "PUT",
        &format!("/api/v1/caseload/{ws}/note"),
        Some(json!({"note": "Okapi: call Friday"})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (_, v) = api(&w, sam, "GET", "/api/v1/caseload?sort=name", None).await;
    assert_eq!(v["clients"][0]["note"], "Okapi: call Friday");
    for who in [
        "ana@example.com",
        "kim@example.com",
        "admin@example.com",
        "ben@example.com",
    ] {
        let (st, v) = api(&w, Some(who), "GET", "/api/v1/caseload", None).await;
        assert_eq!((st, v), (StatusCode::OK, json!({"clients": []})), "{who}");
    }
    let export = tokio::task::block_in_place(|| {
        let cx = w
            .app
            .ctx_for(w.ana.workspace.unwrap(), Actor::Owner, TODAY)
            .unwrap();
        w.app.export_json(&cx).unwrap()
    });
    assert!(!export.contains("Okapi"), "the note is not in Ana's export");
}
