//! The day's follow-ups as one message (`followup digest`): each item's title, why, and a link
//! to its draft; and the record of every delivery attempt, so a digest that did not arrive is
//! seen (`digest log`, Settings), never silent.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::{App, Ctx};

const LOG_KEY: &str = "digest.log";
/// Deliveries kept, newest first.
const LOG_KEEP: usize = 50;

/// The digest of one day.
#[derive(Debug, Clone, Serialize)]
pub struct Digest {
    pub subject: String,
    pub body: String,
    /// How many items it lists.
    pub items: usize,
}

/// One delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// When it was tried (RFC 3339).
    pub at: String,
    pub to: String,
    pub ok: bool,
    /// The Message-ID it went with, or why it failed (one line, never a password).
    pub detail: String,
    /// A "send a test" rather than the day's digest.
    #[serde(default)]
    pub test: bool,
}

impl App {
    /// Sends the day's digest (or, with `test`, a test message) through `mailer` and records
    /// the attempt, whatever came of it.
    pub fn send_digest(
        &self,
        cx: &Ctx,
        mailer: &dyn crate::mail::Mailer,
        base: &str,
        test: bool,
        now: jiff::Timestamp,
    ) -> Result<Delivery> {
        let to = mailer.digest_to();
        let (subject, body) = if test {
            (
                "followup: a test of your daily digest".to_string(),
                "This is a test: your daily digest will arrive like this.\n".to_string(),
            )
        } else {
            let d = self.digest(cx, base)?;
            (d.subject, d.body)
        };
        let sent = mailer.send(&crate::mail::Outgoing {
            to: to.clone(),
            to_name: String::new(),
            subject,
            body,
        });
        let delivery = Delivery {
            at: now.to_string(),
            to,
            ok: sent.is_ok(),
            detail: match sent {
                Ok(id) => format!("<{id}>"),
                Err(e) => e,
            },
            test,
        };
        self.record_delivery(cx, &delivery)?;
        Ok(delivery)
    }

    /// The follow-ups due by today, in agenda order, with why and a link to each draft under
    /// `base` (the web's address, `http://127.0.0.1:7878` by default).
    pub fn digest(&self, cx: &Ctx, base: &str) -> Result<Digest> {
        let items = self.agenda(cx, Some(cx.today))?;
        let base = base.trim_end_matches('/');
        let day = cx.today.strftime("%A %-d %B %Y").to_string();
        let mut body = String::new();
        if items.is_empty() {
            body.push_str(&format!(
                "Nothing is due today ({day}). The next follow-ups are on your agenda:\n{base}/\n"
            ));
        } else {
            body.push_str(&format!(
                "{} to do today ({day}):\n",
                match items.len() {
                    1 => "One follow-up".to_string(),
                    n => format!("{n} follow-ups"),
                }
            ));
            for a in &items {
                let p = followup_core::present::item(a, cx.today);
                let late = if a.overdue_days > 0 {
                    format!(" ({} overdue)", days(a.overdue_days))
                } else {
                    String::new()
                };
                body.push_str(&format!(
                    "\n#{} {}{late}\n  {}\n",
                    a.id,
                    p.title,
                    p.why_line()
                ));
                if a.id != followup_core::agenda::PIPELINE_ID {
                    body.push_str(&format!("  Draft: {base}/items/{}/draft\n", a.id));
                }
            }
            body.push_str(&format!("\nToday's page: {base}/\n"));
        }
        Ok(Digest {
            subject: match items.len() {
                0 => format!("followup: nothing due today ({day})"),
                1 => format!("followup: 1 follow-up today ({day})"),
                n => format!("followup: {n} follow-ups today ({day})"),
            },
            body,
            items: items.len(),
        })
    }

    /// Keeps a delivery attempt (the newest fifty are kept).
    pub fn record_delivery(&self, cx: &Ctx, d: &Delivery) -> Result<()> {
        let mut log = self.deliveries(cx)?;
        log.insert(0, d.clone());
        log.truncate(LOG_KEEP);
        let text = serde_json::to_string(&log).expect("serializable");
        self.change(cx, |w| Ok(w.tx.set_setting(LOG_KEY, &text)?))
    }

    /// Every delivery attempt kept, newest first.
    pub fn deliveries(&self, cx: &Ctx) -> Result<Vec<Delivery>> {
        let text = self.store.read(cx.owner)?.setting(LOG_KEY)?;
        Ok(text
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default())
    }
}

fn days(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}
