//! The config file reader on arbitrary text: it answers, and a policy it accepts survives a
//! serde round trip unchanged (the preset/override layering itself is such a round trip, and
//! the web settings page writes the policy back).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(cfg) = followup_app::config::parse(text) {
        let json = serde_json::to_string(&cfg.policy).expect("a policy serializes");
        let back: followup_core::Policy =
            serde_json::from_str(&json).expect("a policy reads back what it wrote");
        assert_eq!(back, cfg.policy);
    }
});
