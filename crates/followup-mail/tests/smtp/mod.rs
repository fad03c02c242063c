//! Sending by SMTP to a real server (aiosmtpd over SMTPS, followup_mail::testing::TestSmtp).

use followup_mail::message::read;
use followup_mail::smtp::{Outgoing, SmtpUrl, send};
use followup_mail::testing::{PASSWORD, TestDovecot, TestSmtp};

#[test]
fn a_message_is_sent_with_our_message_id_and_read_back_as_sent() {
    let smtp = TestSmtp::shared();
    let url = SmtpUrl::parse(&smtp.url()).unwrap();
    let ca = TestDovecot::shared().ca_file();
    let out = Outgoing {
        from: "ana@example.com".into(),
        from_name: Some("Ana Lima".into()),
        to: "priya.raman@northwind.example".into(),
        to_name: Some("Priya Raman".into()),
        subject: "Thank you for today's interview".into(),
        body: "Dear Priya,\n\nThank you — it was a pleasure.\n\nAna".into(),
    };
    let before = smtp.received().len();
    // Without signing in, or with a wrong password: refused, and the password is not shown.
    let e = send(&url, None, Some(&ca), &out).unwrap_err().to_string();
    assert!(e.contains("did not take the message"), "{e}");
    let e = send(
        &url,
        Some(("ana@example.com", "wrong-pw-7")),
        Some(&ca),
        &out,
    )
    .unwrap_err()
    .to_string();
    assert!(!e.contains("wrong-pw-7"), "{e}");
    assert_eq!(smtp.received().len(), before);
    let id = send(&url, Some(("ana@example.com", PASSWORD)), Some(&ca), &out).unwrap();
    assert!(id.ends_with(".followup@example.com"), "{id}");
    let got = smtp.received();
    assert_eq!(got.len(), before + 1);
    let raw = got
        .iter()
        .find(|m| String::from_utf8_lossy(m).contains(&id))
        .expect("the message, by its Message-ID");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(raw.len());
    let h = read(&raw[..split], b"").unwrap();
    assert_eq!(h.message_id.as_deref(), Some(id.as_str()));
    assert_eq!(h.to[0].email, "priya.raman@northwind.example");
    assert_eq!(h.subject, "Thank you for today's interview");
    // Not trusting the server's certificate: refused, nothing sent.
    let e = send(&url, Some(("ana@example.com", PASSWORD)), None, &out)
        .unwrap_err()
        .to_string();
    assert!(e.contains("127.0.0.1:"), "{e}");
    assert_eq!(smtp.received().len(), before + 1);
}

#[test]
fn smtp_urls_parse_or_say_what_they_expected() {
    let u = SmtpUrl::parse("smtps://smtp.example.com").unwrap();
    assert_eq!((u.implicit_tls, u.port), (true, 465));
    let u = SmtpUrl::parse("smtp://smtp.example.com:2525").unwrap();
    assert_eq!((u.implicit_tls, u.port), (false, 2525));
    for bad in ["http://x", "smtp://", "smtps://user:pw@host", "smtp://h:0"] {
        let e = SmtpUrl::parse(bad).unwrap_err();
        assert!(e.starts_with("smtp: expected smtps://host[:port]"), "{e}");
        assert!(!e.contains("pw@") || bad.contains("pw@"), "{e}");
    }
}
