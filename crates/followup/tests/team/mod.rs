//! `followup team` and `followup user` on a real PostgreSQL (a fresh database per test), and
//! the refusals a one-person book gives them.

use std::process::{Command, Output};

use followup_store_pg::testing::TestServer;

fn team(url: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
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

fn ok(o: &Output) -> String {
    let (out, err) = text(o);
    assert!(o.status.success(), "failed: {out}{err}");
    out
}

const PW: (&str, &str) = ("FOLLOWUP_PASSWORD", "correct horse battery");

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
    let out = Command::new(env!("CARGO_BIN_EXE_followup"))
        .args(["--db", db.to_str().unwrap(), "user", "list"])
        .env_remove("FOLLOWUP_DATABASE")
        .env("XDG_CONFIG_HOME", dir.path())
        .output()
        .unwrap();
    let err = refused(&out);
    assert!(
        err.contains("team and user commands work on a team server"),
        "{err}"
    );
    assert!(!db.exists(), "nothing was created");
    // Serving it beyond loopback is refused: nobody signs in to a one-person book.
    let out = Command::new(env!("CARGO_BIN_EXE_followup"))
        .args([
            "--db",
            db.to_str().unwrap(),
            "serve",
            "--bind",
            "0.0.0.0",
            "--port",
            "0",
        ])
        .env_remove("FOLLOWUP_DATABASE")
        .env("XDG_CONFIG_HOME", dir.path())
        .output()
        .unwrap();
    let err = refused(&out);
    assert!(err.contains("loopback only"), "{err}");
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
    ok(&team(
        &url,
        &["user", "add", "sam@example.com", "--role", "coach"],
        &[PW],
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
