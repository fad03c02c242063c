//! The real `followup` binary against temporary databases: the README's journey, bad input
//! (exit code 2, one line, the database byte-for-byte unchanged), JSON shapes, the demo, and
//! the incremental plan equal to a full replan. One integration-test binary for the crate.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

mod mail;
mod team;

struct Db {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn db() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("followup.db");
    Db { _dir: dir, path }
}

fn run(db: &Path, today: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_followup"))
        .args(args)
        .env("FOLLOWUP_DB", db)
        .env("FOLLOWUP_TODAY", today)
        .env_remove("FOLLOWUP_CONFIG")
        .env("XDG_CONFIG_HOME", db.parent().unwrap())
        .output()
        .expect("runs")
}

fn ok(db: &Path, today: &str, args: &[&str]) -> String {
    let out = run(db, today, args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(db: &Path, today: &str, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(db, today, &all)).expect("valid JSON")
}

/// The journey of the foundation issue, as a newcomer types it.
fn dana_journey(db: &Path) {
    let t = "2026-03-06";
    let c = json(
        db,
        t,
        &[
            "contact",
            "add",
            "Dana Reyes",
            "--email",
            "dana@northwind.example",
            "--company",
            "Northwind",
            "--title",
            "Talent Partner",
            "--tier",
            "regular",
            "--prefers",
            "email",
            "--birthday",
            "1988-02-29",
        ],
    );
    assert_eq!(c["id"], 1);
    assert_eq!(c["organization"]["name"], "Northwind");
    let j = json(
        db,
        t,
        &[
            "job",
            "add",
            "Northwind",
            "Senior Data Engineer",
            "--contact",
            "Dana Reyes",
            "--applied",
            "2026-03-02",
            "--response-time",
            "3 weeks",
            "--url",
            "https://northwind.example/jobs/42",
        ],
    );
    assert_eq!(j["id"], 1);
    assert_eq!(j["stage"], "applied");
    assert_eq!(j["response_time"], "3w");
}

#[test]
fn the_foundation_journey() {
    let d = db();
    dana_journey(&d.path);
    let out = run(
        &d.path,
        "2026-03-06",
        &[
            "log",
            "interview",
            "--with",
            "Dana Reyes",
            "--job",
            "1",
            "--on",
            "last thursday",
            "--they-decide-by",
            "next monday",
            "--note",
            "they struggle with late data in the billing pipeline",
        ],
    );
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("Thu 5 Mar"), "{stdout}");
    assert!(
        stdout.contains("thank-you"),
        "F1 shows the next date: {stdout}"
    );
    assert!(stderr.contains("F17"), "unasked questions warned: {stderr}");
    let logged = json(
        &d.path,
        "2026-03-06",
        &[
            "log",
            "thank-you",
            "--with",
            "Dana Reyes",
            "--job",
            "1",
            "--i-will-follow-up",
            "2026-03-31",
        ],
    );
    assert_eq!(logged["touch"]["kind"], "thank-you");
    assert_eq!(logged["next"][0]["due"], "2026-03-31");
    assert_eq!(logged["next"][0]["rule"], "F2");
    assert!(logged["warnings"].as_array().unwrap().is_empty());

    let show = ok(&d.path, "2026-03-06", &["contact", "show", "Dana Reyes"]);
    for want in [
        "Dana Reyes",
        "interview",
        "thank-you",
        "application",
        "Tue 31 Mar",
        "billing pipeline",
    ] {
        assert!(show.contains(want), "missing {want:?} in\n{show}");
    }
    let v = json(&d.path, "2026-03-06", &["contact", "show", "1"]);
    assert_eq!(v["timeline"].as_array().unwrap().len(), 3);
    assert_eq!(v["promises"].as_array().unwrap().len(), 2);
    let jobs = json(&d.path, "2026-03-06", &["job", "list"]);
    assert_eq!(
        jobs[0]["stage"], "interviewing",
        "an interview moves the stage"
    );
    assert_eq!(jobs[0]["contacts"], serde_json::json!([1]));
}

#[test]
fn agenda_json_has_the_documented_shape_and_example_01_replays() {
    let d = db();
    dana_journey(&d.path);
    ok(
        &d.path,
        "2026-03-05",
        &[
            "log",
            "interview",
            "--with",
            "1",
            "--job",
            "Northwind",
            "--they-decide-by",
            "next monday",
        ],
    );
    let items = json(&d.path, "2026-03-05", &["agenda"]);
    let items = items.as_array().unwrap();
    let ty = items
        .iter()
        .find(|i| i["action"] == "thank-you")
        .expect("thank-you item");
    assert_eq!(ty["due"], "2026-03-06");
    assert_eq!(ty["rule"], "F6");
    assert_eq!(ty["then"]["due"], "2026-03-11");
    assert_eq!(ty["then"]["rule"], "F3");
    for field in [
        "id",
        "due",
        "overdue_days",
        "action",
        "rule",
        "why",
        "channel",
        "contact",
        "jobs",
    ] {
        assert!(ty.get(field).is_some(), "agenda item lacks {field}");
    }
    assert_eq!(ty["contact"]["name"], "Dana Reyes");
    assert_eq!(ty["jobs"][0]["organization"], "Northwind");
    assert_eq!(ty["jobs"][0]["title"], "Senior Data Engineer");
    assert!(
        items.iter().any(|i| i["action"] == "pipeline"),
        "F18 with one open job"
    );

    // Sending the thank-you (done) turns the F3 date into a promise (F6), due 11 Mar.
    let id = ty["id"].as_i64().unwrap().to_string();
    let done = json(&d.path, "2026-03-06", &["done", &id]);
    assert_eq!(done["touch"]["kind"], "thank-you");
    assert_eq!(done["next"][0]["due"], "2026-03-11");
    let text = ok(&d.path, "2026-03-06", &["agenda"]);
    assert!(text.contains("Wed 11 Mar"), "{text}");

    // Snooze, then the item comes back on Friday.
    let snoozed = json(
        &d.path,
        "2026-03-06",
        &["snooze", &id, "--until", "2026-03-13"],
    );
    assert_eq!(snoozed["due"], "2026-03-13");
    let items = json(&d.path, "2026-03-06", &["agenda", "--until", "2026-03-12"]);
    assert!(
        items
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["id"].as_i64() != Some(id.parse().unwrap()))
    );
}

#[test]
fn pestering_warns_and_still_logs() {
    let d = db();
    dana_journey(&d.path);
    ok(
        &d.path,
        "2026-03-09",
        &["log", "follow-up", "--with", "Dana Reyes", "--job", "1"],
    );
    let out = run(
        &d.path,
        "2026-03-10",
        &["log", "follow-up", "--with", "Dana Reyes", "--job", "1"],
    );
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("F15") && err.contains("3 bd"), "{err}");
    let v = json(
        &d.path,
        "2026-03-10",
        &["log", "value-add", "--with", "Dana Reyes", "--job", "1"],
    );
    assert_eq!(v["warnings"][0]["rule"], "F15");
}

/// Every rejected command: exit 2, one line naming the argument, database unchanged.
#[test]
fn bad_input_changes_nothing() {
    let d = db();
    dana_journey(&d.path);
    ok(&d.path, "2026-03-06", &["contact", "add", "Dana Scully"]);
    ok(&d.path, "2026-03-06", &["job", "add", "Contoso", "Analyst"]);
    ok(&d.path, "2026-03-06", &["job", "close", "2", "withdrawn"]);
    let before = std::fs::read(&d.path).unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["log", "interview", "--with", "1", "--on", "2026-02-30"],
            "--on",
        ),
        (&["log", "interveiw", "--with", "1"], "KIND"),
        (
            &["log", "interview", "--with", "Nobody Here"],
            "Nobody Here",
        ),
        (&["log", "interview", "--with", "Dana"], "ambiguous"),
        (&["log", "interview", "--with", "1", "--job", "99"], "99"),
        (
            &["log", "interview", "--with", "1", "--on", "tomorrow"],
            "after today",
        ),
        (
            &[
                "log",
                "reply",
                "--with",
                "1",
                "--they-decide-by",
                "2026-03-01",
            ],
            "--they-decide-by",
        ),
        (&["log", "interview"], "--with"),
        (&["job", "close", "2", "rejected"], "already closed"),
        (&["job", "close", "1", "maybe"], "OUTCOME"),
        (&["job", "stage", "1", "accepted"], "job close"),
        (&["contact", "add", "Sam", "--tier", "vip"], "--tier"),
        (
            &["contact", "add", "Sam", "--email", "not-an-address"],
            "--email",
        ),
        (
            &["contact", "add", "Sam", "--birthday", "1990-13-01"],
            "--birthday",
        ),
        (&["contact", "edit", "1"], "nothing to change"),
        (
            &[
                "job",
                "add",
                "Initech",
                "Engineer",
                "--response-time",
                "soon",
            ],
            "--response-time",
        ),
        (
            &["job", "add", "Initech", "Engineer", "--contact", "Zed"],
            "Zed",
        ),
        (&["agenda", "--until", "yesterday"], "--until"),
        (&["snooze", "999", "--until", "friday"], "999"),
        (&["done", "0"], "pipeline"),
        (&["--today", "someday", "agenda"], "--today"),
        (&["demo"], "already holds data"),
        // Trust at the edges: text, dates and the command line itself.
        (&["contact", "add", "Evil\u{1b}[2J"], "control characters"),
        (
            &["contact", "add", LONG_NAME.as_str()],
            "at most 200 characters",
        ),
        (
            &["contact", "add", "Sam", "--notes", "bell\u{7}"],
            "--notes",
        ),
        (&["contact", "add", "Sam", "--phone", "call me"], "--phone"),
        (
            &["contact", "add", "Sam", "--linkedin", "javascript:alert(1)"],
            "--linkedin",
        ),
        (
            &["contact", "add", "Sam", "--birthday", "9999-12-31"],
            "outside 1900-2200",
        ),
        (
            &["log", "follow-up", "--with", "1", "--on", "0000-01-01"],
            "outside 1900-2200",
        ),
        (&["--today", "0000-01-01", "agenda"], "--today"),
        (&["draft", "9", "--template", "nonsense"], "--template"),
        (&["contact", "lst"], "followup contact --help"),
        (&["log", "follow-up", "--wiht", "1"], "--with"),
        (
            &["contact", "show", HUGE_NAME.as_str()],
            "no contact matches",
        ),
    ];
    for (args, needle) in cases {
        let mut full = vec!["--db", d.path.to_str().unwrap()];
        full.extend_from_slice(args);
        let out = run(&d.path, "2026-03-06", &full);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.starts_with("followup: error: "), "{args:?}: {err}");
        assert!(err.len() < 400, "{args:?}: a short line, got {}", err.len());
        assert_eq!(
            err.trim_end().lines().count(),
            1,
            "{args:?}: one line, got {err}"
        );
        assert!(
            err.contains(needle),
            "{args:?}: {err:?} should name {needle:?}"
        );
        assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
        assert_eq!(
            before,
            std::fs::read(&d.path).unwrap(),
            "{args:?} changed the database"
        );
    }
}

static LONG_NAME: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| "x".repeat(201));
static HUGE_NAME: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| "Dana ".repeat(12_000));

#[test]
fn a_mistyped_db_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("typo").join("x.db");
    let csv = dir.path().join("c.csv");
    std::fs::write(&csv, "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\nAnn,Lee,https://www.linkedin.com/in/ann,,,,01 Mar 2026\r\n").unwrap();
    for args in [
        vec!["contact", "list"],
        vec!["agenda"],
        vec!["export", "-"],
        vec!["replan"],
        vec!["import", "linkedin", csv.to_str().unwrap(), "--dry-run"],
    ] {
        let out = run(&typo, "2026-03-06", &args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("no database at") && err.contains("followup where"),
            "{args:?}: {err}"
        );
        assert!(
            !dir.path().join("typo").exists(),
            "{args:?} created a folder"
        );
    }
    // `where` says where, and creates nothing either.
    let out = ok(&typo, "2026-03-06", &["where"]);
    assert!(out.contains("not created yet"), "{out}");
    assert!(!dir.path().join("typo").exists());
    // A refused import into a new path leaves no database behind.
    std::fs::write(&csv, "no header here\n").unwrap();
    let out = run(
        &typo,
        "2026-03-06",
        &["import", "linkedin", csv.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(!typo.exists(), "a refused import created the database");
}

#[test]
fn imports_are_scrubbed_capped_and_checked() {
    let d = db();
    let dir = d.path.parent().unwrap();
    // Control characters from a file are removed; an address that is not one is left out.
    let csv = dir.join("Connections.csv");
    std::fs::write(
        &csv,
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n\
         Ann\u{1b}]0;pwned\u{7},Lee,https://www.linkedin.com/in/ann,not-an-address,=HYPERLINK(\"http://x\"),Analyst,01 Mar 2026\r\n\
         Sam,One,javascript:alert(1),,Acme,,01 Mar 2026\r\n",
    )
    .unwrap();
    let out = ok(
        &d.path,
        "2026-03-06",
        &["import", "linkedin", csv.to_str().unwrap()],
    );
    assert!(out.contains("left out"), "{out}");
    let contacts = json(&d.path, "2026-03-06", &["contact", "list"]);
    let ann = &contacts[0];
    assert_eq!(ann["name"], "Ann]0;pwned Lee");
    assert_eq!(ann["emails"].as_array().unwrap().len(), 0);
    assert!(contacts[1].get("linkedin").is_none(), "{:?}", contacts[1]);
    // CSV export neutralizes the formula the file carried.
    let csv_out = ok(&d.path, "2026-03-06", &["export", "-", "--csv", "contacts"]);
    assert!(
        csv_out.contains("\"'=HYPERLINK(\"\"http://x\"\")\""),
        "{csv_out}"
    );
    // A 5,000-character company refuses the whole file, naming the line.
    let before = std::fs::read(&d.path).unwrap();
    std::fs::write(
        &csv,
        format!(
            "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\nBo,Ng,,,{},,01 Mar 2026\r\n",
            "x".repeat(5000)
        ),
    )
    .unwrap();
    let out = run(
        &d.path,
        "2026-03-06",
        &["import", "linkedin", csv.to_str().unwrap()],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("line 2: organization: at most 200 characters"),
        "{err}"
    );
    assert_eq!(before, std::fs::read(&d.path).unwrap());
}

#[test]
fn an_ambiguous_name_lists_ten_and_counts_the_rest() {
    let d = db();
    let csv = d.path.parent().unwrap().join("c.csv");
    let mut text =
        String::from("First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n");
    for i in 0..25 {
        text.push_str(&format!("Sam,Person{i},,,,,01 Mar 2026\r\n"));
    }
    std::fs::write(&csv, text).unwrap();
    ok(
        &d.path,
        "2026-03-06",
        &["import", "linkedin", csv.to_str().unwrap()],
    );
    let out = run(&d.path, "2026-03-06", &["contact", "show", "sam"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.matches("(#").count(), 10, "{err}");
    assert!(err.contains("and 15 more"), "{err}");
    // Names with LIKE's special characters are plain text to the lookup.
    let out = run(&d.path, "2026-03-06", &["contact", "show", "%_%"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no contact matches"));
}

#[test]
fn a_json_import_with_a_broken_log_is_refused_whole() {
    let d = db();
    dana_journey(&d.path);
    let export: Value = serde_json::from_str(&ok(&d.path, "2026-03-06", &["export", "-"])).unwrap();
    let events = export["events"].as_array().unwrap().clone();
    let find = |kind: &str| {
        events
            .iter()
            .position(|e| e["event"]["event"] == kind)
            .unwrap_or_else(|| panic!("no {kind} in {events:?}"))
    };
    let touch = find("touch-logged");
    let contact = find("contact-added");
    type Edit = Box<dyn Fn(&mut Vec<Value>)>;
    let cases: Vec<(&str, Edit, String)> = vec![
        (
            "dangling contact",
            Box::new(move |e| e[touch]["event"]["touch"]["contacts"] = serde_json::json!([999])),
            format!(
                "event {} (touch-logged): contact 999 does not exist",
                touch + 1
            ),
        ),
        (
            "missing organization",
            Box::new(move |e| {
                e[contact]["event"]["contact"]["organization"] =
                    serde_json::json!({"id": 77, "name": "Nowhere"})
            }),
            format!(
                "event {} (contact-added): organization 77 does not exist",
                contact + 1
            ),
        ),
        (
            "duplicate id",
            Box::new(move |e| {
                let again = e[contact].clone();
                e.insert(contact + 1, again)
            }),
            format!(
                "event {} (contact-added): contact 1 is added twice",
                contact + 2
            ),
        ),
        (
            "out of order",
            Box::new(move |e| {
                let t = e.remove(touch);
                e.insert(0, t)
            }),
            "event 1 (touch-logged): contact 1 does not exist".to_string(),
        ),
        (
            "a touch in 9999",
            Box::new(move |e| e[touch]["event"]["touch"]["date"] = serde_json::json!("9999-12-31")),
            format!(
                "event {} (touch-logged): date 9999-12-31 is outside 1900-2200",
                touch + 1
            ),
        ),
        (
            "recorded out of order",
            Box::new(move |e| e[1]["recorded_on"] = serde_json::json!("2026-03-05")),
            "event 2 (".to_string(),
        ),
        (
            "an id below an earlier one",
            Box::new(move |e| {
                let mut again = e[contact].clone();
                again["event"]["contact"]["id"] = serde_json::json!(0);
                e.insert(contact + 1, again)
            }),
            format!(
                "event {} (contact-added): contact id 0: ids start at 1",
                contact + 2
            ),
        ),
        (
            "recorded after today",
            Box::new(move |e| e[touch]["recorded_on"] = serde_json::json!("2027-01-01")),
            format!(
                "event {} (touch-logged): recorded on 2027-01-01, after today (2026-03-06)",
                touch + 1
            ),
        ),
        (
            "a control character",
            Box::new(move |e| {
                e[contact]["event"]["contact"]["name"] = serde_json::json!("Dana\u{1b}[2J")
            }),
            format!(
                "event {} (contact-added): name: control characters",
                contact + 1
            ),
        ),
    ];
    for (what, edit, want) in cases {
        let mut broken = export.clone();
        let mut evs = events.clone();
        edit(&mut evs);
        broken["events"] = Value::Array(evs);
        let file = d.path.parent().unwrap().join("broken.json");
        std::fs::write(&file, serde_json::to_string(&broken).unwrap()).unwrap();
        let target = d.path.parent().unwrap().join("target.db");
        let out = run(
            &target,
            "2026-03-06",
            &["import", "json", file.to_str().unwrap()],
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: {err}");
        assert!(
            err.contains(&want),
            "{what}: {err:?} should contain {want:?}"
        );
        if what == "recorded out of order" {
            assert!(err.contains("the log is out of order"), "{err}");
        }
        assert_eq!(err.trim_end().lines().count(), 1, "{what}: {err}");
        assert!(
            !target.exists(),
            "{what}: the refused import created the database"
        );
    }
}

#[test]
fn a_broken_holiday_file_is_skipped_with_a_warning() {
    let d = db();
    dana_journey(&d.path);
    let holidays = d.path.parent().unwrap().join("followup").join("holidays");
    std::fs::create_dir_all(&holidays).unwrap();
    std::fs::write(holidays.join("cut.days"), "2026-07-03\n2026-1").unwrap();
    std::fs::write(holidays.join(".cut.days.123.tmp"), "garbage").unwrap();
    for args in [&["where"][..], &["agenda"], &["contact", "list"]] {
        let out = run(&d.path, "2026-03-06", args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.starts_with("followup: warning: ") && err.contains("cut.days: line 2"),
            "{args:?}: {err}"
        );
    }
    // A calendar that marks every day is refused before anything is kept.
    let mut ics = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n");
    let mut day: jiff::civil::Date = "2027-01-01".parse().unwrap();
    while day.year() == 2027 {
        ics.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:{day}\r\nDTSTART;VALUE=DATE:{}\r\nEND:VEVENT\r\n",
            day.strftime("%Y%m%d")
        ));
        day = day.tomorrow().unwrap();
    }
    ics.push_str("END:VCALENDAR\r\n");
    let cal = d.path.parent().unwrap().join("every.ics");
    std::fs::write(&cal, ics).unwrap();
    let out = run(
        &d.path,
        "2026-03-06",
        &["import", "holidays", cal.to_str().unwrap()],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("leaves 0 business days in 2027"), "{err}");
    assert!(!holidays.join("every.days").exists());
}

#[test]
fn a_held_write_lock_is_named_after_a_bounded_wait() {
    let d = db();
    dana_journey(&d.path);
    // Another process takes the write lock and holds it past our wait.
    let mut holder = Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys,time\n\
             c=sqlite3.connect(sys.argv[1],isolation_level=None)\n\
             c.execute('BEGIN IMMEDIATE')\nprint('locked',flush=True)\ntime.sleep(12)",
            d.path.to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(holder.stdout.as_mut().unwrap()),
        &mut line,
    )
    .unwrap();
    assert_eq!(line.trim(), "locked");
    let started = std::time::Instant::now();
    let out = run(&d.path, "2026-03-06", &["log", "note", "--with", "1"]);
    let waited = started.elapsed();
    let _ = holder.kill();
    let _ = holder.wait();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("another followup is writing to"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        waited.as_secs() >= 4,
        "it waited {waited:?} before giving up"
    );
}

/// A name stored before names were checked (an older followup, another program writing the
/// file) still cannot drive the terminal: every control character is shown escaped.
#[test]
fn a_stored_control_character_is_shown_escaped() {
    let d = db();
    ok(
        &d.path,
        "2026-03-06",
        &["contact", "add", "Dana Reyes", "--tier", "critical"],
    );
    let evil = "Dana\u{1b}]0;owned\u{7}\u{1b}[2J Reyes";
    let status = Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys,json\n\
             c=sqlite3.connect(sys.argv[1])\n\
             d=json.loads(c.execute('SELECT data FROM contacts').fetchone()[0])\n\
             d['name']=sys.argv[2]\n\
             c.execute('UPDATE contacts SET name=?, data=?',(sys.argv[2],json.dumps(d)))\n\
             c.commit()",
            d.path.to_str().unwrap(),
            evil,
        ])
        .status()
        .expect("python3 runs");
    assert!(status.success());
    // (The agenda names contacts as their plan was written, before the file was changed.)
    for args in [&["contact", "list"][..], &["contact", "show", "1"]] {
        let out = run(&d.path, "2026-03-06", args);
        assert!(out.status.success(), "{args:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{args:?}: raw control characters"
        );
        assert!(
            text.contains("Dana\\u{1b}]0;owned\\u{7}\\u{1b}[2J Reyes"),
            "{args:?}: {text}"
        );
    }
}

#[test]
fn a_newer_database_is_refused() {
    let d = db();
    dana_journey(&d.path);
    let conn = rusqlite_free_set_version(&d.path, 99);
    assert!(conn);
    let out = run(&d.path, "2026-03-06", &["agenda"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("newer"));
}

/// Sets SQLite's user_version without linking rusqlite into this test: the header field at
/// byte offset 60 (big-endian) is the user version.
fn rusqlite_free_set_version(path: &Path, v: u32) -> bool {
    let mut bytes = std::fs::read(path).unwrap();
    bytes[60..64].copy_from_slice(&v.to_be_bytes());
    std::fs::write(path, bytes).is_ok()
}

#[test]
fn the_demo_shows_every_action() {
    let d = db();
    let items = json(
        &d.path,
        "2026-11-23",
        &["--db", d.path.to_str().unwrap(), "demo"],
    );
    let actions: std::collections::BTreeSet<String> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["action"].as_str().unwrap().to_string())
        .collect();
    for a in [
        "thank-you",
        "follow-up",
        "retry",
        "value-add",
        "move-on-review",
        "rejection-reply",
        "keep-in-touch",
        "occasion",
        "pipeline",
    ] {
        assert!(actions.contains(a), "demo agenda lacks {a}: {actions:?}");
    }
    let jobs = json(&d.path, "2026-11-23", &["job", "list"]);
    let stages: std::collections::BTreeSet<String> = jobs
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["stage"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(stages.len(), 8, "every stage: {stages:?}");
    let contacts = json(&d.path, "2026-11-23", &["contact", "list"]);
    assert!(contacts.as_array().unwrap().len() >= 20);
    let events = json(&d.path, "2026-11-23", &["events"]);
    let touches = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"]["event"] == "touch-logged")
        .count();
    assert!(touches >= 60, "{touches} touches");

    // Same inputs, same agenda, to the byte.
    let again = db();
    let second = json(
        &again.path,
        "2026-11-23",
        &["--db", again.path.to_str().unwrap(), "demo"],
    );
    assert_eq!(items, second);

    // The incremental plan equals the full rebuild.
    let incremental = serde_json::to_string(&json(
        &d.path,
        "2026-11-23",
        &["agenda", "--until", "2028-01-01"],
    ))
    .unwrap();
    ok(&d.path, "2026-11-23", &["replan"]);
    let full = serde_json::to_string(&json(
        &d.path,
        "2026-11-23",
        &["agenda", "--until", "2028-01-01"],
    ))
    .unwrap();
    assert_eq!(incremental, full);
}

#[test]
fn config_overrides_the_policy() {
    let d = db();
    dana_journey(&d.path);
    let cfg = d.path.parent().unwrap().join("eager.toml");
    std::fs::write(&cfg, "preset = \"eager\"\n").unwrap();
    ok(
        &d.path,
        "2026-03-05",
        &["log", "interview", "--with", "1", "--job", "1"],
    );
    let then = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|i| i["action"] == "thank-you")
            .unwrap()["then"]["due"]
            .clone()
    };
    let default = json(&d.path, "2026-03-05", &["agenda"]);
    assert_eq!(then(&default), "2026-03-19", "F4: 14 d");
    ok(
        &d.path,
        "2026-03-05",
        &["--config", cfg.to_str().unwrap(), "replan"],
    );
    let eager = json(
        &d.path,
        "2026-03-05",
        &["--config", cfg.to_str().unwrap(), "agenda"],
    );
    assert_eq!(then(&eager), "2026-03-12", "eager: 7 d");
    std::fs::write(&cfg, "[policy]\ngrase = \"1bd\"\n").unwrap();
    let out = run(
        &d.path,
        "2026-03-05",
        &["--config", cfg.to_str().unwrap(), "agenda"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("grase") && err.contains("eager.toml"), "{err}");
}

// ---- drafts -------------------------------------------------------------------------------

/// One draft as the snapshot shows it.
fn draft_entry(out: &mut String, label: &str, v: &Value) {
    for field in ["subject", "body", "channel", "to", "warnings"] {
        assert!(v.get(field).is_some(), "draft JSON lacks {field}");
    }
    out.push_str(&format!(
        "=== {label}\nTo: {}\nSubject: {}\n\n{}",
        v["to"].as_str().unwrap(),
        v["subject"].as_str().unwrap(),
        v["body"].as_str().unwrap()
    ));
    for w in v["warnings"].as_array().unwrap() {
        out.push_str(&format!("! {}\n", w["message"].as_str().unwrap()));
    }
}

/// Every item's draft and call script on the agenda until the end of December; the
/// templates used.
fn every_item_draft(
    db: &Path,
    today: &str,
    out: &mut String,
) -> std::collections::BTreeSet<String> {
    let mut templates = std::collections::BTreeSet::new();
    let items = json(db, today, &["agenda", "--until", "2026-12-31"]);
    for item in items.as_array().unwrap() {
        let id = item["id"].as_i64().unwrap();
        if id == 0 {
            continue;
        }
        let action = item["action"].as_str().unwrap();
        let who = item["contact"]["name"].as_str().unwrap_or("no contact");
        let v = json(db, today, &["draft", &id.to_string()]);
        templates.insert(v["template"].as_str().unwrap().to_string());
        draft_entry(out, &format!("{action} for {who} (item {id})"), &v);
        let v = json(db, today, &["draft", &id.to_string(), "--voicemail"]);
        templates.insert(v["template"].as_str().unwrap().to_string());
        draft_entry(
            out,
            &format!("voicemail for {who} (item {id}, {action})"),
            &v,
        );
    }
    templates
}

/// Compares with `tests/snapshots/NAME`; `UPDATE_SNAPSHOTS=1` rewrites it.
fn against_snapshot(name: &str, out: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, out).unwrap();
    }
    let want =
        std::fs::read_to_string(&path).expect("snapshot file (UPDATE_SNAPSHOTS=1 writes it)");
    if want != out {
        let first = want
            .lines()
            .zip(out.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "{name}: drafts changed from the snapshot at line {}:\n  was: {:?}\n  now: {:?}\n(UPDATE_SNAPSHOTS=1 to accept)",
            first + 1,
            want.lines().nth(first).unwrap_or(""),
            out.lines().nth(first).unwrap_or("")
        );
    }
}

/// Every default draft on the demo, against `tests/snapshots/demo-drafts.txt`.
/// `UPDATE_SNAPSHOTS=1 cargo test -p followup` rewrites the file after a deliberate change.
#[test]
fn snapshot_of_every_default_draft_on_the_demo() {
    let d = db();
    let today = "2026-11-23";
    json(&d.path, today, &["--db", d.path.to_str().unwrap(), "demo"]);
    let mut out = String::new();
    let mut templates = every_item_draft(&d.path, today, &mut out);
    for (label, args) in [
        (
            "outreach to Emma Novak",
            &["draft", "--to", "Emma Novak"][..],
        ),
        (
            "voicemail to Tom Okafor",
            &["draft", "--to", "Tom Okafor", "--template", "voicemail"][..],
        ),
        (
            "follow-up to Marcus Bell about his role",
            &["draft", "--to", "Marcus Bell", "--template", "follow-up"][..],
        ),
    ] {
        let v = json(&d.path, today, args);
        templates.insert(v["template"].as_str().unwrap().to_string());
        draft_entry(&mut out, label, &v);
    }
    for t in [
        "thank-you",
        "follow-up",
        "retry",
        "value-add",
        "rejection-reply",
        "move-on-review",
        "keep-in-touch",
        "occasion",
        "outreach",
        "voicemail",
    ] {
        assert!(
            templates.contains(t),
            "no demo draft used the {t} template: {templates:?}"
        );
    }
    against_snapshot("demo-drafts.txt", &out);
}

/// Every default draft on the networking demo (`demo --networking`), against
/// `tests/snapshots/networking-drafts.txt`: each networking case drafts from what happened
/// with that contact (C10).
#[test]
fn clarification_c10_snapshot_of_every_draft_on_the_networking_demo() {
    let d = db();
    let today = "2026-11-23";
    json(
        &d.path,
        today,
        &["--db", d.path.to_str().unwrap(), "demo", "--networking"],
    );
    let mut out = String::new();
    every_item_draft(&d.path, today, &mut out);
    for (label, args) in [
        (
            "voicemail to Victor Lang",
            &["draft", "--to", "Victor Lang", "--template", "voicemail"][..],
        ),
        (
            "voicemail to Omar Haddad",
            &["draft", "--to", "Omar Haddad", "--template", "voicemail"][..],
        ),
        (
            "thank-you to Rosa Lindqvist",
            &["draft", "--to", "Rosa Lindqvist", "--template", "thank-you"][..],
        ),
    ] {
        let v = json(&d.path, today, args);
        draft_entry(&mut out, label, &v);
    }
    // C10: no draft of this book cites last year's promise, and the call script to someone
    // with a number recorded goes to it.
    against_snapshot("networking-drafts.txt", &out);
    assert!(!out.contains("2025"), "a draft cites last year:\n{out}");
    assert!(out.contains("To: +1 555 0142"), "{out}");
    against_snapshot("networking-drafts.txt", &out);
}

#[test]
fn drafts_use_the_persons_own_template_and_name_a_broken_one() {
    let d = db();
    dana_journey(&d.path);
    ok(
        &d.path,
        "2026-03-05",
        &["log", "interview", "--with", "1", "--job", "1"],
    );
    let items = json(&d.path, "2026-03-05", &["agenda"]);
    let id = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["action"] == "thank-you")
        .unwrap()["id"]
        .as_i64()
        .unwrap()
        .to_string();
    // The default names the F4 date the thank-you should promise (F6).
    let v = json(&d.path, "2026-03-05", &["draft", &id]);
    assert!(
        v["body"].as_str().unwrap().contains("Thursday 19 March"),
        "{v}"
    );
    assert_eq!(v["to"], "dana@northwind.example");

    // `templates edit` copies the default; the person's file then replaces it.
    let cfg = d.path.parent().unwrap();
    let path = ok(&d.path, "2026-03-05", &["templates", "edit", "thank-you"]);
    let path = PathBuf::from(path.trim());
    assert!(path.starts_with(cfg), "{}", path.display());
    std::fs::write(
        &path,
        "Subject: Thanks, {{ contact.first_name }}\n\nMy own words to {{ role.organization }}.\n",
    )
    .unwrap();
    let list = ok(&d.path, "2026-03-05", &["templates", "list"]);
    assert!(list.contains(path.to_str().unwrap()), "{list}");
    let v = json(&d.path, "2026-03-05", &["draft", &id]);
    assert_eq!(v["subject"], "Thanks, Dana");
    assert_eq!(v["body"], "My own words to Northwind.\n");

    std::fs::write(&path, "Subject: hi\n\nDear {{ contact.first_nmae }},\n").unwrap();
    let out = run(&d.path, "2026-03-05", &["draft", &id]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(path.to_str().unwrap())
            && err.contains("line 3")
            && err.contains("first_nmae"),
        "{err}"
    );
}

#[test]
fn lint_warns_and_never_refuses() {
    let d = db();
    dana_journey(&d.path);
    let msg = d.path.parent().unwrap().join("sent.txt");
    std::fs::write(
        &msg,
        "Hello Dana,\nCould you tell me where the process stands?\n",
    )
    .unwrap();
    ok(
        &d.path,
        "2026-03-09",
        &[
            "log",
            "follow-up",
            "--with",
            "Dana",
            "--job",
            "1",
            "--message",
            msg.to_str().unwrap(),
        ],
    );
    let mine = d.path.parent().unwrap().join("draft.txt");
    std::fs::write(
        &mine,
        "Hi Dana,\nI really need this job. Could you tell me where the process stands?\n",
    )
    .unwrap();
    let out = run(
        &d.path,
        "2026-03-16",
        &["lint", mine.to_str().unwrap(), "--to", "Dana Reyes"],
    );
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("M3") && text.contains("line 2"), "{text}");
    assert!(
        text.contains("F8"),
        "the question was asked last time: {text}"
    );
    let long = d.path.parent().unwrap().join("long.txt");
    std::fs::write(&long, "word ".repeat(150)).unwrap();
    let v = json(&d.path, "2026-03-16", &["lint", long.to_str().unwrap()]);
    assert_eq!(v[0]["rule"], "M1");
    let v = json(
        &d.path,
        "2026-03-16",
        &["lint", long.to_str().unwrap(), "--kind", "thank-you"],
    );
    assert!(v.as_array().unwrap().is_empty());
}

#[test]
fn open_prints_the_mailto_link_when_no_mail_client_starts() {
    let d = db();
    dana_journey(&d.path);
    let out = Command::new(env!("CARGO_BIN_EXE_followup"))
        .args(["draft", "--to", "Dana Reyes", "--open"])
        .env("FOLLOWUP_DB", &d.path)
        .env("FOLLOWUP_TODAY", "2026-03-06")
        .env("XDG_CONFIG_HOME", d.path.parent().unwrap())
        .env("PATH", "") // no xdg-open, no open
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("mailto:dana@northwind.example?subject="),
        "{text}"
    );
}

// ---- calendar -----------------------------------------------------------------------------

/// `../shared/tools/validate_ics.py` on a file; installs its two PyPI parsers when missing
/// (the test command installs what the tests need; nothing is skipped).
fn validate_ics(path: &Path, extra: &[&str]) {
    let tool = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/tools/validate_ics.py");
    assert!(
        tool.exists(),
        "{} is missing: ../shared must sit beside the clone",
        tool.display()
    );
    let have = Command::new("python3")
        .args(["-c", "import icalendar, vobject"])
        .output()
        .expect("python3 runs");
    if !have.status.success() {
        let pip = Command::new("python3")
            .args(["-m", "pip", "install", "--quiet", "icalendar", "vobject"])
            .output()
            .expect("pip runs");
        assert!(
            pip.status.success(),
            "pip install failed: {}",
            String::from_utf8_lossy(&pip.stderr)
        );
    }
    let out = Command::new("python3")
        .arg(&tool)
        .args(extra)
        .arg(path)
        .output()
        .expect("validate_ics.py runs");
    assert!(
        out.status.success(),
        "validate_ics.py rejected {}:\n{}{}",
        path.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn uids_and_starts(ics: &str) -> Vec<(String, String)> {
    let unfolded = ics.replace("\r\n ", "");
    let mut out = Vec::new();
    let mut uid = String::new();
    for line in unfolded.split("\r\n") {
        if let Some(u) = line.strip_prefix("UID:") {
            uid = u.to_string();
        }
        if let Some(d) = line.strip_prefix("DTSTART;VALUE=DATE:") {
            out.push((uid.clone(), d.to_string()));
        }
    }
    out
}

#[test]
fn calendar_export_is_valid_rfc5545_with_stable_uids() {
    let d = db();
    let today = "2026-11-23";
    json(&d.path, today, &["--db", d.path.to_str().unwrap(), "demo"]);
    let dir = d.path.parent().unwrap();
    let events = dir.join("followups.ics");
    ok(
        &d.path,
        today,
        &["calendar", "export", events.to_str().unwrap()],
    );
    validate_ics(&events, &["--strict"]);
    let todos = dir.join("todos.ics");
    ok(
        &d.path,
        today,
        &[
            "calendar",
            "export",
            todos.to_str().unwrap(),
            "--todo",
            "--alarm",
            "08:30",
        ],
    );
    validate_ics(&todos, &["--strict"]);

    let first = std::fs::read_to_string(&events).unwrap();
    assert!(first.contains("BEGIN:VALARM") && first.contains("TRIGGER;RELATED=START:PT9H"));
    assert!(
        first.replace("\r\n ", "").contains("Draft (followup draft"),
        "the draft's first lines"
    );
    let todo_text = std::fs::read_to_string(&todos).unwrap();
    assert!(todo_text.contains("BEGIN:VTODO") && todo_text.contains("PT8H30M"));
    assert!(
        !first.replace("\r\n", "").contains('\n'),
        "every line ends in CRLF"
    );

    // Tom's retry is done today: his item moves, and keeps its UID.
    let before = uids_and_starts(&first);
    let tom = before
        .iter()
        .find(|(u, _)| u == "contact-6-follow-up@followup")
        .expect("Tom's item")
        .clone();
    ok(
        &d.path,
        today,
        &[
            "log",
            "follow-up",
            "--with",
            "Tom Okafor",
            "--job",
            "Initech",
        ],
    );
    ok(
        &d.path,
        today,
        &["calendar", "export", events.to_str().unwrap()],
    );
    let after = uids_and_starts(&std::fs::read_to_string(&events).unwrap());
    let moved = after
        .iter()
        .find(|(u, _)| *u == tom.0)
        .expect("same UID after the change");
    assert_ne!(moved.1, tom.1, "the date moved");
    let mut uids: Vec<&String> = after.iter().map(|(u, _)| u).collect();
    let n = uids.len();
    uids.sort();
    uids.dedup();
    assert_eq!(uids.len(), n, "UIDs are unique");
}

// ---- export and import --------------------------------------------------------------------

#[test]
fn json_export_round_trips_byte_for_byte() {
    let d = db();
    let today = "2026-11-23";
    json(&d.path, today, &["--db", d.path.to_str().unwrap(), "demo"]);
    // A cleared field and a snooze must survive too.
    ok(
        &d.path,
        today,
        &["contact", "edit", "Wei Chen", "--tier", ""],
    );
    ok(&d.path, today, &["snooze", "4", "--until", "2026-12-10"]);
    let first = d.path.parent().unwrap().join("backup.json");
    ok(&d.path, today, &["export", first.to_str().unwrap()]);

    let other = db();
    let out = ok(
        &other.path,
        today,
        &["import", "json", first.to_str().unwrap()],
    );
    assert!(out.contains("Imported"), "{out}");
    let second = ok(&other.path, today, &["export"]);
    assert_eq!(
        std::fs::read_to_string(&first).unwrap(),
        second,
        "byte-identical"
    );
    // And the derived plan agrees.
    assert_eq!(
        json(&d.path, today, &["agenda", "--until", "2027-12-31"]),
        json(&other.path, today, &["agenda", "--until", "2027-12-31"])
    );

    // Into a database that holds data: refused, unchanged.
    let before = std::fs::read(&other.path).unwrap();
    let out = run(
        &other.path,
        today,
        &["import", "json", first.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty database"));
    assert_eq!(before, std::fs::read(&other.path).unwrap());
}

#[test]
fn a_broken_export_is_refused_with_its_line_and_writes_nothing() {
    let d = db();
    dana_journey(&d.path);
    let text = ok(&d.path, "2026-03-06", &["export"]);
    let dir = d.path.parent().unwrap();
    let cut = dir.join("cut.json");
    std::fs::write(&cut, &text[..text.len() / 2]).unwrap();
    let bad_date = dir.join("date.json");
    std::fs::write(
        &bad_date,
        text.replacen("\"2026-03-02\"", "\"2026-02-31\"", 1),
    )
    .unwrap();
    let latin1 = dir.join("latin1.json");
    std::fs::write(
        &latin1,
        b"{\"format\": \"followup-export\", \"caf\xe9\": 1}",
    )
    .unwrap();
    for (file, needle) in [(&cut, "line"), (&bad_date, "line"), (&latin1, "")] {
        let fresh = db();
        let out = run(
            &fresh.path,
            "2026-03-06",
            &["import", "json", file.to_str().unwrap()],
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains(file.to_str().unwrap()) && err.contains(needle),
            "{err}"
        );
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(
            !fresh.path.exists(),
            "nothing written, not even a new database"
        );
    }
}

#[test]
fn csv_export_quotes_what_needs_quoting() {
    let d = db();
    dana_journey(&d.path);
    ok(
        &d.path,
        "2026-03-06",
        &[
            "contact",
            "add",
            "Sam \"Ito\", Jr.",
            "--company",
            "Woodgrove Bank, N.A.",
        ],
    );
    let text = ok(&d.path, "2026-03-06", &["export", "--csv", "contacts"]);
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert!(lines[0].starts_with("id,name,emails"));
    assert!(
        lines[2].starts_with("2,\"Sam \"\"Ito\"\", Jr.\""),
        "{}",
        lines[2]
    );
    assert!(lines[2].contains("\"Woodgrove Bank, N.A.\""));
    let jobs = ok(&d.path, "2026-03-06", &["export", "--csv", "jobs"]);
    assert!(
        jobs.contains("Northwind,Senior Data Engineer,applied,2026-03-02,3 w"),
        "{jobs}"
    );
    let touches = ok(&d.path, "2026-03-06", &["export", "--csv", "touches"]);
    assert!(touches.contains("application,outbound"), "{touches}");
}

// ---- imports ------------------------------------------------------------------------------

fn fixture(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures")
        .join(rel)
        .to_str()
        .unwrap()
        .to_string()
}

#[test]
fn linkedin_import_is_idempotent_safe_and_spread() {
    let d = db();
    let today = "2026-11-23";
    let file = fixture("linkedin/Connections.csv");
    // A dry run writes nothing.
    ok(
        &d.path,
        today,
        &[
            "contact",
            "add",
            "Mara Quellbrook",
            "--email",
            "mara@example.com",
        ],
    );
    let before = std::fs::read(&d.path).unwrap();
    let dry = json(
        &d.path,
        today,
        &[
            "import",
            "linkedin",
            &file,
            "--dry-run",
            "--tier",
            "regular",
        ],
    );
    assert_eq!(before, std::fs::read(&d.path).unwrap(), "--dry-run wrote");
    assert_eq!(dry["dry_run"], true);
    // The real import: the existing Mara merges by exact name, gains her LinkedIn URL.
    let first = json(
        &d.path,
        today,
        &["import", "linkedin", &file, "--tier", "regular"],
    );
    assert_eq!(first["created"], dry["created"]);
    assert_eq!(first["updated"], 1);
    assert_eq!(first["skipped"], 2, "hidden members counted");
    let created = first["created"].as_u64().unwrap();
    assert!(created >= 30, "{first}");
    let mara = json(&d.path, today, &["contact", "show", "Mara Quellbrook"]);
    assert!(
        mara["contact"]["linkedin"]
            .as_str()
            .unwrap()
            .contains("mara-quellbrook")
    );
    assert_eq!(
        mara["contact"]["emails"],
        serde_json::json!(["mara@example.com"])
    );
    // Again: nothing changes.
    let again = json(&d.path, today, &["import", "linkedin", &file]);
    assert_eq!(
        (again["created"].as_u64(), again["updated"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(again["unchanged"].as_u64(), Some(created + 1));
    // Keep-in-touch dates are spread over the first 90 days, not all due at once.
    let agenda = json(&d.path, today, &["agenda", "--until", "2027-03-01"]);
    let dues: std::collections::BTreeSet<String> = agenda
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["action"] == "keep-in-touch")
        .map(|i| i["due"].as_str().unwrap().to_string())
        .collect();
    assert!(dues.len() >= 20, "spread over many days: {dues:?}");
    assert!(
        dues.iter()
            .all(|d| d.as_str() >= today && d.as_str() <= "2027-02-23"),
        "within the first 90-day cadence: {dues:?}"
    );
    // The import's own plan equals a full replan.
    let before = json(&d.path, today, &["agenda", "--until", "2028-01-01"]);
    ok(&d.path, today, &["replan"]);
    assert_eq!(
        before,
        json(&d.path, today, &["agenda", "--until", "2028-01-01"])
    );
    // Bulk tiers.
    let t = json(
        &d.path,
        today,
        &[
            "contact",
            "tier",
            "critical",
            "Mara Quellbrook",
            "Tobias Vennholt",
        ],
    );
    assert_eq!(t[1]["tier"], "critical");
}

#[test]
fn vcard_import_merges_by_email_and_refuses_broken_files_whole() {
    let d = db();
    let today = "2026-11-23";
    ok(
        &d.path,
        today,
        &[
            "contact",
            "add",
            "G. Dartmouth",
            "--email",
            "gdartmouth@hotmail.com",
        ],
    );
    let r = json(
        &d.path,
        today,
        &[
            "import",
            "vcard",
            &fixture("vcard/ez-vcard/gmail-single.vcf"),
        ],
    );
    assert_eq!(
        (r["created"].as_u64(), r["updated"].as_u64()),
        (Some(0), Some(1)),
        "{r}"
    );
    let g = json(&d.path, today, &["contact", "show", "G. Dartmouth"]);
    assert_eq!(g["contact"]["birthday"], "1960-09-10");
    assert_eq!(g["contact"]["personal_anniversary"], "1970-06-02");
    assert_eq!(g["contact"]["organization"]["name"], "TheCompany");
    let r = json(
        &d.path,
        today,
        &[
            "import",
            "vcard",
            &fixture("vcard/ez-vcard/John_Doe_ANDROID.vcf"),
        ],
    );
    assert_eq!(r["created"], 6);

    let before = std::fs::read(&d.path).unwrap();
    let dir = d.path.parent().unwrap();
    let cut = dir.join("cut.vcf");
    let full = std::fs::read(fixture("vcard/ez-vcard/gmail-list.vcf")).unwrap();
    std::fs::write(&cut, &full[..full.len() - 20]).unwrap();
    for (file, needle) in [
        (cut.to_str().unwrap().to_string(), "without END:VCARD"),
        (fixture("vcard/ical-rs/property_error.vcf"), "line 1"),
        (fixture("linkedin/Connections.csv"), "BEGIN:VCARD"),
    ] {
        let out = run(&d.path, today, &["import", "vcard", &file]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{file}: {err}");
        assert!(err.contains(needle), "{file}: {err}");
        assert_eq!(
            before,
            std::fs::read(&d.path).unwrap(),
            "{file} changed the database"
        );
    }
    let out = run(
        &d.path,
        today,
        &[
            "import",
            "linkedin",
            &fixture("vcard/ez-vcard/gmail-list.vcf"),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no header row"));
    assert_eq!(before, std::fs::read(&d.path).unwrap());
}

#[test]
fn a_holiday_calendar_moves_follow_ups() {
    let d = db();
    dana_journey(&d.path);
    // Example 14: they decide by Thu 2 Jul; Fri 3 Jul is a holiday: due Tue 7 Jul.
    ok(
        &d.path,
        "2026-06-25",
        &[
            "log",
            "interview",
            "--with",
            "1",
            "--job",
            "1",
            "--they-decide-by",
            "2026-07-02",
        ],
    );
    ok(
        &d.path,
        "2026-06-25",
        &[
            "log",
            "thank-you",
            "--with",
            "1",
            "--job",
            "1",
            "--i-will-follow-up",
            "2026-07-20",
        ],
    );
    ok(
        &d.path,
        "2026-06-26",
        &[
            "log",
            "reply",
            "--with",
            "1",
            "--job",
            "1",
            "--they-decide-by",
            "2026-07-02",
        ],
    );
    let due = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|i| i["rule"] == "F3")
            .unwrap()["due"]
            .clone()
    };
    assert_eq!(
        due(&json(
            &d.path,
            "2026-06-26",
            &["agenda", "--until", "2026-08-01"]
        )),
        "2026-07-06"
    );
    let cal = d.path.parent().unwrap().join("us-holidays.ics");
    std::fs::write(
        &cal,
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\nUID:j4\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20260703\r\nDTEND;VALUE=DATE:20260704\r\nSUMMARY:Independence Day (observed)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    .unwrap();
    let out = ok(
        &d.path,
        "2026-06-26",
        &["import", "holidays", cal.to_str().unwrap()],
    );
    assert!(out.contains("1 holidays"), "{out}");
    assert_eq!(
        due(&json(
            &d.path,
            "2026-06-26",
            &["agenda", "--until", "2026-08-01"]
        )),
        "2026-07-07"
    );
    // The days live in the database, not in a file beside the config: nothing to re-read,
    // nothing a kill can cut; an export carries them to another database.
    assert!(!d.path.parent().unwrap().join("followup/holidays").exists());
    let export = d.path.parent().unwrap().join("with-holidays.json");
    ok(&d.path, "2026-06-26", &["export", export.to_str().unwrap()]);
    let moved = d.path.parent().unwrap().join("moved.db");
    ok(
        &moved,
        "2026-06-26",
        &["import", "json", export.to_str().unwrap()],
    );
    assert_eq!(
        due(&json(
            &moved,
            "2026-06-26",
            &["agenda", "--until", "2026-08-01"]
        )),
        "2026-07-07"
    );
}

// ---- serve ---------------------------------------------------------------------------------

/// A `followup serve` this test started; stopped when dropped, even by a failed assertion.
pub(crate) struct Served(pub(crate) std::process::Child);

impl Served {
    /// `followup serve --port 0 ARGS` on `db`, pinned to `today`, and the address it printed
    /// once listening.
    pub(crate) fn start(db: &Path, today: &str, args: &[&str]) -> (Served, String) {
        use std::io::BufRead;
        let mut served = Served(
            Command::new(env!("CARGO_BIN_EXE_followup"))
                .arg("serve")
                .args(args)
                .args(["--port", "0"])
                .env("FOLLOWUP_DB", db)
                .env("FOLLOWUP_TODAY", today)
                .env_remove("FOLLOWUP_CONFIG")
                .env("XDG_CONFIG_HOME", db.parent().unwrap())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("serve starts"),
        );
        let mut first = String::new();
        std::io::BufReader::new(served.0.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let addr = first
            .trim()
            .rsplit_once("http://")
            .map(|(_, a)| a.to_string())
            .unwrap_or_else(|| panic!("no address in {first:?}"));
        (served, addr)
    }
}

/// `GET path` from a server at `addr`, as a browser there asks: the whole answer.
pub(crate) fn http_get(addr: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut conn = std::net::TcpStream::connect(addr).unwrap();
    write!(
        conn,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    answer
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `serve` tells the router the port it bound: that port under a loopback name is answered,
/// any other Host is 421 (DNS rebinding).
#[test]
fn serve_answers_only_its_own_host() {
    use std::io::{Read, Write};
    let db = db();
    let (_served, addr) = Served::start(&db.path, "2026-11-23", &["--demo"]);
    let port = addr.rsplit_once(':').unwrap().1;
    let status = |host: &str| {
        let mut conn = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            conn,
            "GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        conn.read_to_string(&mut answer).unwrap();
        answer.lines().next().unwrap_or("").to_string()
    };
    for host in [format!("127.0.0.1:{port}"), format!("localhost:{port}")] {
        assert!(status(&host).starts_with("HTTP/1.1 200"), "{host}");
    }
    for host in [format!("evil.example:{port}"), "127.0.0.1:1".to_string()] {
        assert!(status(&host).starts_with("HTTP/1.1 421"), "{host}");
    }
}

/// Dana Reyes, and a Data Engineer role at Northwind with her as the contact, on day `t`.
fn dana_at_northwind(db: &Path, t: &str) {
    ok(
        db,
        t,
        &[
            "contact",
            "add",
            "Dana Reyes",
            "--email",
            "dana@northwind.example",
        ],
    );
    ok(
        db,
        t,
        &[
            "job",
            "add",
            "Northwind",
            "Data Engineer",
            "--contact",
            "Dana Reyes",
        ],
    );
}

/// C3, C6 and C7 through the command line: the date a thank-you draft names is the date the
/// agenda keeps once it is sent; an offer with a date for the answer is a `decide` item; a
/// birthday marked done logs a greeting that chains nothing.
#[test]
fn clarifications_c03_c06_c07_through_the_command_line() {
    let d = db();
    let t = "2026-12-02";
    dana_at_northwind(&d.path, t);
    ok(
        &d.path,
        t,
        &[
            "log",
            "interview",
            "--with",
            "1",
            "--job",
            "1",
            "--they-decide-by",
            "2026-12-03",
        ],
    );
    // C3: the note is due Thu 3 Dec; 3 bd after it is Tue 8 Dec, and the draft names it.
    let agenda = json(&d.path, "2026-12-03", &["agenda"]);
    let item = agenda
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["action"] == "thank-you")
        .unwrap()
        .clone();
    assert_eq!(item["then"]["due"], "2026-12-08");
    let id = item["id"].as_i64().unwrap().to_string();
    let draft = json(&d.path, "2026-12-03", &["draft", &id]);
    assert!(
        draft["body"]
            .as_str()
            .unwrap()
            .contains("Tuesday 8 December"),
        "{}",
        draft["body"]
    );
    ok(&d.path, "2026-12-03", &["done", &id]);
    let agenda = json(&d.path, "2026-12-03", &["agenda", "--until", "2026-12-31"]);
    let next = agenda
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["contact"]["name"] == "Dana Reyes")
        .unwrap();
    assert_eq!(
        (&next["due"], &next["rule"]),
        (&"2026-12-08".into(), &"F2".into())
    );
    assert_eq!(next["reason"]["origin"]["rule"], "F3", "C1: {next}");

    // C6: an offer with a date for the answer.
    ok(
        &d.path,
        "2026-12-04",
        &[
            "log",
            "offer",
            "--with",
            "1",
            "--job",
            "1",
            "--answer-by",
            "2026-12-18",
        ],
    );
    let agenda = json(&d.path, "2026-12-04", &["agenda", "--until", "2026-12-31"]);
    let decide = agenda
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["action"] == "decide")
        .expect("a decide item");
    assert_eq!(
        (&decide["due"], &decide["rule"]),
        (&"2026-12-16".into(), &"C6".into())
    );
    let draft = json(
        &d.path,
        "2026-12-04",
        &["draft", &decide["id"].as_i64().unwrap().to_string()],
    );
    let body = draft["body"].as_str().unwrap();
    assert!(
        body.contains("Thank you for the offer") && body.contains("by Friday 18 December"),
        "{body}"
    );
    let out = run(
        &d.path,
        "2026-12-04",
        &["log", "reply", "--with", "1", "--answer-by", "friday"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--answer-by"));

    // C7: a birthday marked done is a greeting; nothing chains from it.
    ok(
        &d.path,
        t,
        &["contact", "add", "Ben Carter", "--birthday", "1990-12-10"],
    );
    let agenda = json(&d.path, "2026-12-09", &["agenda"]);
    let bday = agenda
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["action"] == "occasion")
        .unwrap()["id"]
        .as_i64()
        .unwrap()
        .to_string();
    ok(&d.path, "2026-12-09", &["done", &bday]);
    let events = json(&d.path, "2026-12-09", &["events"]);
    let last = events.as_array().unwrap().last().unwrap().to_string();
    assert!(last.contains("\"greeting\""), "{last}");
    let agenda = json(&d.path, "2026-12-09", &["agenda", "--until", "2027-01-31"]);
    assert!(
        agenda
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["contact"]["name"] != "Ben Carter" || i["action"] == "occasion"),
        "nothing chains from a greeting: {agenda}"
    );
}

/// C4: a thank-you never sent folds into the follow-up once that is due: one item, whose
/// draft thanks them for the interview too.
#[test]
fn clarification_c04_the_folded_follow_up_thanks_them_too() {
    let d = db();
    let t = "2026-03-05";
    dana_at_northwind(&d.path, t);
    ok(
        &d.path,
        t,
        &["log", "interview", "--with", "1", "--job", "1"],
    );
    let agenda = json(&d.path, "2026-03-19", &["agenda"]);
    let items: Vec<&Value> = agenda
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["contact"]["name"] == "Dana Reyes")
        .collect();
    assert_eq!(items.len(), 1, "one item: {agenda}");
    let item = items[0];
    assert_eq!(
        (&item["action"], &item["thanks_too"]),
        (&"follow-up".into(), &true.into())
    );
    let draft = json(
        &d.path,
        "2026-03-19",
        &["draft", &item["id"].as_i64().unwrap().to_string()],
    );
    let body = draft["body"].as_str().unwrap();
    assert!(
        body.contains(
            "thank you for the interview for the Data Engineer position on Thursday 5 March"
        ),
        "{body}"
    );
    assert!(body.contains("where the process stands"), "{body}");
}

/// One presentation for every front end (issue 11): for every item of the demo, the agenda
/// in the terminal, the web's Today page and the calendar feed say the same words: the why
/// in plain words, the rules after it, who it is for, and the calendar's title.
#[test]
fn the_cli_the_web_and_the_calendar_say_the_same_for_every_demo_item() {
    let today = "2026-11-23";
    let db = db();
    let (_served, addr) = Served::start(&db.path, today, &["--demo"]);
    let page = http_get(&addr, "/");
    let web = page
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");

    let items: Vec<followup_core::AgendaItem> =
        serde_json::from_value(json(&db.path, today, &["agenda"])).unwrap();
    let text = ok(&db.path, today, &["agenda"]);
    let ics = ok(&db.path, today, &["calendar", "export", "-"])
        .replace("\r\n ", "")
        .replace("\\,", ",")
        .replace("\\;", ";")
        .replace("\\n", "\n")
        .replace("\\\\", "\\");
    let today: jiff::civil::Date = today.parse().unwrap();
    assert!(items.len() > 10, "the demo has items: {}", items.len());
    let mut kinds = std::collections::BTreeSet::new();
    for a in &items {
        let p = followup_core::present::item(a, today);
        kinds.insert(a.action);
        assert!(a.reason.is_some(), "item {} carries its why as data", a.id);
        assert_eq!(a.why, p.why_line(), "the JSON why is the presented line");
        assert!(
            !p.why.starts_with('F') && p.why_line().ends_with(')'),
            "plain words first, rules after: {}",
            p.why_line()
        );
        // The agenda's row for this item: it starts with the item's id.
        let row = text
            .lines()
            .find(|l| l.split_whitespace().next() == Some(&a.id.to_string()))
            .unwrap_or_else(|| panic!("CLI: no row for item {}", a.id));
        assert!(row.ends_with(&p.why_line()), "CLI row {}: {row}", a.id);
        assert!(row.contains(&p.who_and_jobs()), "CLI row {}: {row}", a.id);
        assert!(row.contains(p.label), "CLI row {}: {row}", a.id);
        // The web's card for this item.
        let start = web
            .find(&format!("id=\"item-{}\"", a.id))
            .unwrap_or_else(|| panic!("web: no card for item {}", a.id));
        let card = &web[start..start + web[start..].find("</article>").unwrap()];
        assert!(card.contains(&p.why), "web card {}: {}", a.id, p.why);
        assert!(card.contains(&p.who), "web card {}: {}", a.id, p.who);
        assert!(card.contains(p.label), "web card {}: {}", a.id, p.label);
        for r in a.reason.as_ref().unwrap().rules() {
            assert!(
                card.contains(&format!("href=\"/rules#{r}\"")),
                "web card {}: rule {r}",
                a.id
            );
        }
        // The calendar's event for this item: its title, and the why in its description.
        if a.action != followup_core::Action::Pipeline {
            let event = ics
                .split("BEGIN:VEVENT")
                .find(|e| e.contains(&format!("SUMMARY:{} (by {})", p.title, a.channel)))
                .unwrap_or_else(|| panic!("calendar: no event titled {}", p.title));
            assert!(
                event.contains(&p.why_line()),
                "calendar {}: {}",
                p.title,
                p.why_line()
            );
        }
    }
    assert!(
        kinds.contains(&followup_core::Action::Occasion)
            && kinds.contains(&followup_core::Action::Pipeline)
            && kinds.contains(&followup_core::Action::ThankYou),
        "{kinds:?}"
    );
}

// ---- the browser --------------------------------------------------------------------------

/// The web app in headless Chromium (tests/browser): Today on demo data, logging an interview
/// through the form, done, snooze, a draft, the pipeline, the LinkedIn import, and every page
/// at 390 and 1280 px (no sideways scrolling, 44 px tap targets, nothing from another origin).
/// `run.sh` installs Debian's chromium and playwright-core when missing; screenshots land in
/// target/screenshots/ (every page's in target/screenshots/pages/).
#[test]
fn browser_tests_in_headless_chromium() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let team = team_for_the_browser();
    let out = Command::new("bash")
        .arg(root.join("tests/browser/run.sh"))
        .arg(env!("CARGO_BIN_EXE_followup"))
        .env("TEAM_DATABASE", &team)
        .env("TEAM_PASSWORD", team::PW.1)
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "browser tests failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("# fail 0") && stdout.contains("# pass 14"),
        "{stdout}"
    );
}

/// A team server's database for the coach's day in the browser (on a real PostgreSQL): an
/// admin; Ana, a client with one contact; Sam Lee, a coach Ana let in with `edit`. Set up
/// with the binary, as an operator would.
fn team_for_the_browser() -> String {
    let url = followup_store_pg::testing::TestServer::shared().fresh_database();
    let run = |args: &[&str]| {
        team::ok(&team::team(&url, args, &[team::PW]));
    };
    run(&["team", "init", "--admin", "admin@example.com"]);
    run(&["user", "add", "ana@example.com"]);
    run(&[
        "user",
        "add",
        "sam@example.com",
        "--role",
        "coach",
        "--name",
        "Sam Lee",
    ]);
    run(&[
        "grant",
        "sam@example.com",
        "ana@example.com",
        "--scope",
        "edit",
    ]);
    run(&[
        "--workspace",
        "ana@example.com",
        "contact",
        "add",
        "Priya Natarajan",
    ]);
    url
}

/// Runs `followup ARGS` on a terminal (util-linux `script`, in Debian's essential bsdutils),
/// typing `input`. A machine without it fails the test: nothing here is skipped.
fn on_a_terminal(db: &Path, today: &str, args: &[&str], input: &str) -> Option<Output> {
    use std::io::Write;
    let has_script = Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        has_script,
        "util-linux `script` is needed to give followup a terminal (apt-get install bsdutils)"
    );
    let quoted: Vec<String> = std::iter::once(env!("CARGO_BIN_EXE_followup"))
        .chain(args.iter().copied())
        .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
        .collect();
    let mut child = Command::new("script")
        .args(["-qec", &quoted.join(" "), "/dev/null"])
        .env("FOLLOWUP_DB", db)
        .env("FOLLOWUP_TODAY", today)
        .env_remove("FOLLOWUP_CONFIG")
        .env("XDG_CONFIG_HOME", db.parent().unwrap())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("script runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    Some(child.wait_with_output().unwrap())
}

/// Dana's journey, then a follow-up on Mon 9 Mar: the item for Dana, as of Tue 10 Mar.
fn too_soon_after_a_follow_up(db: &Path) -> String {
    dana_journey(db);
    ok(
        db,
        "2026-03-09",
        &["log", "follow-up", "--with", "Dana Reyes", "--job", "1"],
    );
    let items = json(db, "2026-03-10", &["agenda", "--until", "2026-04-30"]);
    let item = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["contact"]["name"] == "Dana Reyes" && i["action"] != "occasion")
        .expect("an item for Dana");
    item["id"].to_string()
}

fn touch_count(db: &Path, today: &str) -> usize {
    json(db, today, &["contact", "show", "Dana Reyes"])["timeline"]
        .as_array()
        .unwrap()
        .len()
}

#[test]
fn clarification_c12_draft_warns_before_sending() {
    let d = db();
    let id = too_soon_after_a_follow_up(&d.path);
    let t = "2026-03-10";
    // Text: the message on stdout, the F15 warning on stderr.
    let out = run(&d.path, t, &["draft", &id]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("F15") && err.contains("9 Mar") && err.contains("3 bd"),
        "{err}"
    );
    // JSON: F15 first among the warnings, before anything is sent.
    let v = json(&d.path, t, &["draft", &id]);
    assert_eq!(v["warnings"][0]["rule"], "F15", "{v}");
    // `draft --to` warns the same way.
    let v = json(&d.path, t, &["draft", "--to", "Dana Reyes"]);
    assert_eq!(v["warnings"][0]["rule"], "F15", "{v}");
    // Once the gap has passed, no F15.
    let v = json(&d.path, "2026-03-12", &["draft", &id]);
    assert!(
        v["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["rule"] != "F15"),
        "{v}"
    );
}

#[test]
fn clarification_c12_done_warns_before_it_records() {
    let d = db();
    let id = too_soon_after_a_follow_up(&d.path);
    let t = "2026-03-10";
    let before = touch_count(&d.path, t);
    // Without a terminal (a script): it records, and the warning is said once.
    let out = run(&d.path, t, &["done", &id]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("F15").count(), 1, "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Logged follow-up"));
    assert_eq!(touch_count(&d.path, t), before + 1);
    // --json still carries it.
    let d = db();
    let id = too_soon_after_a_follow_up(&d.path);
    let v = json(&d.path, t, &["done", &id]);
    assert_eq!(v["warnings"][0]["rule"], "F15", "{v}");

    // On a terminal it asks first; "no" (or just Enter) records nothing.
    let d = db();
    let id = too_soon_after_a_follow_up(&d.path);
    let before = touch_count(&d.path, t);
    let Some(out) = on_a_terminal(&d.path, t, &["done", &id], "n\n") else {
        return;
    };
    let all = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(
        all.contains("F15") && all.contains("record anyway? [y/N]"),
        "{all}"
    );
    assert!(
        all.contains("not recorded") && all.contains("--yes"),
        "{all}"
    );
    assert_eq!(touch_count(&d.path, t), before, "nothing recorded");
    // "y" records it.
    let out = on_a_terminal(&d.path, t, &["done", &id], "y\n").unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(touch_count(&d.path, t), before + 1);
    // --yes records without asking (the warning is still shown).
    let d = db();
    let id = too_soon_after_a_follow_up(&d.path);
    let out = on_a_terminal(&d.path, t, &["done", &id, "--yes"], "").unwrap();
    let all = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{all}");
    assert!(
        all.contains("F15") && !all.contains("record anyway"),
        "{all}"
    );
    // An item with nothing too soon is never asked about.
    let d = db();
    dana_journey(&d.path);
    let items = json(&d.path, "2026-03-06", &["agenda", "--until", "2026-04-30"]);
    let id = items[1]["id"].to_string();
    let out = on_a_terminal(&d.path, "2026-03-25", &["done", &id], "").unwrap();
    let all = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && !all.contains("record anyway"),
        "{all}"
    );
}

/// The promises of the contact's journey, as `show --json` lists them: (state, kept_by or
/// replaced_by touch).
fn promise_states(v: &Value) -> Vec<(String, Option<i64>)> {
    v["promises"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let by = p["kept_by"]["touch"]
                .as_i64()
                .or(p["replaced_by"]["touch"].as_i64());
            (p["state"].as_str().unwrap().to_string(), by)
        })
        .collect()
}

#[test]
fn clarification_c09_show_says_which_promises_were_kept() {
    let d = db();
    dana_journey(&d.path); // touch 1: the application
    let log = |today: &str, args: &[&str]| -> i64 {
        let mut all = vec!["log"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--with", "Dana Reyes", "--job", "1"]);
        json(&d.path, today, &all)["touch"]["id"].as_i64().unwrap()
    };
    // Theirs: they decide by Mon 9 Mar.
    let interview = log(
        "2026-03-06",
        &[
            "interview",
            "--on",
            "2026-03-05",
            "--they-decide-by",
            "2026-03-09",
        ],
    );
    // Mine: the thank-you names the follow-up date (F6).
    let thanks = log("2026-03-06", &["thank-you"]);
    // Their reply keeps their promise and makes a new one.
    let reply = log("2026-03-10", &["reply", "--they-decide-by", "2026-03-16"]);
    // My follow-up keeps mine.
    let follow_up = log("2026-03-11", &["follow-up"]);
    // Before anything came from them, a newer date: the last one is replaced.
    let note = log("2026-03-12", &["note", "--they-decide-by", "2026-03-20"]);
    let want = |last: &str| {
        vec![
            ("kept".to_string(), Some(reply)),
            ("kept".to_string(), Some(follow_up)),
            ("replaced".to_string(), Some(note)),
            (last.to_string(), None),
        ]
    };
    let c = json(&d.path, "2026-03-13", &["contact", "show", "Dana Reyes"]);
    assert_eq!(promise_states(&c), want("pending"), "{c}");
    let p = &c["promises"][0];
    assert_eq!(p["touch"], interview);
    assert_eq!(p["kept_by"]["date"], "2026-03-10");
    assert_eq!(c["promises"][1]["touch"], thanks);
    let j = json(&d.path, "2026-03-13", &["job", "show", "1"]);
    assert_eq!(promise_states(&j), want("pending"), "{j}");
    // Once its day has passed with nothing from them: missed.
    let c = json(&d.path, "2026-03-25", &["contact", "show", "Dana Reyes"]);
    assert_eq!(promise_states(&c), want("missed"), "{c}");
    // The text says so too: never a kept or replaced promise as if it were still to come.
    let text = ok(&d.path, "2026-03-13", &["contact", "show", "Dana Reyes"]);
    assert!(text.contains("[kept on Tue 10 Mar (touch #"), "{text}");
    assert!(text.contains("[kept on Wed 11 Mar (touch #"), "{text}");
    assert!(text.contains("[replaced on Thu 12 Mar"), "{text}");
    assert_eq!(text.matches("[pending]").count(), 1, "{text}");
    let text = ok(&d.path, "2026-03-13", &["job", "show", "1"]);
    assert_eq!(text.matches("[kept on").count(), 2, "{text}");
}

#[test]
fn drafts_sign_with_the_identity_that_me_sets() {
    let d = db();
    dana_journey(&d.path);
    let t = "2026-03-06";
    let placeholder = |v: &Value| {
        v["body"].as_str().unwrap().contains("[YOUR NAME]")
            && v["warnings"].as_array().unwrap().iter().any(|w| {
                w["rule"] == "me"
                    && w["message"]
                        .as_str()
                        .unwrap()
                        .contains("followup me --name")
            })
    };
    // No name anywhere: the draft says [YOUR NAME], and a warning says how to set it.
    let v = json(&d.path, t, &["draft", "--to", "Dana Reyes"]);
    assert!(placeholder(&v), "{v}");
    let out = run(&d.path, t, &["draft", "--to", "Dana Reyes"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("followup me --name"));
    // `followup me` sets it, without a prompt; drafts sign with it.
    let me = json(
        &d.path,
        t,
        &[
            "me",
            "--name",
            "Alex Morgan",
            "--signature",
            "Alex Morgan\\n+1 555 0199",
            "--phone",
            "+1 555 0199",
        ],
    );
    assert_eq!(me["name"], "Alex Morgan");
    assert_eq!(me["signature"], "Alex Morgan\n+1 555 0199");
    assert_eq!(me["sources"]["name"], "settings");
    let v = json(&d.path, t, &["draft", "--to", "Dana Reyes"]);
    assert!(!placeholder(&v), "{v}");
    assert!(
        v["body"]
            .as_str()
            .unwrap()
            .contains("Alex Morgan\n+1 555 0199"),
        "{v}"
    );
    assert!(ok(&d.path, t, &["me"]).contains("Alex Morgan"));
    // The config's [me] is the default; the stored name overrides it; "" forgets the stored.
    std::fs::create_dir_all(d.path.parent().unwrap().join("followup")).unwrap();
    std::fs::write(
        d.path.parent().unwrap().join("followup/config.toml"),
        "[me]\nname = \"Config Name\"\nphone = \"+1 555 0100\"\n",
    )
    .unwrap();
    let me = json(&d.path, t, &["me"]);
    assert_eq!(me["name"], "Alex Morgan");
    assert_eq!(me["phone"], "+1 555 0199");
    let me = json(&d.path, t, &["me", "--name", "", "--phone", ""]);
    assert_eq!(me["name"], "Config Name");
    assert_eq!(me["sources"]["name"], "config");
    assert_eq!(me["phone"], "+1 555 0100");
    // Checked like every field: a bad phone is refused and nothing changes.
    let out = run(
        &d.path,
        t,
        &["me", "--phone", "call me maybe", "--name", "X"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--phone"));
    assert_eq!(json(&d.path, t, &["me"])["name"], "Config Name");
}

#[test]
fn the_first_draft_on_a_terminal_asks_for_the_name_once() {
    let d = db();
    dana_journey(&d.path);
    let t = "2026-03-06";
    let Some(out) = on_a_terminal(&d.path, t, &["draft", "--to", "Dana Reyes"], "Sam Lee\n") else {
        return;
    };
    let all = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{all}");
    assert!(all.contains("Your name"), "{all}");
    assert!(
        all.contains("Sam Lee") && !all.contains("[YOUR NAME]"),
        "{all}"
    );
    assert_eq!(json(&d.path, t, &["me"])["name"], "Sam Lee");
    // Asked once: skipping is remembered too.
    let d = db();
    dana_journey(&d.path);
    let out = on_a_terminal(&d.path, t, &["draft", "--to", "Dana Reyes"], "\n").unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("Your name"));
    let out = on_a_terminal(&d.path, t, &["draft", "--to", "Dana Reyes"], "").unwrap();
    let all = String::from_utf8_lossy(&out.stdout);
    assert!(
        !all.contains("Your name") && all.contains("[YOUR NAME]"),
        "{all}"
    );
    assert!(all.contains("followup me --name"), "still warned: {all}");
}

/// `--database sqlite:PATH` is `--db PATH`; other schemes and both at once are refused.
#[test]
fn the_database_is_named_by_a_url_too() {
    let d = db();
    let url = format!("sqlite:{}", d.path.display());
    let cmd = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_followup"))
            .args(args)
            .env_remove("FOLLOWUP_DB")
            .env("FOLLOWUP_TODAY", "2026-03-06")
            .env_remove("FOLLOWUP_CONFIG")
            .env("XDG_CONFIG_HOME", d.path.parent().unwrap())
            .output()
            .expect("runs")
    };
    let out = cmd(&["--database", &url, "contact", "add", "Dana Reyes"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The same file as --db sees.
    let listed = ok(&d.path, "2026-03-06", &["contact", "list"]);
    assert!(listed.contains("Dana Reyes"), "{listed}");
    let before = std::fs::read(&d.path).unwrap();
    for (args, expect) in [
        (
            vec!["--database", "mysql://x", "contact", "list"],
            "sqlite:PATH",
        ),
        (vec!["--database", "sqlite:", "contact", "list"], "no path"),
        // A team server's URL needs to know whose search (nothing is connected to first).
        (
            vec!["--database", "postgres://localhost/f", "contact", "list"],
            "--workspace EMAIL: a team server holds many job searches",
        ),
    ] {
        let out = cmd(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            (err.contains("--database") || err.contains("--workspace")) && err.contains(expect),
            "{args:?}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    let both = cmd(&["--db", "x.db", "--database", &url, "contact", "list"]);
    assert_eq!(both.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&both.stderr).contains("both name the database"));
    // A flag beats a variable: FOLLOWUP_DB set elsewhere does not stop --database.
    let out = Command::new(env!("CARGO_BIN_EXE_followup"))
        .args(["--database", &url, "contact", "list"])
        .env("FOLLOWUP_DB", d.path.with_file_name("other.db"))
        .env("FOLLOWUP_TODAY", "2026-03-06")
        .env_remove("FOLLOWUP_CONFIG")
        .env("XDG_CONFIG_HOME", d.path.parent().unwrap())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Dana Reyes"));
    assert_eq!(
        before,
        std::fs::read(&d.path).unwrap(),
        "refused URLs changed nothing"
    );
}

// ---- the terminal: width, colour, completions, man page, help ---------------------------

/// The demo of the issue's screenshots, as of Mon 23 Nov 2026.
fn demo_db() -> Db {
    let d = db();
    ok(
        &d.path,
        "2026-11-23",
        &["--db", d.path.to_str().unwrap(), "demo"],
    );
    d
}

/// `followup ARGS` with extra environment variables, stdout piped.
fn run_env(db: &Path, today: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_followup"));
    cmd.args(args)
        .env("FOLLOWUP_DB", db)
        .env("FOLLOWUP_TODAY", today)
        .env_remove("FOLLOWUP_CONFIG")
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .env("XDG_CONFIG_HOME", db.parent().unwrap());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("runs")
}

/// Text without its ANSI colour codes.
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Every cell cut with "…" in `fitted` is the start of a cell of `full` (the pipe's full
/// text) that ends there at a word's end: no word is cut, but a first word longer than the
/// column (an email address), which is cut at a character.
fn assert_cut_at_words(fitted: &str, full: &str) -> usize {
    let mut cuts = 0;
    for line in fitted.lines() {
        let Some((before, _)) = line.split_once('…') else {
            continue;
        };
        cuts += 1;
        let frag = before.rsplit("  ").next().unwrap().trim_start();
        // The why line of the stacked layout starts with its channel: "by email: ...".
        let frag = match frag.strip_prefix("by ").and_then(|f| f.split_once(": ")) {
            Some((_, why)) => why,
            None => frag,
        };
        assert!(!frag.is_empty(), "an empty cut in {line:?}");
        let at_a_word_end = full.match_indices(frag).any(|(i, _)| {
            full[i + frag.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric())
        });
        let one_long_word = !frag.contains(' ') && full.contains(frag);
        assert!(
            at_a_word_end || one_long_word,
            "{frag:?} is cut mid-word (line {line:?})"
        );
    }
    cuts
}

#[test]
fn on_80_columns_the_agenda_fits_in_colour_and_cuts_only_at_words() {
    let d = demo_db();
    let t = "2026-11-23";
    let full = ok(&d.path, t, &["agenda"]);
    // A pipe: the full text, no escapes, no ellipsis, lines as long as they are.
    assert!(!full.contains('\x1b') && !full.contains('…'), "{full}");
    assert!(full.lines().any(|l| l.chars().count() > 80));
    let never = run_env(&d.path, t, &["agenda", "--color", "never"], &[]);
    assert_eq!(String::from_utf8(never.stdout).unwrap(), full);

    let out = run_env(
        &d.path,
        t,
        &["agenda", "--color", "always"],
        &[("COLUMNS", "80")],
    );
    assert!(out.status.success());
    let coloured = String::from_utf8(out.stdout).unwrap();
    let overdue_red = coloured
        .lines()
        .filter(|l| l.contains("overdue"))
        .all(|l| l.contains("\x1b[1;31m") && l.contains("\x1b[0m"));
    assert!(
        overdue_red && coloured.contains("overdue"),
        "overdue in red:\n{coloured}"
    );
    let plain = strip_ansi(&coloured);
    for line in plain.lines() {
        let w = unicode_width::UnicodeWidthStr::width(line);
        assert!(w <= 80, "{w} columns: {line:?}");
    }
    assert!(assert_cut_at_words(&plain, &full) > 0, "{plain}");
    // Every item is still there, with its id, due day and action.
    let items = json(&d.path, t, &["agenda"]);
    for i in items.as_array().unwrap() {
        let id = i["id"].to_string();
        assert!(
            plain
                .lines()
                .any(|l| l.split_whitespace().next() == Some(id.as_str())),
            "item {id} in\n{plain}"
        );
    }
    // --wide: full text again, in colour.
    let wide = run_env(
        &d.path,
        t,
        &["agenda", "--color", "always", "--wide"],
        &[("COLUMNS", "80")],
    );
    let wide = String::from_utf8(wide.stdout).unwrap();
    assert!(wide.contains('\x1b') && !wide.contains('…'));
    assert_eq!(
        strip_ansi(&wide).lines().count(),
        full.lines().count(),
        "{wide}"
    );
    // The JSON never changes.
    let j = run_env(
        &d.path,
        t,
        &["--json", "agenda", "--color", "always"],
        &[("COLUMNS", "80")],
    );
    assert_eq!(
        String::from_utf8(j.stdout).unwrap(),
        ok(&d.path, t, &["--json", "agenda"])
    );
}

#[test]
fn on_80_columns_lists_and_pages_fit_and_a_pipe_is_unchanged() {
    let d = demo_db();
    let t = "2026-11-23";
    for args in [
        &["contact", "list"][..],
        &["job", "list"],
        &["contact", "show", "1"],
        &["job", "show", "1"],
        &["contact", "show", "Maya Patel"],
    ] {
        let mut all = args.to_vec();
        all.extend(["--color", "always"]);
        let out = run_env(&d.path, t, &all, &[("COLUMNS", "80")]);
        assert!(out.status.success(), "{args:?}");
        let plain = strip_ansi(&String::from_utf8(out.stdout).unwrap());
        for line in plain.lines() {
            let w = unicode_width::UnicodeWidthStr::width(line);
            assert!(w <= 80, "{args:?}: {w} columns: {line:?}\n{plain}");
        }
        let full = ok(&d.path, t, args);
        assert!(!full.contains('\x1b') && !full.contains('…'), "{full}");
        // The same words, only broken into lines (pages) or cut with "…" (lists).
        if args[1] == "show" {
            let words = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
            let mut fitted = words(&plain);
            let mut piped = words(&full);
            fitted.sort();
            piped.sort();
            assert_eq!(fitted, piped, "{args:?}:\n{plain}\n---\n{full}");
        } else {
            let cuts = assert_cut_at_words(&plain, &full);
            // The demo's contacts are wider than 80 columns; its jobs are not.
            assert_eq!(cuts > 0, args[0] == "contact", "{args:?}:\n{plain}");
        }
    }
    // contact show's timeline in columns: each touch's kind starts at the same column.
    let out = run_env(
        &d.path,
        t,
        &["contact", "show", "1", "--color", "always"],
        &[("COLUMNS", "80")],
    );
    let plain = strip_ansi(&String::from_utf8(out.stdout).unwrap());
    let starts: std::collections::BTreeSet<usize> = plain
        .lines()
        .skip_while(|l| !l.starts_with("Timeline:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| {
            ["application", "follow-up", "value-add"]
                .iter()
                .find_map(|k| l.find(&format!(" {k} ")))
        })
        .collect();
    assert_eq!(starts.len(), 1, "the kinds line up:\n{plain}");
}

/// Runs `followup ARGS` on a terminal (util-linux `script`) with extra variables; its
/// output with the terminal's CRLF line ends made LF.
fn on_a_terminal_with(db: &Path, today: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    let quoted: Vec<String> = std::iter::once(env!("CARGO_BIN_EXE_followup"))
        .chain(args.iter().copied())
        .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
        .collect();
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &quoted.join(" "), "/dev/null"])
        .env("FOLLOWUP_DB", db)
        .env("FOLLOWUP_TODAY", today)
        .env_remove("FOLLOWUP_CONFIG")
        .env_remove("NO_COLOR")
        .env("COLUMNS", "80")
        .env("XDG_CONFIG_HOME", db.parent().unwrap())
        .stdin(std::process::Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .output()
        .expect("util-linux `script` gives followup a terminal (apt-get install bsdutils)");
    assert!(out.status.success(), "{args:?} on a terminal");
    String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n")
}

#[test]
fn on_a_real_terminal_colour_follows_no_color_and_the_flag() {
    let d = demo_db();
    let t = "2026-11-23";
    // script's terminal has no size of its own: COLUMNS (80) says it.
    let auto = on_a_terminal_with(&d.path, t, &["agenda"], &[]);
    assert!(auto.contains("\x1b[1;31m"), "colour by default:\n{auto}");
    let fits = |s: &str| {
        strip_ansi(s)
            .lines()
            .all(|l| unicode_width::UnicodeWidthStr::width(l) <= 80)
    };
    assert!(fits(&auto), "{auto}");
    let no_color = on_a_terminal_with(&d.path, t, &["agenda"], &[("NO_COLOR", "1")]);
    assert!(!no_color.contains('\x1b'), "NO_COLOR:\n{no_color}");
    assert!(fits(&no_color) && no_color.contains('…'), "{no_color}");
    let never = on_a_terminal_with(&d.path, t, &["agenda", "--color", "never"], &[]);
    assert!(!never.contains('\x1b'), "--color never:\n{never}");
    assert_eq!(never, no_color);
    // --wide: every column in full on the terminal too.
    let wide = on_a_terminal_with(&d.path, t, &["agenda", "--wide", "--color", "never"], &[]);
    assert!(!wide.contains('…'));
    assert_eq!(wide, ok(&d.path, t, &["agenda"]));
}

#[test]
fn warnings_are_yellow_only_when_asked_or_on_a_terminal() {
    let d = db();
    dana_journey(&d.path);
    ok(
        &d.path,
        "2026-03-09",
        &["log", "follow-up", "--with", "Dana Reyes", "--job", "1"],
    );
    let args = ["log", "follow-up", "--with", "Dana Reyes", "--job", "1"];
    let out = run_env(&d.path, "2026-03-10", &args, &[]);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("warning: ") && !err.contains('\x1b'),
        "{err}"
    );
    let mut all = args.to_vec();
    all.extend(["--color", "always"]);
    let out = run_env(&d.path, "2026-03-11", &all, &[]);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("\x1b[33mwarning:\x1b[0m "), "{err:?}");
    // An error's label too.
    let out = run_env(
        &d.path,
        "2026-03-11",
        &["contact", "show", "nobody at all", "--color", "always"],
        &[],
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("followup: \x1b[1;31merror:\x1b[0m "),
        "{err:?}"
    );
}

#[test]
fn completions_and_the_man_page() {
    let d = db();
    for shell in ["bash", "zsh", "fish"] {
        let out = run_env(&d.path, "2026-03-06", &["completions", shell], &[]);
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        for word in ["agenda", "contact", "snooze", "until", "linkedin"] {
            assert!(text.contains(word), "{shell}: no {word}");
        }
    }
    let out = run_env(&d.path, "2026-03-06", &["completions", "tcsh"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let man = ok(&d.path, "2026-03-06", &["man"]);
    assert!(man.contains(".TH followup 1"), "{}", &man[..200]);
    assert!(man.contains(".SH SYNOPSIS") && man.contains("agenda"));
    let dir = d.path.parent().unwrap().join("man");
    let out = run_env(
        &d.path,
        "2026-03-06",
        &["man", "--dir", dir.to_str().unwrap()],
        &[],
    );
    assert!(out.status.success());
    let page = std::fs::read_to_string(dir.join("followup-job-close.1")).unwrap();
    assert!(page.contains(".TH followup-job-close 1") && page.contains("no\\-response"));
    // Neither needs a database or a config that parses.
    assert!(!d.path.exists());
}

/// The command line's own definition, compiled here as the binary compiles it.
#[allow(dead_code, unused_imports)]
#[path = "../src/cli.rs"]
mod cli_definition;

#[test]
fn every_argument_has_help_and_global_options_have_their_own_heading() {
    fn walk(cmd: &clap::Command, path: &str, empty: &mut Vec<String>) {
        let path = format!("{path} {}", cmd.get_name());
        if cmd
            .get_about()
            .is_none_or(|a| a.to_string().trim().is_empty())
        {
            empty.push(path.clone());
        }
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            if arg
                .get_help()
                .is_none_or(|h| h.to_string().trim().is_empty())
            {
                empty.push(format!("{path} {id}"));
            }
            if arg.is_global_set() {
                assert_eq!(
                    arg.get_help_heading(),
                    Some("Global options"),
                    "{path} --{id}"
                );
            }
        }
        for sub in cmd.get_subcommands() {
            walk(sub, &path, empty);
        }
    }
    let mut cmd = cli_definition::Cli::command_line();
    cmd.build();
    let mut empty = Vec::new();
    walk(&cmd, "", &mut empty);
    assert!(empty.is_empty(), "no help text: {empty:?}");

    // In a subcommand's help, the global options come once, under their heading.
    let d = db();
    for args in [&["agenda", "--help"][..], &["job", "close", "--help"]] {
        let help = ok(&d.path, "2026-03-06", args);
        let (own, global) = help.split_once("Global options:").expect("the heading");
        let listed = |section: &str, flag: &str| {
            section
                .lines()
                .filter(|l| {
                    l.trim_start()
                        .strip_prefix(flag)
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
                })
                .count()
        };
        for flag in [
            "--db",
            "--database",
            "--today",
            "--json",
            "--color",
            "--wide",
        ] {
            assert_eq!(
                listed(own, flag),
                0,
                "{args:?}: {flag} among its own:\n{help}"
            );
            assert_eq!(listed(global, flag), 1, "{args:?}: {flag}\n{help}");
        }
    }
    let help = ok(&d.path, "2026-03-06", &["job", "close", "--help"]);
    assert!(help.contains("accepted, rejected, withdrawn or no-response"));
}

/// The agenda as it was printed before it streamed (issue 17), from the whole list of items:
/// every cell in full, columns as wide as their widest cell, then the notes.
fn agenda_text_of_whole_items(
    items: &[followup_core::AgendaItem],
    today: jiff::civil::Date,
) -> String {
    use followup_core::plan::day_label;
    if items.is_empty() {
        return "Nothing due. `followup agenda --until \"in 4 weeks\"` looks further ahead.\n"
            .into();
    }
    let mut rows: Vec<Vec<String>> = vec![
        ["ID", "DUE", "ACTION", "WHO", "CHANNEL", "WHY"]
            .map(String::from)
            .to_vec(),
    ];
    for a in items {
        let p = followup_core::present::item(a, today);
        let when = if a.overdue_days > 0 {
            format!("{} ({} d overdue)", day_label(a.due, today), a.overdue_days)
        } else if a.due == today {
            format!("{} (today)", day_label(a.due, today))
        } else {
            day_label(a.due, today)
        };
        rows.push(vec![
            a.id.to_string(),
            when,
            p.label.to_string(),
            p.who_and_jobs(),
            a.channel.to_string(),
            p.why_line(),
        ]);
    }
    let mut widths = [0usize; 6];
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            if i == 5 {
                out.push_str(c.trim_end());
            } else {
                out.push_str(c);
                out.push_str(&" ".repeat(widths[i] - c.chars().count() + 2));
            }
        }
        out.push('\n');
    }
    let notes: Vec<String> = items
        .iter()
        .flat_map(|a| {
            followup_core::present::item(a, today)
                .notes
                .into_iter()
                .map(move |n| format!("  {}: {n}\n", a.id))
        })
        .collect();
    if !notes.is_empty() {
        out.push('\n');
        out.extend(notes);
    }
    out
}

/// Issue 17: the streamed agenda prints what the whole list printed, to the byte, in text and
/// in JSON, on days when items fold, move on, say "call now", fall on occasions or cross a
/// year.
#[test]
fn agenda_streams_what_the_whole_agenda_printed() {
    use followup_core::Action;
    let mut kinds = std::collections::BTreeSet::new();
    let mut same = |path: &Path, today: &str, until: Option<&str>| {
        let app = followup_app::App::open_existing(path, followup_app::Config::default()).unwrap();
        let day: jiff::civil::Date = today.parse().unwrap();
        let cx = app.ctx(day).unwrap();
        let items = app.agenda(&cx, until.map(|u| u.parse().unwrap())).unwrap();
        for a in &items {
            kinds.insert((a.action, a.call_now, a.thanks_too, a.overdue_days > 0));
        }
        let mut args = vec!["agenda"];
        if let Some(u) = until {
            args.extend(["--until", u]);
        }
        assert_eq!(
            ok(path, today, &args),
            agenda_text_of_whole_items(&items, day),
            "text on {today} until {until:?}"
        );
        let mut with_json = vec!["--json"];
        with_json.extend(&args);
        assert_eq!(
            ok(path, today, &with_json),
            serde_json::to_string_pretty(&items).unwrap() + "\n",
            "JSON on {today} until {until:?}"
        );
    };
    let d = db();
    ok(
        &d.path,
        "2026-11-23",
        &["--db", d.path.to_str().unwrap(), "demo"],
    );
    for (today, until) in [
        ("2026-11-23", None),
        ("2026-11-23", Some("2027-03-01")),
        ("2026-12-10", Some("2026-12-31")),
        ("2027-01-20", Some("2028-01-01")),
    ] {
        same(&d.path, today, until);
    }
    // An interview with no timeline: unthanked, its thank-you folds into the F4 follow-up
    // (C4); thanked, the F4 date became a promise, which says "call now" once past (C2).
    let e = db();
    dana_journey(&e.path);
    ok(
        &e.path,
        "2026-03-05",
        &["log", "interview", "--with", "1", "--job", "Northwind"],
    );
    same(&e.path, "2026-03-25", None);
    let items = json(&e.path, "2026-03-06", &["agenda"]);
    let ty = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["action"] == "thank-you")
        .expect("a thank-you")["id"]
        .to_string();
    ok(&e.path, "2026-03-06", &["done", &ty]);
    same(&e.path, "2026-03-10", None);
    same(&e.path, "2026-03-25", Some("2026-04-30"));
    for (action, what) in [
        (Action::Occasion, "an occasion"),
        (Action::MoveOnReview, "a move-on review"),
        (Action::Pipeline, "the pipeline"),
    ] {
        assert!(
            kinds.iter().any(|k| k.0 == action),
            "the days chosen show {what}: {kinds:?}"
        );
    }
    assert!(kinds.iter().any(|k| k.1 && !k.2), "a call now: {kinds:?}");
    assert!(kinds.iter().any(|k| k.2), "a thank-you folded: {kinds:?}");
}
