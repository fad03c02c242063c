//! Calendar export: every follow-up as an all-day `VEVENT` (or a `VTODO`) with a stable `UID`
//! and a `VALARM`, written to RFC 5545 by hand (CRLF, 75-octet folding on character
//! boundaries, TEXT escaping). Our own writer rather than `icalendar`: the subset is small, the
//! folding and escaping rules are exactly what `../shared/tools/validate_ics.py` checks, and it
//! speaks jiff, not chrono.

use std::fmt::Write as _;

use followup_core::agenda::{AgendaItem, Window, agenda};
use followup_core::plan::Action;
use jiff::civil::Date;

use crate::{App, AppError, Ctx};

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
        crate::error::invalid(
            crate::Field::Alarm,
            format!("expected a time of day like 09:00, found {s:?}"),
        )
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
    pub fn calendar(&self, cx: &Ctx, opts: &IcsOptions) -> Result<String, AppError> {
        let today = cx.today;
        let until = opts.until.unwrap_or_else(|| {
            today
                .checked_add(jiff::Span::new().days(365))
                .unwrap_or(today)
        });
        let items = {
            let tx = self.store.read(cx.owner)?;
            let planned = tx.plan_window(today, until)?;
            let open_jobs = tx.open_job_count()?;
            agenda(
                &planned,
                Window {
                    today,
                    until,
                    open_jobs,
                },
                &cx.policy,
            )
        };
        let mut cal = Calendar::new();
        for item in &items {
            // The pipeline is a state, not an appointment.
            if item.action == Action::Pipeline {
                continue;
            }
            let draft = self.draft(cx, item.id, false).ok();
            // The same words as the agenda and the web (followup_core::present).
            let words = followup_core::present::item(item, today);
            let mut description = words.why_line();
            for n in &words.notes {
                let _ = write!(description, "\n{n}");
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
            cal.item(item, &words, today, &description, opts);
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

    fn item(
        &mut self,
        item: &AgendaItem,
        words: &followup_core::present::Presented,
        today: Date,
        description: &str,
        opts: &IcsOptions,
    ) {
        let summary = format!("{} (by {})", words.title, item.channel);
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

/// The most days (counted with repeats) a holiday calendar may name.
pub const MAX_HOLIDAY_DAYS: usize = 100_000;

/// The days of a public-holiday calendar (`.ics`): each all-day `VEVENT`'s days (`DTEND` is
/// exclusive), a yearly `RRULE` expanded for twenty years or to its `COUNT`/`UNTIL`.
pub fn holidays_from_ics(source: &str, text: &str) -> Result<Vec<Date>, AppError> {
    let bad = |line: usize, m: String| AppError::BadFile(format!("{source}: line {line}: {m}"));
    let text = text.trim_start_matches('\u{feff}');
    // Unfold, keeping each logical line's first physical line number.
    let mut lines: Vec<(usize, String)> = Vec::new();
    for (i, l) in text.split('\n').enumerate() {
        let l = l.trim_end_matches('\r');
        if (l.starts_with(' ') || l.starts_with('\t')) && !lines.is_empty() {
            lines.last_mut().expect("checked").1.push_str(&l[1..]);
        } else if !l.is_empty() {
            lines.push((i + 1, l.to_string()));
        }
    }
    if !lines
        .first()
        .is_some_and(|(_, l)| l.eq_ignore_ascii_case("BEGIN:VCALENDAR"))
    {
        return Err(bad(
            1,
            "expected BEGIN:VCALENDAR: is this an .ics calendar?".into(),
        ));
    }
    let date_of = |line: usize, value: &str| -> Result<Date, AppError> {
        let digits: String = value.chars().take(8).collect();
        if digits.len() != 8 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad(
                line,
                format!("expected a date like 20260703, found {value:?}"),
            ));
        }
        let (y, m, d) = (&digits[0..4], &digits[4..6], &digits[6..8]);
        Date::new(
            y.parse().unwrap_or(0),
            m.parse().unwrap_or(0),
            d.parse().unwrap_or(0),
        )
        .map_err(|_| bad(line, format!("{value:?} is not a day in the calendar")))
    };
    let mut out = std::collections::BTreeSet::new();
    let mut generated = 0usize;
    let mut in_event = false;
    let (mut start, mut end, mut rule): (Option<(usize, Date)>, Option<Date>, Option<String>) =
        (None, None, None);
    let mut ended = false;
    for (n, l) in &lines {
        let (head, value) = l.split_once(':').unwrap_or((l.as_str(), ""));
        let name = head.split(';').next().unwrap_or("").to_ascii_uppercase();
        match (name.as_str(), value.trim()) {
            ("BEGIN", v) if v.eq_ignore_ascii_case("VEVENT") => {
                in_event = true;
                (start, end, rule) = (None, None, None);
            }
            ("END", v) if v.eq_ignore_ascii_case("VEVENT") => {
                // Else the last event's days were added again for every stray END: a file of
                // them took minutes (a fuzz-target timeout, see fuzz/README.md).
                if !in_event {
                    return Err(bad(*n, "END:VEVENT without BEGIN:VEVENT".into()));
                }
                in_event = false;
                let Some((line, first)) = start else {
                    return Err(bad(*n, "a VEVENT without DTSTART".into()));
                };
                let days = end
                    .map(|e| (e - first).get_days().max(1))
                    .unwrap_or(1)
                    .min(31);
                let mut starts = vec![first];
                if let Some(r) = &rule {
                    starts = yearly(first, r).map_err(|m| bad(line, m))?;
                }
                // Each event may add 100 years of 31 days: a few megabytes of them kept a
                // request busy for seconds. No holiday calendar comes near this many.
                generated += starts.len() * days as usize;
                if generated > MAX_HOLIDAY_DAYS {
                    return Err(bad(
                        *n,
                        format!(
                            "more than {MAX_HOLIDAY_DAYS} holiday days: is this a holiday calendar?"
                        ),
                    ));
                }
                for s in starts {
                    for k in 0..days {
                        if let Ok(d) = s.checked_add(jiff::Span::new().days(k)) {
                            out.insert(d);
                        }
                    }
                }
            }
            ("END", v) if v.eq_ignore_ascii_case("VCALENDAR") => ended = true,
            ("DTSTART", v) if in_event => start = Some((*n, date_of(*n, v)?)),
            ("DTEND", v) if in_event => end = Some(date_of(*n, v)?),
            ("RRULE", v) if in_event => rule = Some(v.to_string()),
            _ => {}
        }
    }
    if !ended {
        return Err(bad(
            lines.last().map(|(n, _)| *n).unwrap_or(1),
            "the calendar ends without END:VCALENDAR (is the file cut short?)".into(),
        ));
    }
    if out.is_empty() {
        return Err(AppError::BadFile(format!(
            "{source}: no holidays (VEVENTs) in it"
        )));
    }
    Ok(out.into_iter().collect())
}

fn yearly(first: Date, rule: &str) -> Result<Vec<Date>, String> {
    let mut freq = "";
    let mut count: Option<u32> = None;
    let mut until: Option<Date> = None;
    for part in rule.split(';') {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        match k.to_ascii_uppercase().as_str() {
            "FREQ" => freq = v,
            "COUNT" => count = v.parse().ok(),
            "UNTIL" => {
                let digits: String = v.chars().take(8).collect();
                until = Date::strptime("%Y%m%d", &digits).ok();
            }
            "INTERVAL" if v != "1" => {
                return Err(format!("RRULE {rule:?}: only yearly rules are read"));
            }
            k if k.starts_with("BY") => {
                return Err(format!("RRULE {rule:?}: only plain yearly rules are read"));
            }
            _ => {}
        }
    }
    if !freq.eq_ignore_ascii_case("YEARLY") {
        return Err(format!("RRULE {rule:?}: only yearly rules are read"));
    }
    let n = count.unwrap_or(20).min(100);
    let mut out = Vec::new();
    for k in 0..n {
        let Ok(d) = first.checked_add(jiff::Span::new().years(k as i64)) else {
            break;
        };
        if until.is_some_and(|u| d > u) {
            break;
        }
        out.push(d);
    }
    Ok(out)
}

impl App {
    /// Keeps a public-holiday calendar's days in the database (they join the policy's
    /// holidays, F16) and replans. Returns the name it is kept under and how many days.
    pub fn import_holidays(
        &self,
        cx: &Ctx,
        source: &str,
        text: &str,
    ) -> Result<(String, usize), AppError> {
        let days = read_holidays(source, text, &cx.policy.calendar)?;
        self.keep_holidays(cx, source, &days)
    }

    /// Keeps days read by [`read_holidays`] in the database (the `holidays-kept` event) and
    /// replans, in one transaction: a kill leaves both or neither. A calendar imported again
    /// under the same name replaces its days. Returns the name it is kept under.
    pub fn keep_holidays(
        &self,
        cx: &Ctx,
        source: &str,
        days: &[Date],
    ) -> Result<(String, usize), AppError> {
        let name = crate::holidays::source_name(source);
        self.change(cx, |w| {
            w.append(&followup_core::Event::HolidaysKept {
                source: name.clone(),
                days: days.to_vec(),
            })?;
            // The config's policy, the owner's overrides, and every calendar kept, this one's
            // days as now given.
            let policy = self.policy_in(&*w.tx)?;
            crate::replan::full_replan(w.tx.as_mut(), &policy)
        })?;
        Ok((name, days.len()))
    }
}

/// A holiday calendar kept in the database: the name it is kept under and how many days.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HolidayCalendar {
    pub name: String,
    pub days: usize,
}

impl App {
    /// The holiday calendars the owner imported, by name, with their days: the last
    /// `holidays-kept` of each name (an import again replaces its days; none removes it).
    pub fn holiday_calendars(&self, cx: &Ctx) -> Result<Vec<HolidayCalendar>, AppError> {
        let mut kept: std::collections::BTreeMap<String, usize> = Default::default();
        for r in self.store.read(cx.owner)?.events()? {
            if let followup_core::Event::HolidaysKept { source, days } = r.event {
                if days.is_empty() {
                    kept.remove(&source);
                } else {
                    kept.insert(source, days.len());
                }
            }
        }
        Ok(kept
            .into_iter()
            .map(|(name, days)| HolidayCalendar { name, days })
            .collect())
    }

    /// Removes an imported holiday calendar (a `holidays-kept` with no days) and replans.
    pub fn remove_holidays(&self, cx: &Ctx, name: &str) -> Result<(), AppError> {
        if !self.holiday_calendars(cx)?.iter().any(|c| c.name == name) {
            return Err(AppError::NotFound {
                what: "holiday calendar",
                query: name.to_string(),
                hint: "; Settings lists the calendars imported".into(),
            });
        }
        self.keep_holidays(cx, name, &[])?;
        Ok(())
    }
}

/// A holiday calendar's days within 1900-2200, refused when it has none there or when it
/// leaves a year with too few business days (with the weekend and holidays of `cal`).
pub fn read_holidays(
    source: &str,
    text: &str,
    cal: &followup_core::BusinessCalendar,
) -> Result<Vec<Date>, AppError> {
    let days: Vec<Date> = holidays_from_ics(source, text)?
        .into_iter()
        .filter(|d| followup_core::dates::in_range(*d))
        .collect();
    if days.is_empty() {
        return Err(AppError::BadFile(format!(
            "{source}: no holidays between 1900 and 2200 in it"
        )));
    }
    crate::holidays::check_enough_business_days(&days, cal)
        .map_err(|m| AppError::BadFile(format!("{source}: {m}")))?;
    Ok(days)
}

#[cfg(test)]
mod holiday_tests {
    use super::*;

    const CAL: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20260703\r\nDTEND;VALUE=DATE:20260704\r\nSUMMARY:Independence Day (observed)\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:b\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20261224\r\nDTEND;VALUE=DATE:20261227\r\nSUMMARY:Christmas\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:c\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20260101\r\nRRULE:FREQ=YEARLY;COUNT=3\r\nSUMMARY:New Year\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    #[test]
    fn a_holiday_calendar_reads() {
        let days = holidays_from_ics("h.ics", CAL).unwrap();
        let want: Vec<Date> = [
            (2026, 1, 1),
            (2026, 7, 3),
            (2026, 12, 24),
            (2026, 12, 25),
            (2026, 12, 26),
            (2027, 1, 1),
            (2028, 1, 1),
        ]
        .iter()
        .map(|(y, m, d)| Date::new(*y, *m, *d).unwrap())
        .collect();
        assert_eq!(days, want);
    }

    #[test]
    fn broken_calendars_name_the_line() {
        let e = holidays_from_ics("h.ics", &CAL[..CAL.len() / 2])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("h.ics: line") && e.contains("END:VCALENDAR"),
            "{e}"
        );
        let e = holidays_from_ics("h.ics", &CAL.replace("20260703", "20260231"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 7") && e.contains("20260231"), "{e}");
        assert!(holidays_from_ics("h.ics", "hello").is_err());
    }

    #[test]
    fn work_is_bounded_by_the_input() {
        // Found by the fuzz target's time limit: each stray END re-added the last event.
        let stray = CAL.replace(
            "END:VEVENT\r\nEND:VCALENDAR",
            "END:VEVENT\r\nEND:VEVENT\r\nEND:VCALENDAR",
        );
        let e = holidays_from_ics("h.ics", &stray).unwrap_err().to_string();
        assert!(e.contains("END:VEVENT without BEGIN:VEVENT"), "{e}");
        let event = "BEGIN:VEVENT\r\nDTSTART:20260101\r\nDTEND:20260201\r\nRRULE:FREQ=YEARLY;COUNT=100\r\nEND:VEVENT\r\n";
        let many = format!(
            "BEGIN:VCALENDAR\r\n{}END:VCALENDAR\r\n",
            event.repeat(MAX_HOLIDAY_DAYS / 3100 + 1)
        );
        let e = holidays_from_ics("h.ics", &many).unwrap_err().to_string();
        assert!(e.contains("holiday days"), "{e}");
    }
}
