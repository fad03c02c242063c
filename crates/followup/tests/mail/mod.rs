//! `followup mail sync` against a real Dovecot (followup_mail::testing) with the fixtures of
//! followup-mail: what each message logs, once; a dry run; a wrong password named without the
//! password; and a sync killed half way (SIGKILL) that resumes without losing or doubling.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use followup_mail::testing::{PASSWORD, TestDovecot, TestMailbox};
use jiff::Timestamp;
use serde_json::Value;

use super::{db, json, ok, run};

const TODAY: &str = "2026-12-05";

fn fixture(name: &str) -> Vec<u8> {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "followup-mail",
        "tests",
        "fixtures",
        name,
    ]
    .iter()
    .collect();
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The config of a book beside `db` (XDG_CONFIG_HOME is its folder), reading `mailbox`.
fn configure(db: &Path, server: &TestDovecot, mailbox: &TestMailbox<'_>, password: &str) {
    let dir = db.parent().unwrap();
    let pw = dir.join("mail-password");
    std::fs::write(&pw, format!("{password}\n")).unwrap();
    std::fs::set_permissions(&pw, std::fs::Permissions::from_mode(0o600)).unwrap();
    let config = dir.join("followup");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        format!(
            "[mail]\nimap = \"{}\"\nuser = \"{}\"\npassword_file = \"{}\"\naddresses = [\"ana@example.com\"]\nca_file = \"{}\"\n",
            server.starttls_url(),
            mailbox.user(),
            pw.display(),
            server.ca_file().display()
        ),
    )
    .unwrap();
}

/// Ana's search: Priya (Northwind, interviewed on 1 December), Tom and Sara (Fabrikam, applied
/// on 20 November), Hans (an old colleague).
fn seed(db: &Path) {
    for (name, email) in [
        ("Priya Raman", "priya.raman@northwind.example"),
        ("Tom Berg", "tom@fabrikam.example"),
        ("Sara Holm", "sara.holm@fabrikam.example"),
        ("Hans Mueller", "h.mueller@oldcorp.example"),
    ] {
        ok(db, TODAY, &["contact", "add", name, "--email", email]);
    }
    ok(
        db,
        TODAY,
        &[
            "job",
            "add",
            "Northwind",
            "Data Analyst",
            "--contact",
            "Priya Raman",
            "--stage",
            "interviewing",
        ],
    );
    ok(
        db,
        TODAY,
        &[
            "job",
            "add",
            "Fabrikam",
            "Data Engineer",
            "--contact",
            "Tom Berg",
            "--contact",
            "Sara Holm",
            "--applied",
            "2026-11-20",
        ],
    );
    interviewed_on(db, "2026-12-01");
}

/// Priya's interview (on the Northwind job) on `day`.
fn interviewed_on(db: &Path, day: &str) {
    ok(
        db,
        TODAY,
        &[
            "log",
            "interview",
            "--with",
            "Priya Raman",
            "--job",
            "1",
            "--on",
            day,
        ],
    );
}

/// Appends `lines` to the `[mail]` section [`configure`] wrote.
fn add_to_mail_config(db: &Path, lines: &str) {
    let config = db.parent().unwrap().join("followup/config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{text}{lines}")).unwrap();
}

fn at(t: &str) -> Timestamp {
    t.parse().unwrap()
}

fn timeline(db: &Path, who: &str) -> Vec<(String, String, Option<i64>)> {
    json(db, TODAY, &["contact", "show", who])["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["kind"].as_str().unwrap().to_string(),
                t["date"].as_str().unwrap().to_string(),
                t["job"].as_i64(),
            )
        })
        .collect()
}

#[test]
fn mail_sync_logs_replies_and_sent_messages_once() {
    let server = TestDovecot::shared();
    let mailbox = server.mailbox();
    for (name, when) in [
        ("sent-thank-you.eml", "2026-12-01T16:42:11Z"),
        ("sent-follow-up.eml", "2026-12-02T08:15:01Z"),
    ] {
        mailbox.deliver("Sent", &fixture(name), at(when));
    }
    for (name, when) in [
        ("out-of-office.eml", "2026-12-02T08:15:04Z"),
        ("reply.eml", "2026-12-03T13:30:15Z"),
        ("thread-references.eml", "2026-12-03T13:05:41Z"),
        ("bounce.eml", "2026-12-04T09:12:09Z"),
        ("newsletter.eml", "2026-12-05T06:00:02Z"),
        ("odd-encoding.eml", "2026-12-05T08:07:45Z"),
    ] {
        mailbox.deliver("INBOX", &fixture(name), at(when));
    }
    let book = db();
    let db = &book.path;
    seed(db);
    configure(db, server, &mailbox, PASSWORD);
    // No [mail]-less surprise: a dry run reads everything and keeps nothing.
    let events = json(db, TODAY, &["events"]).as_array().unwrap().len();
    let out = ok(db, TODAY, &["mail", "sync", "--dry-run"]);
    assert!(
        out.contains("Dry run, nothing kept: 2 replies, 2 sent, 1 automatic answer, 1 bounce, 1 from a stranger, 1 mailing."),
        "{out}"
    );
    assert!(
        out.contains("would log thank-you") && out.contains("would be snoozed"),
        "{out}"
    );
    assert_eq!(
        json(db, TODAY, &["events"]).as_array().unwrap().len(),
        events
    );
    let out = ok(db, TODAY, &["mail", "sync"]);
    assert!(
        out.contains("Mail read: 2 replies, 2 sent, 1 automatic answer, 1 bounce, 1 from a stranger, 1 mailing."),
        "{out}"
    );
    assert!(
        out.contains("h.mueller@oldcorp.example did not receive a message"),
        "{out}"
    );
    // Priya: the interview, the thank-you Ana sent (what her pending item asked for), her reply.
    assert_eq!(
        timeline(db, "Priya Raman"),
        [
            ("interview".into(), "2026-12-01".into(), Some(1)),
            ("thank-you".into(), "2026-12-01".into(), Some(1)),
            ("reply".into(), "2026-12-03".into(), Some(1)),
        ]
    );
    // Sara wrote in the follow-up's thread (References only): her reply is on that job.
    assert!(
        timeline(db, "Sara Holm").contains(&("reply".into(), "2026-12-03".into(), Some(2))),
        "{:?}",
        timeline(db, "Sara Holm")
    );
    // Tom is away until Monday 14 December: his next follow-up is the business day after.
    let tom = json(db, TODAY, &["contact", "show", "Tom Berg"]);
    let replies = tom["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "reply")
        .count();
    assert_eq!(replies, 0, "an auto-reply is not a reply");
    // (Sara's reply in the same thread, on the 3rd, then moves the job's follow-up again:
    // a newer touch outranks a snooze.)
    assert!(
        out.contains("away until 2026-12-14: item 2 snoozed to 2026-12-15, the business day after"),
        "{out}"
    );
    let snoozed: Vec<Value> = json(db, TODAY, &["events"])
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"]["event"] == "snoozed")
        .cloned()
        .collect();
    assert_eq!(snoozed.len(), 1, "{snoozed:?}");
    assert_eq!(snoozed[0]["event"]["until"], "2026-12-15");
    assert_eq!(
        json(db, TODAY, &["contact", "list"])
            .as_array()
            .unwrap()
            .len(),
        4,
        "no stranger became a contact"
    );
    // Again: nothing new.
    let out = ok(db, TODAY, &["mail", "sync"]);
    assert!(out.contains("Mail read: nothing new."), "{out}");
    // A wrong password: one line, exit 2 or 1, without the password.
    configure(db, server, &mailbox, "not-the-password-xyz");
    let o = run(db, TODAY, &["mail", "sync"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(err.contains("refused the sign-in"), "{err}");
    assert!(
        !err.contains("not-the-password-xyz") && !err.contains("horse"),
        "{err}"
    );
}

#[test]
fn a_killed_mail_sync_resumes_without_losing_or_doubling() {
    const N: usize = 1500;
    let server = TestDovecot::shared();
    let mailbox = server.mailbox();
    for i in 0..N {
        let raw = format!(
            "From: Priya Raman <priya.raman@northwind.example>\r\nTo: ana@example.com\r\nSubject: Note {i}\r\nDate: Thu, 03 Dec 2026 09:00:00 +0000\r\nMessage-ID: <note-{i}@northwind.example>\r\n\r\n.\r\n"
        );
        mailbox.deliver("INBOX", raw.as_bytes(), at("2026-12-03T09:00:00Z"));
    }
    mailbox.deliver(
        "Sent",
        &fixture("sent-thank-you.eml"),
        at("2026-12-01T16:42:11Z"),
    );
    let book = db();
    let db = &book.path;
    seed(db);
    configure(db, server, &mailbox, PASSWORD);
    let replies = |db: &Path| {
        timeline(db, "Priya Raman")
            .iter()
            .filter(|t| t.0 == "reply")
            .count()
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_followup"))
        .args(["mail", "sync"])
        .env("FOLLOWUP_DB", db)
        .env("FOLLOWUP_TODAY", TODAY)
        .env_remove("FOLLOWUP_CONFIG")
        .env("XDG_CONFIG_HOME", db.parent().unwrap())
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(db.parent().unwrap().join("sync.err")).unwrap())
        .spawn()
        .unwrap();
    // Kill it as soon as a first batch is in: half way, whatever this machine's speed.
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut at_kill = 0;
    while Instant::now() < deadline {
        at_kill = replies(db);
        if at_kill > 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let after_kill = replies(db);
    let err = std::fs::read_to_string(db.parent().unwrap().join("sync.err")).unwrap();
    assert!(
        after_kill > 0 && after_kill < N,
        "killed half way: {after_kill} of {N} logged (seen {at_kill} before the kill); it said: {err}"
    );
    assert_eq!(after_kill % 50, 0, "whole batches only: {after_kill}");
    let out = ok(db, TODAY, &["mail", "sync"]);
    assert!(
        out.contains(&format!("{} replies", N - after_kill)),
        "{out}"
    );
    assert_eq!(replies(db), N, "every message once");
    eprintln!("mail sync killed after {after_kill} of {N} replies; resumed to {N}");
}

/// `serve` with `[mail]`: reads the mailbox at once in the background, and Settings says how
/// it went; a run that fails says why there (without the password) and is tried again.
#[test]
fn serve_reads_mail_in_the_background_and_settings_says_how_it_went() {
    let server = TestDovecot::shared();
    let mailbox = server.mailbox();
    mailbox.deliver(
        "Sent",
        &fixture("sent-thank-you.eml"),
        at("2026-12-01T16:42:11Z"),
    );
    mailbox.deliver("INBOX", &fixture("reply.eml"), at("2026-12-03T13:30:15Z"));
    let book = db();
    let db = &book.path;
    seed(db);
    let smtp = followup_mail::testing::TestSmtp::shared();
    let settings_after = |password: &str, want: &str| -> String {
        configure(db, server, &mailbox, password);
        add_to_mail_config(
            db,
            &format!("smtp = \"{}\"\ndigest_at = \"07:30\"\n", smtp.url()),
        );
        let (_served, addr) = super::Served::start(db, TODAY, &[]);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let page = super::http_get(&addr, "/settings");
            if page.contains(want) || Instant::now() > deadline {
                return page;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let page = settings_after(PASSWORD, "the digest to");
    assert!(page.contains(": 1 reply, 1 sent.</p>"), "{page}");
    // The pinned day's digest went out at once, and Settings lists it.
    assert!(
        page.contains("The day's follow-ups are mailed to you at 07:30"),
        "{page}"
    );
    assert!(
        page.contains("the digest to ana@example.com, sent"),
        "{page}"
    );
    assert!(page.contains("every 5 minutes"), "{page}");
    assert_eq!(
        timeline(db, "Priya Raman").len(),
        3,
        "the interview, the thank-you and the reply"
    );
    let page = settings_after("wrong-pw-abc", "failed");
    assert!(
        page.contains("the digest to ana@example.com, sent"),
        "sent once a day: {page}"
    );
    assert!(page.contains("refused the sign-in"), "{page}");
    assert!(
        page.contains("It is tried again every 5 minutes."),
        "{page}"
    );
    assert!(!page.contains("wrong-pw-abc"), "{page}");
}

/// `draft N --send`: the thank-you goes out by SMTP (a real aiosmtpd), the touch is logged
/// with the message's Message-ID, and when the copy shows up in the Sent folder a sync knows
/// it: one touch, not two.
#[test]
fn a_sent_draft_is_logged_once_even_when_its_copy_is_synced() {
    use followup_mail::testing::TestSmtp;
    let server = TestDovecot::shared();
    let smtp = TestSmtp::shared();
    let mailbox = server.mailbox();
    let book = db();
    let db = &book.path;
    seed(db);
    // Interviewed yesterday: a thank-you is due today.
    interviewed_on(db, "2026-12-04");
    ok(db, TODAY, &["me", "--name", "Ana Lima"]);
    configure(db, server, &mailbox, PASSWORD);
    add_to_mail_config(db, &format!("smtp = \"{}\"\n", smtp.url()));
    let agenda = json(db, TODAY, &["agenda"]);
    let item = agenda
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["action"] == "thank-you")
        .unwrap_or_else(|| panic!("a thank-you is due: {agenda}"))["id"]
        .as_i64()
        .unwrap();
    let before = smtp.received().len();
    let out = ok(db, TODAY, &["draft", &item.to_string(), "--send"]);
    assert!(
        out.contains("Sent \"") && out.contains("to priya.raman@northwind.example."),
        "{out}"
    );
    assert!(out.contains("Logged thank-you #"), "{out}");
    let got = smtp.received();
    assert_eq!(got.len(), before + 1);
    let raw = got
        .into_iter()
        .rev()
        .find(|m| String::from_utf8_lossy(m).contains("priya.raman@northwind.example"))
        .unwrap();
    let thanks = |db: &Path| {
        timeline(db, "Priya Raman")
            .iter()
            .filter(|t| t.0 == "thank-you" && t.1 == TODAY)
            .count()
    };
    assert_eq!(thanks(db), 1);
    // The copy in the Sent folder: read before, by its Message-ID.
    mailbox.deliver("Sent", &raw, at("2026-12-05T10:00:00Z"));
    let out = ok(db, TODAY, &["mail", "sync"]);
    assert!(
        out.contains("Mail read: nothing new; 1 read before."),
        "{out}"
    );
    assert_eq!(thanks(db), 1, "one touch, not two");
}

/// `digest` prints the day's follow-ups with why and a link to each draft; `--send` mails
/// it (a real aiosmtpd) and every attempt is in `digest log`, a failed one too.
#[test]
fn the_digest_is_printed_sent_and_every_attempt_logged() {
    use followup_mail::testing::TestSmtp;
    let server = TestDovecot::shared();
    let smtp = TestSmtp::shared();
    let mailbox = server.mailbox();
    let book = db();
    let db = &book.path;
    seed(db);
    // Interviewed yesterday: a thank-you is due today.
    interviewed_on(db, "2026-12-04");
    let out = ok(
        db,
        TODAY,
        &["digest", "--link", "https://followup.example.com"],
    );
    assert!(out.starts_with("Subject: followup: "), "{out}");
    assert!(
        out.contains("to do today (Saturday 5 December 2026)"),
        "{out}"
    );
    assert!(
        out.contains("Thank-you note: Priya Raman (Northwind: Data Analyst)"),
        "{out}"
    );
    assert!(
        out.contains("  Draft: https://followup.example.com/items/"),
        "{out}"
    );
    let with_smtp = format!(
        "smtp = \"{}\"\ndigest_to = \"ana@example.com\"\n",
        smtp.url()
    );
    configure(db, server, &mailbox, PASSWORD);
    add_to_mail_config(db, &with_smtp);
    let before = smtp.received().len();
    let out = ok(db, TODAY, &["digest", "--send"]);
    assert_eq!(out.trim(), "Sent the digest to ana@example.com.");
    assert_eq!(smtp.received().len(), before + 1);
    // A wrong password: not sent, said, and logged.
    configure(db, server, &mailbox, "nope-pw-3");
    add_to_mail_config(db, &with_smtp);
    let o = run(db, TODAY, &["digest", "--send", "--test"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("the digest was not sent") && !err.contains("nope-pw-3"),
        "{err}"
    );
    let log = ok(db, TODAY, &["digest", "log"]);
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 2, "{log}");
    assert!(
        lines[0].contains("test to ana@example.com  FAILED: "),
        "{log}"
    );
    assert!(
        lines[1].contains("digest to ana@example.com  sent: <"),
        "{log}"
    );
    assert!(!log.contains("nope-pw-3"));
    // A digest_at that is no time of day is refused, naming the line.
    let config = db.parent().unwrap().join("followup/config.toml");
    std::fs::write(&config, "[mail]\nimap = \"imaps://x.example\"\nuser = \"a\"\npassword_env = \"X\"\ndigest_at = \"7am\"\n").unwrap();
    let o = run(db, TODAY, &["digest"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(
            "line 5: [mail] digest_at: expected a time of day like \"07:30\", found \"7am\""
        ),
        "{err}"
    );
}
