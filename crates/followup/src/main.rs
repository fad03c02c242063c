//! `followup`: argv to use case to output. No logic of its own: parsing the command line,
//! calling followup-app, and printing text or JSON.

mod cli;
mod fit;
#[macro_use]
mod output;
mod mail;
mod team;

/// jemalloc instead of the C library's allocator: a team server allocates and frees small
/// blocks for every request on a few threads at once, where glibc's allocator took a sixth
/// of the server's time under load and jemalloc takes a third of that (docs/BENCHMARKS.md,
/// ninth round). The CLI takes as long either way (a replan of 5,000 contacts, 0.09 s), with
/// a few MB more of memory.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use followup_app::input::{day, opt_day, past_day, word};
use followup_app::{App, AppError, Ctx, Field, config};

use cli::{
    CalendarCmd, Cli, Command, ContactCmd, ImportCmd, JobCmd, MailCmd, TemplatesCmd, TouchCmd,
};

fn main() -> ExitCode {
    let cli = match Cli::parse_args() {
        Ok(cli) => cli,
        Err(e) => return cli::usage_error(e),
    };
    output::set_term(output::decide(cli.color, cli.wide));
    let positional = cli.command.positional();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if broken_pipe(&e) => {
            // The reader went away (`followup agenda | head`): nothing more to say.
            ExitCode::SUCCESS
        }
        Err(e) => {
            let bad_input = e
                .downcast_ref::<AppError>()
                .is_some_and(AppError::is_bad_input)
                || e.downcast_ref::<cli::BadArg>().is_some();
            let _ = writeln!(
                std::io::stderr(),
                "followup: {} {}",
                output::err_label("error:", output::Paint::Red),
                one_line(&e, positional)
            );
            if bad_input {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

/// An error as one line a terminal cannot be tricked by: the causes joined, line breaks
/// folded, control characters shown escaped.
fn one_line(e: &anyhow::Error, positional: &[(Field, &'static str)]) -> String {
    // A refused field is named as this command line names it (`--on`, `KIND`).
    let text = match e.downcast_ref::<AppError>() {
        Some(app) => app.render(|f| cli::flag(positional, f)),
        None => format!("{e:#}"),
    };
    let folded = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    followup_core::text::escape_controls(&folded).into_owned()
}

/// True when the error is stdout's reader having gone away.
fn broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .map(|io| io.kind())
            .or_else(|| {
                c.downcast_ref::<serde_json::Error>()
                    .and_then(|j| j.io_error_kind())
            })
            == Some(std::io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli) -> anyhow::Result<()> {
    // Answered from the command line alone: no config, no database, no today.
    match &cli.command {
        Command::Completions { shell } => {
            let mut cmd = Cli::command_line();
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            clap_complete::generate(*shell, &mut cmd, "followup", &mut out);
            out.flush()?;
            return Ok(());
        }
        Command::Man { dir } => {
            let cmd = Cli::command_line();
            return match dir {
                Some(dir) => {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        cli::BadArg(format!("--dir: cannot create {}: {e}", dir.display()))
                    })?;
                    clap_mangen::generate_to(cmd, dir).map_err(|e| {
                        cli::BadArg(format!("--dir: cannot write in {}: {e}", dir.display()))
                    })?;
                    eprintln!("Wrote the manual pages to {}.", dir.display());
                    Ok(())
                }
                None => {
                    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
                    clap_mangen::Man::new(cmd).render(&mut out)?;
                    out.flush()?;
                    Ok(())
                }
            };
        }
        _ => {}
    }
    let today = cli.today()?;
    let config = config::load(cli.config.as_deref())?;
    let json = cli.json;

    if let Command::Demo { networking } = cli.command {
        return demo(&cli, config, today, json, networking);
    }
    if let Command::Serve {
        bind,
        port,
        demo,
        public_url,
        reads_at_once,
    } = &cli.command
    {
        let how = Serving {
            bind,
            port: *port,
            demo: *demo,
            public_url: public_url.as_deref(),
            reads_at_once: *reads_at_once,
        };
        return serve(&cli, config, today, how);
    }
    match &cli.command {
        Command::Team(t) => return team::team(&cli, t, config, json),
        Command::User(u) => return team::user(&cli, u, config, json),
        Command::Grant { .. } | Command::Revoke { .. } => {
            return team::grant(&cli, &cli.command, config, today, json);
        }
        _ => {}
    }

    for w in &config.warnings {
        eprintln!(
            "followup: {} {}",
            output::err_label("warning:", output::Paint::Yellow),
            followup_core::text::escape_controls(w)
        );
    }
    // On a team server every other command works in one client's workspace.
    if let Some(url) = cli.postgres_url().map(str::to_string) {
        return on_team_server(cli, url, config, today, json);
    }
    let db = cli.db_path()?;
    if let Command::Where = cli.command {
        return where_is(&db, &config, today, json);
    }
    let needs_no_data = cli.command.needs_no_data();
    let may_create = cli.command.may_create();
    let db_given = cli.db.is_some() || cli.database.is_some();
    let open = move |config: followup_app::Config| -> anyhow::Result<App> {
        Ok(if needs_no_data && !db.exists() {
            App::without_data(config)?
        } else if needs_no_data {
            // The owner's own templates (Settings) live in the database.
            App::open_existing(&db, config)?
        } else if may_create {
            App::open(&db, config)?
        } else if !db_given && !db.exists() {
            return Err(cli::BadArg(format!(
                "no database at {} yet; start with `followup contact add NAME`, `followup import linkedin FILE` or `followup demo`",
                db.display()
            ))
            .into());
        } else {
            App::open_existing(&db, config)?
        })
    };
    work(cli, open, config, today, json)
}

/// A command on a team server: the same as on a SQLite book, in the workspace of the client
/// `--workspace EMAIL` names.
fn on_team_server(
    cli: Cli,
    url: String,
    config: followup_app::Config,
    today: jiff::civil::Date,
    json: bool,
) -> anyhow::Result<()> {
    let Some(email) = cli.workspace.clone() else {
        return Err(cli::BadArg(
            "--workspace EMAIL: a team server holds many job searches; name the client's (`followup user list` shows them)".into(),
        )
        .into());
    };
    if let Command::Where = cli.command {
        return Err(cli::BadArg(
            "where: a team server's database is the --database URL itself".into(),
        )
        .into());
    }
    let open = move |config: followup_app::Config| -> anyhow::Result<App> {
        let app = App::open_postgres(&url, config)?;
        let account = app.account_named(&email)?;
        let owner = app.own_workspace(&account)?;
        Ok(app.for_workspace(owner))
    };
    work(cli, open, config, today, json)
}

/// Runs a command on the data `open` gives.
fn work(
    cli: Cli,
    open: impl FnOnce(followup_app::Config) -> anyhow::Result<App>,
    config: followup_app::Config,
    today: jiff::civil::Date,
    json: bool,
) -> anyhow::Result<()> {
    let command = match cli.command {
        // Imports read and check their file before a database is opened: a refused file
        // leaves nothing behind.
        Command::Import(cmd) => return import(cmd, config, today, open, json),
        other => other,
    };
    let app = open(config)?;
    // Unpinned, today is the day in the owner's time zone (Settings, `followup me`).
    let today = match cli.today {
        None => app.today_for(app.default_owner())?,
        Some(_) => today,
    };
    let cx = app.ctx(today)?;
    let cx = &cx;
    match command {
        Command::Contact(c) => match c {
            ContactCmd::Add(a) => {
                let anyway = a.anyway;
                let new = a.into_new(cx)?;
                let similar = app.similar_contacts(cx, &new.name, &new.emails)?;
                if !anyway && !similar.is_empty() {
                    let list = output::similar(&similar);
                    let merge = format!(
                        "add it with --anyway, then `followup contact merge NEW {}` to make them one",
                        similar[0].id
                    );
                    if !interactive() {
                        return Err(cli::BadArg(format!(
                            "{list} is already there; `followup contact edit {}` changes it, or {merge}",
                            similar[0].id
                        ))
                        .into());
                    }
                    eprintln!("{list} is already there ({merge}).");
                    if !ask("add another anyway? [y/N] ")?.starts_with(['y', 'Y']) {
                        return Err(anyhow::anyhow!(
                            "not added; `followup contact edit {}` changes the one that is there",
                            similar[0].id
                        ));
                    }
                }
                let contact = app.add_contact(cx, new)?;
                output::created_contact(&contact, json)
            }
            ContactCmd::Merge { from, into } => {
                output::merged(&app.merge_contacts(cx, &from, &into)?, json)
            }
            ContactCmd::Delete { who, yes } => {
                let c = app.contact_view(cx, &who)?;
                confirm(
                    yes,
                    &format!(
                        "delete contact #{} {} ({} touches)? [y/N] ",
                        c.contact.id,
                        c.contact.name,
                        c.timeline.len()
                    ),
                    "contact delete",
                )?;
                let gone = app.delete_contact(cx, &c.contact.id.to_string())?;
                output::removed(
                    &format!("Deleted contact #{} {}", gone.id, gone.name),
                    &format!("followup contact restore {}", gone.id),
                    &gone,
                    json,
                )
            }
            ContactCmd::Restore { id } => {
                let c = app.restore_contact(cx, followup_core::ContactId(id))?;
                output::edited_contact(&c, json)
            }
            ContactCmd::List => output::contacts(&app.contacts(cx)?, json),
            ContactCmd::Show { who } => {
                output::contact_view(&app.contact_view(cx, &who)?, today, json)
            }
            ContactCmd::Tier { tier, who } => {
                let tier = match tier.trim() {
                    "none" | "" => None,
                    t => Some(word(Field::Tier, t)?),
                };
                let changed = app.set_tiers(cx, tier, &who)?;
                if json {
                    output::print_json(&changed)
                } else {
                    for c in &changed {
                        outln!(
                            "#{} {} is {}",
                            c.id,
                            c.name,
                            c.tier
                                .map(|t| t.to_string())
                                .unwrap_or_else(|| "untiered".into())
                        );
                    }
                    Ok(())
                }
            }
            ContactCmd::Edit(e) => {
                let who = e.who.clone();
                let c = app.edit_contact(cx, &who, e.into_edit(cx)?)?;
                output::edited_contact(&c, json)
            }
        },
        Command::Job(j) => match j {
            JobCmd::Add(a) => {
                let job = app.add_job(cx, a.into_new(cx)?)?;
                output::created_job(&job, json)
            }
            JobCmd::List { open } => {
                let mut jobs = app.jobs(cx)?;
                if open {
                    jobs.retain(|j| j.stage.is_open());
                }
                output::jobs(&jobs, json)
            }
            JobCmd::Show { job } => output::job_view(&app.job_view(cx, &job)?, today, json),
            JobCmd::Stage { job, stage } => {
                output::job_changed(&app.set_stage(cx, &job, word(Field::Stage, &stage)?)?, json)
            }
            JobCmd::Close { job, outcome } => output::job_changed(
                &app.close_job(cx, &job, word(Field::Outcome, &outcome)?)?,
                json,
            ),
            JobCmd::Edit(e) => {
                let which = e.job.clone();
                output::job_edited(&app.edit_job(cx, &which, e.into_edit()?)?, json)
            }
            JobCmd::Delete { job, yes } => {
                let v = app.job_view(cx, &job)?;
                let j = &v.job;
                confirm(
                    yes,
                    &format!(
                        "delete job #{} {}: {} and its {} touches? [y/N] ",
                        j.id,
                        j.organization.name,
                        j.title,
                        v.timeline.len()
                    ),
                    "job delete",
                )?;
                let gone = app.delete_job(cx, &j.id.to_string())?;
                output::removed(
                    &format!(
                        "Deleted job #{} {}: {}",
                        gone.id, gone.organization.name, gone.title
                    ),
                    &format!("followup job restore {}", gone.id),
                    &gone,
                    json,
                )
            }
            JobCmd::Restore { id } => {
                output::job_edited(&app.restore_job(cx, followup_core::JobId(id))?, json)
            }
        },
        Command::Touch(t) => match t {
            TouchCmd::Edit(e) => {
                let id = followup_core::TouchId(e.id);
                let t = app.edit_touch(cx, id, e.into_edit(cx)?)?;
                output::touch_changed("Corrected", &t, today, json)
            }
            TouchCmd::Retract { id } => {
                let t = app.retract_touch(cx, followup_core::TouchId(id))?;
                output::removed(
                    &format!(
                        "Retracted touch #{} (the {} of {})",
                        t.id,
                        t.kind,
                        t.date.strftime("%a %-d %b %Y")
                    ),
                    &format!("followup touch restore {}", t.id),
                    &t,
                    json,
                )
            }
            TouchCmd::Restore { id } => {
                let t = app.restore_touch(cx, followup_core::TouchId(id))?;
                output::touch_changed("Restored", &t, today, json)
            }
        },
        Command::Trash => output::trash(&app.trash(cx)?, json),
        Command::Log(l) => {
            let logged = app.log(cx, l.into_new(cx)?)?;
            output::logged(&logged, today, json)
        }
        Command::Agenda { until } => {
            let stream = app.agenda_stream(cx, opt_day(cx, Field::Until, until.as_deref())?)?;
            output::agenda(&stream, json)
        }
        Command::Snooze { id, until } => {
            let item = app.snooze(cx, id, day(cx, Field::Until, &until)?)?;
            output::snoozed(&item, today, json)
        }
        Command::Done { id, on, note, yes } => {
            // C12: the gap warning comes before the act; on a terminal, the person decides.
            let on = on
                .as_deref()
                .map(|d| past_day(cx, Field::On, d))
                .transpose()?;
            let gap = app.gap_check_on(cx, id, on)?;
            if !gap.is_empty() {
                output::warnings(&gap);
                if !yes && interactive() && !ask("record anyway? [y/N] ")?.starts_with(['y', 'Y']) {
                    return Err(anyhow::anyhow!(
                        "not recorded; `followup done {id} --yes` records it anyway"
                    ));
                }
            }
            let mut done = app.done(cx, id, on, note)?;
            if !json && let followup_app::Done::Logged(l) = &mut done {
                // Shown already, before recording.
                l.warnings.retain(|w| !gap.contains(w));
            }
            output::done(&done, today, json)
        }
        Command::Policy(p) => {
            use followup_app::policy_settings::PolicyChange;
            let params = match p {
                cli::PolicyCmd::Show => app.policy_params(cx)?,
                cli::PolicyCmd::Set { key, value } => app.set_policy(
                    cx,
                    PolicyChange {
                        values: [(key, value)].into(),
                        reset: Vec::new(),
                    },
                )?,
                cli::PolicyCmd::Reset { keys, all } => app.set_policy(
                    cx,
                    PolicyChange {
                        values: Default::default(),
                        reset: if all { vec!["*".into()] } else { keys },
                    },
                )?,
            };
            output::policy(&params, json)
        }
        Command::Me(m) => {
            let me = if m.is_show() {
                app.identity(cx)?
            } else {
                app.set_identity(cx, m.into_change())?
            };
            output::identity(&me, json)
        }
        Command::Draft(d) => {
            if d.template.is_some() && d.to.is_none() {
                return Err(cli::BadArg(
                    "--template: goes with --to WHO; an agenda item's draft uses the item's own template (`followup templates edit NAME` changes it)".into(),
                )
                .into());
            }
            ask_name_once(&app, cx)?;
            if d.send
                && let Some(id) = d.id
            {
                return mail::send_draft(&app, cx, id, d.yes, json);
            }
            let draft = match (&d.to, d.id) {
                (Some(who), _) => {
                    app.draft_to_checked(cx, who, d.template.as_deref().unwrap_or("outreach"))?
                }
                (None, Some(id)) => app.draft_checked(cx, id, d.voicemail)?,
                (None, None) => unreachable!("clap requires one"),
            };
            let mut draft = draft;
            for w in &mut draft.warnings {
                if w.rule == followup_app::identity::PLACEHOLDER_RULE {
                    w.message = format!(
                        "the draft says {}: set your name with `followup me --name \"Your Name\"` or in the web's Settings, then draft again",
                        followup_app::identity::PLACEHOLDER
                    );
                }
            }
            output::draft(&draft, d.open, json)
        }
        Command::Mail(MailCmd::Sync {
            dry_run,
            add_strangers,
        }) => mail::sync(
            &app,
            cx,
            followup_app::mail::SyncOptions {
                dry_run,
                add_strangers,
            },
            json,
        ),
        Command::Digest(d) => mail::digest(&app, cx, &d, json),
        Command::Templates(t) => match t {
            TemplatesCmd::List => output::templates(&app.templates(cx)?, json),
            TemplatesCmd::Edit { name } => {
                let path = app.template_to_edit(&name)?;
                if json {
                    output::print_json(&serde_json::json!({ "name": name, "path": path }))
                } else {
                    outln!("{}", path.display());
                    Ok(())
                }
            }
            TemplatesCmd::Set { name, file } => {
                let text = cli::read_text("FILE", &file)?;
                let t = app.set_template(cx, &name, &text)?;
                if json {
                    output::print_json(&t)
                } else {
                    outln!(
                        "Kept: drafts use your {name} template (`followup templates reset {name}` goes back)."
                    );
                    Ok(())
                }
            }
            TemplatesCmd::Reset { name } => {
                let t = app.reset_template(cx, &name)?;
                if json {
                    output::print_json(&t)
                } else {
                    outln!(
                        "Reset: drafts use {}.",
                        t.path
                            .map(|p| p.display().to_string())
                            .unwrap_or_else(|| format!("the built-in {name} template"))
                    );
                    Ok(())
                }
            }
            TemplatesCmd::Show { name } => {
                let t = app.template(cx, &name)?;
                outln!("{}", t.text.trim_end());
                Ok(())
            }
        },
        Command::Lint { file, to, kind } => {
            let text = cli::read_text("FILE", &file)?;
            let kind = match kind.as_str() {
                "status" => followup_core::draft::MessageKind::Status,
                "thank-you" => followup_core::draft::MessageKind::ThankYou,
                "other" => followup_core::draft::MessageKind::Other,
                other => {
                    return Err(cli::BadArg(format!(
                        "--kind: expected status, thank-you or other, found {other:?}"
                    ))
                    .into());
                }
            };
            let warnings = app.lint(cx, &text, kind, to.as_deref())?;
            output::lint(&warnings, json)
        }
        Command::Calendar(CalendarCmd::Export {
            file,
            todo,
            alarm,
            until,
        }) => {
            let opts = followup_app::ics::IcsOptions {
                todo,
                alarm_minutes: followup_app::ics::parse_alarm(&alarm)?,
                until: until
                    .as_deref()
                    .map(|u| day(cx, Field::Until, u))
                    .transpose()?,
            };
            let text = app.calendar(cx, &opts)?;
            let n = text.matches("BEGIN:VALARM").count();
            if file == "-" {
                write!(std::io::stdout(), "{text}")?;
                return Ok(());
            }
            std::fs::write(&file, &text)
                .map_err(|e| cli::BadArg(format!("FILE: cannot write {file}: {e}")))?;
            if json {
                output::print_json(&serde_json::json!({ "file": file, "items": n }))
            } else {
                outln!(
                    "Wrote {n} follow-ups to {file}: import it into your calendar, or subscribe to it."
                );
                Ok(())
            }
        }
        Command::Export { file, csv } => {
            let text = match csv {
                Some(t) => app.export_csv(cx, t.parse()?)?,
                None => app.export_json(cx)?,
            };
            if file == "-" {
                write!(std::io::stdout(), "{text}")?;
            } else {
                std::fs::write(&file, &text)
                    .map_err(|e| cli::BadArg(format!("FILE: cannot write {file}: {e}")))?;
                eprintln!("Wrote {file}.");
            }
            Ok(())
        }
        Command::Replan => {
            let n = app.replan(cx)?;
            if json {
                output::print_json(&serde_json::json!({ "items": n }))
            } else {
                outln!("Replanned: {n} items.");
                Ok(())
            }
        }
        Command::Events => output::events(&app.events(cx)?, json),
        Command::Demo { .. }
        | Command::Serve { .. }
        | Command::Team(_)
        | Command::User(_)
        | Command::Grant { .. }
        | Command::Revoke { .. }
        | Command::Where
        | Command::Import(_)
        | Command::Completions { .. }
        | Command::Man { .. } => {
            unreachable!("handled above")
        }
    }
}

/// True when a person is at the keyboard: standard input and standard error are terminals.
/// A delete asks first on a terminal; elsewhere it needs `--yes`, so a script never deletes
/// by accident.
fn confirm(yes: bool, question: &str, command: &str) -> anyhow::Result<()> {
    if yes {
        return Ok(());
    }
    if !interactive() {
        return Err(cli::BadArg(format!(
            "{command}: asks before deleting; add --yes to delete without asking"
        ))
        .into());
    }
    if ask(question)?.starts_with(['y', 'Y']) {
        Ok(())
    } else {
        Err(anyhow::anyhow!("nothing deleted"))
    }
}

fn interactive() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Asks on standard error and reads one line of standard input ("" at its end).
fn ask(question: &str) -> anyhow::Result<String> {
    let mut err = std::io::stderr();
    write!(err, "{question}")?;
    err.flush()?;
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim().to_string())
}

/// The first draft on a terminal with no name set asks for it once, and keeps the answer.
fn ask_name_once(app: &App, cx: &Ctx) -> anyhow::Result<()> {
    if !interactive() || !app.should_ask_name(cx)? {
        return Ok(());
    }
    let name = ask(
        "Your name, to sign drafts with (asked once; Enter skips, `followup me --name` sets it later): ",
    )?;
    app.mark_name_asked(cx)?;
    if name.is_empty() {
        return Ok(());
    }
    match app.set_identity(
        cx,
        followup_app::identity::IdentityChange {
            name: Some(name),
            ..Default::default()
        },
    ) {
        Ok(me) => eprintln!(
            "Kept: drafts are signed {}.",
            followup_core::text::escape_controls(me.name.as_deref().unwrap_or(""))
        ),
        // A name that is not one is not kept; the draft still comes, with its warning.
        Err(e) if e.is_bad_input() => eprintln!(
            "followup: warning: {}; not kept (`followup me --name` sets it)",
            followup_core::text::escape_controls(&e.to_string())
        ),
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

/// `followup import ...`: the file is read, parsed and checked first, then the database is
/// opened (created when new) and the import runs in one transaction.
fn import(
    cmd: ImportCmd,
    config: followup_app::Config,
    today: jiff::civil::Date,
    open: impl FnOnce(followup_app::Config) -> anyhow::Result<App>,
    json: bool,
) -> anyhow::Result<()> {
    match cmd {
        ImportCmd::Json { file } => {
            let text = cli::read_text("FILE", &file)?;
            let export = followup_app::transfer::read_export(&file, &text, today)?;
            let app = open(config)?;
            let done = app.import_export(&app.ctx(today)?, &file, export)?;
            if json {
                output::print_json(&done)
            } else {
                outln!(
                    "Imported {} events: {} contacts, {} jobs; {} follow-ups planned.",
                    done.events,
                    done.contacts,
                    done.jobs,
                    done.plan_items
                );
                Ok(())
            }
        }
        ImportCmd::Holidays { file } => {
            let text = cli::read_text("FILE", &file)?;
            let days = followup_app::ics::read_holidays(&file, &text, &config.policy.calendar)?;
            let app = open(config)?;
            let (kept, days) = app.keep_holidays(&app.ctx(today)?, &file, &days)?;
            if json {
                output::print_json(&serde_json::json!({ "source": kept, "days": days }))
            } else {
                outln!(
                    "{days} holidays from {file} are now not business days (kept in the database as {kept:?}); follow-ups were replanned."
                );
                Ok(())
            }
        }
        ImportCmd::Linkedin(a) => import_people(a, false, config, today, open, json),
        ImportCmd::Vcard(a) => import_people(a, true, config, today, open, json),
    }
}

/// `import linkedin` and `import vcard`: parsed first, then merged in one transaction.
fn import_people(
    a: cli::ImportPeople,
    vcard: bool,
    config: followup_app::Config,
    today: jiff::civil::Date,
    open: impl FnOnce(followup_app::Config) -> anyhow::Result<App>,
    json: bool,
) -> anyhow::Result<()> {
    let tier = followup_app::input::opt_word(Field::Tier, a.tier.as_deref())?;
    let bytes = cli::read_bytes("FILE", &a.file)?;
    let (people, skipped) = if vcard {
        followup_app::import::vcard::parse(&a.file, &bytes)?
    } else {
        followup_app::import::linkedin::parse(&a.file, &bytes)?
    };
    let opts = followup_app::import::ImportOptions {
        tier,
        dry_run: a.dry_run,
    };
    let app = open(config)?;
    let cx = app.ctx(today)?;
    let report = app.import_people(
        &cx,
        &a.file,
        people,
        skipped,
        &opts,
        &mut output::progress(),
    )?;
    output::import_report(&report, json)
}

/// `followup where`: the paths in force, without opening (or creating) the database.
fn where_is(
    db: &std::path::Path,
    config: &followup_app::Config,
    today: jiff::civil::Date,
    json: bool,
) -> anyhow::Result<()> {
    let exists = db.is_file();
    if json {
        return output::print_json(&serde_json::json!({
            "database": db,
            "database_exists": exists,
            "config": config.source,
            "today": today,
        }));
    }
    if exists {
        outln!("database: {}", db.display());
    } else {
        outln!("database: {} (not created yet)", db.display());
    }
    match &config.source {
        Some(p) => outln!("config:   {}", p.display()),
        None => outln!(
            "config:   none (defaults; create {} to change them)",
            config::default_path()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "a config file".into())
        ),
    }
    outln!("today:    {today}");
    Ok(())
}

/// What `serve` was asked for, beside the global options.
struct Serving<'a> {
    bind: &'a str,
    port: u16,
    demo: bool,
    public_url: Option<&'a str>,
    reads_at_once: Option<u16>,
}

fn serve(
    cli: &Cli,
    config: followup_app::Config,
    today: jiff::civil::Date,
    how: Serving<'_>,
) -> anyhow::Result<()> {
    let Serving {
        bind,
        port,
        demo,
        public_url,
        reads_at_once,
    } = how;
    let ip: std::net::IpAddr = bind.parse().map_err(|_| {
        cli::BadArg(format!(
            "--bind: expected an IP address like 127.0.0.1, found {bind:?}"
        ))
    })?;
    let addr = std::net::SocketAddr::new(ip, port);
    let public = public_url
        .map(followup_web::PublicUrl::parse)
        .transpose()
        .map_err(cli::BadArg)?;
    if reads_at_once.is_some() && cli.postgres_url().is_none() {
        return Err(cli::BadArg(
            "--reads-at-once: only a team server (--database postgres://...) makes reads take turns; a one-person book has no queue to size".into(),
        )
        .into());
    }
    let (app, shown) = match cli.postgres_url() {
        Some(url) => {
            if demo {
                return Err(cli::BadArg(
                    "--demo: the demo is one person's book; serve it without --database postgres://".into(),
                )
                .into());
            }
            let app = App::open_postgres(url, config)?;
            (app, followup_web::PublicUrl::redacted(url))
        }
        None => {
            let given = match (&cli.db, &cli.database) {
                (None, None) => None,
                _ => Some(cli.db_path()?),
            };
            let path = match (&given, demo) {
                (Some(p), _) => p.clone(),
                (None, true) => {
                    let dir =
                        std::env::temp_dir().join(format!("followup-demo-{}", std::process::id()));
                    std::fs::create_dir_all(&dir)
                        .with_context(|| format!("cannot create {}", dir.display()))?;
                    dir.join("demo.db")
                }
                (None, false) => cli.db_path()?,
            };
            let app = App::open_shared(&path, config)?;
            if demo {
                followup_app::demo::build(&app, &app.ctx(today)?)?;
            }
            (app, path.display().to_string())
        }
    };
    followup_web::check_bind(&addr, app.has_accounts()?).map_err(cli::BadArg)?;
    // A pinned --today holds for every request; otherwise each request reads the clock.
    let pinned = cli.today.as_ref().map(|_| today);
    let app = std::sync::Arc::new(app);
    // Mail that logs itself, on a one-person book: a team server's mailboxes are each
    // client's, and a config file names one.
    let mut mail_worker = None;
    if let Some(mail) = app.config.mail.clone() {
        if cli.postgres_url().is_some() {
            eprintln!(
                "followup: [mail] is read by a one-person book's server; on a team server each client runs `followup mail sync`"
            );
        } else {
            mail_worker = Some((app.clone(), mail));
        }
    }
    let public_base = public.as_ref().map(|p| p.base.clone());
    let mut state = followup_web::WebState::shared(app.clone(), pinned);
    // The web's Send and "send a test" use [mail] smtp when it is set up (one-person book).
    if mail_worker.is_some() && app.config.mail.as_ref().is_some_and(|m| m.smtp.is_some()) {
        match mail::SmtpMailer::from_config(&app, "serve") {
            Ok(m) => state = state.mailer(std::sync::Arc::new(m)),
            Err(e) => eprintln!("followup: mail: cannot send from the web: {e:#}"),
        }
    }
    if let Some(p) = public {
        state = state.public_url(p);
    }
    if let Some(n) = reads_at_once {
        state = state.reads_at_once(n.into());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let local = listener.local_addr()?;
        if let Some((app, mail)) = mail_worker {
            // Started once the address is known: the digest links to this server's pages.
            let base = public_base.unwrap_or_else(|| format!("http://{local}"));
            mail::worker(app, pinned, mail, base);
        }
        if cli.postgres_url().is_some() {
            // Caseload summaries for clients whose data predates them (docs/DESIGN.md, "The
            // caseload's figures"): in the background, a caseload is right meanwhile.
            let app = app.clone();
            std::thread::spawn(move || {
                let started = std::time::Instant::now();
                match app.keep_missing_summaries() {
                    Ok(0) => {}
                    Ok(n) => eprintln!(
                        "followup: kept the caseload summary of {n} workspaces in {:.1} s",
                        started.elapsed().as_secs_f64()
                    ),
                    Err(e) => eprintln!("followup: caseload summaries: {e}"),
                }
            });
        }
        outln!("followup is serving {shown} at http://{local}");
        std::io::stdout().flush()?;
        eprintln!("Open that address in a browser; Ctrl-C stops the server.");
        axum::serve(listener, followup_web::router(state.serving(local.port())))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("the server stopped")?;
        Ok(())
    })
}

fn demo(
    cli: &Cli,
    config: followup_app::Config,
    today: jiff::civil::Date,
    json: bool,
    networking: bool,
) -> anyhow::Result<()> {
    // Into --db when given (refusing one that holds data), else a fresh temporary database
    // that is kept so the person can explore it.
    let given = match (&cli.db, &cli.database) {
        (None, None) => None,
        _ => Some(cli.db_path()?),
    };
    let path = match given {
        Some(p) => p,
        None => {
            let dir = std::env::temp_dir().join(format!("followup-demo-{}", std::process::id()));
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            dir.join("demo.db")
        }
    };
    let app = App::open(&path, config)?;
    let cx = app.ctx(today)?;
    let summary = if networking {
        followup_app::demo::build_networking(&app, &cx)?
    } else {
        followup_app::demo::build(&app, &cx)?
    };
    let stream = app.agenda_stream(&cx, None)?;
    if json {
        return output::agenda(&stream, true);
    }
    outln!(
        "A demo job search as of {}: {} contacts, {} jobs, {} touches, in {}",
        output::day(today, today),
        summary.contacts,
        summary.jobs,
        summary.touches,
        path.display()
    );
    outln!(
        "Explore it with: followup --db {} --today {} agenda --until \"in 4 weeks\"\n",
        path.display(),
        today
    );
    output::agenda(&stream, false)
}
