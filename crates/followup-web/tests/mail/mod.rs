//! Mail from the web: a draft's Send (F15 asks to confirm) and Settings' "Send a test", over a
//! mailer that keeps what it is given (the SMTP itself is tested against a real server in
//! followup-mail and the CLI's tests).

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use followup_app::mail::{Mailer, Outgoing};

use crate::support::*;

#[derive(Default)]
struct Kept(Mutex<Vec<Outgoing>>);

impl Mailer for Kept {
    fn send(&self, out: &Outgoing) -> Result<String, String> {
        let mut v = self.0.lock().unwrap();
        v.push(out.clone());
        Ok(format!("m{}@test.example", v.len()))
    }

    fn digest_to(&self) -> String {
        "me@example.com".into()
    }
}

#[tokio::test]
async fn a_draft_is_sent_from_its_page_and_too_soon_asks_first() {
    let mut s = demo();
    let kept = Arc::new(Kept::default());
    s.state = s.state.clone().mailer(kept.clone());
    // A draft that says [YOUR NAME] is not sent.
    let (st, page, _) = send(&s, form("/items/4/send", "")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("set your name first"), "{page}");
    assert!(kept.0.lock().unwrap().is_empty());
    let (st, body, _) = send(&s, form("/settings/me", "name=Ana+Lima")).await;
    assert!(st.is_redirection(), "{body}");
    let (st, page) = get(&s, "/items/4/draft").await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("action=\"/items/4/send\""), "{page}");
    let (st, body, h) = send(&s, form("/items/4/send", "")).await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{body}");
    let to = h["location"].to_str().unwrap().to_string();
    assert!(
        to.starts_with("/?notice=done&kind="),
        "Today says what was logged: {to}"
    );
    {
        let sent = kept.0.lock().unwrap();
        assert_eq!(sent.len(), 1);
        assert!(
            sent[0].to.contains('@') && !sent[0].to_name.is_empty(),
            "{:?}",
            sent[0]
        );
    }
    // Item 6 is too soon after the last message (F15): not sent, and the page asks.
    let (st, page, _) = send(&s, form("/items/6/send", "")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        page.contains("Not sent: ") && page.contains("F15"),
        "{page}"
    );
    assert!(page.contains("name=\"confirm\" value=\"yes\""), "{page}");
    assert_eq!(kept.0.lock().unwrap().len(), 1, "nothing sent yet");
    let (st, _, _) = send(&s, form("/items/6/send", "confirm=yes")).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(kept.0.lock().unwrap().len(), 2);
    // Settings' "Send a test" goes to the digest's address and is recorded.
    let (st, _, _) = send(&s, form("/settings/digest-test", "")).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let last = kept.0.lock().unwrap().last().cloned().unwrap();
    assert_eq!(last.to, "me@example.com");
    assert!(last.subject.contains("a test"), "{last:?}");
}

#[tokio::test]
async fn without_mail_there_is_no_send_button_and_sending_says_why() {
    let s = demo();
    let (_, page) = get(&s, "/items/4/draft").await;
    assert!(!page.contains("/items/4/send"), "{page}");
    let (st, body, _) = send(&s, form("/items/4/send", "")).await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(body.contains("mail is not set up"), "{body}");
}
