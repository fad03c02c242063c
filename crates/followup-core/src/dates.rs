//! Human date phrases, read relative to a given today.
//!
//! Ours rather than a general natural-language crate: the phrases people type into a
//! follow-up tool are few, and their meaning must be exact and documented (docs/CLI.md):
//!
//! - `2026-03-09` (ISO; `2026-02-30` is refused), `9 Mar`, `9 March 2026`, `March 9`
//! - `today`, `tomorrow`, `yesterday`
//! - `monday`, `next monday`: the first Monday strictly after today;
//!   `last monday`: the last Monday strictly before today; `this monday`: on or after today
//! - `in 2 weeks`, `2 weeks`, `in 3 days`, `1 month`: calendar arithmetic, never moved
//! - `3 business days`, `3 bd`: business days by the policy's calendar (F16)
//! - `3 days ago`, `2 weeks ago`
//! - `next week`: the Monday after today; `end of week`: this Friday (today on a Friday);
//!   `next month`: the same day next month; `end of month`: the month's last day

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};

use crate::calendar::{BusinessCalendar, Wait, add_calendar, weekday_from_name};

/// A phrase that is not a date we understand, or a day outside the years we accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadDate {
    #[error(
        "expected a date like 2026-03-09, \"tomorrow\", \"next monday\", \"in 2 weeks\" or \"3 business days\", found {found:?}{detail}"
    )]
    Unknown {
        found: String,
        /// Extra words for an ISO date that does not exist (`2026-02-30`).
        detail: String,
    },
    #[error("{day} is outside {FIRST_YEAR}-{LAST_YEAR}; is the year right?")]
    OutOfRange { day: Date },
}

fn bad(s: &str) -> BadDate {
    BadDate::Unknown {
        found: s.to_string(),
        detail: String::new(),
    }
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn month_from_name(s: &str) -> Option<i8> {
    let s = s.trim_end_matches('.');
    if s.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(s) || (s == "sept" && *m == "september"))
        .map(|i| i as i8 + 1)
}

/// The first year a date may fall in: nothing in a job search happened before it.
pub const FIRST_YEAR: i16 = 1900;
/// The last year a date may fall in: far enough for any promise, near enough that a typo
/// (`9999-12-31`, `in 2000 years`) is caught instead of planned.
pub const LAST_YEAR: i16 = 2200;

/// True when `d` is within the years followup accepts anywhere ([`FIRST_YEAR`]..=[`LAST_YEAR`]).
pub fn in_range(d: Date) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&d.year())
}

/// Reads a date phrase relative to `today`, counting business days with `cal`. Dates outside
/// 1900-2200 are refused: they are typos, and a plan built on them is nonsense.
pub fn parse_date(input: &str, today: Date, cal: &BusinessCalendar) -> Result<Date, BadDate> {
    let d = parse_any_date(input, today, cal)?;
    if !in_range(d) {
        return Err(BadDate::OutOfRange { day: d });
    }
    Ok(d)
}

fn parse_any_date(input: &str, today: Date, cal: &BusinessCalendar) -> Result<Date, BadDate> {
    let s = input.trim().to_ascii_lowercase();
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() {
        return Err(bad(input));
    }
    // ISO first: it is what scripts send.
    if s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-' {
        return s.parse::<Date>().map_err(|_| BadDate::Unknown {
            found: input.to_string(),
            detail: " (no such day in the calendar)".to_string(),
        });
    }
    match s.as_str() {
        "today" | "now" => return Ok(today),
        "tomorrow" => return today.tomorrow().map_err(|_| bad(input)),
        "yesterday" => return today.yesterday().map_err(|_| bad(input)),
        "next week" => return Ok(relative_weekday(today, Weekday::Monday, Rel::Next)),
        "end of week" | "end of the week" => {
            return Ok(relative_weekday(today, Weekday::Friday, Rel::This));
        }
        "next month" => return Ok(add_calendar(today, Wait::Months(1))),
        "end of month" | "end of the month" => return Ok(today.last_of_month()),
        _ => {}
    }
    let words: Vec<&str> = s.split(' ').collect();
    // Weekdays.
    let (rel, day_word) = match words.as_slice() {
        [w] => (Rel::Next, Some(*w)),
        ["next", w] => (Rel::Next, Some(*w)),
        ["this", w] | ["on", w] => (Rel::This, Some(*w)),
        ["last", w] => (Rel::Last, Some(*w)),
        _ => (Rel::Next, None),
    };
    if let Some(w) = day_word.and_then(weekday_from_name) {
        return Ok(relative_weekday(today, w, rel));
    }
    // "3 days ago".
    if let Some(rest) = s.strip_suffix(" ago") {
        let wait: Wait = rest.parse().map_err(|_| bad(input))?;
        return subtract(today, wait, cal).ok_or_else(|| bad(input));
    }
    // "in 2 weeks", "3 business days".
    if let Ok(wait) = s.parse::<Wait>() {
        return Ok(match wait {
            Wait::BusinessDays(n) => cal.add_business_days(today, n),
            other => add_calendar(today, other),
        });
    }
    // "9 mar", "9 march 2026", "march 9", "march 9 2026", "9 mar, 2026".
    let cleaned = s.replace(',', " ");
    let parts: Vec<&str> = cleaned.split_whitespace().collect();
    let (day, month, year) = match parts.as_slice() {
        [d, m] if month_from_name(m).is_some() => (*d, *m, None),
        [m, d] if month_from_name(m).is_some() => (*d, *m, None),
        [d, m, y] if month_from_name(m).is_some() => (*d, *m, Some(*y)),
        [m, d, y] if month_from_name(m).is_some() => (*d, *m, Some(*y)),
        _ => return Err(bad(input)),
    };
    let day: i8 = day
        .trim_end_matches(|c: char| c.is_ascii_alphabetic())
        .parse()
        .map_err(|_| bad(input))?;
    let month = month_from_name(month).ok_or_else(|| bad(input))?;
    let year: i16 = match year {
        Some(y) => y.parse().map_err(|_| bad(input))?,
        None => today.year(),
    };
    Date::new(year, month, day).map_err(|_| BadDate::Unknown {
        found: input.to_string(),
        detail: " (no such day in the calendar)".to_string(),
    })
}

#[derive(Clone, Copy)]
enum Rel {
    Next,
    This,
    Last,
}

fn relative_weekday(today: Date, w: Weekday, rel: Rel) -> Date {
    let forward = i64::from(w.to_monday_zero_offset() - today.weekday().to_monday_zero_offset());
    let forward = forward.rem_euclid(7);
    let days = match rel {
        Rel::This => forward,
        Rel::Next => {
            if forward == 0 {
                7
            } else {
                forward
            }
        }
        Rel::Last => {
            let back = (7 - forward) % 7;
            -(if back == 0 { 7 } else { back })
        }
    };
    today.checked_add(days.days()).unwrap_or(today)
}

fn subtract(today: Date, wait: Wait, cal: &BusinessCalendar) -> Option<Date> {
    match wait {
        Wait::Days(n) => today.checked_sub(i64::from(n).days()).ok(),
        Wait::Weeks(n) => today.checked_sub(i64::from(n).weeks()).ok(),
        Wait::Months(n) => today.checked_sub(i64::from(n).months()).ok(),
        Wait::BusinessDays(n) => {
            let mut d = today;
            let mut left = n;
            while left > 0 {
                d = d.yesterday().ok()?;
                if cal.is_business_day(d) {
                    left -= 1;
                }
            }
            Some(d)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn p(s: &str) -> Result<Date, BadDate> {
        // Thu 5 Mar 2026.
        parse_date(s, date(2026, 3, 5), &BusinessCalendar::default())
    }

    #[test]
    fn iso_and_impossible_dates() {
        assert_eq!(p("2026-03-09").unwrap(), date(2026, 3, 9));
        let e = p("2026-02-30").unwrap_err();
        assert!(e.to_string().contains("no such day"), "{e}");
    }

    #[test]
    fn weeks_and_months_by_name() {
        // Thu 5 Mar 2026.
        assert_eq!(p("next week").unwrap(), date(2026, 3, 9));
        assert_eq!(p("Next  Week").unwrap(), date(2026, 3, 9));
        assert_eq!(p("end of week").unwrap(), date(2026, 3, 6));
        assert_eq!(p("next month").unwrap(), date(2026, 4, 5));
        assert_eq!(p("end of month").unwrap(), date(2026, 3, 31));
        let on = |s: &str, today| parse_date(s, today, &BusinessCalendar::default()).unwrap();
        assert_eq!(
            on("end of week", date(2026, 3, 6)),
            date(2026, 3, 6),
            "a Friday"
        );
        assert_eq!(
            on("next week", date(2026, 3, 8)),
            date(2026, 3, 9),
            "a Sunday"
        );
        assert_eq!(on("end of month", date(2028, 2, 10)), date(2028, 2, 29));
        assert_eq!(on("next month", date(2026, 1, 31)), date(2026, 2, 28));
    }

    #[test]
    fn weekdays_are_relative_to_today() {
        assert_eq!(p("next monday").unwrap(), date(2026, 3, 9));
        assert_eq!(p("monday").unwrap(), date(2026, 3, 9));
        assert_eq!(p("next thursday").unwrap(), date(2026, 3, 12));
        assert_eq!(p("this thursday").unwrap(), date(2026, 3, 5));
        assert_eq!(p("last thursday").unwrap(), date(2026, 2, 26));
        assert_eq!(p("last monday").unwrap(), date(2026, 3, 2));
        assert_eq!(p("Fri").unwrap(), date(2026, 3, 6));
    }

    #[test]
    fn spans_and_business_days() {
        assert_eq!(p("tomorrow").unwrap(), date(2026, 3, 6));
        assert_eq!(p("in 2 weeks").unwrap(), date(2026, 3, 19));
        assert_eq!(p("3 business days").unwrap(), date(2026, 3, 10));
        assert_eq!(p("3 bd").unwrap(), date(2026, 3, 10));
        assert_eq!(p("3 days ago").unwrap(), date(2026, 3, 2));
        assert_eq!(p("2 bd ago").unwrap(), date(2026, 3, 3));
    }

    #[test]
    fn month_names() {
        assert_eq!(p("31 March").unwrap(), date(2026, 3, 31));
        assert_eq!(p("Mar 9").unwrap(), date(2026, 3, 9));
        assert_eq!(p("9 mar 2027").unwrap(), date(2027, 3, 9));
        assert!(p("31 feb").is_err());
        assert!(p("someday").is_err());
        assert!(p("").is_err());
    }
}
