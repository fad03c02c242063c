//! `mail sync` over a mailbox in memory: what each message means, once, and a sync that fails
//! half way resumes without losing or doubling a touch. (The IMAP source is tested against a
//! real Dovecot in followup-mail; the whole command in the CLI's tests.)

use std::sync::Arc;

use followup_app::mail::{FolderRole, SyncOptions};
use followup_app::{App, Config, Ctx, NewContact, NewJob, NewTouch};
use followup_core::{Stage, TouchKind};
use followup_mail::source::{Fetched, FolderState, MailSource, SourceError};
use followup_store::SqliteStore;
use jiff::civil::date;

const TODAY: jiff::civil::Date = date(2026, 12, 3);

/// Folders of messages in memory; `fail_after` makes a fetch fail once that many messages
/// were handed out (a connection lost half way).
#[derive(Default)]
struct Mailbox {
    folders: Vec<(String, u32, Vec<Vec<u8>>)>,
    open: usize,
    handed: usize,
    fail_after: Option<usize>,
}

impl Mailbox {
    fn put(&mut self, folder: &str, raw: &str) {
        let raw = raw.replace('\n', "\r\n").into_bytes();
        match self.folders.iter_mut().find(|f| f.0 == folder) {
            Some(f) => f.2.push(raw),
            None => self.folders.push((folder.into(), 7, vec![raw])),
        }
    }
}

impl MailSource for Mailbox {
    fn open(&mut self, folder: &str) -> Result<FolderState, SourceError> {
        self.open = self
            .folders
            .iter()
            .position(|f| f.0 == folder)
            .ok_or_else(|| SourceError::NoFolder {
                server: "memory".into(),
                folder: folder.into(),
                detail: "none".into(),
            })?;
        let f = &self.folders[self.open];
        Ok(FolderState {
            uid_validity: f.1,
            uid_next: f.2.len() as u32 + 1,
        })
    }

    fn fetch_after(&mut self, after: u32, limit: usize) -> Result<Vec<Fetched>, SourceError> {
        let f = &self.folders[self.open];
        let mut out = Vec::new();
        for (i, raw) in f.2.iter().enumerate().skip(after as usize).take(limit) {
            if self.fail_after.is_some_and(|n| self.handed >= n) {
                return Err(SourceError::Protocol {
                    server: "memory".into(),
                    detail: "connection lost".into(),
                });
            }
            self.handed += 1;
            let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
            out.push(Fetched {
                uid: i as u32 + 1,
                arrived: None,
                header: raw[..split].to_vec(),
                text_start: raw[split..].to_vec(),
            });
        }
        Ok(out)
    }
}

fn book() -> (App, Ctx) {
    let app = App::with_store(
        Arc::new(SqliteStore::in_memory().unwrap()),
        Config::default(),
    );
    let cx = app.ctx(TODAY).unwrap();
    // Lee has a keep-in-touch cadence, so a follow-up to snooze.
    for (name, email, tier) in [
        ("Dana Reyes", "dana@acme.example", None),
        (
            "Lee Park",
            "lee@globex.example",
            Some(followup_core::Tier::Regular),
        ),
    ] {
        app.add_contact(
            &cx,
            NewContact {
                name: name.into(),
                emails: vec![email.into()],
                tier,
                ..Default::default()
            },
        )
        .unwrap();
    }
    app.add_job(
        &cx,
        NewJob {
            organization: "Acme".into(),
            title: "Data Engineer".into(),
            contacts: vec!["Dana Reyes".into()],
            stage: Some(Stage::Interviewing),
            ..Default::default()
        },
    )
    .unwrap();
    let mut t = NewTouch::new(TouchKind::Interview);
    t.with = vec!["Dana Reyes".into()];
    t.job = Some("1".into());
    t.on = Some(date(2026, 12, 1));
    app.log(&cx, t).unwrap();
    (app, cx)
}

const FOLDERS: &[(&str, FolderRole)] = &[("Sent", FolderRole::Sent), ("INBOX", FolderRole::Inbox)];
const MINE: &[&str] = &["ana@example.com"];

fn mine() -> Vec<String> {
    MINE.iter().map(|s| s.to_string()).collect()
}

fn mailbox() -> Mailbox {
    let mut m = Mailbox::default();
    m.put("Sent", "From: Ana <ana@example.com>\nTo: Dana Reyes <dana@acme.example>\nSubject: Thank you for today\nDate: Tue, 1 Dec 2026 17:00:00 +0000\nMessage-ID: <s1@example.com>\n\nThank you.");
    m.put("Sent", "From: ana@example.com\nTo: someone@nowhere.example\nSubject: Hello\nDate: Tue, 1 Dec 2026 18:00:00 +0000\nMessage-ID: <s2@example.com>\n\nHi.");
    m.put("INBOX", "From: Dana Reyes <DANA@acme.example>\nTo: ana@example.com\nSubject: Re: Thank you for today\nDate: Wed, 2 Dec 2026 09:00:00 +0000\nMessage-ID: <r1@acme.example>\nIn-Reply-To: <s1@example.com>\n\nLovely to meet you.");
    m.put("INBOX", "From: Lee Park <lee@globex.example>\nTo: ana@example.com\nSubject: Automatic reply: coffee?\nAuto-Submitted: auto-replied\nDate: Wed, 2 Dec 2026 10:00:00 +0000\nMessage-ID: <a1@globex.example>\n\nI am out of the office until Friday 11 December.");
    m.put("INBOX", "From: MAILER-DAEMON@mx.example\nTo: ana@example.com\nSubject: Undelivered Mail Returned to Sender\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\nDate: Wed, 2 Dec 2026 11:00:00 +0000\nMessage-ID: <b1@mx.example>\n\n--b\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; gone@acme.example\nAction: failed\n");
    m.put("INBOX", "From: Jobs Weekly <news@jobs.example>\nTo: ana@example.com\nSubject: 10 new jobs\nList-Id: <weekly.jobs.example>\nDate: Wed, 2 Dec 2026 12:00:00 +0000\nMessage-ID: <n1@jobs.example>\n\n...");
    m.put("INBOX", "From: Pat <pat@unknown.example>\nTo: ana@example.com\nSubject: Quick question\nDate: Wed, 2 Dec 2026 13:00:00 +0000\nMessage-ID: <x1@unknown.example>\n\nHi");
    m.put("INBOX", "From: ana@example.com\nTo: ana@example.com\nSubject: note to self\nDate: Wed, 2 Dec 2026 14:00:00 +0000\nMessage-ID: <self@example.com>\n\n");
    m
}

#[test]
fn each_message_means_what_it_says_and_is_read_once() {
    let (app, cx) = book();
    let lee_item = app
        .contact_view(&cx, "Lee Park")
        .unwrap()
        .next
        .first()
        .map(|i| i.id)
        .expect("Lee has a follow-up");
    let mut m = mailbox();
    let s = app
        .mail_sync(&cx, &mut m, &mine(), FOLDERS, SyncOptions::default())
        .unwrap();
    let got: Vec<(String, String)> = s
        .lines
        .iter()
        .map(|l| (l.meaning.clone(), l.did.clone()))
        .collect();
    assert_eq!(s.read, 8);
    assert_eq!(got[0].0, "sent");
    assert!(got[0].1.starts_with("logged thank-you #"), "{got:?}");
    assert_eq!(got[1], ("stranger".into(), String::new()));
    assert_eq!(got[2].0, "reply");
    assert_eq!(got[3].0, "auto-reply");
    assert_eq!(
        got[3].1,
        format!(
            "away until 2026-12-11: item {lee_item} snoozed to 2026-12-14, the business day after"
        )
    );
    assert_eq!(
        got[4],
        (
            "bounce".into(),
            "gone@acme.example did not receive a message".into()
        )
    );
    assert_eq!(got[5], ("bulk".into(), String::new()));
    assert_eq!(got[6], ("stranger".into(), String::new()));
    assert_eq!(
        got.len(),
        7,
        "a message from the person themselves is not logged"
    );
    // The thank-you and the reply are Dana's, on the Acme job, on their days; Pat is no contact.
    let dana = app.contact_view(&cx, "Dana Reyes").unwrap();
    let kinds: Vec<(String, String, Option<i64>)> = dana
        .timeline
        .iter()
        .map(|t| (t.kind.to_string(), t.date.to_string(), t.job.map(|j| j.0)))
        .collect();
    assert_eq!(
        kinds,
        [
            ("interview".into(), "2026-12-01".into(), Some(1)),
            ("thank-you".into(), "2026-12-01".into(), Some(1)),
            ("reply".into(), "2026-12-02".into(), Some(1)),
        ]
    );
    assert_eq!(
        app.contacts(&cx).unwrap().len(),
        2,
        "no stranger became a contact"
    );
    let lee = app.contact_view(&cx, "Lee Park").unwrap();
    assert!(lee.timeline.is_empty(), "an auto-reply is not a reply");
    assert_eq!(lee.next[0].due.to_string(), "2026-12-14");
    // Again: nothing new. A dry run of new mail keeps nothing.
    let s = app
        .mail_sync(&cx, &mut m, &mine(), FOLDERS, SyncOptions::default())
        .unwrap();
    assert_eq!((s.read, s.lines.len()), (0, 0));
    let events = app.events(&cx).unwrap().len();
    m.put("INBOX", "From: dana@acme.example\nTo: ana@example.com\nSubject: Next steps\nDate: Thu, 3 Dec 2026 09:00:00 +0000\nMessage-ID: <r2@acme.example>\n\n.");
    let s = app
        .mail_sync(
            &cx,
            &mut m,
            &mine(),
            FOLDERS,
            SyncOptions {
                dry_run: true,
                ..SyncOptions::default()
            },
        )
        .unwrap();
    assert_eq!((s.lines.len(), s.dry_run), (1, true));
    assert_eq!(
        app.events(&cx).unwrap().len(),
        events,
        "a dry run keeps nothing"
    );
    // A new UIDVALIDITY reads the folder again: Message-IDs keep it from logging twice.
    for f in &mut m.folders {
        f.1 = 8;
    }
    let s = app
        .mail_sync(&cx, &mut m, &mine(), FOLDERS, SyncOptions::default())
        .unwrap();
    assert_eq!(s.lines.len(), 1, "only the new reply: {:?}", s.lines);
    assert_eq!(s.known, 8);
    let counts = app.mail_counts(&cx).unwrap();
    let words: Vec<(&str, u64)> = counts.iter().map(|(m, n)| (m.as_str(), *n)).collect();
    assert_eq!(
        words,
        [
            ("reply", 2),
            ("sent", 1),
            ("auto-reply", 1),
            ("bounce", 1),
            ("stranger", 2),
            ("bulk", 1)
        ]
    );
}

#[test]
fn a_sync_cut_short_resumes_without_losing_or_doubling() {
    let (app, cx) = book();
    let mut m = Mailbox::default();
    for i in 0..120 {
        m.put(
            "INBOX",
            &format!("From: dana@acme.example\nTo: ana@example.com\nSubject: note {i}\nDate: Wed, 2 Dec 2026 09:00:00 +0000\nMessage-ID: <m{i}@acme.example>\n\n."),
        );
    }
    m.put(
        "Sent",
        "From: ana@example.com\nTo: dana@acme.example\nSubject: x\nMessage-ID: <s@x>\n\n.",
    );
    let folders = &[("INBOX", FolderRole::Inbox)];
    m.fail_after = Some(70);
    let e = app
        .mail_sync(&cx, &mut m, &mine(), folders, SyncOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("connection lost"), "{e}");
    let replies = |app: &App| {
        app.contact_view(&cx, "Dana Reyes")
            .unwrap()
            .timeline
            .iter()
            .filter(|t| t.kind == TouchKind::Reply)
            .count()
    };
    assert_eq!(
        replies(&app),
        50,
        "the first batch was kept whole, the second not at all"
    );
    m.fail_after = None;
    let s = app
        .mail_sync(&cx, &mut m, &mine(), folders, SyncOptions::default())
        .unwrap();
    assert_eq!(s.lines.len(), 70);
    assert_eq!(replies(&app), 120, "every message once");
}

#[test]
fn the_mail_config_keeps_passwords_out_of_the_file() {
    use std::os::unix::fs::PermissionsExt;
    let cfg = followup_app::config::parse(
        "[mail]\nimap = \"imaps://imap.example.com\"\nuser = \"ana@example.com\"\npassword_env = \"FOLLOWUP_TEST_MAIL_PW_1\"\nsent = \"Sent Items\"\n",
    )
    .unwrap();
    let mail = cfg.mail.unwrap();
    assert_eq!(mail.inbox, "INBOX");
    assert_eq!(mail.sent, "Sent Items");
    assert_eq!(mail.own_addresses(), ["ana@example.com"]);
    let e = mail.password().unwrap_err().to_string();
    assert!(
        e.contains("password_env: the environment variable FOLLOWUP_TEST_MAIL_PW_1 is not set"),
        "{e}"
    );
    // A file others can read is refused; 0600 is read, without its newline.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pw");
    std::fs::write(&file, "s3cret-Pass\n").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut by_file = followup_app::config::MailConfig {
        password_env: None,
        password_file: Some(file.clone()),
        ..mail
    };
    let e = by_file.password().unwrap_err().to_string();
    assert!(e.contains("can be read by others (mode 644)"), "{e}");
    assert!(!e.contains("s3cret"), "{e}");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(by_file.password().unwrap(), "s3cret-Pass");
    by_file.password_env = Some("X".into());
    assert!(
        by_file
            .password()
            .unwrap_err()
            .to_string()
            .contains("not both")
    );
    // A password in the file itself is no setting: refused, naming the line.
    let e = followup_app::config::parse(
        "[mail]\nimap = \"imaps://x.example\"\nuser = \"a\"\npassword = \"hunter2\"\n",
    )
    .unwrap_err();
    assert!(e.contains("line 4") && e.contains("password"), "{e}");
    assert!(!e.contains("hunter2"), "the value is not echoed: {e}");
}

#[test]
fn strangers_become_contacts_only_when_asked() {
    let (app, cx) = book();
    let mut m = mailbox();
    let opts = SyncOptions {
        add_strangers: true,
        ..SyncOptions::default()
    };
    let s = app.mail_sync(&cx, &mut m, &mine(), FOLDERS, opts).unwrap();
    let names: Vec<String> = app
        .contacts(&cx)
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    // Pat wrote, and Ana wrote to someone@nowhere: both are people; the mailing, the bounce
    // and the auto-reply are not.
    assert_eq!(
        names,
        ["Dana Reyes", "Lee Park", "someone@nowhere.example", "Pat"],
        "{:?}",
        s.lines
    );
    let pat = app.contact_view(&cx, "Pat").unwrap();
    assert_eq!(pat.timeline.len(), 1);
    assert_eq!(pat.timeline[0].kind, TouchKind::Reply);
    assert_eq!(pat.contact.emails, ["pat@unknown.example"]);
}
