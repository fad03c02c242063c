//! The holiday-calendar reader on arbitrary text: it answers, and a calendar it accepts yields
//! days in order without repeats (the policy keeps them in a set; the count is what we report).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(days) = followup_app::ics::holidays_from_ics("fuzz.ics", text) {
        assert!(!days.is_empty(), "accepted a calendar with no days");
        assert!(
            days.windows(2).all(|w| w[0] < w[1]),
            "days out of order or repeated"
        );
    }
});
