//! `followup team` and `followup user`: a team server's accounts, from the command line of
//! whoever holds the database's credentials (the operator). The password comes from
//! FOLLOWUP_PASSWORD, never from an argument (arguments show in `ps` and shell history);
//! without it, a one-time invitation link is printed.

use std::io::Write;

use anyhow::Result;
use followup_app::App;
use followup_app::accounts::Secret;

use crate::cli::{self, Cli, Command, TeamCmd, UserCmd};
use crate::output;

/// The password given in the environment, if any.
fn password() -> Option<String> {
    std::env::var("FOLLOWUP_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
}

fn link(public_url: &str, code: &Secret) -> Result<String> {
    let url = followup_web::PublicUrl::parse(public_url).map_err(cli::BadArg)?;
    Ok(format!("{}/invite/{}", url.base, code.0))
}

/// Opens the team server named by `--database postgres://...`.
pub fn open(cli: &Cli, config: followup_app::Config) -> Result<App> {
    let Some(url) = cli.postgres_url() else {
        return Err(cli::BadArg(
            "team and user commands work on a team server: give --database postgres://USER@HOST:PORT/DB (or FOLLOWUP_DATABASE); docs/TEAM.md".into(),
        )
        .into());
    };
    Ok(App::open_postgres(url, config)?)
}

pub fn team(cli: &Cli, cmd: &TeamCmd, config: followup_app::Config, json: bool) -> Result<()> {
    let app = open(cli, config)?;
    let now = followup_app::clock::now();
    match cmd {
        TeamCmd::Init { admin, public_url } => {
            let added = app.team_init(admin, password().as_deref(), now)?;
            added_out(&added, public_url, json, "The team server is set up.")
        }
    }
}

fn added_out(
    added: &followup_app::accounts::Added,
    public_url: &str,
    json: bool,
    lead: &str,
) -> Result<()> {
    let a = &added.account;
    let invitation = added
        .invitation
        .as_ref()
        .map(|c| link(public_url, c))
        .transpose()?;
    if json {
        return output::print_json(&serde_json::json!({
            "id": a.id.0,
            "email": a.email,
            "role": a.role.as_str(),
            "workspace": a.workspace.map(|w| w.0),
            "name": a.name,
            "invitation": invitation,
        }));
    }
    let ws = a
        .workspace
        .map(|w| format!(", owning workspace {}", w.0))
        .unwrap_or_default();
    outln!(
        "{lead} {} is {} {}{ws}.",
        a.email,
        article(a.role),
        a.role.as_str()
    );
    match invitation {
        Some(l) => {
            outln!("Send them this link to choose a password (it works once, for 7 days):\n  {l}")
        }
        None => outln!("They sign in with the password from FOLLOWUP_PASSWORD."),
    }
    Ok(())
}

fn article(role: followup_app::Role) -> &'static str {
    if role == followup_app::Role::Admin {
        "an"
    } else {
        "a"
    }
}

pub fn user(cli: &Cli, cmd: &UserCmd, config: followup_app::Config, json: bool) -> Result<()> {
    let app = open(cli, config)?;
    let now = followup_app::clock::now();
    match cmd {
        UserCmd::Add {
            email,
            role,
            name,
            public_url,
        } => {
            // The name is checked before anything is added, so a bad one changes nothing.
            if let Some(n) = name {
                followup_app::accounts::display_name(n)?;
            }
            let mut added = app.add_user(None, email, role.role(), password().as_deref(), now)?;
            if let Some(n) = name {
                added.account = app.set_name(None, &added.account, n)?;
            }
            added_out(&added, public_url, json, "Added:")
        }
        UserCmd::Rename { email, name } => {
            let a = app.account_named(email)?;
            let a = app.set_name(None, &a, name)?;
            if json {
                return output::print_json(
                    &serde_json::json!({ "email": a.email, "name": a.name }),
                );
            }
            match &a.name {
                Some(n) => outln!("{} is now called \"{n}\".", a.email),
                None => outln!("{} has no name now; others see the email.", a.email),
            }
            Ok(())
        }
        UserCmd::List => {
            let all = app.accounts(None)?;
            if json {
                let rows: Vec<_> = all
                    .iter()
                    .map(|a| {
                        serde_json::json!({
                            "id": a.id.0, "email": a.email, "role": a.role.as_str(),
                            "disabled": a.disabled, "invited": !a.has_password,
                            "workspace": a.workspace.map(|w| w.0), "name": a.name,
                        })
                    })
                    .collect();
                return output::print_json(&rows);
            }
            if all.is_empty() {
                outln!("No accounts yet; `followup team init --admin EMAIL` makes the first.");
            }
            for a in &all {
                let state = if a.disabled {
                    "disabled"
                } else if !a.has_password {
                    "invited"
                } else {
                    "active"
                };
                let ws = a
                    .workspace
                    .map(|w| format!("workspace {}", w.0))
                    .unwrap_or_default();
                let name = a.name.as_deref().unwrap_or_default();
                outln!(
                    "{}",
                    format!(
                        "{:<4} {:<32} {:<7} {:<9} {ws:<13} {name}",
                        a.id.0,
                        a.email,
                        a.role.as_str(),
                        state
                    )
                    .trim_end()
                );
            }
            Ok(())
        }
        UserCmd::Token { email, name } => {
            let a = app.account_named(email)?;
            let t = app.create_token(&a, name, now)?;
            if json {
                return output::print_json(
                    &serde_json::json!({ "email": a.email, "name": name, "token": t.0 }),
                );
            }
            eprintln!(
                "A token for {} named {name:?} (shown once; revoke it on the account page):",
                a.email
            );
            outln!("{}", t.0);
            Ok(())
        }
        UserCmd::Reset { email, public_url } => {
            let a = app.account_named(email)?;
            let pw = password();
            let code = app.reset_password(None, &a, pw.as_deref(), now)?;
            match code {
                Some(c) => outln!(
                    "{} is signed out everywhere. Send them this link to choose a new password (it works once, for 7 days):\n  {}",
                    a.email,
                    link(public_url, &c)?
                ),
                None => outln!(
                    "{} is signed out everywhere; the new password is the one in FOLLOWUP_PASSWORD.",
                    a.email
                ),
            }
            Ok(())
        }
        UserCmd::Disable { email } | UserCmd::Enable { email } => {
            let off = matches!(cmd, UserCmd::Disable { .. });
            let a = app.account_named(email)?;
            app.set_disabled(None, &a, off)?;
            if off {
                outln!(
                    "{} is disabled: their sessions and tokens stop working, and they cannot sign in.",
                    a.email
                );
            } else {
                outln!("{} can sign in again.", a.email);
            }
            Ok(())
        }
    }
}

/// `followup grant` and `followup revoke`, for the client named.
pub fn grant(
    cli: &Cli,
    cmd: &Command,
    config: followup_app::Config,
    today: jiff::civil::Date,
    json: bool,
) -> Result<()> {
    let app = open(cli, config)?;
    match cmd {
        Command::Grant {
            coach,
            client,
            scope,
            until,
        } => {
            let owner = app.account_named(client)?;
            let cx = app.ctx_for(
                app.own_workspace(&owner)?,
                followup_app::Actor::Owner,
                today,
            )?;
            let until = until
                .as_deref()
                .map(|d| followup_app::input::day(&cx, followup_app::Field::Until, d))
                .transpose()?;
            let g = app.grant(
                &owner,
                coach,
                scope.scope(),
                until,
                today,
                followup_app::clock::now(),
            )?;
            if json {
                return output::print_json(&g);
            }
            let until = g
                .until
                .map(|d| format!(" through {d}"))
                .unwrap_or_else(|| " until revoked".into());
            let what = if g.scope == "edit" {
                "see and change"
            } else {
                "see (not change)"
            };
            outln!(
                "{} may now {what} {}'s job search{until}.",
                g.coach,
                owner.email
            );
            Ok(())
        }
        Command::Revoke { coach, client } => {
            let owner = app.account_named(client)?;
            app.revoke_grant(&owner, coach)?;
            outln!("{coach} can no longer open {}'s job search.", owner.email);
            Ok(())
        }
        _ => unreachable!("only grant and revoke come here"),
    }
}
