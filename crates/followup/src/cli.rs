//! The command line, in the style of git and cargo: `followup <noun> <verb>`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use followup_app::input::{clearable_day, clearable_word, opt_day, opt_word, past_day, word};
use followup_app::{Ctx, EditContact, Field, NewContact, NewJob, NewTouch, clock};
use jiff::civil::Date;

/// Bad input found while reading the command line itself.
#[derive(Debug)]
pub struct BadArg(pub String);

impl std::error::Error for BadArg {}

impl std::fmt::Display for BadArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "followup",
    version,
    about = "Follow up on every job lead and contact at the right time, for the right reason.",
    long_about = "followup records every touch of a job search or a professional network, derives \
from the rules of professional persistence when to follow up next and why, and warns before you \
pester. Start with `followup demo`, or `followup contact add` and `followup log`.",
    after_help = "Dates: 2026-03-09, today, tomorrow, monday, next monday, last thursday, \
in 2 weeks, 3 business days, 9 Mar. Names: a contact or job is named by id or by an \
unambiguous name.\nDocs: docs/CLI.md, docs/RULES.md, docs/CONFIG.md."
)]
pub struct Cli {
    /// The database file [default: $XDG_DATA_HOME/followup/followup.db]
    #[arg(long, global = true, env = "FOLLOWUP_DB", value_name = "PATH", help_heading = GLOBAL)]
    pub db: Option<PathBuf>,
    /// The database as a URL: sqlite:PATH, or a team server's postgres://USER@HOST:PORT/DB
    /// (docs/TEAM.md); --db PATH means sqlite:PATH
    #[arg(
        long,
        global = true,
        env = "FOLLOWUP_DATABASE",
        value_name = "URL",
        help_heading = GLOBAL
    )]
    pub database: Option<String>,
    /// Which of `--db` and `--database` were typed (not taken from the environment): a flag
    /// beats a variable, and two flags naming the database are refused.
    #[arg(skip)]
    pub typed: (bool, bool),
    /// On a team server (--database postgres://...): whose job search a command works on,
    /// by the client's email
    #[arg(
        long,
        global = true,
        env = "FOLLOWUP_WORKSPACE",
        value_name = "EMAIL",
        help_heading = GLOBAL
    )]
    pub workspace: Option<String>,
    /// Pin "today" for this command (any date phrase; relative ones count from the real today)
    #[arg(
        long,
        global = true,
        env = "FOLLOWUP_TODAY",
        value_name = "DATE",
        help_heading = GLOBAL
    )]
    pub today: Option<String>,
    /// Print JSON instead of text
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub json: bool,
    /// The config file [default: $XDG_CONFIG_HOME/followup/config.toml when it exists]
    #[arg(
        long,
        global = true,
        env = "FOLLOWUP_CONFIG",
        value_name = "PATH",
        help_heading = GLOBAL
    )]
    pub config: Option<PathBuf>,
    /// Colour overdue items and warnings: auto (on a terminal, unless NO_COLOR is set),
    /// always (a pipe is then laid out for COLUMNS, or 80, like a terminal), never
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t = ColorWhen::Auto,
        value_name = "WHEN",
        help_heading = GLOBAL
    )]
    pub color: ColorWhen,
    /// On a terminal, print every column in full instead of cutting it to the width (a pipe
    /// always gets full text)
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub wide: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// The heading the options that go with every command are listed under, once.
const GLOBAL: &str = "Global options";

/// When to colour the output (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    // (No doc comments here: clap would print a paragraph for each value in every --help.)
    Auto,
    Always,
    Never,
}

impl Cli {
    /// The whole command line as clap knows it: for help, completions and the man page.
    pub fn command_line() -> clap::Command {
        use clap::CommandFactory;
        Cli::command()
    }

    /// Parses the command line, noting which database flags were typed.
    pub fn parse_args() -> Result<Cli, clap::Error> {
        use clap::parser::ValueSource;
        use clap::{CommandFactory, FromArgMatches};
        // clap's own help and errors follow `--color` too (it reads NO_COLOR itself).
        let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
        let choice = args
            .iter()
            .zip(args.iter().skip(1).map(Some).chain([None]))
            .filter_map(|(a, next)| {
                let a = a.to_str()?;
                match a.strip_prefix("--color") {
                    Some("") => next.and_then(|n| n.to_str()),
                    Some(v) => v.strip_prefix('='),
                    None => None,
                }
            })
            .last();
        let color = match choice {
            Some("always") => clap::ColorChoice::Always,
            Some("never") => clap::ColorChoice::Never,
            _ => clap::ColorChoice::Auto,
        };
        let matches = Cli::command().color(color).try_get_matches_from(args)?;
        let mut cli = Cli::from_arg_matches(&matches)?;
        let typed = |id: &str| matches.value_source(id) == Some(ValueSource::CommandLine);
        cli.typed = (typed("db"), typed("database"));
        Ok(cli)
    }

    /// Today: `--today` when given, else the clock.
    pub fn today(&self) -> Result<Date, BadArg> {
        match &self.today {
            None => Ok(clock::system_today()),
            // An ISO date needs no clock (and no time zone database) at all.
            Some(t) => match t.trim().parse::<Date>() {
                Ok(d) if followup_core::dates::in_range(d) => Ok(d),
                Ok(d) => Err(BadArg(format!(
                    "--today: {d} is outside {}-{}",
                    followup_core::dates::FIRST_YEAR,
                    followup_core::dates::LAST_YEAR
                ))),
                Err(_) => followup_core::parse_date(t, clock::system_today(), &Default::default())
                    .map_err(|e| BadArg(format!("--today: {e}"))),
            },
        }
    }

    /// The database path: `--db`, `FOLLOWUP_DB`, or the XDG default.
    pub fn db_path(&self) -> Result<PathBuf, BadArg> {
        let (db_typed, database_typed) = self.typed;
        if self.db.is_some() && self.database.is_some() {
            match (db_typed, database_typed) {
                (true, false) => return self.db_flag(),
                (false, true) => {}
                _ => {
                    return Err(BadArg(
                        "--db and --database both name the database (as flags or as FOLLOWUP_DB and FOLLOWUP_DATABASE); give one".into(),
                    ));
                }
            }
        }
        if let Some(url) = &self.database {
            return database_url(url);
        }
        self.db_flag()
    }

    /// The team server's PostgreSQL URL, when `--database` (or FOLLOWUP_DATABASE) names one
    /// and `--db` does not override it.
    pub fn postgres_url(&self) -> Option<&str> {
        let url = self.database.as_deref().filter(|u| is_postgres(u))?;
        match (self.db.is_some(), self.typed) {
            (true, (true, false)) => None,
            _ => Some(url),
        }
    }

    /// `--db`, or the default.
    fn db_flag(&self) -> Result<PathBuf, BadArg> {
        if let Some(p) = &self.db {
            if p.as_os_str().is_empty() {
                return Err(BadArg("--db: expected a file path, found nothing".into()));
            }
            return Ok(p.clone());
        }
        followup_app::default_db_path()
            .ok_or_else(|| BadArg("no home folder to keep the database in; give --db PATH".into()))
    }
}

/// True for a PostgreSQL URL (the team server).
pub fn is_postgres(url: &str) -> bool {
    let url = url.trim();
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The backend a `--database` URL names. Only the embedded SQLite backend exists in this
/// binary; the URL form is here so scripts written now keep working when others arrive.
fn database_url(url: &str) -> Result<PathBuf, BadArg> {
    let url = url.trim();
    if let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        if path.is_empty() {
            return Err(BadArg(
                "--database: expected sqlite:PATH, found no path".into(),
            ));
        }
        return Ok(PathBuf::from(path));
    }
    if is_postgres(url) {
        return Err(BadArg(
            "--database: this command works on one person's SQLite book (sqlite:PATH); on a team server (postgres://) use `serve`, `team`, `user` and `import json --workspace`, or the web and the API".into(),
        ));
    }
    Err(BadArg(format!(
        "--database: expected a URL like sqlite:PATH, found {url:?}"
    )))
}

/// A command-line usage error (unknown option, missing argument...) as the one line every
/// error is: `followup: error: WHAT; see `followup CMD --help``, exit code 2. Help and
/// version requests print as clap writes them.
pub fn usage_error(e: clap::Error) -> std::process::ExitCode {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return std::process::ExitCode::SUCCESS;
    }
    if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        // `followup` or `followup contact` alone: the help is the answer, on stderr.
        let _ = e.print();
        return std::process::ExitCode::from(2);
    }
    let rendered = e.render().to_string();
    eprintln!("followup: error: {}", usage_line(&rendered));
    std::process::ExitCode::from(2)
}

/// clap's several lines ("error: ...", "tip: ...", "Usage: followup log ...") as one.
fn usage_line(rendered: &str) -> String {
    let mut lines = rendered.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines
        .next()
        .unwrap_or("the command line is not understood")
        .trim_start_matches("error:")
        .trim()
        .to_string();
    let mut out = first;
    let rest: Vec<&str> = lines.collect();
    for tip in rest.iter().filter_map(|l| l.strip_prefix("tip:")) {
        out.push_str("; ");
        out.push_str(tip.trim());
    }
    // "Usage: followup contact add [OPTIONS] <NAME>" names the command to ask for help on.
    let command: Vec<&str> = rest
        .iter()
        .find_map(|l| l.strip_prefix("Usage:"))
        .map(|u| {
            u.split_whitespace()
                .take_while(|w| !w.starts_with(['[', '<', '-']))
                .collect()
        })
        .unwrap_or_default();
    let command = if command.is_empty() {
        "followup".to_string()
    } else {
        command.join(" ")
    };
    out.push_str(&format!("; see `{command} --help`"));
    followup_core::text::escape_controls(&out).into_owned()
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add, list, show, edit, merge and delete contacts
    #[command(subcommand)]
    Contact(ContactCmd),
    /// Add, list, show, move, close and delete jobs (opportunities)
    #[command(subcommand)]
    Job(JobCmd),
    /// Correct or retract a logged touch (the ids are in `contact show` and `job show`)
    #[command(subcommand)]
    Touch(TouchCmd),
    /// What was deleted, retracted or merged away, and how to bring it back
    Trash,
    /// Record a touch that happened: an interview, a thank-you, a follow-up, a reply...
    Log(LogArgs),
    /// What to do: overdue first, then today, then the next 14 days
    Agenda {
        /// Show items due up to this day
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
    },
    /// Move an agenda item to a later day (recorded; a newer touch ends it)
    Snooze {
        /// The item's id, as the agenda shows it
        id: i64,
        /// The day it comes back
        #[arg(long, value_name = "DATE")]
        until: String,
    },
    /// Mark an agenda item done by logging the touch that did it
    Done {
        /// The item's id, as the agenda shows it
        id: i64,
        /// When it was done [default: today]
        #[arg(long, value_name = "DATE")]
        on: Option<String>,
        /// A note for the touch
        #[arg(long)]
        note: Option<String>,
        /// Record it even when it comes too soon after your last message (F15), without asking
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// The message for an agenda item, ready to paste (or to a contact with --to)
    Draft(DraftArgs),
    /// List the message templates, or copy one to edit
    #[command(subcommand)]
    Templates(TemplatesCmd),
    /// Read your mailbox: replies and sent messages log themselves (docs/MAIL.md)
    #[command(subcommand)]
    Mail(MailCmd),
    /// Today's follow-ups as one message, with why and a link to each draft; --send mails it
    Digest(DigestArgs),
    /// Check a message you wrote: length (M1), pleading (M3), a question asked last time (F8)
    Lint {
        /// The message: a file, or - for standard input
        #[arg(value_name = "FILE|-")]
        file: String,
        /// Compare with the last message recorded as sent to this contact
        #[arg(long, value_name = "WHO")]
        to: Option<String>,
        /// status (120 words), thank-you (200 words) or other
        #[arg(long, default_value = "status")]
        kind: String,
    },
    /// Put the follow-ups on a calendar: an .ics file with an alarm for each
    #[command(subcommand)]
    Calendar(CalendarCmd),
    /// Everything as JSON (lossless: the event log), or one table as CSV
    Export {
        /// The file to write, or - for standard output
        #[arg(value_name = "FILE|-", default_value = "-")]
        file: String,
        /// One table as CSV instead: contacts, jobs or touches
        #[arg(long, value_name = "TABLE")]
        csv: Option<String>,
    },
    /// Bring data in: a followup JSON export, LinkedIn connections, vCards
    #[command(subcommand)]
    Import(ImportCmd),
    /// Rebuild every follow-up from the log (after changing the config)
    Replan,
    /// A realistic job search in a fresh database, and its agenda
    Demo {
        /// A networking-heavy book instead: outreach, coffees, introductions, referrals
        #[arg(long)]
        networking: bool,
    },
    /// The job search in a browser: Today, Pipeline, Contacts, Log, Import, Settings
    Serve {
        /// The address to listen on (loopback only unless the database has accounts)
        #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
        bind: String,
        /// The port (0 picks a free one)
        #[arg(long, default_value_t = 7878, value_name = "N")]
        port: u16,
        /// Serve the demo job search (into --db when given, else a temporary database)
        #[arg(long)]
        demo: bool,
        /// The address people use, behind a reverse proxy (https://followup.example.com):
        /// its host is answered, and https there makes the session cookie Secure
        #[arg(long, env = "FOLLOWUP_PUBLIC_URL", value_name = "URL")]
        public_url: Option<String>,
        /// On a team server, how many reads are worked on at once, first come first served;
        /// half as many while changes are made [default: 4 a core]. Wider when PostgreSQL
        /// runs on cores of its own (docs/TEAM.md)
        #[arg(long, env = "FOLLOWUP_READS_AT_ONCE", value_name = "N",
              value_parser = clap::value_parser!(u16).range(1..=1024))]
        reads_at_once: Option<u16>,
    },
    /// Set up a team server on PostgreSQL: its first admin (docs/TEAM.md)
    #[command(subcommand)]
    Team(TeamCmd),
    /// Accounts on a team server: add, list, make an API token, reset, disable
    #[command(subcommand)]
    User(UserCmd),
    /// On a team server, let a coach into a client's job search (view or edit), optionally
    /// until a day; a second grant replaces the first
    #[command(
        after_help = "Example: followup grant sam@example.com ana@example.com --scope edit --until 2027-03-31"
    )]
    Grant {
        /// The coach's email
        coach: String,
        /// The client's email (whose job search)
        client: String,
        /// view (see it) or edit (see and change it)
        #[arg(long, value_enum, default_value = "view")]
        scope: ScopeArg,
        /// The last day it holds (a date or a phrase); without it, until revoked
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
    },
    /// On a team server, end a coach's access to a client's job search
    Revoke {
        /// The coach's email
        coach: String,
        /// The client's email
        client: String,
    },
    /// Who you are, for drafts to sign with: show it, or set it with the options
    Me(MeArgs),
    /// The policy's parameters as kept for you over the config file: show, set, reset
    #[command(subcommand)]
    Policy(PolicyCmd),
    /// The event log: every change, in order
    Events,
    /// Where the database and config are, and what today is
    Where,
    /// Print a shell completion script (bash, zsh, fish)
    #[command(after_help = "Install: followup completions bash > \
~/.local/share/bash-completion/completions/followup; zsh: into a file named _followup in a \
folder of $fpath; fish: > ~/.config/fish/completions/followup.fish.")]
    Completions {
        /// bash, zsh, fish (also elvish, powershell)
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `followup man | man -l -`
    Man {
        /// Write a page for every command into this folder instead (followup.1,
        /// followup-contact-add.1...)
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

impl Command {
    /// True for the commands that may start a database: the ones that record something. The
    /// others need one to exist, so a mistyped `--db` creates nothing.
    pub fn may_create(&self) -> bool {
        match self {
            Command::Contact(ContactCmd::Add(_)) | Command::Job(JobCmd::Add(_)) => true,
            Command::Log(_) | Command::Demo { .. } | Command::Serve { .. } => true,
            Command::Team(_) | Command::User(_) => true,
            Command::Grant { .. } | Command::Revoke { .. } => true,
            Command::Me(m) => !m.is_show(),
            Command::Policy(p) => !matches!(p, PolicyCmd::Show),
            Command::Templates(TemplatesCmd::Set { .. } | TemplatesCmd::Reset { .. }) => true,
            Command::Import(ImportCmd::Linkedin(a) | ImportCmd::Vcard(a)) => !a.dry_run,
            Command::Import(ImportCmd::Json { .. } | ImportCmd::Holidays { .. }) => true,
            Command::Mail(MailCmd::Sync { dry_run, .. }) => !dry_run,
            Command::Digest(d) => d.send,
            _ => false,
        }
    }

    /// True for the commands that read no records at all (templates; a lint without --to).
    pub fn needs_no_data(&self) -> bool {
        // (`completions` and `man` need not even a config; main answers them first.)
        matches!(
            self,
            Command::Templates(
                TemplatesCmd::List | TemplatesCmd::Edit { .. } | TemplatesCmd::Show { .. }
            ) | Command::Lint { to: None, .. }
        )
    }
}

#[derive(Debug, Args)]
#[command(
    after_help = "Templates: thank-you, follow-up, decide, retry, value-add, rejection-reply, \
move-on-review, keep-in-touch, occasion, outreach, voicemail (docs/DRAFTS.md)."
)]
pub struct DraftArgs {
    /// The agenda item's id
    #[arg(required_unless_present = "to")]
    pub id: Option<i64>,
    /// Draft to a contact instead of for an item (default template: outreach)
    #[arg(long, value_name = "WHO", conflicts_with = "id")]
    pub to: Option<String>,
    /// The template to use with --to (an item's draft uses the item's own)
    #[arg(long, value_name = "NAME")]
    pub template: Option<String>,
    /// The voicemail script (M7), for a call
    #[arg(long, conflicts_with = "to")]
    pub voicemail: bool,
    /// Open it in the mail client (a mailto: link; printed when no client can be started)
    #[arg(long)]
    pub open: bool,
    /// Send it by mail now ([mail] smtp in the config) and log the touch it does
    #[arg(long, conflicts_with_all = ["to", "open", "voicemail"])]
    pub send: bool,
    /// With --send: send even when it is too soon after your last message (F15)
    #[arg(long, requires = "send")]
    pub yes: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Kept in the database (per owner) and used over `[me]` in the config; an empty \
value (--phone \"\") forgets what was set here, so the config's applies again. `followup draft` \
asks for the name once, on a terminal, when a draft would say [YOUR NAME]."
)]
pub struct MeArgs {
    /// Your name, as drafts introduce and sign you
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// The signature block under a draft (default: the name); `\n` breaks a line
    #[arg(long, value_name = "TEXT")]
    pub signature: Option<String>,
    /// The call-back number a voicemail script gives (M7)
    #[arg(long, value_name = "NUMBER")]
    pub phone: Option<String>,
    /// Your time zone, an IANA name (Europe/Berlin): the day "today" is (default: this computer's)
    #[arg(long, value_name = "ZONE")]
    pub time_zone: Option<String>,
}

impl MeArgs {
    /// True when no option was given: show the identity.
    pub fn is_show(&self) -> bool {
        self.name.is_none()
            && self.signature.is_none()
            && self.phone.is_none()
            && self.time_zone.is_none()
    }

    pub fn into_change(self) -> followup_app::identity::IdentityChange {
        followup_app::identity::IdentityChange {
            name: self.name,
            // `\n` typed on the command line is a line break, as in the config file.
            signature: self.signature.map(|s| s.replace("\\n", "\n")),
            phone: self.phone,
            time_zone: self.time_zone,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ImportCmd {
    /// A `followup export` file, into an empty database (all or nothing)
    Json {
        /// The export file, or - for standard input
        #[arg(value_name = "FILE|-")]
        file: String,
    },
    /// LinkedIn's Connections.csv (Settings > Data privacy > Get a copy of your data)
    Linkedin(ImportPeople),
    /// vCards (.vcf) from Google, Apple, Outlook, Nextcloud...
    Vcard(ImportPeople),
    /// A public-holiday calendar (.ics): its days are not business days (F16)
    Holidays {
        /// The .ics calendar of public holidays
        #[arg(value_name = "FILE")]
        file: String,
    },
}

#[derive(Debug, Args)]
#[command(
    after_help = "A person matches a contact by email, LinkedIn profile or exact name; \
a match gains what it lacked. Run it again: nothing changes. New contacts' keep-in-touch dates \
are spread over the first cadence period."
)]
pub struct ImportPeople {
    /// The file to read (Connections.csv, or a .vcf), or - for standard input
    #[arg(value_name = "FILE|-")]
    pub file: String,
    /// The tier new contacts get (critical, regular, casual); set more later with `contact tier`
    #[arg(long)]
    pub tier: Option<String>,
    /// Show what would change, and write nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Subcommand)]
pub enum CalendarCmd {
    /// Write every follow-up as an all-day event (or a to-do) with an alarm (RFC 5545)
    Export {
        /// The .ics file to write, or - for standard output
        #[arg(value_name = "FILE|-")]
        file: String,
        /// To-dos (VTODO) instead of all-day events
        #[arg(long)]
        todo: bool,
        /// The alarm's time on the day
        #[arg(long, value_name = "HH:MM", default_value = "09:00")]
        alarm: String,
        /// The last day exported [default: a year ahead]
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
    },
}

/// `followup digest ...`
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct DigestArgs {
    #[command(subcommand)]
    pub cmd: Option<DigestCmd>,
    /// Mail it (to [mail] digest_to, else your own address) instead of printing it
    #[arg(long)]
    pub send: bool,
    /// With --send: a test message, to see that delivery works
    #[arg(long, requires = "send")]
    pub test: bool,
    /// The web's address, for the links to each draft
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:7878")]
    pub link: String,
}

#[derive(Debug, Subcommand)]
pub enum DigestCmd {
    /// Every delivery attempt, newest first: when, to whom, and whether it went
    Log,
}

/// `followup mail ...`
#[derive(Debug, Subcommand)]
pub enum MailCmd {
    /// Read what is new in the inbox and sent folders of `[mail]` and log it: replies,
    /// messages you sent, out-of-office return days, bounces (each message once)
    Sync {
        /// Show what it would log, keeping nothing
        #[arg(long)]
        dry_run: bool,
        /// Make a contact of each person who writes (or whom you write) and is none yet, and
        /// log it (never of an automatic answer, a bounce or a mailing)
        #[arg(long)]
        add_strangers: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TemplatesCmd {
    /// Every template and where it comes from
    List,
    /// Copy the default into your templates folder (if not there yet) and print its path
    Edit {
        /// The template's name, as `templates list` shows it
        name: String,
    },
    /// Print a template's text as in force
    Show {
        /// The template's name, as `templates list` shows it
        name: String,
    },
    /// Keep a text as your own template, in the database (over any file), after checking it
    Set {
        /// The template's name, as `templates list` shows it
        name: String,
        /// The text: a file, or - for standard input
        #[arg(value_name = "FILE|-")]
        file: String,
    },
    /// Forget your own template kept in the database: the file or the built-in one applies
    Reset {
        /// The template's name, as `templates list` shows it
        name: String,
    },
}

#[derive(Debug, Subcommand)]
#[command(
    after_help = "Kept in the database (per owner) over the config file's [policy]; setting a \
value equal to the config's, or resetting it, drops the override. A change replans every \
follow-up at once. Keys: grace, interview_wait, application_wait, thank_you_within, retry_wait, \
value_add_period, silence_limit, rejection_reply_within, outreach_wait, action_wait, casual_wait, \
cadence.critical, cadence.regular, cadence.casual, gap, pipeline_minimum, default_channel, \
calendar.weekend (docs/CONFIG.md)."
)]
pub enum PolicyCmd {
    /// Every parameter: its rule, the value in force and the default
    Show,
    /// Set one parameter: `followup policy set grace 3bd`
    Set {
        /// The parameter's key, as `policy show` lists it
        key: String,
        /// The value: a duration (3bd, 14d, 2w, 1mo), none (a cadence), a number, a channel, weekdays
        value: String,
    },
    /// Drop your overrides of these parameters (or --all): the config's values apply again
    Reset {
        /// The parameters' keys
        #[arg(required_unless_present = "all")]
        keys: Vec<String>,
        /// Every parameter
        #[arg(long, conflicts_with = "keys")]
        all: bool,
    },
}

/// `followup team ...`
#[derive(Debug, Subcommand)]
pub enum TeamCmd {
    /// Make the team server's first account, an admin (the password from FOLLOWUP_PASSWORD,
    /// else a one-time invitation link is printed)
    #[command(
        after_help = "Example: followup team init --database postgres://followup@127.0.0.1:5432/followup --admin you@example.com"
    )]
    Init {
        /// The admin's email
        #[arg(long, value_name = "EMAIL")]
        admin: String,
        /// The server's address, for the invitation link
        #[arg(
            long,
            env = "FOLLOWUP_PUBLIC_URL",
            value_name = "URL",
            default_value = "http://127.0.0.1:7878"
        )]
        public_url: String,
    },
}

/// A role on the command line.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum RoleArg {
    /// Manages accounts; sees no job search without a grant
    Admin,
    /// Works in the job searches clients share
    Coach,
    /// Owns a job search (a workspace)
    Client,
}

impl RoleArg {
    pub fn role(self) -> followup_app::Role {
        match self {
            RoleArg::Admin => followup_app::Role::Admin,
            RoleArg::Coach => followup_app::Role::Coach,
            RoleArg::Client => followup_app::Role::Client,
        }
    }
}

/// How far a grant reaches.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ScopeArg {
    /// Read everything, change nothing
    View,
    /// Work in it as the client would
    Edit,
}

impl ScopeArg {
    pub fn scope(self) -> followup_app::GrantScope {
        match self {
            ScopeArg::View => followup_app::GrantScope::View,
            ScopeArg::Edit => followup_app::GrantScope::Edit,
        }
    }
}

/// `followup user ...`
#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// Add an account (the password from FOLLOWUP_PASSWORD, else an invitation link is printed)
    Add {
        /// Their email, which they sign in with
        email: String,
        /// What the account is for
        #[arg(long, value_enum, default_value = "client")]
        role: RoleArg,
        /// What people call them, shown where others read who did something
        /// ("logged by Sam Lee (coach)"); default: the email
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// The server's address, for the invitation link
        #[arg(
            long,
            env = "FOLLOWUP_PUBLIC_URL",
            value_name = "URL",
            default_value = "http://127.0.0.1:7878"
        )]
        public_url: String,
    },
    /// Every account: email, role, state, workspace, name
    List,
    /// Set what an account is called (an empty NAME goes back to the email)
    Rename {
        /// The account's email
        email: String,
        /// Their name, as others will read it
        name: String,
    },
    /// Make an API bearer token for an account (printed once)
    Token {
        /// The account's email
        email: String,
        /// What the token is for
        #[arg(long, default_value = "command line")]
        name: String,
    },
    /// Sign an account out everywhere and set a new password (FOLLOWUP_PASSWORD), or print
    /// a link to choose one
    Reset {
        /// The account's email
        email: String,
        /// The server's address, for the link
        #[arg(
            long,
            env = "FOLLOWUP_PUBLIC_URL",
            value_name = "URL",
            default_value = "http://127.0.0.1:7878"
        )]
        public_url: String,
    },
    /// Stop an account from signing in; its sessions and tokens stop working
    Disable {
        /// The account's email
        email: String,
    },
    /// Let a disabled account sign in again
    Enable {
        /// The account's email
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ContactCmd {
    /// Add a contact
    Add(ContactAdd),
    /// List contacts
    List,
    /// A contact's details, timeline of touches, promises and next follow-up
    Show {
        /// Id or name
        who: String,
    },
    /// Change a contact's details (an empty value clears a field)
    Edit(ContactEdit),
    /// Set the tier of several contacts at once (F13): `contact tier critical "Dana" 7 12`
    Tier {
        /// critical, regular, casual, or none
        tier: String,
        /// Ids or names
        #[arg(required = true)]
        who: Vec<String>,
    },
    /// Make two records of one person one: FROM's touches and jobs move to INTO, INTO's
    /// empty fields take FROM's values, FROM is removed
    Merge {
        /// The duplicate to merge away, by id or name
        from: String,
        /// The contact to keep, by id or name
        into: String,
    },
    /// Delete a contact (asks first; `contact restore` brings it back)
    Delete {
        /// Id or name
        who: String,
        /// Delete without asking (needed when not on a terminal)
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Bring back a deleted contact with the touches that went with it
    Restore {
        /// The contact's id, as `followup trash` shows it
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum TouchCmd {
    /// Correct a logged touch: only the options given change
    #[command(after_help = "An empty value clears: --note \"\" --job \"\"")]
    Edit(TouchEdit),
    /// Take back a touch logged by mistake: it counts for nothing (`touch restore` undoes it)
    Retract {
        /// The touch's id (`#12` in `contact show`)
        id: i64,
    },
    /// Bring back a retracted touch
    Restore {
        /// The touch's id, as `followup trash` shows it
        id: i64,
    },
}

#[derive(Debug, Args)]
pub struct TouchEdit {
    /// The touch's id (`#12` in `contact show`)
    pub id: i64,
    /// What it was (the kinds of `followup log`)
    #[arg(long)]
    pub kind: Option<String>,
    /// When it happened
    #[arg(long, value_name = "DATE")]
    pub on: Option<String>,
    /// Who it was with, by id or name (replaces the list)
    #[arg(long, num_args = 1.., value_name = "WHO")]
    pub with: Vec<String>,
    /// The job it was about, by id or name ("" for none)
    #[arg(long, value_name = "JOB")]
    pub job: Option<String>,
    /// A note
    #[arg(long)]
    pub note: Option<String>,
    /// The message you sent, as sent
    #[arg(long)]
    pub message: Option<String>,
}

impl TouchEdit {
    pub fn into_edit(self, cx: &Ctx) -> followup_app::Result<followup_app::EditTouch> {
        Ok(followup_app::EditTouch {
            kind: opt_word(Field::Kind, self.kind.as_deref())?,
            on: self
                .on
                .as_deref()
                .map(|d| past_day(cx, Field::On, d))
                .transpose()?,
            with: (!self.with.is_empty()).then_some(self.with),
            job: self.job.map(|j| Some(j).filter(|j| !j.trim().is_empty())),
            note: self.note,
            message: self.message,
        })
    }
}

/// The fields `contact add` and `contact edit` share.
#[derive(Debug, Args)]
pub struct ContactFields {
    /// Email address (repeat for several; on edit, replaces the list)
    #[arg(long = "email", value_name = "ADDRESS")]
    pub emails: Vec<String>,
    /// Phone number (repeat for several; on edit, replaces the list)
    #[arg(long = "phone", value_name = "NUMBER")]
    pub phones: Vec<String>,
    /// Organization (created when first named)
    #[arg(long, value_name = "NAME")]
    pub company: Option<String>,
    /// Job title
    #[arg(long)]
    pub title: Option<String>,
    /// critical, regular or casual (sets the keep-in-touch cadence, F13)
    #[arg(long)]
    pub tier: Option<String>,
    /// email, phone or linkedin (F19)
    #[arg(long, value_name = "CHANNEL")]
    pub prefers: Option<String>,
    /// LinkedIn profile URL
    #[arg(long, value_name = "URL")]
    pub linkedin: Option<String>,
    /// Birthday (F14); 29 Feb falls on 28 Feb in other years
    #[arg(long, value_name = "DATE")]
    pub birthday: Option<String>,
    /// Work anniversary (F14)
    #[arg(long, value_name = "DATE")]
    pub work_anniversary: Option<String>,
    /// Personal anniversary (F14)
    #[arg(long, value_name = "DATE")]
    pub personal_anniversary: Option<String>,
    /// Free notes
    #[arg(long)]
    pub notes: Option<String>,
}

#[derive(Debug, Args)]
pub struct ContactAdd {
    /// Full name
    pub name: String,
    /// Add it even when a contact with this name or email is there (else you are asked, or
    /// refused when not on a terminal)
    #[arg(long)]
    pub anyway: bool,
    #[command(flatten)]
    pub fields: ContactFields,
}

impl ContactAdd {
    pub fn into_new(self, cx: &Ctx) -> followup_app::Result<NewContact> {
        let f = self.fields;
        Ok(NewContact {
            name: self.name,
            emails: f.emails,
            phones: f.phones,
            company: f.company,
            title: f.title,
            tier: opt_word(Field::Tier, f.tier.as_deref())?,
            prefers: opt_word(Field::Prefers, f.prefers.as_deref())?,
            linkedin: f.linkedin,
            birthday: opt_day(cx, Field::Birthday, f.birthday.as_deref())?,
            work_anniversary: opt_day(cx, Field::WorkAnniversary, f.work_anniversary.as_deref())?,
            personal_anniversary: opt_day(
                cx,
                Field::PersonalAnniversary,
                f.personal_anniversary.as_deref(),
            )?,
            notes: f.notes,
        })
    }
}

#[derive(Debug, Args)]
#[command(after_help = "An empty value clears a field: --tier \"\" --birthday \"\"")]
pub struct ContactEdit {
    /// Id or name
    pub who: String,
    /// New name
    #[arg(long)]
    pub name: Option<String>,
    #[command(flatten)]
    pub fields: ContactFields,
}

impl ContactEdit {
    pub fn into_edit(self, cx: &Ctx) -> followup_app::Result<EditContact> {
        let f = self.fields;
        let list = |v: Vec<String>| if v.is_empty() { None } else { Some(v) };
        Ok(EditContact {
            name: self.name,
            emails: list(f.emails),
            phones: list(f.phones),
            company: f.company,
            title: f.title,
            tier: clearable_word(Field::Tier, f.tier.as_deref())?,
            prefers: match f.prefers.as_deref().map(str::trim) {
                Some("") => Some(None),
                other => opt_word(Field::Prefers, other)?.map(Some),
            },
            linkedin: f.linkedin,
            birthday: clearable_day(cx, Field::Birthday, f.birthday.as_deref())?,
            work_anniversary: clearable_day(
                cx,
                Field::WorkAnniversary,
                f.work_anniversary.as_deref(),
            )?,
            personal_anniversary: clearable_day(
                cx,
                Field::PersonalAnniversary,
                f.personal_anniversary.as_deref(),
            )?,
            notes: f.notes,
        })
    }
}

#[derive(Debug, Subcommand)]
pub enum JobCmd {
    /// Add a job (an opportunity: one role at one organization)
    Add(JobAdd),
    /// List jobs
    List {
        /// Only open ones
        #[arg(long)]
        open: bool,
    },
    /// A job's details, contacts, timeline and next follow-up
    Show {
        /// Id, or an unambiguous organization or title
        job: String,
    },
    /// Move a job to another open stage: lead, applied, interviewing, offer
    Stage {
        /// Id, or an unambiguous organization or title
        job: String,
        /// lead, applied, interviewing or offer
        stage: String,
    },
    /// Close a job: accepted, rejected, withdrawn or no-response
    Close {
        /// Id, or an unambiguous organization or title
        job: String,
        /// accepted, rejected, withdrawn or no-response
        outcome: String,
    },
    /// Change a job's details, add contacts to it, or move it to any stage
    Edit(JobEdit),
    /// Delete a job added by mistake, with its touches (asks first; `job restore` undoes it).
    /// A real one that ended is closed instead
    Delete {
        /// Id, or an unambiguous organization or title
        job: String,
        /// Delete without asking (needed when not on a terminal)
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Bring back a deleted job with its touches
    Restore {
        /// The job's id, as `followup trash` shows it
        id: i64,
    },
}

#[derive(Debug, Args)]
#[command(after_help = "An empty value clears: --url \"\" --notes \"\" --response-time \"\"")]
pub struct JobEdit {
    /// Id, or an unambiguous organization or title
    pub job: String,
    /// Organization (created when first named)
    #[arg(long, value_name = "NAME")]
    pub organization: Option<String>,
    /// The role's title
    #[arg(long)]
    pub title: Option<String>,
    /// A contact to add to it, by id or name (repeat for several)
    #[arg(long = "contact", value_name = "WHO")]
    pub contacts: Vec<String>,
    /// The response time the posting states, e.g. "3 weeks" (F5)
    #[arg(long, value_name = "DURATION")]
    pub response_time: Option<String>,
    /// The posting's address
    #[arg(long)]
    pub url: Option<String>,
    /// Any stage: lead, applied, interviewing, offer, accepted, rejected, withdrawn, no-response
    #[arg(long)]
    pub stage: Option<String>,
    /// Free notes
    #[arg(long)]
    pub notes: Option<String>,
}

impl JobEdit {
    pub fn into_edit(self) -> followup_app::Result<followup_app::EditJob> {
        let response_time = followup_app::input::clearable_wait(
            Field::ResponseTime,
            self.response_time.as_deref(),
        )?;
        Ok(followup_app::EditJob {
            organization: self.organization,
            title: self.title,
            add_contacts: self.contacts,
            response_time,
            url: self.url,
            stage: opt_word(Field::Stage, self.stage.as_deref())?,
            notes: self.notes,
        })
    }
}

#[derive(Debug, Args)]
pub struct JobAdd {
    /// Organization (created when first named)
    pub organization: String,
    /// The role's title
    pub title: String,
    /// A contact at it, by id or name (repeat for several)
    #[arg(long = "contact", value_name = "WHO")]
    pub contacts: Vec<String>,
    /// When you applied (also logs the application, F5)
    #[arg(long, value_name = "DATE")]
    pub applied: Option<String>,
    /// The response time the posting states, e.g. "3 weeks" (F5)
    #[arg(long, value_name = "DURATION")]
    pub response_time: Option<String>,
    /// The posting's address
    #[arg(long)]
    pub url: Option<String>,
    /// lead, applied, interviewing or offer [default: applied with --applied, else lead]
    #[arg(long)]
    pub stage: Option<String>,
    /// Free notes
    #[arg(long)]
    pub notes: Option<String>,
}

impl JobAdd {
    pub fn into_new(self, cx: &Ctx) -> followup_app::Result<NewJob> {
        Ok(NewJob {
            organization: self.organization,
            title: self.title,
            contacts: self.contacts,
            applied: self
                .applied
                .as_deref()
                .map(|d| past_day(cx, Field::Applied, d))
                .transpose()?,
            response_time: self
                .response_time
                .as_deref()
                .map(|t| {
                    t.parse::<followup_core::Wait>().map_err(|e| {
                        followup_app::error::invalid(Field::ResponseTime, e.to_string())
                    })
                })
                .transpose()?,
            url: self.url,
            stage: opt_word(Field::Stage, self.stage.as_deref())?,
            notes: self.notes,
        })
    }
}

fn yes_no(s: &str) -> Result<bool, String> {
    match s.to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" => Ok(true),
        "no" | "n" | "false" => Ok(false),
        _ => Err(format!("expected yes or no, found {s:?}")),
    }
}

#[derive(Debug, Args)]
#[command(
    after_help = "KIND is one of: application, interview, thank-you, follow-up, value-add, \
outreach, meeting, reply, rejection, offer, withdrawal, note.\n\
At an interview, ask before you leave (F17): --next-step, --they-decide-by, --all-hear-back, \
--may-follow-up, --they-prefer, --direct-contact, --on-linkedin."
)]
pub struct LogArgs {
    /// What happened (see below)
    pub kind: String,
    /// Who it was with, by id or name (several: --with A --with B, or --with A B)
    #[arg(long, num_args = 1.., value_name = "WHO")]
    pub with: Vec<String>,
    /// The job it was about, by id or name
    #[arg(long, value_name = "JOB")]
    pub job: Option<String>,
    /// When it happened [default: today]
    #[arg(long, value_name = "DATE")]
    pub on: Option<String>,
    /// outbound, inbound, mutual or internal [default: by kind]
    #[arg(long)]
    pub direction: Option<String>,
    /// They said they would decide or get back by this day (F3)
    #[arg(long, value_name = "DATE")]
    pub they_decide_by: Option<String>,
    /// You said you would follow up on this day (F2)
    #[arg(long, value_name = "DATE")]
    pub i_will_follow_up: Option<String>,
    /// They promised to act (an introduction, a referral) by this day (F12)
    #[arg(long, value_name = "DATE")]
    pub they_will_act_by: Option<String>,
    /// With `log offer`: the day your answer is due (C6: a `decide` item 2 bd before)
    #[arg(long, value_name = "DATE")]
    pub answer_by: Option<String>,
    /// They promised to act, no date given (F12: follow up after the action wait)
    #[arg(long)]
    pub they_will_act: bool,
    /// The interview showed a poor fit: a thank-you at most (F11)
    #[arg(long)]
    pub poor_fit: bool,
    /// What was said; problems they mentioned feed value-add drafts
    #[arg(long)]
    pub note: Option<String>,
    /// F17: what the next step is
    #[arg(long, value_name = "TEXT")]
    pub next_step: Option<String>,
    /// F17: will every candidate hear back? yes or no
    #[arg(long, value_name = "YES|NO", value_parser = yes_no)]
    pub all_hear_back: Option<bool>,
    /// F17: may I follow up if I have not heard by then? yes or no
    #[arg(long, value_name = "YES|NO", value_parser = yes_no)]
    pub may_follow_up: Option<bool>,
    /// F17/F19: how they prefer to be contacted: email, phone or linkedin
    #[arg(long, value_name = "CHANNEL")]
    pub they_prefer: Option<String>,
    /// F17: a business card or direct contact
    #[arg(long, value_name = "TEXT")]
    pub direct_contact: Option<String>,
    /// F17: are they on LinkedIn? yes or no
    #[arg(long, value_name = "YES|NO", value_parser = yes_no)]
    pub on_linkedin: Option<bool>,
    /// The message as sent, from a file or - for standard input (the lint compares the next one)
    #[arg(long, value_name = "FILE|-")]
    pub message: Option<String>,
}

/// Reads a file argument's bytes, or standard input for `-`.
pub fn read_bytes(arg: &str, path: &str) -> Result<Vec<u8>, BadArg> {
    use std::io::Read;
    let mut bytes = Vec::new();
    let res = if path == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::read(path).map(|b| bytes = b)
    };
    res.map_err(|e| BadArg(format!("{arg}: cannot read {path}: {e}")))?;
    Ok(bytes)
}

/// Reads a text argument given as a file path or `-` for standard input.
pub fn read_text(arg: &str, path: &str) -> Result<String, BadArg> {
    String::from_utf8(read_bytes(arg, path)?)
        .map_err(|_| BadArg(format!("{arg}: {path} is not UTF-8 text")))
}

impl LogArgs {
    pub fn into_new(self, cx: &Ctx) -> anyhow::Result<NewTouch> {
        let message = self
            .message
            .as_deref()
            .map(|p| read_text("--message", p))
            .transpose()?;
        Ok(NewTouch {
            kind: word(Field::Kind, &self.kind)?,
            with: self.with,
            job: self.job,
            on: self
                .on
                .as_deref()
                .map(|d| past_day(cx, Field::On, d))
                .transpose()?,
            direction: opt_word(Field::Direction, self.direction.as_deref())?,
            they_decide_by: opt_day(cx, Field::TheyDecideBy, self.they_decide_by.as_deref())?,
            i_will_follow_up: opt_day(cx, Field::IWillFollowUp, self.i_will_follow_up.as_deref())?,
            they_will_act_by: opt_day(cx, Field::TheyWillActBy, self.they_will_act_by.as_deref())?,
            answer_by: opt_day(cx, Field::AnswerBy, self.answer_by.as_deref())?,
            they_will_act: self.they_will_act,
            poor_fit: self.poor_fit,
            note: self.note,
            next_step: self.next_step,
            all_hear_back: self.all_hear_back,
            may_follow_up: self.may_follow_up,
            preferred_channel: opt_word(Field::TheyPrefer, self.they_prefer.as_deref())?,
            direct_contact: self.direct_contact,
            on_linkedin: self.on_linkedin,
            message,
        })
    }
}

/// How this command line names each field of followup-app in its messages: a flag (`--on`),
/// or a positional argument's name (`KIND`) where the command takes it that way.
pub fn flag(positional: &[(Field, &'static str)], field: Field) -> String {
    if let Some((_, name)) = positional.iter().find(|(f, _)| *f == field) {
        return (*name).to_string();
    }
    match field {
        Field::JobTitle => "TITLE".into(),
        Field::Organization => "ORGANIZATION".into(),
        Field::Kind => "KIND".into(),
        Field::Outcome => "OUTCOME".into(),
        Field::Contacts => "--contact".into(),
        Field::TheyPrefer => "--they-prefer".into(),
        Field::Interview => "the interview questions (--next-step, --all-hear-back, ...)".into(),
        Field::Item => "ID".into(),
        Field::Table => "--csv".into(),
        Field::Database => "--db".into(),
        Field::File => "FILE".into(),
        // `followup policy set KEY VALUE`: the parameter's key names it.
        Field::Policy(key) => key.into(),
        // The password is never a flag: it comes from the environment.
        Field::Password => "FOLLOWUP_PASSWORD".into(),
        other => format!("--{}", other.key().replace('_', "-")),
    }
}

impl Command {
    /// The fields this command takes as positional arguments, by their names in `--help`.
    pub fn positional(&self) -> &'static [(Field, &'static str)] {
        match self {
            Command::Contact(ContactCmd::Add(_)) => &[(Field::Name, "NAME")],
            Command::Contact(ContactCmd::Tier { .. }) => {
                &[(Field::Tier, "TIER"), (Field::Contacts, "WHO")]
            }
            Command::Job(JobCmd::Stage { .. }) => &[(Field::Stage, "STAGE")],
            Command::Templates(
                TemplatesCmd::Edit { .. } | TemplatesCmd::Show { .. } | TemplatesCmd::Reset { .. },
            ) => &[(Field::Template, "NAME")],
            Command::Templates(TemplatesCmd::Set { .. }) => &[(Field::Template, "FILE")],
            Command::User(_) => &[(Field::Email, "EMAIL"), (Field::Label, "--name")],
            Command::Team(_) => &[(Field::Email, "--admin")],
            Command::Grant { .. } | Command::Revoke { .. } => {
                &[(Field::Email, "COACH"), (Field::Until, "--until")]
            }
            _ => &[],
        }
    }
}
