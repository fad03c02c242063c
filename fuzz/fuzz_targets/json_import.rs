//! `import json` on arbitrary text into an empty database: it answers, and what it accepts
//! exports, re-imports into another empty database and exports byte-identically (the
//! export's promise, docs/DESIGN.md "Export is the log").
#![no_main]

use followup_app::{App, Config};
use jiff::civil::{Date, date};
use libfuzzer_sys::fuzz_target;

const TODAY: Date = date(2026, 3, 9);

fn empty_app() -> App {
    let store = followup_store::SqliteStore::in_memory().expect("an in-memory database opens");
    App::with_store(Box::new(store), Config::default(), TODAY)
}

fuzz_target!(|text: &str| {
    let mut app = empty_app();
    if app.import_json("fuzz", text).is_err() {
        return;
    }
    let first = app.export_json().expect("what was imported exports");
    let mut again = empty_app();
    again
        .import_json("export", &first)
        .unwrap_or_else(|e| panic!("an export does not import: {e}"));
    let second = again.export_json().expect("what was imported exports");
    assert!(first == second, "export, import, export differ");
});
