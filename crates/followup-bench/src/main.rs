//! `followup-bench`: makes benchmark workloads from a seed (docs/BENCHMARKS.md). Not part of the
//! user-facing CLI.
//!
//! - `pending N DIR --today D [--seed S]`: N contacts with one follow-up due within 60 days
//!   either side of D, as a followup database, a taskwarrior import (JSON lines), a remind file
//!   and a bare SQLite table (the floor).
//! - `history DB CONTACTS TOUCHES --today D [--seed S]`: a coach's history (see synth.rs).
//! - `linkedin ROWS FILE [--seed S]`: a LinkedIn Connections.csv of ROWS people.
//! - `webdb DB --today D [--contacts N] [--seed S]`: the web load benchmark's database (webdb.rs).
//! - `teamdb URL --coaches 50 --clients 2000 --contacts 100 --touches 1000 --today D [--seed S]
//!   --tokens FILE`: a team server's PostgreSQL database at coach scale (teamdb.rs).
//! - `teamload --addr 127.0.0.1:PORT --tokens FILE [options]`: a coach's caseload, then
//!   clients' Today with writes, on a running team server (load.rs; `teamload --help`).
//! - `load --addr 127.0.0.1:PORT [--readers R] [--writers W] [--seconds S] [--import FILE] ...`:
//!   mixed load on a running `followup serve` (load.rs; `load --help` for every option).

mod cpu;
mod load;
mod teamdb;
mod webdb;

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use followup_app::{App, Config};
use jiff::civil::Date;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "load") {
        return load::main(&args[1..]);
    }
    if args.first().is_some_and(|a| a == "teamload") {
        return load::team_main(&args[1..]);
    }
    let flag = |name: &str| -> Option<String> {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let seed: u64 = flag("--seed").map(|s| s.parse()).transpose()?.unwrap_or(7);
    let today: Option<Date> = flag("--today").map(|s| s.parse()).transpose()?;
    let pos: Vec<&String> = {
        let mut out = Vec::new();
        let mut skip = false;
        for a in &args {
            if skip {
                skip = false;
                continue;
            }
            if a.starts_with("--") {
                skip = true;
                continue;
            }
            out.push(a);
        }
        out
    };
    match pos.as_slice() {
        [cmd, n, dir] if cmd.as_str() == "pending" => {
            let today = today.context("pending needs --today")?;
            pending(n.parse()?, Path::new(dir), today, seed)
        }
        [cmd, db, contacts, touches] if cmd.as_str() == "history" => {
            let today = today.context("history needs --today")?;
            let app = App::open(Path::new(db), Config::default())?;
            let n = followup_app::synth::generate_seeded(
                &app,
                &app.ctx(today)?,
                contacts.parse()?,
                touches.parse()?,
                seed,
                &mut |m| eprintln!("{m}"),
            )?;
            eprintln!("{n} plan items");
            Ok(())
        }
        [cmd, rows, file] if cmd.as_str() == "linkedin" => {
            std::fs::write(file, followup_app::synth::linkedin_csv(rows.parse()?, seed))?;
            Ok(())
        }
        [cmd, db] if cmd.as_str() == "webdb" => {
            let today = today.context("webdb needs --today")?;
            let contacts = flag("--contacts").map(|s| s.parse()).transpose()?;
            webdb::make(Path::new(db), today, contacts.unwrap_or(5000), seed)
        }
        [cmd, url] if cmd.as_str() == "teamdb" => {
            let num = |name: &str, d: u64| -> anyhow::Result<u64> {
                Ok(flag(name).map(|s| s.parse()).transpose()?.unwrap_or(d))
            };
            let spec = teamdb::Spec {
                coaches: num("--coaches", 50)? as usize,
                clients: num("--clients", 2000)? as usize,
                contacts: num("--contacts", 100)?,
                touches: num("--touches", 1000)?,
                today: today.context("teamdb needs --today")?,
                seed,
            };
            let tokens = flag("--tokens").context("teamdb needs --tokens FILE")?;
            teamdb::make(url, &spec, Path::new(&tokens))
        }
        _ => bail!(
            "usage: followup-bench pending N DIR --today D [--seed S] | history DB CONTACTS TOUCHES --today D [--seed S] | linkedin ROWS FILE [--seed S] | webdb DB --today D [--contacts N] [--seed S] | teamdb URL --coaches N --clients N --contacts N --touches N --today D [--seed S] --tokens FILE | load --addr 127.0.0.1:PORT [options] | teamload --addr 127.0.0.1:PORT --tokens FILE [options]"
        ),
    }
}

fn pending(n: u64, dir: &Path, today: Date, seed: u64) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let db: PathBuf = dir.join("followup.db");
    for f in ["followup.db", "floor.db"] {
        let _ = std::fs::remove_file(dir.join(f));
    }
    let app = App::open(&db, Config::default())?;
    let items = followup_app::synth::generate_pending(&app, &app.ctx(today)?, n, seed)?;
    drop(app);

    // taskwarrior: one JSON object a line for `task import`.
    let mut tasks = String::new();
    for (i, it) in items.iter().enumerate() {
        let uuid = format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            seed as u32,
            (i >> 16) as u16,
            (i & 0xfff) as u16,
            ((i >> 12) & 0xfff) as u16,
            i as u64
        );
        let line = serde_json::json!({
            "uuid": uuid,
            "description": format!("follow up with {}", it.name),
            "status": "pending",
            "entry": format!("{}T000000Z", ymd(today)),
            "due": format!("{}T120000Z", ymd(it.due)),
        });
        tasks.push_str(&line.to_string());
        tasks.push('\n');
    }
    std::fs::write(dir.join("tasks.json"), tasks)?;

    // remind: `*1` repeats daily from the date on, so `remind -q` lists due and overdue.
    let mut rem = String::new();
    for it in &items {
        rem.push_str(&format!(
            "REM {} {} {} *1 MSG follow up with {}\n",
            it.due.day(),
            [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
            ][(it.due.month() - 1) as usize],
            it.due.year(),
            it.name
        ));
    }
    std::fs::write(dir.join("reminders.rem"), rem)?;

    // The floor: the same items in a bare table with an index on (status, due).
    let mut conn = rusqlite::Connection::open(dir.join("floor.db"))?;
    conn.execute_batch(
        "CREATE TABLE items (id INTEGER PRIMARY KEY, status TEXT NOT NULL, due TEXT NOT NULL, description TEXT NOT NULL);
         CREATE INDEX items_status_due ON items(status, due);",
    )?;
    let tx = conn.transaction()?;
    {
        let mut stmt =
            tx.prepare("INSERT INTO items (status, due, description) VALUES ('pending', ?1, ?2)")?;
        for it in &items {
            stmt.execute(rusqlite::params![
                it.due.to_string(),
                format!("follow up with {}", it.name)
            ])?;
        }
    }
    tx.commit()?;
    eprintln!("{} pending follow-ups in {}", items.len(), dir.display());
    Ok(())
}

fn ymd(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month(), d.day())
}
