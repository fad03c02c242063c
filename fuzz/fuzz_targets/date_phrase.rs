//! Date phrases and durations on arbitrary text, against a fuzzed today and weekend: they
//! answer, a date read back from its ISO form is the same date, and a duration read back from
//! its display is the same duration.
#![no_main]

use followup_core::{BusinessCalendar, Wait, parse_date};
use jiff::civil::{Date, Weekday, date};
use libfuzzer_sys::fuzz_target;

const WEEKDAYS: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

fuzz_target!(|data: &[u8]| {
    let [a, b, mask, rest @ ..] = data else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    // Today anywhere in 1900..=2079, so phrases near the edges of the range are reached.
    let offset = i64::from(u16::from_le_bytes([*a, *b]));
    let today = date(1900, 1, 1)
        .checked_add(jiff::Span::new().days(offset))
        .expect("in range");
    // Any weekend the policy check accepts (fewer than seven days), plus today as a holiday
    // on odd masks, so business-day counting sees holidays too.
    let weekend: Vec<Weekday> = (0..7)
        .filter(|i| mask & (1 << i) != 0)
        .map(|i| WEEKDAYS[i])
        .collect();
    if weekend.len() >= 7 {
        return;
    }
    let mut cal = BusinessCalendar {
        weekend,
        ..BusinessCalendar::default()
    };
    if mask & 0x80 != 0 {
        cal.holidays.insert(today);
    }

    if let Ok(d) = parse_date(text, today, &cal) {
        // Negative years are left out: the 1900-2200 rule refuses them (see fuzz/README.md).
        if d.year() >= 0 {
            let iso = d.to_string();
            let back: Result<Date, _> = parse_date(&iso, today, &cal);
            assert_eq!(back, Ok(d), "{text:?} -> {iso}");
        }
    }

    if let Ok(w) = text.parse::<Wait>() {
        let shown = w.to_string();
        assert_eq!(shown.parse::<Wait>(), Ok(w), "{text:?} -> {shown:?}");
    }
});
