//! The vCard importer on arbitrary bytes: it answers (people or an error), and everyone it
//! returns has a name, since the merge keys contacts by name.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((people, _skipped)) = followup_app::import::vcard::parse("fuzz.vcf", data) {
        for p in &people {
            assert!(!p.name.trim().is_empty(), "a person without a name: {p:?}");
        }
    }
});
