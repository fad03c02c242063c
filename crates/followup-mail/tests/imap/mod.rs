//! The IMAP client against a real Dovecot (followup_mail::testing), and against small fake
//! servers on loopback for what Dovecot will not do (no STARTTLS).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use followup_mail::imap::{ImapSource, ImapUrl, Security};
use followup_mail::source::{Fetched, MailSource, SourceError};
use followup_mail::testing::{PASSWORD, TestDovecot, TestMailbox};
use jiff::Timestamp;

/// The inbox fixtures and when each arrived (the first is on a one-digit day).
const INBOX: [(&str, &str); 7] = [
    ("autoreply-x-autoreply.eml", "2025-11-25T10:03:32Z"),
    ("out-of-office.eml", "2026-12-02T08:15:04Z"),
    ("reply.eml", "2026-12-03T13:30:15Z"),
    ("thread-references.eml", "2026-12-03T13:05:41Z"),
    ("bounce.eml", "2026-12-04T09:12:09Z"),
    ("newsletter.eml", "2026-12-05T06:00:02Z"),
    ("odd-encoding.eml", "2026-12-05T08:07:45Z"),
];

const SENT: [(&str, &str); 3] = [
    ("sent-application.eml", "2026-11-25T10:03:28Z"),
    ("sent-thank-you.eml", "2026-12-01T16:42:11Z"),
    ("sent-follow-up.eml", "2026-12-02T08:15:01Z"),
];

fn fixture(name: &str) -> Vec<u8> {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "fixtures", name]
        .iter()
        .collect();
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A message's header as IMAP's BODY[HEADER] is: through the blank line.
fn header_of(raw: &[u8]) -> &[u8] {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header")
        + 4;
    &raw[..end]
}

fn text_of(raw: &[u8]) -> &[u8] {
    let text = &raw[header_of(raw).len()..];
    &text[..text.len().min(2048)]
}

fn at(s: &str) -> Timestamp {
    s.parse().expect("a timestamp")
}

fn connect(mailbox: &TestMailbox, url: &ImapUrl) -> ImapSource {
    let ca = TestDovecot::shared().ca_file();
    ImapSource::connect_with_ca(url, mailbox.user(), mailbox.password(), &ca).unwrap_or_else(|e| {
        panic!(
            "{url}: {e}\nDovecot's log:\n{}",
            TestDovecot::shared().log()
        )
    })
}

fn deliver_all(mailbox: &TestMailbox, folder: &str, fixtures: &[(&str, &str)]) {
    for (name, arrived) in fixtures {
        mailbox.deliver(folder, &fixture(name), at(arrived));
    }
}

/// Checks that `fetched` are exactly `fixtures` (in any UID order: Dovecot numbers what it
/// finds in new/ in its own order), byte for byte, with their arrival times.
fn assert_fixtures(fetched: &[Fetched], fixtures: &[(&str, &str)]) {
    assert_eq!(fetched.len(), fixtures.len(), "one fetched per fixture");
    assert!(
        fetched.windows(2).all(|w| w[0].uid < w[1].uid),
        "by UID, ascending"
    );
    for (name, arrived) in fixtures {
        let raw = fixture(name);
        let f = fetched
            .iter()
            .find(|f| f.header == header_of(&raw))
            .unwrap_or_else(|| panic!("{name} was not fetched with its exact header"));
        assert_eq!(f.arrived, Some(at(arrived)), "{name}'s arrival");
        assert_eq!(f.text_start, text_of(&raw), "{name}'s first 2 KiB of text");
    }
}

#[test]
fn starttls_and_imaps_both_sign_in_trusting_the_test_ca() {
    let server = TestDovecot::shared();
    // A password that goes quoted, and one that goes as a literal.
    for mailbox in [server.mailbox(), server.mailbox_utf8()] {
        for url in [server.starttls_url(), server.imaps_url()] {
            let mut source = connect(&mailbox, &url);
            let state = source.open("INBOX").unwrap();
            assert_eq!(state.uid_next, 1, "{url}: an empty inbox");
            assert_eq!(source.fetch_after(0, 100).unwrap(), vec![], "{url}");
            source.logout().unwrap();
        }
    }
    assert_eq!(server.starttls_url().security, Security::StartTls);
    assert_eq!(server.imaps_url().security, Security::Tls);
}

#[test]
fn a_certificate_from_a_ca_not_trusted_is_refused() {
    let server = TestDovecot::shared();
    let mailbox = server.mailbox();
    for url in [server.starttls_url(), server.imaps_url()] {
        let err = ImapSource::connect(&url, mailbox.user(), PASSWORD).unwrap_err();
        let SourceError::Connect {
            server: name,
            detail,
        } = &err
        else {
            panic!("{url}: not a Connect error: {err:?}");
        };
        assert_eq!(name, &url.server());
        assert!(detail.contains("certificate"), "{url}: {detail}");
        assert!(!err.to_string().contains(PASSWORD));
    }
}

#[test]
fn a_wrong_password_is_a_login_error_that_never_shows_it() {
    let server = TestDovecot::shared();
    let mailbox = server.mailbox();
    let ca = server.ca_file();
    // The second is not ASCII, so it goes as a literal rather than a quoted string.
    for wrong in [r#"wrong "horse" \battery"#, "mot de passe érroné"] {
        for url in [server.starttls_url(), server.imaps_url()] {
            let err = ImapSource::connect_with_ca(&url, mailbox.user(), wrong, &ca).unwrap_err();
            let SourceError::Login { user, .. } = &err else {
                panic!("{url}: not a Login error: {err:?}");
            };
            assert_eq!(user, mailbox.user());
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains(wrong), "{shown}");
            assert!(shown.contains(&url.server()), "{shown}");
        }
    }
}

#[test]
fn a_missing_folder_is_no_folder_and_the_session_goes_on() {
    let server = TestDovecot::shared();
    let mailbox = server.mailbox();
    let mut source = connect(&mailbox, &server.imaps_url());
    let err = source.open("Archives 2019").unwrap_err();
    let SourceError::NoFolder { folder, .. } = &err else {
        panic!("not NoFolder: {err:?}");
    };
    assert_eq!(folder, "Archives 2019");
    assert!(
        matches!(source.fetch_after(0, 10), Err(SourceError::Protocol { .. })),
        "nothing is open"
    );
    source.open("INBOX").unwrap();
    source.logout().unwrap();
}

#[test]
fn fetch_after_zero_returns_every_message_exactly_and_after_the_last_nothing() {
    let server = TestDovecot::shared();
    let mailbox = server.mailbox();
    deliver_all(&mailbox, "INBOX", &INBOX);
    let mut source = connect(&mailbox, &server.starttls_url());
    let state = source.open("INBOX").unwrap();
    assert_eq!(state.uid_next, INBOX.len() as u32 + 1);
    let all = source.fetch_after(0, 100).unwrap();
    assert_fixtures(&all, &INBOX);
    let last = all.last().unwrap().uid;
    assert!(last < state.uid_next);
    // `UID FETCH n:*` names the last message even when n is past it: not ours.
    assert_eq!(source.fetch_after(last, 100).unwrap(), vec![]);
    assert_eq!(source.fetch_after(last + 1000, 100).unwrap(), vec![]);
    assert_eq!(source.fetch_after(u32::MAX, 100).unwrap(), vec![]);
    // A limit takes the lowest UIDs first; the next call goes on from there.
    let first = source.fetch_after(0, 3).unwrap();
    assert_eq!(first, all[..3].to_vec());
    let rest = source.fetch_after(first[2].uid, 100).unwrap();
    assert_eq!(rest, all[3..].to_vec());
    assert_eq!(source.fetch_after(0, 0).unwrap(), vec![]);
    // The bounce's failed address and the out-of-office return date are in the text start.
    let find = |name: &str| {
        let header = header_of(&fixture(name)).to_vec();
        all.iter()
            .find(|f| f.header == header)
            .unwrap()
            .text_start
            .clone()
    };
    let bounce = String::from_utf8(find("bounce.eml")).unwrap();
    assert!(
        bounce.contains("Final-Recipient: rfc822; h.mueller@oldcorp.example"),
        "{bounce}"
    );
    let away = String::from_utf8(find("out-of-office.eml")).unwrap();
    assert!(away.contains("until Monday 14 December 2026") && away.contains("2026-12-14"));
    source.logout().unwrap();
}

#[test]
fn a_new_delivery_is_all_that_comes_after_the_last_uid() {
    let server = TestDovecot::shared();
    let mailbox = server.mailbox();
    deliver_all(&mailbox, "INBOX", &INBOX[..3]);
    let mut source = connect(&mailbox, &server.imaps_url());
    let before = source.open("INBOX").unwrap();
    let last = source.fetch_after(0, 100).unwrap().last().unwrap().uid;
    mailbox.deliver("INBOX", &fixture(INBOX[3].0), at(INBOX[3].1));
    // In the same session, opened again.
    let after = source.open("INBOX").unwrap();
    assert_eq!(after.uid_validity, before.uid_validity);
    assert_eq!(after.uid_next, before.uid_next + 1);
    let new = source.fetch_after(last, 100).unwrap();
    assert_fixtures(&new, &INBOX[3..4]);
    assert_eq!(new[0].uid, before.uid_next);
    source.logout().unwrap();
    // And in a new one.
    mailbox.deliver("INBOX", &fixture(INBOX[4].0), at(INBOX[4].1));
    let mut source = connect(&mailbox, &server.starttls_url());
    source.open("INBOX").unwrap();
    assert_fixtures(&source.fetch_after(new[0].uid, 100).unwrap(), &INBOX[4..5]);
}

#[test]
fn the_sent_folder_reads_the_same() {
    let server = TestDovecot::shared();
    let mailbox = server.mailbox();
    deliver_all(&mailbox, "INBOX", &INBOX[..2]);
    deliver_all(&mailbox, "Sent", &SENT);
    let mut source = connect(&mailbox, &server.imaps_url());
    let inbox = source.open("INBOX").unwrap();
    let sent = source.open("Sent").unwrap();
    assert_eq!(sent.uid_next, SENT.len() as u32 + 1);
    assert_ne!(sent.uid_validity, 0);
    assert_fixtures(&source.fetch_after(0, 100).unwrap(), &SENT);
    assert_fixtures(
        &{
            source.open("INBOX").unwrap();
            source.fetch_after(0, 100).unwrap()
        },
        &INBOX[..2],
    );
    assert_eq!(source.open("INBOX").unwrap(), inbox);
    source.logout().unwrap();
}

#[test]
fn folder_names_with_spaces_and_accents_are_quoted_and_encoded() {
    let server = TestDovecot::shared();
    let mailbox = server.mailbox();
    let folder = "Candidatures envoyées & réponses";
    deliver_all(&mailbox, folder, &SENT[..1]);
    let mut source = connect(&mailbox, &server.imaps_url());
    source.open(folder).unwrap();
    assert_fixtures(&source.fetch_after(0, 100).unwrap(), &SENT[..1]);
    source.logout().unwrap();
}

#[test]
fn forgetting_the_uids_gives_a_new_uid_validity() {
    let server = TestDovecot::shared();
    let mailbox = server.mailbox();
    deliver_all(&mailbox, "Sent", &SENT);
    let mut source = connect(&mailbox, &server.imaps_url());
    let before = source.open("Sent").unwrap();
    source.logout().unwrap();
    mailbox.forget_uids("Sent");
    let mut source = connect(&mailbox, &server.imaps_url());
    let after = source.open("Sent").unwrap();
    assert_ne!(after.uid_validity, before.uid_validity);
    assert_fixtures(&source.fetch_after(0, 100).unwrap(), &SENT);
    source.logout().unwrap();
}

trait Io: Read + Write + Send {}
impl<T: Read + Write + Send> Io for T {}

/// A fake server on loopback, plain or (with a TLS configuration) `imaps://`: answers each
/// line it is sent with `answer(tag, line)`; returns everything it was sent once the client
/// hangs up.
fn fake_server(
    tls: Option<rustls::ServerConfig>,
    mut answer: impl FnMut(&str, &str) -> String + Send + 'static,
) -> (ImapUrl, std::thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let scheme = if tls.is_some() { "imaps" } else { "imap" };
    let port = listener.local_addr().unwrap().port();
    let url = ImapUrl::parse(&format!("{scheme}://127.0.0.1:{port}")).unwrap();
    let handle = std::thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut io: Box<dyn Io> = match tls {
            None => Box::new(tcp),
            Some(config) => Box::new(rustls::StreamOwned::new(
                rustls::ServerConnection::new(Arc::new(config)).unwrap(),
                tcp,
            )),
        };
        io.write_all(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake ready\r\n")
            .unwrap();
        let mut got = String::new();
        let mut line = Vec::new();
        let mut byte = [0u8];
        while matches!(io.read(&mut byte), Ok(1)) {
            line.push(byte[0]);
            if byte[0] != b'\n' {
                continue;
            }
            let text = String::from_utf8_lossy(&line).into_owned();
            line.clear();
            got.push_str(&text);
            let text = text.trim_end();
            let tag = text.split(' ').next().unwrap_or_default();
            if io.write_all(answer(tag, text).as_bytes()).is_err() {
                break;
            }
        }
        got
    });
    (url, handle)
}

/// A TLS configuration for a fake server, with the test Dovecot's certificate.
fn fake_tls() -> rustls::ServerConfig {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let (cert, key) = TestDovecot::shared().server_identity();
    let certs = CertificateDer::pem_file_iter(&cert)
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(&key).unwrap();
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap()
}

#[test]
fn with_logindisabled_the_password_goes_by_authenticate_plain() {
    let mut pending = None;
    let (url, server) = fake_server(Some(fake_tls()), move |tag, line| {
        if let Some(tag) = pending.take() {
            // "\0ana@example.com\0pw-é \"x\"" in base64.
            return match line {
                "AGFuYUBleGFtcGxlLmNvbQBwdy3DqSAieCI=" => format!("{tag} OK signed in\r\n"),
                _ => format!("{tag} NO [AUTHENTICATIONFAILED] no\r\n"),
            };
        }
        match line.split(' ').nth(1) {
            Some("CAPABILITY") => {
                format!("* CAPABILITY IMAP4rev1 LOGINDISABLED AUTH=PLAIN\r\n{tag} OK done\r\n")
            }
            Some("AUTHENTICATE") if line.ends_with(" PLAIN") => {
                pending = Some(tag.to_owned());
                "+ \r\n".into()
            }
            Some("LOGOUT") => format!("* BYE bye\r\n{tag} OK done\r\n"),
            _ => format!("{tag} BAD what\r\n"),
        }
    });
    let ca = TestDovecot::shared().ca_file();
    let source = ImapSource::connect_with_ca(&url, "ana@example.com", "pw-é \"x\"", &ca).unwrap();
    source.logout().unwrap();
    let sent = server.join().unwrap();
    assert!(!sent.contains("LOGIN "), "{sent}");
}

#[test]
fn with_logindisabled_and_no_auth_plain_nothing_is_sent() {
    let (url, server) = fake_server(Some(fake_tls()), |tag, line| match line.split(' ').nth(1) {
        Some("CAPABILITY") => {
            format!("* CAPABILITY IMAP4rev1 LOGINDISABLED AUTH=SCRAM-SHA-1\r\n{tag} OK done\r\n")
        }
        _ => format!("{tag} BAD what\r\n"),
    });
    let ca = TestDovecot::shared().ca_file();
    let err =
        ImapSource::connect_with_ca(&url, "ana@example.com", "pw-never-sent", &ca).unwrap_err();
    assert!(
        matches!(&err, SourceError::Login { detail, .. } if detail.contains("neither")),
        "{err:?}"
    );
    let sent = server.join().unwrap();
    assert!(
        !sent.contains("pw-never-sent") && !sent.contains("AUTHENTICATE"),
        "{sent}"
    );
}

#[test]
fn a_plain_server_without_starttls_is_refused_before_any_password() {
    let (url, server) = fake_server(None, |tag, line| match line.split(' ').nth(1) {
        Some("CAPABILITY") => {
            format!("* CAPABILITY IMAP4rev1 AUTH=PLAIN LOGIN\r\n{tag} OK done\r\n")
        }
        Some("LOGIN") => format!("{tag} OK welcome\r\n"),
        _ => format!("{tag} BAD what\r\n"),
    });
    let err = ImapSource::connect(&url, "ana@example.com", "pw-never-sent").unwrap_err();
    let SourceError::Connect { detail, .. } = &err else {
        panic!("not a Connect error: {err:?}");
    };
    assert!(detail.contains("STARTTLS"), "{detail}");
    let sent = server.join().unwrap();
    assert!(
        !sent.contains("pw-never-sent") && !sent.contains("LOGIN"),
        "{sent}"
    );
}

#[test]
fn bytes_injected_after_starttls_are_refused() {
    let (url, server) = fake_server(None, |tag, line| match line.split(' ').nth(1) {
        Some("CAPABILITY") => format!("* CAPABILITY IMAP4rev1 STARTTLS\r\n{tag} OK done\r\n"),
        Some("STARTTLS") => {
            format!("{tag} OK begin TLS\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n")
        }
        _ => format!("{tag} BAD what\r\n"),
    });
    let err = ImapSource::connect(&url, "ana@example.com", "pw-never-sent").unwrap_err();
    // Refused as an injection, or (when the bytes came late) as a failed TLS handshake.
    assert!(
        matches!(
            err,
            SourceError::Protocol { .. } | SourceError::Connect { .. }
        ),
        "{err:?}"
    );
    let sent = server.join().unwrap();
    assert!(!sent.contains("pw-never-sent"), "{sent}");
}

#[test]
fn imap_urls_parse_or_say_what_they_expected() {
    let ok = |s: &str| ImapUrl::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
    let u = ok("imaps://imap.example.com");
    assert_eq!(
        (u.security, u.host.as_str(), u.port),
        (Security::Tls, "imap.example.com", 993)
    );
    let u = ok("imap://mail.example.com:1143/");
    assert_eq!(
        (u.security, u.host.as_str(), u.port),
        (Security::StartTls, "mail.example.com", 1143)
    );
    assert_eq!(ok("IMAP://h").port, 143);
    let u = ok("imaps://[::1]:9993");
    assert_eq!(
        (u.host.as_str(), u.server()),
        ("::1", "[::1]:9993".to_owned())
    );
    assert_eq!(ok("imaps://h:993").to_string(), "imaps://h:993");
    assert_eq!("imap://h:1".parse::<ImapUrl>().unwrap().port, 1);
    for bad in [
        "imap.example.com",
        "https://imap.example.com",
        "imaps://",
        "imaps://:993",
        "imaps://h:0",
        "imaps://h:99999",
        "imaps://h:+993",
        "imaps://h:port",
        "imaps://h/INBOX",
        "imaps://h?x=1",
        "imaps://bad host",
        "imaps://[zz]:1",
    ] {
        let e = ImapUrl::parse(bad).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!(
                "imap: expected imaps://host[:port] or imap://host[:port], found {bad:?}"
            )),
            "{bad}: {e}"
        );
        assert!(!e.contains('\n'), "{e}");
    }
    let e = ImapUrl::parse("imaps://ana:hunter2@imap.example.com")
        .unwrap_err()
        .to_string();
    assert!(
        !e.contains("hunter2") && e.contains("@imap.example.com") && e.contains("not the URL"),
        "{e}"
    );
}
