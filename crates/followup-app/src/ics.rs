//! Calendar export: every follow-up as an all-day `VEVENT` (or a `VTODO`) with a stable `UID`
//! and a `VALARM`, written to RFC 5545 by hand (CRLF, 75-octet folding on character
//! boundaries, TEXT escaping). Our own writer rather than `icalendar`: the subset is small, the
//! folding and escaping rules are exactly what `../shared/tools/validate_ics.py` checks, and it
//! speaks jiff, not chrono.

use std::fmt::Write as _;

use followup_core::agenda::{AgendaItem, Window, agenda};
use followup_core::plan::Action;
use jiff::civil::Date;

use crate::{App, AppError, Mode};

/// How the export is written.
#[derive(Debug, Clone)]
pub struct IcsOptions {
    /// `VTODO` instead of all-day `VEVENT`.
    pub todo: bool,
    /// The alarm's time on the due day, in minutes after midnight (default 9:00).
    pub alarm_minutes: u32,
    /// The last day exported (default: a year ahead).
    pub until: Option<Date>,
}

impl Default for IcsOptions {
    fn default() -> Self {
        IcsOptions {
            todo: false,
            alarm_minutes: 9 * 60,
            until: None,
        }
    }
}

/// Parses `HH:MM` for `--alarm`.
pub fn parse_alarm(s: &str) -> Result<u32, AppError> {
    let bad = || {
        AppError::Invalid(format!(
            "--alarm: expected a time of day like 09:00, found {s:?}"
        ))
    };
    let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
    let h: u32 = h.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    if h > 23 || m > 59 {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

impl App {
    /// The calendar of every follow-up (overdue ones on today) up to `until`.
    pub fn calendar(&mut self, opts: &IcsOptions) -> Result<String, AppError> {
        let today = self.today;
        let until = opts.until.unwrap_or_else(|| {
            today
                .checked_add(jiff::Span::new().days(365))
                .unwrap_or(today)
        });
        let items = {
            let tx = self.store.begin(self.owner, Mode::Read)?;
            let planned = tx.plan_window(today, until)?;
            let open_jobs = tx.open_job_count()?;
            agenda(
                &planned,
                Window {
                    today,
                    until,
                    open_jobs,
                },
                &self.config.policy,
            )
        };
        let mut cal = Calendar::new();
        for item in &items {
            // The pipeline is a state, not an appointment.
            if item.action == Action::Pipeline {
                continue;
            }
            let draft = self.draft(item.id, false).ok();
            let mut description = item.why.clone();
            if !item.unasked.is_empty() {
                let q: Vec<&str> = item.unasked.iter().map(|q| q.as_str()).collect();
                let _ = write!(description, "\nUnasked at the interview: {}", q.join(", "));
            }
            if let Some(d) = draft {
                let first: Vec<&str> = d.body.lines().filter(|l| !l.is_empty()).take(3).collect();
                let _ = write!(
                    description,
                    "\n\nDraft (followup draft {}):\nSubject: {}\n{}",
                    item.id,
                    d.subject,
                    first.join("\n")
                );
            }
            cal.item(item, today, &description, opts);
        }
        Ok(cal.finish())
    }
}

struct Calendar {
    out: String,
}

impl Calendar {
    fn new() -> Calendar {
        let mut c = Calendar { out: String::new() };
        c.line("BEGIN:VCALENDAR");
        c.line("VERSION:2.0");
        c.line("PRODID:-//followup//followup calendar export//EN");
        c.line("CALSCALE:GREGORIAN");
        c.line("X-WR-CALNAME:followup");
        c
    }

    fn item(&mut self, item: &AgendaItem, today: Date, description: &str, opts: &IcsOptions) {
        let who = item
            .contact
            .as_ref()
            .map(|c| c.name.clone())
            .or_else(|| {
                item.jobs
                    .first()
                    .map(|j| format!("{} hiring team", j.organization))
            })
            .unwrap_or_default();
        let jobs: Vec<String> = item
            .jobs
            .iter()
            .map(|j| format!("{}: {}", j.organization, j.title))
            .collect();
        let summary = if jobs.is_empty() {
            format!("{} {} ({})", item.action, who, item.channel)
        } else {
            format!(
                "{} {} ({}) by {}",
                item.action,
                who,
                jobs.join("; "),
                item.channel
            )
        };
        // Overdue items sit on today: that is when they can still be done.
        let day = item.due.max(today);
        let next = day.tomorrow().unwrap_or(day);
        let key = item
            .key
            .map(|k| k.to_string().replace('/', "-"))
            .unwrap_or_else(|| "pipeline".into());
        // An occasion recurs: one UID per year's day. Anything else keeps one UID for life,
        // so a calendar updates the item when its date moves.
        let uid = if item.action == Action::Occasion {
            format!("{key}-{}@followup", day.year())
        } else {
            format!("{key}@followup")
        };
        let comp = if opts.todo { "VTODO" } else { "VEVENT" };
        self.line(&format!("BEGIN:{comp}"));
        self.line(&format!("UID:{uid}"));
        self.line(&format!("DTSTAMP:{}T000000Z", ymd(today)));
        self.line(&format!("DTSTART;VALUE=DATE:{}", ymd(day)));
        if opts.todo {
            self.line(&format!("DUE;VALUE=DATE:{}", ymd(day)));
        } else {
            self.line(&format!("DTEND;VALUE=DATE:{}", ymd(next)));
            self.line("TRANSP:TRANSPARENT");
        }
        self.line(&format!("SUMMARY:{}", escape(&summary)));
        self.line(&format!("DESCRIPTION:{}", escape(description)));
        self.line(&format!("CATEGORIES:{}", escape(item.action.as_str())));
        self.line("BEGIN:VALARM");
        self.line("ACTION:DISPLAY");
        self.line(&format!("DESCRIPTION:{}", escape(&summary)));
        let (h, m) = (opts.alarm_minutes / 60, opts.alarm_minutes % 60);
        let trigger = match (h, m) {
            (0, m) => format!("PT{m}M"),
            (h, 0) => format!("PT{h}H"),
            (h, m) => format!("PT{h}H{m}M"),
        };
        self.line(&format!("TRIGGER;RELATED=START:{trigger}"));
        self.line("END:VALARM");
        self.line(&format!("END:{comp}"));
    }

    fn finish(mut self) -> String {
        self.line("END:VCALENDAR");
        self.out
    }

    /// One content line, folded at 75 octets without splitting a character, ended by CRLF.
    fn line(&mut self, text: &str) {
        let mut width = 0;
        for ch in text.chars() {
            let n = ch.len_utf8();
            if width + n > 75 {
                self.out.push_str("\r\n ");
                width = 1;
            }
            self.out.push(ch);
            width += n;
        }
        self.out.push_str("\r\n");
    }
}

fn ymd(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month(), d.day())
}

/// RFC 5545 TEXT: backslash, semicolon, comma and newline escaped.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_never_splits_a_character_and_lines_stay_short() {
        let mut c = Calendar { out: String::new() };
        let long = format!("SUMMARY:{}", "Jörg Übelacker 🌱 ".repeat(12));
        c.line(&long);
        for l in c.out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        let unfolded = c.out.replace("\r\n ", "");
        assert_eq!(unfolded.strip_suffix("\r\n").unwrap(), long);
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn alarms_parse() {
        assert_eq!(parse_alarm("09:30").unwrap(), 570);
        assert!(parse_alarm("25:00").is_err());
        assert!(parse_alarm("nine").is_err());
    }
}
