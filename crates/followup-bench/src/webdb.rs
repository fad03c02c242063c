//! `followup-bench webdb DB --today D [--contacts N] [--seed S]`: the database of the web load
//! benchmark (docs/BENCHMARKS.md, "Reads beside writes"). The "N pending follow-ups" workload
//! (`synth::generate_pending`: N contacts, each with one follow-up the person promised within
//! 60 days either side of today, so about 60% of them are in the default agenda window, items
//! enough for writers to mark done and snooze), plus one job per hundred contacts through the
//! same use cases a person calls: job j at "Organization j" with contact 100·(j-1)+1 as its
//! point of contact (so `/contacts/1` and `/jobs/1` exist), applied to, and half of them with
//! an interview or a reply logged, so the Pipeline, contact and job pages have something to show.

use std::path::Path;

use followup_app::{App, Config, NewJob, NewTouch};
use followup_core::{Stage, TouchKind, Wait};
use jiff::ToSpan;
use jiff::civil::Date;

pub fn make(db: &Path, today: Date, contacts: u64, seed: u64) -> anyhow::Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
    let app = App::open(db, Config::default())?;
    let cx = app.ctx(today)?;
    followup_app::synth::generate_pending(&app, &cx, contacts, seed)?;
    let ago = |days: i64| today.checked_sub(days.days()).unwrap_or(today);
    let jobs = (contacts / 100).max(1);
    let stages = [
        Stage::Applied,
        Stage::Applied,
        Stage::Interviewing,
        Stage::Lead,
    ];
    for j in 1..=jobs {
        let contact = (100 * (j - 1) + 1).to_string();
        let stage = stages[(j % 4) as usize];
        let job = app.add_job(
            &cx,
            NewJob {
                organization: format!("Organization {j}"),
                title: format!("Role {j}"),
                contacts: vec![contact.clone()],
                applied: (stage != Stage::Lead).then(|| ago(10 + (j as i64 * 7) % 30)),
                response_time: (j % 3 == 0).then_some(Wait::Weeks(3)),
                url: Some(format!("https://organization{j}.example/careers/{j}")),
                stage: Some(stage),
                notes: None,
            },
        )?;
        let kind = match (stage, j % 2) {
            (Stage::Interviewing, _) => TouchKind::Interview,
            (_, 0) => TouchKind::Reply,
            _ => continue,
        };
        app.log(
            &cx,
            NewTouch {
                kind,
                with: vec![contact],
                job: Some(job.id.to_string()),
                on: Some(ago(2 + j as i64 % 5)),
                note: Some(format!("{kind} about role {j}")),
                ..NewTouch::default()
            },
        )?;
    }
    let items = app.agenda(&cx, None)?.len();
    eprintln!(
        "{contacts} contacts, {jobs} jobs, {items} items in the default agenda window: {}",
        db.display()
    );
    Ok(())
}
