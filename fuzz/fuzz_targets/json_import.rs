//! `import json` on arbitrary text into an empty database: it answers, and what it accepts
//! exports, re-imports into another empty database and exports byte-identically (the
//! export's promise, docs/DESIGN.md "Export is the log").
#![no_main]

use std::sync::Arc;

use followup_app::{App, Config, Ctx};
use jiff::civil::{Date, date};
use libfuzzer_sys::fuzz_target;

const TODAY: Date = date(2026, 3, 9);

fn empty_app() -> (App, Ctx) {
    let store = followup_store::SqliteStore::in_memory().expect("an in-memory database opens");
    let app = App::with_store(Arc::new(store), Config::default());
    let cx = app.ctx(TODAY).expect("a context");
    (app, cx)
}

fuzz_target!(|text: &str| {
    let (app, cx) = empty_app();
    if app.import_json(&cx, "fuzz", text).is_err() {
        return;
    }
    let first = app.export_json(&cx).expect("what was imported exports");
    let (again, cx2) = empty_app();
    again
        .import_json(&cx2, "export", &first)
        .unwrap_or_else(|e| panic!("an export does not import: {e}"));
    let second = again.export_json(&cx2).expect("what was imported exports");
    assert!(first == second, "export, import, export differ");
});
