//! A message's header, read: who wrote to whom, which thread it belongs to, and whether a
//! person wrote it at all (an auto-reply, a bounce, a mailing). Parsing is mail-parser's
//! (RFC 5322, RFC 2047 encoded words, the common charsets); what the fields mean for a job
//! search is decided here, and what to do about it by the app.

use jiff::civil::Date;
use mail_parser::{HeaderName, HeaderValue, MessageParser};

/// An address as a message names it: the email folded to lower case, and the display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub email: String,
    pub name: Option<String>,
}

/// Why a message was written by a machine, not a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Machine {
    /// An automatic answer (out of office, "we received your message"): not a reply. The day
    /// the person is back, when the message says it.
    AutoReply { back_on: Option<Date> },
    /// A delivery failure for `recipient` (when the report names it).
    Bounce { recipient: Option<String> },
    /// A mailing: Precedence bulk or list, or a List-Id.
    Bulk,
}

/// What followup reads of a message; nothing of the body is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headers {
    /// Without the angle brackets.
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    pub from: Option<Address>,
    pub to: Vec<Address>,
    pub cc: Vec<Address>,
    /// Decoded; empty when there is none.
    pub subject: String,
    /// The Date header, as a day in UTC; none when missing or unreadable.
    pub date: Option<jiff::Timestamp>,
    pub machine: Option<Machine>,
}

impl Headers {
    /// Every Message-ID this message answers: In-Reply-To first, then References, newest
    /// last as written.
    pub fn answers(&self) -> impl Iterator<Item = &str> {
        self.in_reply_to
            .iter()
            .chain(self.references.iter())
            .map(String::as_str)
    }

    /// The subject without its reply and forward prefixes ("Re: Fwd: AW: ..."), folded for
    /// comparing threads by subject.
    pub fn thread_subject(&self) -> String {
        thread_subject(&self.subject)
    }
}

/// Reads a message from its raw header (and, for telling machines apart, the first bytes of
/// its text, which may be empty). `None` when there is no header at all.
pub fn read(header: &[u8], text_start: &[u8]) -> Option<Headers> {
    let msg = MessageParser::default().parse_headers(header)?;
    let ids = |v: &HeaderValue<'_>| -> Vec<String> {
        match v {
            HeaderValue::Text(t) => vec![t.to_string()],
            HeaderValue::TextList(l) => l.iter().map(|t| t.to_string()).collect(),
            _ => Vec::new(),
        }
    };
    let addresses = |a: Option<&mail_parser::Address<'_>>| -> Vec<Address> {
        a.map(|a| {
            a.iter()
                .filter_map(|x| {
                    Some(Address {
                        email: x.address()?.trim().to_ascii_lowercase(),
                        name: x
                            .name()
                            .map(|n| n.trim().to_string())
                            .filter(|n| !n.is_empty()),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
    };
    let raw = |name: &str| -> Option<String> {
        msg.header(HeaderName::from(name))
            .and_then(|v| match v {
                HeaderValue::Text(t) => Some(t.to_string()),
                HeaderValue::TextList(l) => Some(l.join(" ")),
                _ => None,
            })
            .or_else(|| msg.header_raw(name).map(|s| s.trim().to_string()))
    };
    let subject = msg.subject().unwrap_or_default().trim().to_string();
    let from = addresses(msg.from()).into_iter().next();
    let text = String::from_utf8_lossy(text_start);
    let content_type = msg
        .header(HeaderName::ContentType)
        .and_then(|v| v.as_content_type());
    let is_report = content_type.is_some_and(|c| {
        c.ctype().eq_ignore_ascii_case("multipart")
            && c.subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
            && c.attribute("report-type")
                .is_some_and(|r| r.eq_ignore_ascii_case("delivery-status"))
    });
    let from_daemon = from.as_ref().is_some_and(|a| {
        let local = a.email.split('@').next().unwrap_or_default();
        local == "mailer-daemon" || local == "postmaster"
    });
    let date = msg
        .date()
        .and_then(|d| jiff::Timestamp::from_second(d.to_timestamp()).ok());
    let auto_submitted = raw("Auto-Submitted")
        .map(|v| v.to_ascii_lowercase())
        .is_some_and(|v| !v.starts_with("no"));
    let x_auto = raw("X-Autoreply").is_some() || raw("X-Autorespond").is_some();
    let precedence = raw("Precedence").map(|v| v.to_ascii_lowercase());
    let machine = if is_report || (from_daemon && failure_subject(&subject)) {
        Some(Machine::Bounce {
            recipient: failed_recipient(&text),
        })
    } else if auto_submitted
        || x_auto
        || precedence.as_deref() == Some("auto_reply")
        || away_subject(&subject)
    {
        let day = date.map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date());
        Some(Machine::AutoReply {
            back_on: day.and_then(|d| back_on(&format!("{subject}\n{text}"), d)),
        })
    } else if matches!(precedence.as_deref(), Some("bulk" | "list" | "junk"))
        || raw("List-Id").is_some()
        || raw("List-Unsubscribe").is_some()
    {
        Some(Machine::Bulk)
    } else {
        None
    };
    Some(Headers {
        message_id: msg.message_id().map(|m| m.trim().to_string()),
        in_reply_to: ids(msg.in_reply_to()),
        references: ids(msg.references()),
        from,
        to: addresses(msg.to()),
        cc: addresses(msg.cc()),
        subject,
        date,
        machine,
    })
}

/// The subject of a thread: reply and forward prefixes off, spaces folded, lower case.
pub fn thread_subject(subject: &str) -> String {
    let mut s = subject.trim();
    loop {
        let lower = s.to_ascii_lowercase();
        let cut = [
            "re:", "fw:", "fwd:", "aw:", "wg:", "sv:", "tr:", "re :", "fwd :",
        ]
        .iter()
        .find(|p| lower.starts_with(*p))
        .map(|p| p.len());
        match cut {
            Some(n) => s = s[n..].trim_start(),
            None => break,
        }
    }
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The usual subjects of automatic answers, in the languages job seekers meet most.
fn away_subject(subject: &str) -> bool {
    let s = subject.to_lowercase();
    [
        "out of office",
        "out of the office",
        "automatic reply",
        "auto-reply",
        "autoreply",
        "auto reply",
        "away from the office",
        "on vacation",
        "on leave",
        "abwesenheitsnotiz",
        "abwesend",
        "absence du bureau",
        "réponse automatique",
        "respuesta automática",
        "fuera de la oficina",
    ]
    .iter()
    .any(|w| s.contains(w))
}

fn failure_subject(subject: &str) -> bool {
    let s = subject.to_lowercase();
    [
        "undeliverable",
        "undelivered",
        "delivery status notification",
        "delivery failure",
        "failure notice",
        "returned mail",
        "mail delivery failed",
        "delivery has failed",
    ]
    .iter()
    .any(|w| s.contains(w))
}

/// The address a delivery report says failed: its `Final-Recipient:` or
/// `Original-Recipient:` line (RFC 3464), else the first address in angle brackets.
fn failed_recipient(text: &str) -> Option<String> {
    for line in text.lines() {
        let lower = line.to_ascii_lowercase();
        for field in ["final-recipient:", "original-recipient:"] {
            if let Some(rest) = lower.trim_start().strip_prefix(field) {
                let value = rest.rsplit(';').next().unwrap_or(rest).trim();
                let value = value.trim_matches(|c| c == '<' || c == '>');
                if value.contains('@') {
                    return Some(value.to_string());
                }
            }
        }
    }
    let start = text.find('<')?;
    let end = text[start..].find('>')? + start;
    let inner = &text[start + 1..end];
    (inner.contains('@') && !inner.contains(' ')).then(|| inner.to_ascii_lowercase())
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// The day an automatic answer says its writer is back: the first date after "until",
/// "back on", "return on", "returning", "from" (as in "back in the office from ..."), in the
/// forms people write: 2026-12-14, 14 December 2026, December 14, 2026, Monday 14 December
/// (no year: the next one after `sent`). A date before `sent` is not believed.
pub fn back_on(text: &str, sent: Date) -> Option<Date> {
    let lower = text.to_lowercase();
    let cues = [
        "until ",
        "till ",
        "back on ",
        "back in the office on ",
        "return on ",
        "returning on ",
        "returning ",
        "back ",
        "return ",
        "from ",
        "on ",
    ];
    let mut best: Option<(usize, Date)> = None;
    for cue in cues {
        let mut at = 0;
        while let Some(i) = lower[at..].find(cue) {
            let start = at + i + cue.len();
            if let Some(d) = date_at(&lower[start..], sent).filter(|d| *d >= sent)
                && best.is_none_or(|(pos, _)| start < pos)
            {
                best = Some((start, d));
            }
            at = start;
        }
    }
    best.map(|(_, d)| d)
}

/// A date at the start of `text` (after an optional weekday and "the"), in one of the forms
/// [`back_on`] knows.
fn date_at(text: &str, sent: Date) -> Option<Date> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .take(6)
        .collect();
    let mut w = words.as_slice();
    let weekday = |s: &str| {
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            .iter()
            .any(|d| s.starts_with(d))
    };
    while let Some(first) = w.first() {
        if weekday(first) || *first == "the" {
            w = &w[1..];
        } else {
            break;
        }
    }
    let first = *w.first()?;
    // "the 14th of December"
    let owned: Vec<&str>;
    if w.get(1) == Some(&"of") {
        owned = [&w[..1], &w[2..]].concat();
        w = &owned;
    }
    // 2026-12-14
    if let Ok(d) = first.trim_end_matches('.').parse::<Date>() {
        return Some(d);
    }
    let month = |s: &str| {
        let s = s.trim_end_matches('.');
        (s.len() >= 3)
            .then(|| MONTHS.iter().position(|m| s.starts_with(m)))
            .flatten()
            .map(|i| i as i8 + 1)
    };
    let day = |s: &str| {
        let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
        let rest = &s[digits.len()..];
        let suffix_ok = rest.is_empty() || ["st", "nd", "rd", "th", "."].contains(&rest);
        digits
            .parse::<i8>()
            .ok()
            .filter(|d| (1..=31).contains(d) && suffix_ok)
    };
    let year = |s: Option<&&str>| {
        s.and_then(|s| s.trim_end_matches('.').parse::<i16>().ok())
            .filter(|y| (2000..=2100).contains(y))
    };
    // 14 December [2026] | December 14[,] [2026]
    let (d, m, y) = if let (Some(d), Some(m)) = (day(first), w.get(1).and_then(|s| month(s))) {
        (d, m, year(w.get(2)))
    } else if let (Some(m), Some(d)) = (month(first), w.get(1).and_then(|s| day(s))) {
        (d, m, year(w.get(2)))
    } else {
        return None;
    };
    match y {
        Some(y) => Date::new(y, m, d).ok(),
        // No year: this year's, unless that is long past (a January date written in
        // December); a day just past is a day past, and not believed by the caller.
        None => {
            let this = Date::new(sent.year(), m, d).ok()?;
            if this >= sent || (sent - this).get_days() <= 180 {
                Some(this)
            } else {
                Date::new(sent.year() + 1, m, d).ok()
            }
        }
    }
}
