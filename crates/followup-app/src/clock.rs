//! The one place in followup that reads the clock.

use jiff::civil::Date;

/// Today in the system's time zone. Everything else takes `today` as a parameter, so that
/// `--today` / `FOLLOWUP_TODAY` replays any scenario exactly.
#[allow(clippy::disallowed_methods)] // the one sanctioned clock read
pub fn system_today() -> Date {
    jiff::Zoned::now().date()
}

/// Today in `tz`: the owner's time zone, when they set one (F16: dates are civil dates in the
/// person's time zone, whatever zone the server runs in).
#[allow(clippy::disallowed_methods)] // the same clock read, in another zone
fn today_in(tz: &jiff::tz::TimeZone) -> Date {
    jiff::Timestamp::now().to_zoned(tz.clone()).date()
}

/// Today for an owner: in their time zone when they set one, else the system's.
pub fn owners_today(tz: Option<&jiff::tz::TimeZone>) -> Date {
    match tz {
        Some(tz) => today_in(tz),
        None => system_today(),
    }
}

/// The moment it is, for what real time governs and a pinned day must not: when a session
/// or an invitation runs out, when a token was made.
#[allow(clippy::disallowed_methods)] // the same clock read, as an instant
pub fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}
