//! Turning what a person typed into typed values, for the front ends: each calls these with
//! the [`Field`] the text came from, and names the field its own way when one is refused.

use followup_core::dates::parse_date;
use followup_core::model::UnknownWord;
use jiff::civil::Date;

use crate::Ctx;
use crate::error::{Field, Result, invalid};

/// A date phrase ("2026-03-10", "tomorrow", "in 2 weeks", "friday"), relative to the
/// context's day.
pub fn day(cx: &Ctx, field: Field, text: &str) -> Result<Date> {
    parse_date(text, cx.today, &cx.policy.calendar).map_err(|e| invalid(field, e.to_string()))
}

/// A date phrase for something that has happened: today or before.
pub fn past_day(cx: &Ctx, field: Field, text: &str) -> Result<Date> {
    let d = day(cx, field, text)?;
    if d > cx.today {
        return Err(invalid(
            field,
            format!(
                "{d} is after today ({}); log what has happened, promise what will",
                cx.today
            ),
        ));
    }
    Ok(d)
}

/// An optional date phrase.
pub fn opt_day(cx: &Ctx, field: Field, text: Option<&str>) -> Result<Option<Date>> {
    text.map(|t| day(cx, field, t)).transpose()
}

/// A word of the rules' vocabulary: a kind, a stage, a tier, a channel, a direction.
pub fn word<T: std::str::FromStr<Err = UnknownWord>>(field: Field, s: &str) -> Result<T> {
    s.parse::<T>().map_err(|e| invalid(field, e.to_string()))
}

/// An optional word.
pub fn opt_word<T: std::str::FromStr<Err = UnknownWord>>(
    field: Field,
    s: Option<&str>,
) -> Result<Option<T>> {
    s.map(|s| word(field, s)).transpose()
}

/// A word that may be cleared: absent leaves it alone, empty (or "none") clears it.
pub fn clearable_word<T: std::str::FromStr<Err = UnknownWord>>(
    field: Field,
    s: Option<&str>,
) -> Result<Option<Option<T>>> {
    match s.map(str::trim) {
        None => Ok(None),
        Some("") | Some("none") => Ok(Some(None)),
        Some(t) => word(field, t).map(|w| Some(Some(w))),
    }
}

/// A date that may be cleared: absent leaves it alone, empty clears it.
pub fn clearable_day(cx: &Ctx, field: Field, s: Option<&str>) -> Result<Option<Option<Date>>> {
    match s.map(str::trim) {
        None => Ok(None),
        Some("") => Ok(Some(None)),
        Some(t) => day(cx, field, t).map(|d| Some(Some(d))),
    }
}

/// A wait ("3 weeks") that may be cleared: `None` leaves it, `""` clears it.
pub fn clearable_wait(
    field: Field,
    s: Option<&str>,
) -> Result<Option<Option<followup_core::Wait>>> {
    match s.map(str::trim) {
        None => Ok(None),
        Some("") => Ok(Some(None)),
        Some(t) => t
            .parse::<followup_core::Wait>()
            .map(|w| Some(Some(w)))
            .map_err(|e| crate::error::invalid(field, e.to_string())),
    }
}
