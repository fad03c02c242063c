//! `followup-bench teamdb URL --coaches 50 --clients 2000 --contacts 100 --touches 1000 --today D
//! [--seed S] --tokens FILE`: fills an empty team server database (PostgreSQL) at coach scale,
//! for `followup-bench teamload` (docs/BENCHMARKS.md, "The team server at coach scale").
//!
//! 1. Accounts through the directory: `coachNN@bench.example` and `clientNNNN@bench.example`
//!    (each client owns a workspace), an API token each, and coach `c` holds an edit grant on
//!    clients `c*K .. c*K+K-1` (K = clients / coaches).
//! 2. The first client's book, made through the app (synth: the real event log, the real
//!    plan): CONTACTS contacts and TOUCHES touches over the two years before `--today`.
//! 3. That workspace's rows copied to every other client's workspace in SQL (`INSERT ...
//!    SELECT` per owner table, a batch of workspaces a transaction), as the tables' owner with
//!    row-level security's FORCE lifted inside the transaction only. The clones are identical
//!    (the same names, dates and plan): the queries and the row counts are what a real caseload
//!    would meet, the figures are not varied.
//! 4. `VACUUM ANALYZE`.
//!
//! The tokens go to FILE, one account a line: `role<TAB>email<TAB>workspace<TAB>token`
//! (workspace `-` for a coach).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use followup_app::{Actor, App, Config};
use followup_store::{Grant, GrantScope, Role};
use jiff::civil::Date;

/// The tables keyed by `owner` (migrations/0001_init.sql), `owners` aside.
const OWNER_TABLES: [&str; 16] = [
    "events",
    "organizations",
    "contacts",
    "jobs",
    "job_contacts",
    "touches",
    "touch_contacts",
    "snoozes",
    "plan_keys",
    "plan",
    "settings",
    "holidays",
    "ids",
    "removed_contacts",
    "removed_jobs",
    "removed_touches",
];

pub struct Spec {
    pub coaches: usize,
    pub clients: usize,
    pub contacts: u64,
    pub touches: u64,
    pub today: Date,
    pub seed: u64,
}

fn secs(t: Instant) -> String {
    format!("{:.1} s", t.elapsed().as_secs_f64())
}

pub fn make(url: &str, spec: &Spec, tokens: &Path) -> anyhow::Result<()> {
    if spec.coaches == 0 || spec.clients == 0 {
        bail!("--coaches and --clients must be at least 1");
    }
    let all = Instant::now();
    let app = App::open_postgres(url, Config::default())?;
    let dir = app.directory()?.clone();
    if dir.has_accounts()? {
        bail!("{url}: this database already has accounts; teamdb fills an empty one");
    }
    let now = followup_app::clock::now();

    // 1. Accounts, tokens, grants.
    let t = Instant::now();
    let mut lines = String::new();
    let mut coaches = Vec::new();
    for c in 0..spec.coaches {
        let a = dir.add_account(&format!("coach{c:02}@bench.example"), Role::Coach, None)?;
        let token = app.create_token(&a, "bench", now)?;
        writeln!(lines, "coach\t{}\t-\t{}", a.email, token.0)?;
        coaches.push(a);
    }
    let per_coach = spec.clients.div_ceil(spec.coaches);
    let mut workspaces = Vec::new();
    for i in 0..spec.clients {
        let a = dir.add_account(&format!("client{i:04}@bench.example"), Role::Client, None)?;
        let ws = a.workspace.context("a client account has a workspace")?;
        let token = app.create_token(&a, "bench", now)?;
        writeln!(lines, "client\t{}\t{}\t{}", a.email, ws.0, token.0)?;
        dir.set_grant(&Grant {
            workspace: ws,
            coach: coaches[(i / per_coach).min(spec.coaches - 1)].id,
            scope: GrantScope::Edit,
            until: None,
            granted: now,
        })?;
        workspaces.push(ws);
        if (i + 1) % 500 == 0 {
            eprintln!("  {} clients", i + 1);
        }
    }
    std::fs::write(tokens, lines).with_context(|| format!("--tokens {}", tokens.display()))?;
    eprintln!(
        "accounts: {} coaches, {} clients, a token each, {} grants (edit, {per_coach} clients a coach): {}; tokens in {}",
        spec.coaches,
        spec.clients,
        spec.clients,
        secs(t),
        tokens.display()
    );

    // 2. One book through the app.
    let t = Instant::now();
    let src = workspaces[0];
    let cx = app.ctx_for(src, Actor::Owner, spec.today)?;
    let n = followup_app::synth::generate_seeded(
        &app,
        &cx,
        spec.contacts,
        spec.touches,
        spec.seed,
        &mut |m| eprintln!("  {m}"),
    )?;
    eprintln!(
        "workspace {}: {} contacts, {} touches, {n} plan items (synth through the app): {}",
        src.0,
        spec.contacts,
        spec.touches,
        secs(t)
    );
    drop(app);

    // 3. Clones, in SQL.
    let t = Instant::now();
    let mut pg = postgres::Client::connect(url, postgres::NoTls).context("connect for the copy")?;
    let mut copies = Vec::new();
    for table in OWNER_TABLES {
        let cols: Vec<String> = pg
            .query(
                "SELECT column_name::text FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
                &[&table],
            )?
            .iter()
            .map(|r| r.get::<_, String>(0))
            // A clone's events take new numbers, in the source's order.
            .filter(|c| !(table == "events" && c == "seq"))
            .collect();
        if !cols.iter().any(|c| c == "owner") {
            bail!("{table} has no owner column");
        }
        let list = cols.join(", ");
        let select = cols
            .iter()
            .map(|c| {
                if c == "owner" {
                    "w.id".to_string()
                } else {
                    format!("t.{c}")
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let order = if table == "events" {
            " ORDER BY w.id, t.seq"
        } else {
            ""
        };
        copies.push(format!(
            "INSERT INTO {table} ({list}) SELECT {select} FROM {table} t, bench_targets w WHERE t.owner = {src}{order};",
            src = src.0
        ));
    }
    let force = |on: bool| -> String {
        std::iter::once("owners")
            .chain(OWNER_TABLES)
            .map(|t| {
                format!(
                    "ALTER TABLE {t} {} ROW LEVEL SECURITY;",
                    if on { "FORCE" } else { "NO FORCE" }
                )
            })
            .collect()
    };
    let rest = &workspaces[1..];
    let batch = 100;
    for (b, chunk) in rest.chunks(batch).enumerate() {
        let ids: Vec<String> = chunk.iter().map(|w| w.0.to_string()).collect();
        let sql = format!(
            "BEGIN;
             {off}
             CREATE TEMP TABLE bench_targets (id bigint PRIMARY KEY) ON COMMIT DROP;
             INSERT INTO bench_targets SELECT unnest(ARRAY[{ids}]::bigint[]);
             INSERT INTO owners (id, name, version)
                 SELECT w.id, 'owner ' || w.id, o.version FROM owners o, bench_targets w WHERE o.id = {src};
             {copies}
             {on}
             COMMIT;",
            off = force(false),
            on = force(true),
            ids = ids.join(","),
            src = src.0,
            copies = copies.join("\n"),
        );
        pg.batch_execute(&sql)
            .with_context(|| format!("copying to workspaces {}..", chunk[0].0))?;
        eprintln!(
            "  copied to {} of {} workspaces ({})",
            (b * batch + chunk.len()),
            rest.len(),
            secs(t)
        );
        std::io::stderr().flush().ok();
    }
    eprintln!(
        "copies: workspace {} to {} others: {}",
        src.0,
        rest.len(),
        secs(t)
    );

    // 4. Statistics and the visibility map.
    let t = Instant::now();
    pg.batch_execute("VACUUM ANALYZE")?;
    let size: i64 = pg
        .query_one("SELECT pg_database_size(current_database())", &[])?
        .get(0);
    eprintln!("VACUUM ANALYZE: {}", secs(t));
    let mut counts = String::new();
    for table in ["touches", "contacts", "events", "plan"] {
        // Not under RLS as the superuser; as the owner with FORCE, the statistics tell.
        let n: f32 = pg
            .query_one(
                "SELECT reltuples FROM pg_class WHERE relname = $1",
                &[&table],
            )?
            .get(0);
        write!(counts, " {table} ~{n:.0},")?;
    }
    eprintln!(
        "database: {:.2} GB;{} all in {}",
        size as f64 / 1e9,
        counts.trim_end_matches(','),
        secs(all)
    );
    Ok(())
}
