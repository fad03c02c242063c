//! Durations of RULES.md (`d`, `bd`, `w`, `mo`) and the business-day calendar of F16.
//!
//! Our own small calendar on jiff: there is no maintained multi-country holiday crate, and the
//! policy needs only a weekend set plus a list of holidays from config.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};

/// A duration as RULES.md writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Wait {
    Days(u32),
    BusinessDays(u32),
    Weeks(u32),
    Months(u32),
}

impl Wait {
    /// True when adding this wait counts business days (and so never needs moving).
    pub fn is_business(self) -> bool {
        matches!(self, Wait::BusinessDays(_))
    }
}

impl fmt::Display for Wait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Wait::Days(n) => write!(f, "{n} d"),
            Wait::BusinessDays(n) => write!(f, "{n} bd"),
            Wait::Weeks(n) => write!(f, "{n} w"),
            Wait::Months(n) => write!(f, "{n} mo"),
        }
    }
}

/// A duration that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected a duration like \"2 bd\", \"14 d\", \"3 weeks\" or \"1 month\", found {found:?}")]
pub struct BadWait {
    pub found: String,
}

impl FromStr for Wait {
    type Err = BadWait;
    fn from_str(s: &str) -> Result<Self, BadWait> {
        let bad = || BadWait {
            found: s.to_string(),
        };
        let t = s.trim().to_ascii_lowercase();
        let t = t.strip_prefix("in ").unwrap_or(&t).trim();
        let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
        if digits.is_empty() {
            return Err(bad());
        }
        let n: u32 = digits.parse().map_err(|_| bad())?;
        if n > 3660 {
            return Err(bad());
        }
        let unit = t[digits.len()..].trim();
        let w = match unit {
            "d" | "day" | "days" => Wait::Days(n),
            "bd" | "business day" | "business days" | "working day" | "working days" => {
                Wait::BusinessDays(n)
            }
            "w" | "wk" | "wks" | "week" | "weeks" => Wait::Weeks(n),
            "mo" | "month" | "months" => Wait::Months(n),
            _ => return Err(bad()),
        };
        Ok(w)
    }
}

impl Serialize for Wait {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = match self {
            Wait::Days(n) => format!("{n}d"),
            Wait::BusinessDays(n) => format!("{n}bd"),
            Wait::Weeks(n) => format!("{n}w"),
            Wait::Months(n) => format!("{n}mo"),
        };
        s.serialize_str(&text)
    }
}

impl<'de> Deserialize<'de> for Wait {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Which days are business days (F16).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusinessCalendar {
    /// The weekend, by English weekday name (`saturday`, `sunday`).
    #[serde(with = "weekday_names")]
    pub weekend: Vec<Weekday>,
    /// Holidays of the person's region.
    pub holidays: BTreeSet<Date>,
}

impl Default for BusinessCalendar {
    fn default() -> Self {
        BusinessCalendar {
            weekend: vec![Weekday::Saturday, Weekday::Sunday],
            holidays: BTreeSet::new(),
        }
    }
}

impl BusinessCalendar {
    /// True when `d` is neither a weekend day nor a holiday.
    pub fn is_business_day(&self, d: Date) -> bool {
        !self.weekend.contains(&d.weekday()) && !self.holidays.contains(&d)
    }

    /// `d` itself when it is a business day, else the next one (F16).
    pub fn on_or_after(&self, mut d: Date) -> Date {
        // A weekend of seven days would loop forever; the policy check refuses it, and this
        // bound keeps a bad policy from hanging the planner all the same.
        for _ in 0..3660 {
            if self.is_business_day(d) {
                return d;
            }
            d = next_day(d);
        }
        d
    }

    /// `d` plus `n` business days: the n-th business day after `d`.
    pub fn add_business_days(&self, mut d: Date, n: u32) -> Date {
        let mut left = n;
        let mut guard = 0u32;
        while left > 0 && guard < 3660 * 4 {
            d = next_day(d);
            if self.is_business_day(d) {
                left -= 1;
            }
            guard += 1;
        }
        d
    }

    /// `n` business days before `d` (`d` itself counts as a day only when it is before).
    pub fn sub_business_days(&self, mut d: Date, n: u32) -> Date {
        let mut left = n;
        let mut guard = 0u32;
        while left > 0 && guard < 3660 * 4 {
            match d.yesterday() {
                Ok(y) => d = y,
                Err(_) => break,
            }
            if self.is_business_day(d) {
                left -= 1;
            }
            guard += 1;
        }
        d
    }

    /// `d` plus the wait; calendar waits that land on a non-business day move to the next one.
    pub fn add(&self, d: Date, wait: Wait) -> Date {
        match wait {
            Wait::BusinessDays(n) => self.add_business_days(d, n),
            other => self.on_or_after(add_calendar(d, other)),
        }
    }

    /// Business days from `a` (exclusive) to `b` (inclusive); zero when `b <= a`.
    pub fn business_days_between(&self, a: Date, b: Date) -> u32 {
        let mut n = 0;
        let mut d = a;
        while d < b {
            d = next_day(d);
            if self.is_business_day(d) {
                n += 1;
            }
        }
        n
    }
}

/// `d` plus a wait in plain calendar terms, never moved (occasions, F5's floor).
pub fn add_calendar(d: Date, wait: Wait) -> Date {
    let r = match wait {
        Wait::Days(n) | Wait::BusinessDays(n) => d.checked_add(i64::from(n).days()),
        Wait::Weeks(n) => d.checked_add(i64::from(n).weeks()),
        Wait::Months(n) => d.checked_add(i64::from(n).months()),
    };
    r.unwrap_or(Date::MAX)
}

/// The day after `d` (saturating at the end of jiff's range).
pub fn next_day(d: Date) -> Date {
    d.tomorrow().unwrap_or(d)
}

/// Parses an English weekday name or its three-letter form.
pub fn weekday_from_name(s: &str) -> Option<Weekday> {
    let s = s.trim().to_ascii_lowercase();
    let all = [
        ("monday", Weekday::Monday),
        ("tuesday", Weekday::Tuesday),
        ("wednesday", Weekday::Wednesday),
        ("thursday", Weekday::Thursday),
        ("friday", Weekday::Friday),
        ("saturday", Weekday::Saturday),
        ("sunday", Weekday::Sunday),
    ];
    all.iter()
        .find(|(name, _)| s == *name || (s.len() >= 3 && name.starts_with(s.as_str())))
        .map(|(_, w)| *w)
}

/// The English name of a weekday, lowercase.
pub fn weekday_name(w: Weekday) -> &'static str {
    match w {
        Weekday::Monday => "monday",
        Weekday::Tuesday => "tuesday",
        Weekday::Wednesday => "wednesday",
        Weekday::Thursday => "thursday",
        Weekday::Friday => "friday",
        Weekday::Saturday => "saturday",
        Weekday::Sunday => "sunday",
    }
}

mod weekday_names {
    use super::{weekday_from_name, weekday_name};
    use jiff::civil::Weekday;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[Weekday], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|w| weekday_name(*w)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Weekday>, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        names
            .iter()
            .map(|n| {
                weekday_from_name(n).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "expected a weekday name like \"saturday\", found {n:?}"
                    ))
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn business_days_skip_weekend_and_holidays() {
        let mut cal = BusinessCalendar::default();
        // Wed 11 Mar + 4 bd = Tue 17 Mar (RULES.md example 5).
        assert_eq!(
            cal.add(date(2026, 3, 11), Wait::BusinessDays(4)),
            date(2026, 3, 17)
        );
        cal.holidays.insert(date(2026, 7, 3));
        // Thu 2 Jul + 2 bd skips Fri 3 Jul (holiday) and the weekend (example 14).
        assert_eq!(
            cal.add(date(2026, 7, 2), Wait::BusinessDays(2)),
            date(2026, 7, 7)
        );
    }

    #[test]
    fn calendar_waits_move_off_weekends() {
        let cal = BusinessCalendar::default();
        // Sat 7 Mar + 7 d = Sat 14 Mar, moved to Mon 16 Mar.
        assert_eq!(cal.add(date(2026, 3, 7), Wait::Days(7)), date(2026, 3, 16));
        assert_eq!(cal.on_or_after(date(2026, 3, 16)), date(2026, 3, 16));
    }

    #[test]
    fn waits_parse_in_many_spellings() {
        assert_eq!("3 weeks".parse::<Wait>().unwrap(), Wait::Weeks(3));
        assert_eq!("2bd".parse::<Wait>().unwrap(), Wait::BusinessDays(2));
        assert_eq!(
            "3 business days".parse::<Wait>().unwrap(),
            Wait::BusinessDays(3)
        );
        assert_eq!("in 14 days".parse::<Wait>().unwrap(), Wait::Days(14));
        assert_eq!("1 month".parse::<Wait>().unwrap(), Wait::Months(1));
        assert!("soon".parse::<Wait>().is_err());
        assert!("3 fortnights".parse::<Wait>().is_err());
    }

    #[test]
    fn business_days_between_counts_exclusive_start() {
        let cal = BusinessCalendar::default();
        assert_eq!(
            cal.business_days_between(date(2026, 3, 9), date(2026, 3, 10)),
            1
        );
        assert_eq!(
            cal.business_days_between(date(2026, 3, 6), date(2026, 3, 9)),
            1
        );
        assert_eq!(
            cal.business_days_between(date(2026, 3, 9), date(2026, 3, 9)),
            0
        );
    }
}
