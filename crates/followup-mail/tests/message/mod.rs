//! Reading a message's header: addresses, threads, subjects, and machines told from people.

use followup_mail::message::{Machine, back_on, read, thread_subject};
use jiff::civil::date;

fn msg(text: &str) -> Vec<u8> {
    text.replace('\n', "\r\n").into_bytes()
}

#[test]
fn a_reply_names_its_thread_and_its_people() {
    let h = read(
        &msg("From: \"Dana Reyes\" <Dana.Reyes@Acme.example>\nTo: Ana <ana@example.com>\nCc: lee@acme.example\nSubject: Re: Thank you for today\nDate: Tue, 24 Nov 2026 09:12:00 +0100\nMessage-ID: <r1@acme.example>\nIn-Reply-To: <t1@example.com>\nReferences: <o1@example.com> <t1@example.com>\n\n"),
        b"",
    )
    .unwrap();
    assert_eq!(h.message_id.as_deref(), Some("r1@acme.example"));
    assert_eq!(h.in_reply_to, ["t1@example.com"]);
    assert_eq!(h.references, ["o1@example.com", "t1@example.com"]);
    let from = h.from.clone().unwrap();
    assert_eq!(
        from.email, "dana.reyes@acme.example",
        "folded to lower case"
    );
    assert_eq!(from.name.as_deref(), Some("Dana Reyes"));
    assert_eq!(h.to[0].email, "ana@example.com");
    assert_eq!(h.cc[0].email, "lee@acme.example");
    assert_eq!(h.thread_subject(), "thank you for today");
    assert_eq!(h.date.unwrap().to_string(), "2026-11-24T08:12:00Z");
    assert_eq!(h.machine, None, "a person wrote it");
    assert_eq!(
        h.answers().collect::<Vec<_>>(),
        ["t1@example.com", "o1@example.com", "t1@example.com"]
    );
}

#[test]
fn encoded_words_are_decoded() {
    let h = read(
        &msg("From: =?ISO-8859-1?Q?Ren=E9e_M=FCller?= <renee@firma.example>\nSubject: =?ISO-8859-1?Q?R=E9ponse_=E0_votre_candidature?=\nMessage-ID: <e1@firma.example>\n\n"),
        b"",
    )
    .unwrap();
    assert_eq!(h.from.unwrap().name.as_deref(), Some("Renée Müller"));
    assert_eq!(h.subject, "Réponse à votre candidature");
}

#[test]
fn auto_replies_are_machines_with_the_day_they_are_back() {
    let header = msg(
        "From: dana@acme.example\nSubject: Automatic reply: Following up\nAuto-Submitted: auto-replied\nDate: Wed, 2 Dec 2026 10:00:00 +0000\n\n",
    );
    let h = read(
        &header,
        b"Thank you for your message. I am out of the office until Monday 14 December and will reply when I am back.",
    )
    .unwrap();
    assert_eq!(
        h.machine,
        Some(Machine::AutoReply {
            back_on: Some(date(2026, 12, 14))
        })
    );
    // X-Autoreply alone, and the subject alone, are enough; with no date, none.
    let h = read(
        &msg("From: x@y.example\nSubject: Hello\nX-Autoreply: yes\n\n"),
        b"",
    )
    .unwrap();
    assert_eq!(h.machine, Some(Machine::AutoReply { back_on: None }));
    let h = read(&msg("From: x@y.example\nSubject: Out of Office\n\n"), b"").unwrap();
    assert!(matches!(h.machine, Some(Machine::AutoReply { .. })));
    // Auto-Submitted: no is a person.
    let h = read(
        &msg("From: x@y.example\nSubject: Hi\nAuto-Submitted: no\n\n"),
        b"",
    )
    .unwrap();
    assert_eq!(h.machine, None);
}

#[test]
fn return_days_in_the_forms_people_write() {
    let sent = date(2026, 12, 2);
    let cases = [
        ("I am away until 2026-12-14.", Some(date(2026, 12, 14))),
        ("Back on 14 December 2026", Some(date(2026, 12, 14))),
        (
            "I will return on December 14, 2026.",
            Some(date(2026, 12, 14)),
        ),
        (
            "out until Jan 4th, with limited access",
            Some(date(2027, 1, 4)),
        ),
        (
            "On leave from 1 December until the 14th of December",
            Some(date(2026, 12, 14)),
        ),
        (
            "back in the office on Monday, 7 December",
            Some(date(2026, 12, 7)),
        ),
        ("I was away until 20 November", None),
        ("Thanks for your note.", None),
    ];
    for (text, want) in cases {
        assert_eq!(back_on(text, sent), want, "{text}");
    }
}

#[test]
fn bounces_name_the_address_that_failed() {
    let header = msg(
        "From: Mail Delivery System <MAILER-DAEMON@mx.example>\nSubject: Undelivered Mail Returned to Sender\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\n\n",
    );
    let text = b"--b1\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you that your message could not be delivered.\r\n--b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\nFinal-Recipient: rfc822; gone@acme.example\r\nAction: failed\r\n";
    let h = read(&header, text).unwrap();
    assert_eq!(
        h.machine,
        Some(Machine::Bounce {
            recipient: Some("gone@acme.example".into())
        })
    );
}

#[test]
fn mailings_are_machines_too() {
    let h = read(
        &msg("From: news@jobs.example\nSubject: 10 new jobs for you\nList-Unsubscribe: <https://jobs.example/u>\n\n"),
        b"",
    )
    .unwrap();
    assert_eq!(h.machine, Some(Machine::Bulk));
    let h = read(
        &msg("From: a@b.example\nSubject: x\nPrecedence: bulk\n\n"),
        b"",
    )
    .unwrap();
    assert_eq!(h.machine, Some(Machine::Bulk));
}

#[test]
fn thread_subjects_drop_every_prefix() {
    assert_eq!(
        thread_subject("Re: RE: Fwd:  Data   Engineer role"),
        "data engineer role"
    );
    assert_eq!(thread_subject("AW: Ihre Bewerbung"), "ihre bewerbung");
    assert_eq!(thread_subject(""), "");
}

#[test]
fn no_header_is_none() {
    assert_eq!(read(b"", b""), None);
}
