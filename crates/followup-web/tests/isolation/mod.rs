//! Isolation, proven (issue 14): on a team server over a real PostgreSQL, every API operation
//! the OpenAPI document lists, and every page, is sent under client A's workspace as each
//! kind of identity there is, and under the plain paths as everyone else. Nobody but A gets
//! in; nothing A keeps leaks into anyone else's answers; nothing anyone else sends changes
//! A's data. The API's routes are read from `/openapi.json`, not listed here: a route added
//! later is swept without touching this file.
//!
//! PostgreSQL's sync client must not run on a current-thread runtime's thread, so these tests
//! run on a multi-thread runtime and do their store work inside `block_in_place`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use followup_app::accounts::Secret;
use followup_app::{Account, Actor, App, Config, GrantScope, NewContact, NewJob, NewTouch, Role};
use followup_core::model::OwnerId;
use followup_store_pg::testing::TestServer;
use followup_web::WebState;
use jiff::ToSpan;
use serde_json::{Value, json};

use crate::support::*;

const PASSWORD: &str = "correct horse battery";
/// In every name of A's that the suite adds, and nowhere else.
const A_MARK: &str = "Zanzibar Quill";
/// In every name of B's, and nowhere else.
const B_MARK: &str = "Okapi Fenwick";

/// Who sends a request, and how it proves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    /// Client A, whose workspace is swept.
    Owner,
    /// Client B: another client, with a search of their own.
    OtherClient,
    /// A coach nobody granted anything.
    Coach,
    Admin,
    /// No token, no cookie.
    Nobody,
    /// A's token after it was revoked (API), A's session after signing out (pages).
    Revoked,
    /// A client's token and session after an admin disabled the account.
    Disabled,
}

const EVERYONE: [Who; 7] = [
    Who::Owner,
    Who::OtherClient,
    Who::Coach,
    Who::Admin,
    Who::Nobody,
    Who::Revoked,
    Who::Disabled,
];

/// The ids path parameters are given: each exists in A's workspace.
struct Ids {
    contact: i64,
    /// Another of A's contacts (what a merge keeps).
    other_contact: i64,
    job: i64,
    touch: i64,
    item: i64,
    /// One of A's API tokens that the sweep may revoke (only A may).
    spare_token: i64,
    /// A's account.
    account: i64,
    /// A's workspace (what a coach's note names).
    workspace: i64,
}

struct World {
    server: Server,
    app: Arc<App>,
    a_ws: i64,
    b_ws: i64,
    ids: Ids,
    /// The bearer token of each identity (none for `Nobody`).
    tokens: BTreeMap<Who, String>,
    /// The session of the identities that cannot sign in through the form any more.
    sessions: BTreeMap<Who, String>,
    /// Every contact name in A's workspace: none may reach anyone else.
    a_names: Vec<String>,
}

fn now() -> jiff::Timestamp {
    followup_app::clock::now()
}

/// The team server: an admin, clients A and B with searches of their own, a coach without a
/// grant, a disabled client; a token each; A's data seeded through the app.
fn world() -> World {
    let url = TestServer::shared().fresh_database();
    let app = App::open_postgres(&url, Config::default()).expect("the test database opens");
    let admin = app
        .team_init("admin@example.com", Some(PASSWORD), now())
        .unwrap()
        .account;
    let add = |email: &str, role: Role| -> Account {
        app.add_user(None, email, role, Some(PASSWORD), now())
            .unwrap()
            .account
    };
    let ana = add("ana@example.com", Role::Client);
    let ben = add("ben@example.com", Role::Client);
    let coach = add("coach@example.com", Role::Coach);
    let cleo = add("cleo@example.com", Role::Client);
    assert!(coach.workspace.is_none() && admin.workspace.is_none());
    let a_ws = ana.workspace.unwrap();
    let b_ws = ben.workspace.unwrap();
    assert_ne!(a_ws, b_ws);

    // A: the demo, and a contact, job and touch carrying the marker.
    let cx = app.ctx_for(a_ws, Actor::Owner, TODAY).unwrap();
    followup_app::demo::build(&app, &cx).unwrap();
    let z = app
        .add_contact(
            &cx,
            NewContact {
                name: A_MARK.into(),
                company: Some(format!("{A_MARK} Works")),
                notes: Some(format!("met {A_MARK} at the fair")),
                ..Default::default()
            },
        )
        .unwrap();
    let job = app
        .add_job(
            &cx,
            NewJob {
                organization: format!("{A_MARK} Works"),
                title: format!("{A_MARK} Analyst"),
                contacts: vec![A_MARK.into()],
                applied: Some(TODAY - 3.days()),
                ..Default::default()
            },
        )
        .unwrap();
    let logged = app
        .log(
            &cx,
            NewTouch {
                with: vec![A_MARK.into()],
                job: Some(job.id.to_string()),
                on: Some(TODAY - 1.days()),
                note: Some(format!("coffee with {A_MARK}")),
                ..Default::default()
            },
        )
        .unwrap();
    let contacts = app.contacts(&cx).unwrap();
    let other_contact = contacts.iter().find(|c| c.id != z.id).unwrap().id.0;
    let item = app.agenda(&cx, Some(TODAY + 60.days())).unwrap()[0].id;
    let a_names: Vec<String> = contacts.iter().map(|c| c.name.clone()).collect();

    // B: a search of their own.
    let cx_b = app.ctx_for(b_ws, Actor::Owner, TODAY).unwrap();
    app.add_contact(
        &cx_b,
        NewContact {
            name: B_MARK.into(),
            company: Some(format!("{B_MARK} Labs")),
            ..Default::default()
        },
    )
    .unwrap();
    app.add_job(
        &cx_b,
        NewJob {
            organization: format!("{B_MARK} Labs"),
            title: format!("{B_MARK} Engineer"),
            contacts: vec![B_MARK.into()],
            ..Default::default()
        },
    )
    .unwrap();

    let token = |a: &Account, label: &str| -> String {
        let Secret(t) = app.create_token(a, label, now()).unwrap();
        t
    };
    let id_of = |a: &Account, label: &str| -> i64 {
        app.tokens(a)
            .unwrap()
            .iter()
            .find(|t| t.label == label)
            .unwrap()
            .id
    };
    let mut tokens = BTreeMap::new();
    tokens.insert(Who::Owner, token(&ana, "sweep"));
    tokens.insert(Who::OtherClient, token(&ben, "sweep"));
    tokens.insert(Who::Coach, token(&coach, "sweep"));
    tokens.insert(Who::Admin, token(&admin, "sweep"));
    token(&ana, "spare");
    let spare_token = id_of(&ana, "spare");
    tokens.insert(Who::Revoked, token(&ana, "revoked"));
    app.revoke_token(&ana, id_of(&ana, "revoked")).unwrap();
    tokens.insert(Who::Disabled, token(&cleo, "sweep"));
    // Sessions that stopped: A's after signing out, Cleo's when she is disabled.
    let mut sessions = BTreeMap::new();
    let (_, Secret(gone)) = app.sign_in("ana@example.com", PASSWORD, now()).unwrap();
    app.sign_out(&gone).unwrap();
    sessions.insert(Who::Revoked, gone);
    let (_, Secret(cleo_session)) = app.sign_in("cleo@example.com", PASSWORD, now()).unwrap();
    sessions.insert(Who::Disabled, cleo_session);
    app.set_disabled(None, &cleo, true).unwrap();

    let app = Arc::new(app);
    World {
        server: Server {
            dir: tempfile::tempdir().unwrap(),
            state: WebState::shared(app.clone(), Some(TODAY)).serving(PORT),
        },
        app,
        a_ws: a_ws.0,
        b_ws: b_ws.0,
        ids: Ids {
            contact: z.id.0,
            other_contact,
            job: job.id.0,
            touch: logged.touch.id.0,
            item,
            spare_token,
            account: ana.id.0,
            workspace: a_ws.0,
        },
        tokens,
        sessions,
        a_names,
    }
}

/// Everything A has, as the app reads it: the export, the agenda, the data version, A's
/// tokens and account. Equal before and after means nothing of A's was written.
fn snapshot(w: &World) -> String {
    tokio::task::block_in_place(|| {
        let app = &w.app;
        let cx = app.ctx_for(OwnerId(w.a_ws), Actor::Owner, TODAY).unwrap();
        let ana = app.account_named("ana@example.com").unwrap();
        let tokens: Vec<(i64, String)> = app
            .tokens(&ana)
            .unwrap()
            .into_iter()
            .map(|t| (t.id, t.label))
            .collect();
        format!(
            "{}\n{}\nversion {}\n{tokens:?}\n{ana:?}",
            app.export_json(&cx).unwrap(),
            serde_json::to_string(&app.agenda(&cx, Some(TODAY + 365.days())).unwrap()).unwrap(),
            app.data_version(&cx).unwrap(),
        )
    })
}

/// A request body.
#[derive(Debug, Clone)]
enum Payload {
    None,
    Json(Value),
    Text(&'static str),
    Form(String),
}

/// What was sent, for the report.
#[derive(Default)]
struct Tally {
    requests: usize,
    /// (route, identity) pairs checked.
    pairs: usize,
    statuses: BTreeMap<u16, usize>,
}

async fn send_as(
    w: &World,
    tally: &mut Tally,
    who: Who,
    api: bool,
    method: &Method,
    uri: &str,
    payload: &Payload,
) -> (StatusCode, String, HeaderMap) {
    let mut req = Request::builder().method(method.clone()).uri(uri);
    if api {
        if let Some(t) = w.tokens.get(&who) {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
    } else if let Some(c) = w.sessions.get(&who) {
        req = req.header(header::COOKIE, format!("followup_session={c}"));
    }
    let req = match payload {
        Payload::None => req.body(Body::empty()),
        Payload::Json(v) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(v.to_string())),
        Payload::Text(t) => req
            .header(header::CONTENT_TYPE, "text/plain")
            .body(Body::from(*t)),
        Payload::Form(f) => req
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(f.clone())),
    }
    .unwrap();
    let (st, body, h) = send(&w.server, req).await;
    tally.requests += 1;
    *tally.statuses.entry(st.as_u16()).or_default() += 1;
    (st, body, h)
}

/// Fails if anything of A's is in `body`: the marker, or any of A's contact names that the
/// request did not itself send (an answer may repeat what it was asked: "no contact matches
/// \"Dana Reyes\"").
fn assert_nothing_of_a(w: &World, who: Who, what: &str, sent: &Payload, body: &str) {
    assert!(
        !body.contains("Zanzibar"),
        "{who:?} got A's data from {what}: {body}"
    );
    let sent = format!("{what} {sent:?}");
    for name in &w.a_names {
        assert!(
            sent.contains(name.as_str()) || !body.contains(name.as_str()),
            "{who:?} got A's contact {name:?} from {what}: {body}"
        );
    }
}

/// One API operation, from the OpenAPI document.
#[derive(Debug)]
struct Op {
    method: Method,
    /// As documented: `/api/v1/contacts/{id}`.
    template: String,
    /// With ids of A's: `/api/v1/contacts/22`.
    path: String,
    payload: Payload,
}

impl Op {
    fn name(&self) -> String {
        format!("{} {}", self.method, self.template)
    }

    /// About the account, not a job search.
    fn is_account(&self) -> bool {
        self.template == "/api/v1/account" || self.template.starts_with("/api/v1/account/")
    }

    /// A client's own sharing (grants they gave, who came in): someone who owns no job
    /// search has none to share.
    fn is_clients(&self) -> bool {
        ["/api/v1/account/grants", "/api/v1/account/visits"]
            .iter()
            .any(|p| self.template == *p || self.template.starts_with(&format!("{p}/")))
    }

    /// A coach's caseload: about the account asking (any may list theirs), and notes only a
    /// coach with a live grant to the workspace may write.
    fn is_caseload(&self) -> bool {
        self.template == "/api/v1/caseload" || self.template.starts_with("/api/v1/caseload/")
    }

    /// An admin's work on the accounts.
    fn is_admins(&self) -> bool {
        self.template == "/api/v1/accounts" || self.template.starts_with("/api/v1/accounts/")
    }

    /// The same route under workspace `ws`.
    fn in_workspace(&self, ws: i64) -> String {
        let rest = self.path.strip_prefix("/api/v1").unwrap();
        format!("/api/v1/workspaces/{ws}{rest}")
    }
}

/// A path parameter's value: an id in A's workspace, named by the segment before it.
fn param(ids: &Ids, before: &str, name: &str) -> String {
    match (before, name) {
        ("contacts", _) => ids.contact.to_string(),
        ("jobs", _) => ids.job.to_string(),
        ("touches", _) => ids.touch.to_string(),
        ("items", _) => ids.item.to_string(),
        ("tokens", _) => ids.spare_token.to_string(),
        ("accounts", _) => ids.account.to_string(),
        ("caseload", _) => ids.workspace.to_string(),
        ("import", _) => "vcard".into(),
        // A route this table does not know yet is still swept, with an id most tables have.
        _ => {
            eprintln!("isolation: no id known for {{{name}}} after {before:?}; sending 1");
            "1".into()
        }
    }
}

/// A body the operation accepts: the example its documentation gives when that is JSON, a
/// few written here where it gives none, else `{}`.
fn payload(ids: &Ids, method: &str, template: &str, op: &Value, n: usize) -> Payload {
    let Some(rb) = op.get("requestBody") else {
        return Payload::None;
    };
    match (method, template) {
        ("post", "/api/v1/accounts") => {
            return Payload::Json(json!({
                "email": format!("swept-{n}@example.com"),
                "role": "client",
                "password": PASSWORD,
            }));
        }
        // Enabling an enabled account: an admin may, and it changes nothing.
        ("patch", "/api/v1/accounts/{id}") => return Payload::Json(json!({"disabled": false})),
        ("post", "/api/v1/account/tokens") => return Payload::Json(json!({"name": "swept"})),
        ("patch", "/api/v1/account") => return Payload::Json(json!({"name": "Swept Name"})),
        ("post", "/api/v1/contacts/{id}/merge") => {
            return Payload::Json(json!({"into": ids.other_contact.to_string()}));
        }
        ("post", t) if t.starts_with("/api/v1/import/") => {
            return Payload::Text(
                "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Imported Person\r\nEMAIL:imported@example.com\r\nEND:VCARD\r\n",
            );
        }
        _ => {}
    }
    let example = rb
        .get("description")
        .and_then(Value::as_str)
        .and_then(|d| serde_json::from_str::<Value>(d).ok())
        .filter(Value::is_object);
    Payload::Json(example.unwrap_or_else(|| json!({})))
}

/// Every operation in `/openapi.json`.
fn operations(doc: &Value, ids: &Ids) -> Vec<Op> {
    let mut ops = Vec::new();
    let paths = doc["paths"]
        .as_object()
        .expect("paths in the OpenAPI document");
    for (template, item) in paths {
        assert!(template.starts_with("/api/v1/"), "{template}");
        let segments: Vec<&str> = template.split('/').collect();
        let path = segments
            .iter()
            .enumerate()
            .map(
                |(i, s)| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => param(ids, segments[i - 1], name),
                    None => s.to_string(),
                },
            )
            .collect::<Vec<_>>()
            .join("/");
        for (method, op) in item.as_object().unwrap() {
            let known = [
                "get", "put", "post", "delete", "options", "head", "patch", "trace",
            ];
            if !known.contains(&method.as_str()) {
                continue;
            }
            ops.push(Op {
                method: Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap(),
                template: template.clone(),
                path: path.clone(),
                payload: payload(ids, method, template, op, ops.len()),
            });
        }
    }
    ops
}

/// What an answer under A's workspace must be for `who` (`None`: not 401, 403 or 5xx).
fn expected_in_workspace(who: Who, op: &Op) -> Option<StatusCode> {
    match who {
        // A is no admin: the accounts are refused to A as to any client.
        Who::Owner if op.is_admins() => Some(StatusCode::FORBIDDEN),
        // A holds no grant to her own search: no note of a coach's to write there.
        Who::Owner if op.is_caseload() && op.method != Method::GET => Some(StatusCode::FORBIDDEN),
        Who::Owner => None,
        Who::OtherClient | Who::Coach | Who::Admin => Some(StatusCode::FORBIDDEN),
        Who::Nobody | Who::Revoked | Who::Disabled => Some(StatusCode::UNAUTHORIZED),
    }
}

fn assert_allowed(who: Who, what: &str, st: StatusCode, body: &str) {
    assert!(
        st != StatusCode::UNAUTHORIZED && st != StatusCode::FORBIDDEN && !st.is_server_error(),
        "{who:?}: {what} answered {st}: {body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn isolation_every_api_route_and_page_keeps_a_workspace_to_its_owner() {
    let mut w = tokio::task::block_in_place(world);
    let a = w.a_ws;
    let mut api = Tally::default();
    let mut pages = Tally::default();

    let (st, doc) = get(&w.server, "/openapi.json").await;
    assert_eq!(st, StatusCode::OK);
    let doc: Value = serde_json::from_str(&doc).unwrap();
    let ops = operations(&doc, &w.ids);
    assert!(ops.len() >= 30, "{} operations", ops.len());
    // Sessions, signed in through the form.
    for (who, email) in [
        (Who::Owner, "ana@example.com"),
        (Who::OtherClient, "ben@example.com"),
        (Who::Coach, "coach@example.com"),
        (Who::Admin, "admin@example.com"),
    ] {
        let (st, body, h) = send(
            &w.server,
            form(
                "/login",
                &format!("email={email}&password=correct+horse+battery"),
            ),
        )
        .await;
        assert_eq!(st, StatusCode::SEE_OTHER, "{who:?} signs in: {body}");
        w.sessions.insert(who, session_of(&h));
    }
    let ids = &w.ids;
    let page_gets: Vec<String> = [
        "/".to_string(),
        "/pipeline".into(),
        "/contacts".into(),
        "/contacts/new".into(),
        "/jobs/new".into(),
        format!("/contacts/{}", ids.contact),
        format!("/jobs/{}", ids.job),
        "/log".into(),
        "/import".into(),
        "/settings".into(),
        "/settings/templates/follow-up".into(),
        "/rules".into(),
        "/trash".into(),
        format!("/items/{}/draft", ids.item),
        format!("/contacts/{}/edit", ids.contact),
        format!("/contacts/{}/delete", ids.contact),
        format!("/jobs/{}/edit", ids.job),
        format!("/jobs/{}/delete", ids.job),
        format!("/touches/{}/edit", ids.touch),
        "/caseload".into(),
    ]
    .into();
    let c = ids.contact;
    let page_posts: Vec<(String, String)> = vec![
        ("/contacts".into(), "name=Intruder+Added".into()),
        ("/jobs".into(), "organization=Intruder+Co&title=Spy".into()),
        (format!("/contacts/{c}"), "notes=intruded".into()),
        (format!("/contacts/{c}/edit"), "name=Intruded".into()),
        (format!("/contacts/{c}/delete"), String::new()),
        (
            format!("/contacts/{c}/merge"),
            format!("into={}", ids.other_contact),
        ),
        (format!("/jobs/{}/edit", ids.job), "title=Intruded".into()),
        (format!("/jobs/{}/delete", ids.job), String::new()),
        (format!("/jobs/{}/stage", ids.job), "stage=rejected".into()),
        (
            format!("/touches/{}/edit", ids.touch),
            "note=intruded".into(),
        ),
        (format!("/touches/{}/retract", ids.touch), String::new()),
        ("/undo".into(), "undo=restore-contact%3A1".into()),
        (format!("/items/{}/done", ids.item), String::new()),
        (format!("/items/{}/snooze", ids.item), "until=friday".into()),
        (format!("/items/{}/send", ids.item), "confirm=yes".into()),
        ("/settings/digest-test".into(), String::new()),
        ("/log".into(), format!("kind=follow-up&with={c}")),
        ("/import".into(), "kind=linkedin".into()),
        ("/import/confirm".into(), "token=00".into()),
        ("/settings/calendar-token".into(), String::new()),
        ("/settings/me".into(), "name=Intruder".into()),
        ("/settings/policy".into(), "grace=9bd".into()),
        ("/settings/policy/reset".into(), "key=%2A".into()),
        ("/settings/holidays".into(), "days=2026-12-01".into()),
        ("/settings/holidays/remove".into(), "source=x".into()),
        (
            "/settings/templates/follow-up".into(),
            "text=Subject%3A+hi".into(),
        ),
        ("/settings/templates/follow-up/reset".into(), String::new()),
        (format!("/caseload/{a}/note"), "note=intruded".into()),
    ];
    // A first reads everything, as A would before the others come: the views the server
    // caches per workspace (Today, the agenda) are then in its cache while the others ask.
    for op in ops.iter().filter(|op| op.method == Method::GET) {
        let uri = op.in_workspace(a);
        let (st, body, _) = send_as(
            &w,
            &mut api,
            Who::Owner,
            true,
            &op.method,
            &uri,
            &op.payload,
        )
        .await;
        match expected_in_workspace(Who::Owner, op) {
            Some(want) => assert_eq!(st, want, "A: {} at {uri}: {body}", op.name()),
            None => assert_eq!(st, StatusCode::OK, "A: {} at {uri}: {body}", op.name()),
        }
    }
    // Every page opens for A, and its links and forms stay in the workspace.
    let prefix = format!("/w/{a}");
    let mut links = 0;
    for p in &page_gets {
        let uri = format!("{prefix}{p}");
        let (st, body, _) = send_as(
            &w,
            &mut pages,
            Who::Owner,
            false,
            &Method::GET,
            &uri,
            &Payload::None,
        )
        .await;
        pages.pairs += 1;
        assert_eq!(st, StatusCode::OK, "A: {uri}: {body}");
        assert!(!body.contains(B_MARK), "A got B's data from {uri}");
        for link in local_links(&body) {
            links += 1;
            let kept = link == prefix
                || link.starts_with(&format!("{prefix}/"))
                || link.starts_with(&format!("{prefix}?"))
                || link.starts_with(&format!("{prefix}#"));
            let shared = ["/assets/", "/account", "/caseload", "/login", "/logout"]
                .iter()
                .any(|s| link.starts_with(s));
            assert!(
                kept || shared,
                "A: {uri} links to {link:?} outside {prefix}"
            );
        }
    }
    let (_, body, _) = send_as(
        &w,
        &mut pages,
        Who::Owner,
        false,
        &Method::GET,
        &format!("{prefix}/contacts/{}", ids.contact),
        &Payload::None,
    )
    .await;
    assert!(body.contains(A_MARK), "A sees A's own contact: {body}");

    let before = snapshot(&w);

    // 1. Everyone but A, at A's workspace: refused, whatever the route, the method, the body.
    for op in &ops {
        let uri = op.in_workspace(a);
        for who in EVERYONE.into_iter().filter(|w| *w != Who::Owner) {
            let (st, body, _) =
                send_as(&w, &mut api, who, true, &op.method, &uri, &op.payload).await;
            api.pairs += 1;
            let want = expected_in_workspace(who, op).unwrap();
            assert_eq!(st, want, "{who:?}: {} at {uri}: {body}", op.name());
            assert_nothing_of_a(&w, who, &uri, &op.payload, &body);
        }
    }

    // 2. Everyone but A, at the plain paths: their own search or their own account, never A's.
    let mut created_by = BTreeMap::new();
    for op in &ops {
        for who in EVERYONE.into_iter().filter(|w| *w != Who::Owner) {
            let (st, body, _) =
                send_as(&w, &mut api, who, true, &op.method, &op.path, &op.payload).await;
            api.pairs += 1;
            let what = format!("{} at {}", op.name(), op.path);
            assert_nothing_of_a(&w, who, &what, &op.payload, &body);
            match who {
                Who::Nobody | Who::Revoked | Who::Disabled => {
                    assert_eq!(st, StatusCode::UNAUTHORIZED, "{who:?}: {what}: {body}");
                }
                // A note on A's search needs a grant to it; listing one's own caseload is
                // everyone's, and shows nobody's search without a grant.
                Who::OtherClient | Who::Coach | Who::Admin
                    if op.is_caseload() && op.method != Method::GET =>
                {
                    assert_eq!(st, StatusCode::FORBIDDEN, "{who:?}: {what}: {body}");
                }
                Who::OtherClient | Who::Coach | Who::Admin if op.is_caseload() => {
                    // (B may have let the coach in to B's own search, earlier in the sweep.)
                    assert_eq!(st, StatusCode::OK, "{who:?}: {what}: {body}");
                    assert!(!body.contains("ana@example.com"), "{who:?}: {what}: {body}");
                }
                Who::OtherClient | Who::Coach if op.is_admins() => {
                    assert_eq!(st, StatusCode::FORBIDDEN, "{who:?}: {what}: {body}");
                }
                Who::Coach | Who::Admin if op.is_clients() => {
                    assert_eq!(st, StatusCode::FORBIDDEN, "{who:?}: {what}: {body}");
                }
                Who::Coach | Who::Admin if !op.is_account() && !op.is_admins() => {
                    assert_eq!(st, StatusCode::FORBIDDEN, "{who:?}: {what}: {body}");
                }
                _ => assert_allowed(who, &what, st, &body),
            }
            if op.method == Method::POST && op.template == "/api/v1/accounts" {
                created_by.insert(who, st);
            }
            if who == Who::Admin && op.method == Method::GET && op.template == "/api/v1/accounts" {
                assert!(body.contains("ana@example.com"), "{body}");
            }
        }
    }
    // Only the admin added an account.
    assert_eq!(created_by[&Who::Admin], StatusCode::CREATED);
    let emails: Vec<String> = tokio::task::block_in_place(|| w.app.accounts(None))
        .unwrap()
        .into_iter()
        .map(|a| a.email)
        .collect();
    assert_eq!(
        emails.iter().filter(|e| e.starts_with("swept-")).count(),
        1,
        "{emails:?}"
    );

    // 3. Pages: everyone but A at /w/{A}/..., reading and posting.
    for who in EVERYONE.into_iter().filter(|w| *w != Who::Owner) {
        let gets = page_gets.iter().map(|p| (Method::GET, p, Payload::None));
        let posts = page_posts
            .iter()
            .map(|(p, f)| (Method::POST, p, Payload::Form(f.clone())));
        for (method, p, payload) in gets.chain(posts) {
            let uri = format!("/w/{a}{p}");
            let (st, body, h) = send_as(&w, &mut pages, who, false, &method, &uri, &payload).await;
            pages.pairs += 1;
            assert_nothing_of_a(&w, who, &uri, &payload, &body);
            match who {
                Who::Nobody | Who::Revoked | Who::Disabled => {
                    assert_eq!(st, StatusCode::SEE_OTHER, "{who:?}: {method} {uri}: {body}");
                    let to = h[header::LOCATION].to_str().unwrap();
                    assert!(to.starts_with("/login?next="), "{who:?}: {uri} → {to}");
                }
                _ => assert_eq!(st, StatusCode::FORBIDDEN, "{who:?}: {method} {uri}: {body}"),
            }
        }
        // And B's own pages, at the plain paths, show B's search only.
        if who == Who::OtherClient {
            for p in &page_gets {
                let (st, body, _) =
                    send_as(&w, &mut pages, who, false, &Method::GET, p, &Payload::None).await;
                pages.pairs += 1;
                assert!(!st.is_server_error(), "{who:?}: {p}: {st}: {body}");
                assert_nothing_of_a(&w, who, p, &Payload::None, &body);
            }
            let (_, body, _) = send_as(
                &w,
                &mut pages,
                who,
                false,
                &Method::GET,
                "/contacts",
                &Payload::None,
            )
            .await;
            assert!(body.contains(B_MARK), "B sees B's own search: {body}");
        }
    }

    // Paths that try to slip past the workspace check: none opens anything of A's.
    let (b, c) = (w.b_ws, ids.contact);
    let tricks = [
        format!("/w/{a}/calendar/../contacts"),
        format!("/w/{a}/calendar/..%2Fcontacts"),
        format!("/w/{a}/calendar/x/../../contacts/{c}"),
        format!("/w/{a}/calendar/0000.ics"),
        format!("/w/{b}/w/{a}/contacts"),
        format!("/w/0{a}/contacts"),
        format!("/w/+{a}/contacts"),
        format!("/w/{a}%2Fcontacts"),
        format!("//w/{a}/contacts"),
        format!("/W/{a}/contacts"),
        format!("/api/v1/workspaces/{a}/calendar/../contacts"),
        format!("/api/v1/workspaces/{b}/workspaces/{a}/contacts"),
        format!("/api/v1/workspaces/0{a}/contacts/{c}"),
        format!("/api/v1/workspaces/{a}%2Fcontacts"),
        format!("/api/v1/Workspaces/{a}/contacts"),
    ];
    for uri in &tricks {
        for who in [Who::OtherClient, Who::Coach, Who::Admin, Who::Nobody] {
            let api = uri.starts_with("/api/");
            let (st, body, _) =
                send_as(&w, &mut pages, who, api, &Method::GET, uri, &Payload::None).await;
            pages.pairs += 1;
            assert!(
                !st.is_success() && !st.is_server_error(),
                "{who:?}: {uri}: {st}: {body}"
            );
            assert_nothing_of_a(&w, who, uri, &Payload::None, &body);
        }
    }

    // 3b. The coach through every grant state A can give (issue 15's grants): none, view,
    // edit, expired, revoked, on every API operation at A's workspace. Only `edit` may change
    // anything, and its changes are not sent here (A's own sweep below changes A's data).
    let coach = tokio::task::block_in_place(|| w.app.account_named("coach@example.com")).unwrap();
    let grant = |scope, until| followup_store::Grant {
        workspace: OwnerId(a),
        coach: coach.id,
        scope,
        until,
        granted: now(),
    };
    let dir = || w.app.directory().unwrap().clone();
    let states: [(&str, Option<followup_store::Grant>); 5] = [
        ("none", None),
        ("view", Some(grant(GrantScope::View, None))),
        ("edit", Some(grant(GrantScope::Edit, Some(TODAY)))),
        (
            "expired",
            Some(grant(GrantScope::Edit, Some(TODAY - 1.days()))),
        ),
        ("revoked", None),
    ];
    let mut grant_pairs = 0;
    let mut page_grant_pairs = 0;
    for (state, g) in &states {
        tokio::task::block_in_place(|| {
            let d = dir();
            d.revoke_grant(OwnerId(a), coach.id).unwrap();
            if let Some(g) = g {
                d.set_grant(g).unwrap();
            }
        });
        for op in &ops {
            let reads = op.method == Method::GET;
            let may_read = matches!(*state, "view" | "edit");
            if *state == "edit" && !reads {
                continue;
            }
            let uri = op.in_workspace(a);
            let (st, body, _) = send_as(
                &w,
                &mut api,
                Who::Coach,
                true,
                &op.method,
                &uri,
                &op.payload,
            )
            .await;
            grant_pairs += 1;
            let what = format!("coach with grant {state}: {} at {uri}", op.name());
            if op.is_account() || op.is_admins() {
                // About the coach's own account, whatever the path says.
                assert!(!st.is_server_error(), "{what}: {st}: {body}");
            } else if may_read && reads {
                assert_allowed(Who::Coach, &what, st, &body);
            } else {
                assert_eq!(st, StatusCode::FORBIDDEN, "{what}: {body}");
                assert_nothing_of_a(&w, Who::Coach, &uri, &op.payload, &body);
            }
        }
        // And every page of A's workspace, read and posted, in the same state.
        let gets = page_gets.iter().map(|p| (Method::GET, p, Payload::None));
        let posts = page_posts
            .iter()
            .map(|(p, f)| (Method::POST, p, Payload::Form(f.clone())));
        for (method, p, payload) in gets.chain(posts) {
            let reads = method == Method::GET;
            let may_read = matches!(*state, "view" | "edit");
            if *state == "edit" && !reads {
                continue;
            }
            let uri = format!("/w/{a}{p}");
            let (st, body, _) =
                send_as(&w, &mut pages, Who::Coach, false, &method, &uri, &payload).await;
            grant_pairs += 1;
            page_grant_pairs += 1;
            let what = format!("coach with grant {state}: page {method} {uri}");
            if may_read && reads {
                assert_allowed(Who::Coach, &what, st, &body);
            } else {
                assert_eq!(st, StatusCode::FORBIDDEN, "{what}: {body}");
                assert_nothing_of_a(&w, Who::Coach, &uri, &payload, &body);
            }
        }
    }
    // 3c. The coach's caseload and private note on A (issue 15): the coach sees A in it; no
    // one else sees the coach's caseload or note, at the plain paths or at A's workspace.
    tokio::task::block_in_place(|| dir().set_grant(&grant(GrantScope::View, None))).unwrap();
    const NOTE: &str = "Marmoset note, for the coach alone";
    let (st, body, _) = send_as(
        &w,
        &mut api,
        Who::Coach,
        true,
        &Method::PUT,
        &format!("/api/v1/caseload/{a}/note"),
        &Payload::Json(json!({ "note": NOTE })),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "the coach keeps a note on A: {body}");
    let (_, body, _) = send_as(
        &w,
        &mut pages,
        Who::Coach,
        false,
        &Method::GET,
        "/caseload",
        &Payload::None,
    )
    .await;
    assert!(
        body.contains(NOTE)
            && body.contains("ana@example.com")
            && body.contains(&format!("href=\"/w/{a}/\"")),
        "the coach's caseload lists A with the note: {body}"
    );
    for who in EVERYONE.into_iter().filter(|w| *w != Who::Coach) {
        for (api_call, uri) in [
            (true, "/api/v1/caseload".to_string()),
            (true, format!("/api/v1/workspaces/{a}/caseload")),
            (false, "/caseload".to_string()),
            (false, format!("/w/{a}/caseload")),
        ] {
            let tally = if api_call { &mut api } else { &mut pages };
            let (st, body, _) =
                send_as(&w, tally, who, api_call, &Method::GET, &uri, &Payload::None).await;
            assert!(!st.is_server_error(), "{who:?}: {uri}: {st}");
            assert!(
                !body.contains("Marmoset"),
                "{who:?} read the coach's note at {uri}: {body}"
            );
        }
    }
    let export = tokio::task::block_in_place(|| {
        let cx = w.app.ctx_for(OwnerId(a), Actor::Owner, TODAY).unwrap();
        w.app.export_json(&cx).unwrap()
    });
    assert!(
        !export.contains("Marmoset"),
        "the coach's note is not in A's export"
    );
    tokio::task::block_in_place(|| {
        let d = dir();
        d.set_coach_note(coach.id, OwnerId(a), "", now()).unwrap();
        d.revoke_grant(OwnerId(a), coach.id).unwrap();
    });
    eprintln!(
        "isolation: grant states none, view, edit (reads), expired, revoked: {grant_pairs} coach requests at A's workspace, {page_grant_pairs} of them pages; the coach's caseload note read by nobody else"
    );

    // Nothing anyone else sent changed anything of A's.
    let after = snapshot(&w);
    assert!(
        before == after,
        "A's data changed under requests from others:\n--- before\n{before}\n--- after\n{after}"
    );

    // 4. A, at A's workspace, every API operation last (they change A's data): never refused
    // and never a server error. Reads first, then changes, deletions last, so that most find
    // what they name.
    let mut mine: Vec<&Op> = ops.iter().collect();
    mine.sort_by_key(|op| match op.method {
        Method::GET => 0,
        Method::PUT | Method::PATCH => 1,
        Method::DELETE => 3,
        _ => 2,
    });
    let mut owner_ok = 0;
    for op in mine {
        let uri = op.in_workspace(a);
        let (st, body, _) = send_as(
            &w,
            &mut api,
            Who::Owner,
            true,
            &op.method,
            &uri,
            &op.payload,
        )
        .await;
        api.pairs += 1;
        let what = format!("{} at {uri}", op.name());
        match expected_in_workspace(Who::Owner, op) {
            Some(want) => assert_eq!(st, want, "A: {what}: {body}"),
            None => assert_allowed(Who::Owner, &what, st, &body),
        }
        assert!(!body.contains(B_MARK), "A got B's data from {what}");
        owner_ok += usize::from(st.is_success());
        if !st.is_success() {
            eprintln!("isolation: A: {what}: {st} {body}");
        }
    }

    // And the snapshot sees writes: A's own changed it.
    assert_ne!(before, snapshot(&w), "A's own changes show in the snapshot");
    // The sweep reached the handlers: most of A's own requests succeeded.
    assert!(
        owner_ok * 4 >= ops.len() * 3,
        "{owner_ok} of {} succeeded",
        ops.len()
    );
    eprintln!(
        "isolation: A's own requests: {owner_ok} of {} succeeded; {} names of A's checked in every other answer; {links} links and forms in A's pages checked to stay in {prefix}",
        ops.len(),
        w.a_names.len()
    );
    eprintln!(
        "isolation: {} API operations from /openapi.json × {} identities at A's workspace (+ 6 at the plain paths): {} (operation, identity) pairs, {} requests; statuses {:?}",
        ops.len(),
        EVERYONE.len(),
        api.pairs,
        api.requests,
        api.statuses
    );
    eprintln!(
        "isolation: {} page GETs + {} page POSTs × {} identities, {} crafted paths × 4: {} (page, identity) pairs, {} requests; statuses {:?}",
        page_gets.len(),
        page_posts.len(),
        EVERYONE.len(),
        tricks.len(),
        pages.pairs,
        pages.requests,
        pages.statuses
    );
}

/// The session cookie a response sets.
fn session_of(h: &HeaderMap) -> String {
    let set = h[header::SET_COOKIE].to_str().unwrap();
    set.split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string()
}

/// Every local link and form target in a page (`href`, `action`, `hx-*`, `formaction`).
fn local_links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in [
        "href=\"/",
        "action=\"/",
        "hx-post=\"/",
        "hx-get=\"/",
        "formaction=\"/",
    ] {
        let mut rest = html;
        while let Some(at) = rest.find(attr) {
            let from = at + attr.len() - 1;
            let end = rest[from..].find('"').map_or(rest.len(), |e| from + e);
            out.push(rest[from..end].to_string());
            rest = &rest[end..];
        }
    }
    out
}
