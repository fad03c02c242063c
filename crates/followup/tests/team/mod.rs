//! `followup team` and `followup user` on a real PostgreSQL (a fresh database per test), and
//! the refusals a one-person book gives them.

use std::process::{Command, Output};

use followup_store_pg::testing::TestServer;

pub(super) fn team(url: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_followup"));
    cmd.args(args)
        .env("FOLLOWUP_DATABASE", url)
        .env("FOLLOWUP_TODAY", "2026-11-23")
        .env_remove("FOLLOWUP_DB")
        .env_remove("FOLLOWUP_PASSWORD")
        .env_remove("FOLLOWUP_WORKSPACE")
        .env_remove("FOLLOWUP_PUBLIC_URL")
        .env_remove("FOLLOWUP_CONFIG")
        .env("XDG_CONFIG_HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("runs")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn refused(o: &Output) -> String {
    let (out, err) = text(o);
    assert_eq!(o.status.code(), Some(2), "expected a refusal: {out}{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    err
}

pub(super) fn ok(o: &Output) -> String {
    let (out, err) = text(o);
    assert!(o.status.success(), "failed: {out}{err}");
    out
}

pub(super) const PW: (&str, &str) = ("FOLLOWUP_PASSWORD", "correct horse battery");

#[test]
fn a_team_is_set_up_from_the_command_line() {
    let url = TestServer::shared().fresh_database();
    let out = ok(&team(&url, &["user", "list"], &[]));
    assert!(out.contains("No accounts yet"), "{out}");
    let out = ok(&team(
        &url,
        &["team", "init", "--admin", "Admin@Example.com"],
        &[PW],
    ));
    assert!(out.contains("admin@example.com is an admin"), "{out}");
    let err = refused(&team(
        &url,
        &["team", "init", "--admin", "x@example.com"],
        &[PW],
    ));
    assert!(err.contains("already has accounts"), "{err}");
    // Without a password, a link to choose one, on the address given.
    let out = ok(&team(
        &url,
        &[
            "user",
            "add",
            "ana@example.com",
            "--public-url",
            "https://followup.example.com",
        ],
        &[],
    ));
    assert!(out.contains("owning workspace 2"), "{out}");
    let link = out
        .lines()
        .find(|l| l.contains("/invite/"))
        .expect("a link")
        .trim();
    assert!(
        link.starts_with("https://followup.example.com/invite/") && link.len() == 36 + 32,
        "{link}"
    );
    ok(&team(
        &url,
        &["user", "add", "sam@example.com", "--role", "coach"],
        &[PW],
    ));
    // Bad input names what was wrong, in one line, and adds nobody.
    let err = refused(&team(&url, &["user", "add", "not-an-email"], &[]));
    assert!(
        err.contains("EMAIL: \"not-an-email\" is not an email address"),
        "{err}"
    );
    let err = refused(&team(
        &url,
        &["user", "add", "bo@example.com"],
        &[("FOLLOWUP_PASSWORD", "short")],
    ));
    assert!(err.contains("FOLLOWUP_PASSWORD: too short"), "{err}");
    let err = refused(&team(&url, &["user", "add", "ANA@example.com"], &[]));
    assert!(
        err.contains("ana@example.com already has an account"),
        "{err}"
    );
    let list: serde_json::Value =
        serde_json::from_str(&ok(&team(&url, &["user", "list", "--json"], &[]))).unwrap();
    let emails: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        emails,
        ["admin@example.com", "ana@example.com", "sam@example.com"]
    );
    assert_eq!(list[1]["invited"], true);
    assert_eq!(list[1]["workspace"], 2);
    assert_eq!(list[2]["workspace"], serde_json::Value::Null);
    // A token is printed once, alone on stdout.
    let token = ok(&team(
        &url,
        &["user", "token", "ana@example.com", "--name", "script"],
        &[],
    ));
    assert_eq!(token.trim().len(), 32, "{token}");
    let err = refused(&team(&url, &["user", "token", "nobody@example.com"], &[]));
    assert!(
        err.contains("no account matches \"nobody@example.com\""),
        "{err}"
    );
    let out = ok(&team(&url, &["user", "disable", "sam@example.com"], &[]));
    assert!(out.contains("sam@example.com is disabled"), "{out}");
    let list = ok(&team(&url, &["user", "list"], &[]));
    assert!(
        list.lines()
            .any(|l| l.contains("sam@example.com") && l.contains("disabled")),
        "{list}"
    );
    ok(&team(&url, &["user", "enable", "sam@example.com"], &[]));
    let out = ok(&team(&url, &["user", "reset", "ana@example.com"], &[]));
    assert!(
        out.contains("signed out everywhere") && out.contains("/invite/"),
        "{out}"
    );
}

#[test]
fn commands_on_a_team_server_work_in_one_named_workspace() {
    let url = TestServer::shared().fresh_database();
    ok(&team(
        &url,
        &["team", "init", "--admin", "admin@example.com"],
        &[PW],
    ));
    ok(&team(&url, &["user", "add", "ana@example.com"], &[PW]));
    ok(&team(&url, &["user", "add", "ben@example.com"], &[PW]));
    ok(&team(
        &url,
        &["user", "add", "sam@example.com", "--role", "coach"],
        &[PW],
    ));
    let err = refused(&team(&url, &["agenda"], &[]));
    assert!(err.contains("--workspace EMAIL"), "{err}");
    let err = refused(&team(
        &url,
        &["--workspace", "sam@example.com", "agenda"],
        &[],
    ));
    assert!(err.contains("owns no job search of its own"), "{err}");
    ok(&team(
        &url,
        &[
            "--workspace",
            "ana@example.com",
            "contact",
            "add",
            "Zanzibar Quill",
            "--email",
            "zq@a.example",
        ],
        &[],
    ));
    let ana = ok(&team(
        &url,
        &["--workspace", "ana@example.com", "contact", "list"],
        &[],
    ));
    assert!(ana.contains("Zanzibar Quill"), "{ana}");
    let ben = ok(&team(
        &url,
        &["--workspace", "ben@example.com", "contact", "list"],
        &[],
    ));
    assert!(!ben.contains("Zanzibar"), "Ben's search is his own: {ben}");
    let env = [("FOLLOWUP_WORKSPACE", "ana@example.com")];
    let json = ok(&team(
        &url,
        &["--json", "contact", "show", "Zanzibar Quill"],
        &env,
    ));
    assert!(json.contains("zq@a.example"), "{json}");
}

#[test]
fn a_one_person_book_has_no_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("book.db");
    // `followup --db book.db ARGS`, with nothing of the person running the tests.
    let on_book = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_followup"))
            .args(["--db", db.to_str().unwrap()])
            .args(args)
            .env_remove("FOLLOWUP_DATABASE")
            .env("XDG_CONFIG_HOME", dir.path())
            .output()
            .unwrap()
    };
    let err = refused(&on_book(&["user", "list"]));
    assert!(
        err.contains("team and user commands work on a team server"),
        "{err}"
    );
    assert!(!db.exists(), "nothing was created");
    // Serving it beyond loopback is refused: nobody signs in to a one-person book.
    let err = refused(&on_book(&["serve", "--bind", "0.0.0.0", "--port", "0"]));
    assert!(err.contains("loopback only"), "{err}");
    // The reads' door is a team server's: sizing it on a one-person book is refused, and so
    // is a door of no turns.
    for (n, says) in [("16", "only a team server"), ("0", "not in 1..=1024")] {
        let err = refused(&on_book(&["serve", "--port", "0", "--reads-at-once", n]));
        assert!(
            err.contains("--reads-at-once") && err.contains(says),
            "{err}"
        );
    }
}

/// Seeds `email`'s workspace through the command line: a contact at a company, a job there
/// with them as the contact, and a follow-up logged with them.
fn seed(url: &str, email: &str, name: &str, contact_email: &str, company: &str, title: &str) {
    let ws = [("FOLLOWUP_WORKSPACE", email)];
    ok(&team(
        url,
        &[
            "contact",
            "add",
            name,
            "--email",
            contact_email,
            "--company",
            company,
        ],
        &ws,
    ));
    ok(&team(
        url,
        &[
            "job",
            "add",
            company,
            title,
            "--contact",
            name,
            "--applied",
            "2026-11-02",
        ],
        &ws,
    ));
    ok(&team(
        url,
        &["log", "follow-up", "--with", name, "--job", "1"],
        &ws,
    ));
    let shown = ok(&team(url, &["--json", "contact", "show", name], &ws));
    assert!(
        shown.contains(contact_email) && shown.contains("follow-up"),
        "{shown}"
    );
}

/// `followup serve` on `url`, pinned to 2026-11-23: the child (killed when dropped), its base
/// address, and the file its stderr goes to.
fn serve(url: &str, dir: &std::path::Path) -> (super::Served, String, std::path::PathBuf) {
    use std::io::BufRead;
    let log = dir.join("serve.log");
    let mut served = super::Served(
        Command::new(env!("CARGO_BIN_EXE_followup"))
            .args(["serve", "--port", "0", "--today", "2026-11-23"])
            .env("FOLLOWUP_DATABASE", url)
            .env_remove("FOLLOWUP_DB")
            .env_remove("FOLLOWUP_TODAY")
            .env_remove("FOLLOWUP_WORKSPACE")
            .env_remove("FOLLOWUP_PUBLIC_URL")
            .env_remove("FOLLOWUP_CONFIG")
            .env("XDG_CONFIG_HOME", dir)
            .env("XDG_DATA_HOME", dir)
            .stdout(std::process::Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("serve starts"),
    );
    let mut first = String::new();
    std::io::BufReader::new(served.0.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let addr = first
        .trim()
        .rsplit_once("http://")
        .map(|(_, a)| format!("http://{a}"))
        .unwrap_or_else(|| {
            panic!(
                "no address in {first:?}: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            )
        });
    (served, addr, log)
}

/// The number after `label` on a line of schemathesis's summary ("  Tested: 33"), or before
/// it ("  2057 generated, 2057 passed"): the last such line's.
fn summary_count(out: &str, label: &str) -> Option<u64> {
    out.lines().rev().find_map(|line| {
        let (before, after) = line.split_once(label)?;
        let word = if label.ends_with(':') {
            after.split_whitespace().next()?
        } else {
            before.split_whitespace().last()?
        };
        word.parse().ok()
    })
}

/// `GET path` with a bearer token: the status code and the body.
fn get(base: &str, path: &str, token: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://");
    let mut conn = std::net::TcpStream::connect(addr).unwrap();
    write!(
        conn,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, body.to_string())
}

/// Issue 14: schemathesis, from the API's own /openapi.json, as client A and then as client
/// B of one team server: no response is a 5xx, and none carries the other's data. It installs
/// the pinned schemathesis when missing (tests/schemathesis/run.sh) and fails, never skips,
/// when it cannot.
#[test]
fn schemathesis_finds_no_server_error_and_no_leak_between_workspaces() {
    let url = TestServer::shared().fresh_database();
    ok(&team(
        &url,
        &["team", "init", "--admin", "admin@example.com"],
        &[PW],
    ));
    ok(&team(&url, &["user", "add", "client-a@example.com"], &[PW]));
    ok(&team(&url, &["user", "add", "client-b@example.com"], &[PW]));
    let a = [
        "client-a@example.com",
        "Zanzibar Quill",
        "zq@a.example",
        "Quillworks",
    ];
    let b = [
        "client-b@example.com",
        "Okapi Fenwick",
        "of@b.example",
        "Brindlewood",
    ];
    seed(&url, a[0], a[1], a[2], a[3], "Staff Cartographer");
    seed(&url, b[0], b[1], b[2], b[3], "Lead Lamplighter");
    let token = |email: &str| {
        let t = ok(&team(
            &url,
            &["user", "token", email, "--name", "schemathesis"],
            &[],
        ));
        t.trim().to_string()
    };
    let (token_a, token_b) = (token(a[0]), token(b[0]));
    let dir = tempfile::tempdir().unwrap();
    let (_served, base, log) = serve(&url, dir.path());

    // Every contact of a workspace, as the command line lists them.
    let contacts = |email: &str| {
        ok(&team(
            &url,
            &["--json", "contact", "list"],
            &[("FOLLOWUP_WORKSPACE", email)],
        ))
    };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let schemathesis = |token: &str, forbidden: &[&str], extra: &[&str]| {
        Command::new("bash")
            .arg(root.join("tests/schemathesis/run.sh"))
            .arg(&base)
            .args(extra)
            .env("FOLLOWUP_TOKEN", token)
            .env("FOLLOWUP_FORBIDDEN", forbidden.join("\n"))
            .env_remove("FOLLOWUP_CHECKS")
            .env_remove("FOLLOWUP_EXCLUDE_CHECKS")
            .env_remove("FOLLOWUP_MAX_EXAMPLES")
            .current_dir(dir.path())
            .output()
            .expect("bash runs")
    };
    // The leak check is loaded and fails a run: A's own name, forbidden, is found in A's list.
    let out = schemathesis(
        &token_a,
        &[a[1]],
        &[
            "--include-path",
            "/api/v1/contacts",
            "--include-method",
            "GET",
            "--phases",
            "fuzzing",
            "--max-examples",
            "1",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success()
            && stdout.contains("no_leak_between_workspaces")
            && stdout.contains("Zanzibar Quill"),
        "the control run:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (who, token, ours, theirs) in [("A", &token_a, &a, &b), ("B", &token_b, &b, &a)] {
        // The other's data is there to leak, and this token sees its own.
        assert!(contacts(theirs[0]).contains(theirs[1]));
        let (status, body) = get(&base, "/api/v1/contacts", token);
        assert!(
            status == 200 && !body.contains(theirs[1]),
            "{status} {body}"
        );
        let started = std::time::Instant::now();
        let out = schemathesis(token, theirs, &[]);
        let took = started.elapsed();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "schemathesis as {who} failed ({:?}):\n{stdout}\n{stderr}\nserver:\n{}",
            out.status.code(),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        let counts = (
            summary_count(&stdout, "Tested:"),
            summary_count(&stdout, " generated,"),
            summary_count(&stdout, " passed"),
        );
        let (Some(operations), Some(cases), Some(passed)) = counts else {
            panic!("no counts in the summary:\n{stdout}");
        };
        println!(
            "schemathesis as {who} ({}): {operations} operations, {cases} test cases, \
             {passed} passed, in {took:.0?}",
            ours[0]
        );
        // Its warnings (operations it could not reach far) and summary, for the record.
        let tail = stdout
            .find(" WARNINGS ")
            .or_else(|| stdout.find(" SUMMARY "))
            .map_or("", |at| &stdout[at..]);
        println!("{tail}");
        assert!(operations >= 30 && cases >= 1000, "{stdout}");
        assert_eq!(cases, passed, "{stdout}");
        // The run kept its token working (else it tested the sign-in wall only), and left the
        // other workspace as it was.
        let (status, body) = get(&base, "/api/v1/account", token);
        assert!(status == 200 && body.contains(ours[0]), "{status} {body}");
        assert!(contacts(theirs[0]).contains(theirs[1]));
    }
}

/// Issue 14, moving in: a one-person book's export, imported into a client's workspace on a
/// team server, exports again byte for byte; a second import there is refused and changes
/// nothing.
#[test]
fn a_book_moves_into_a_workspace_losslessly() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book.db");
    let sqlite = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_followup"))
            .arg("--db")
            .arg(&book)
            .args(args)
            .env_remove("FOLLOWUP_DATABASE")
            .env_remove("FOLLOWUP_DB")
            .env("FOLLOWUP_TODAY", "2026-11-23")
            .env_remove("FOLLOWUP_CONFIG")
            .env("XDG_CONFIG_HOME", dir.path())
            .output()
            .expect("runs");
        ok(&out)
    };
    sqlite(&["demo"]);
    // More than the demo: every kind of correction, text beyond ASCII, a tab and a newline.
    let message = dir.path().join("message.txt");
    std::fs::write(&message, "Hi Zoë — ça va?\n\n\"quoted\" \\ back\ttab\n").unwrap();
    let message = message.to_str().unwrap();
    for args in [
        &["contact", "edit", "Wei Chen", "--tier", ""][..],
        &["snooze", "4", "--until", "2026-12-10"],
        &[
            "contact",
            "add",
            "Zoë Ångström-Łukasz 🌍",
            "--email",
            "zoe@example.org",
            "--company",
            "Café Ünïcode",
            "--notes",
            "two\nlines \"quoted\" \\ back",
            "--birthday",
            "1992-02-29",
        ],
        &["contact", "add", "Dup Person", "--email", "dup@example.org"],
        &["contact", "merge", "Dup Person", "Zoë Ångström-Łukasz 🌍"],
        &[
            "job",
            "add",
            "Café Ünïcode",
            "Barista of Data",
            "--contact",
            "22",
            "--applied",
            "2026-11-01",
        ],
        &[
            "log",
            "follow-up",
            "--with",
            "22",
            "--note",
            "tab\there",
            "--message",
            message,
        ],
        &[
            "touch",
            "edit",
            "98",
            "--on",
            "2026-11-20",
            "--note",
            "edited",
        ],
        &["touch", "retract", "96"],
        &["touch", "retract", "97"],
        &["touch", "restore", "97"],
        &["job", "stage", "1", "interviewing"],
        &["job", "close", "2", "rejected"],
        &["job", "delete", "3", "--yes"],
        &["job", "restore", "3"],
        &[
            "job",
            "edit",
            "4",
            "--notes",
            "asked about the team; 中文 too",
        ],
        &["contact", "delete", "Lee Park", "--yes"],
        &["contact", "restore", "2"],
        &["done", "3"],
    ] {
        sqlite(args);
    }
    let first = sqlite(&["export"]);
    for kind in [
        "contact-edited",
        "snoozed",
        "contacts-merged",
        "touch-edited",
        "touch-retracted",
        "touch-restored",
        "job-stage-changed",
        "job-removed",
        "job-restored",
        "job-edited",
        "contact-removed",
        "contact-restored",
    ] {
        assert!(first.contains(&format!("\"event\": \"{kind}\"")), "{kind}");
    }
    let file = dir.path().join("book.json");
    std::fs::write(&file, &first).unwrap();

    let url = TestServer::shared().fresh_database();
    ok(&team(
        &url,
        &["team", "init", "--admin", "admin@example.com"],
        &[PW],
    ));
    ok(&team(&url, &["user", "add", "a@example.com"], &[PW]));
    let ws = [("FOLLOWUP_WORKSPACE", "a@example.com")];
    let out = ok(&team(
        &url,
        &["import", "json", file.to_str().unwrap()],
        &ws,
    ));
    assert!(out.contains("Imported"), "{out}");
    let second = ok(&team(&url, &["export"], &ws));
    if first != second {
        let at = first
            .lines()
            .zip(second.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(first.lines().count().min(second.lines().count()));
        panic!(
            "the exports differ from line {}:\n{:?}\n{:?}",
            at + 1,
            first.lines().nth(at),
            second.lines().nth(at)
        );
    }
    // The plan derived from it agrees too.
    assert_eq!(
        sqlite(&["--json", "agenda", "--until", "2027-12-31"]),
        ok(&team(
            &url,
            &["--json", "agenda", "--until", "2027-12-31"],
            &ws
        ))
    );

    // A second import into the same workspace: refused, nothing changed.
    let err = refused(&team(
        &url,
        &["import", "json", file.to_str().unwrap()],
        &ws,
    ));
    assert!(err.contains("empty"), "{err}");
    println!("a second import: {err}");
    assert_eq!(ok(&team(&url, &["export"], &ws)), first);
    println!("{} bytes exported, byte for byte the same", first.len());
}

#[test]
fn the_operator_grants_and_revokes_a_coach() {
    let url = TestServer::shared().fresh_database();
    ok(&team(
        &url,
        &["team", "init", "--admin", "admin@example.com"],
        &[PW],
    ));
    ok(&team(&url, &["user", "add", "ana@example.com"], &[PW]));
    // A name is what others read where the coach acts; a bad one adds nobody.
    let long = "x".repeat(81);
    let err = refused(&team(
        &url,
        &[
            "user",
            "add",
            "sam@example.com",
            "--role",
            "coach",
            "--name",
            &long,
        ],
        &[PW],
    ));
    assert!(
        err.contains("--name: expected at most 80 characters, found 81"),
        "{err}"
    );
    ok(&team(
        &url,
        &[
            "user",
            "add",
            "sam@example.com",
            "--role",
            "coach",
            "--name",
            "Sam Lee",
        ],
        &[PW],
    ));
    let out = ok(&team(&url, &["user", "list"], &[]));
    let sam = out.lines().find(|l| l.contains("sam@example.com")).unwrap();
    assert!(sam.ends_with("Sam Lee"), "{out}");
    let out = ok(&team(
        &url,
        &["user", "rename", "sam@example.com", "Sam L."],
        &[],
    ));
    assert_eq!(out.trim(), "sam@example.com is now called \"Sam L.\".");
    let out = ok(&team(&url, &["user", "rename", "sam@example.com", ""], &[]));
    assert_eq!(
        out.trim(),
        "sam@example.com has no name now; others see the email."
    );
    ok(&team(
        &url,
        &["user", "rename", "sam@example.com", "Sam Lee"],
        &[],
    ));
    let out = ok(&team(
        &url,
        &[
            "grant",
            "sam@example.com",
            "ana@example.com",
            "--scope",
            "edit",
            "--until",
            "2026-12-31",
        ],
        &[],
    ));
    assert_eq!(
        out.trim(),
        "sam@example.com may now see and change ana@example.com's job search through 2026-12-31."
    );
    let err = refused(&team(
        &url,
        &[
            "grant",
            "sam@example.com",
            "ana@example.com",
            "--until",
            "2020-01-01",
        ],
        &[],
    ));
    assert!(err.contains("--until: that day has passed"), "{err}");
    let err = refused(&team(
        &url,
        &["grant", "ana@example.com", "sam@example.com"],
        &[],
    ));
    assert!(
        err.contains("owns no job search"),
        "a coach has no search to share: {err}"
    );
    let out = ok(&team(
        &url,
        &["revoke", "sam@example.com", "ana@example.com"],
        &[],
    ));
    assert!(out.contains("can no longer open"), "{out}");
    let err = refused(&team(
        &url,
        &["revoke", "sam@example.com", "ana@example.com"],
        &[],
    ));
    assert!(err.contains("has no access to your job search"), "{err}");
}
