//! The one place in followup that reads the clock.

use jiff::civil::Date;

/// Today in the system's time zone. Everything else takes `today` as a parameter, so that
/// `--today` / `FOLLOWUP_TODAY` replays any scenario exactly.
#[allow(clippy::disallowed_methods)] // the one sanctioned clock read
pub fn system_today() -> Date {
    jiff::Zoned::now().date()
}
