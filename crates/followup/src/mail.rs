//! `followup mail sync`: connects to the mailbox of `[mail]` and hands it to the app's sync.
//! The connection is the binary's (network and credentials); what the messages mean is the
//! app's.

use std::io::Write;

use anyhow::Result;
use followup_app::mail::{FolderRole, Synced};
use followup_app::{App, Ctx};
use followup_mail::imap::{ImapSource, ImapUrl};

use crate::cli::BadArg;
use crate::output;

pub fn sync(app: &App, cx: &Ctx, dry_run: bool, json: bool) -> Result<()> {
    let Some(mail) = app.config.mail.clone() else {
        return Err(BadArg(
            "mail sync: no [mail] in the config; docs/MAIL.md shows what to add (`followup where` names the file)".into(),
        )
        .into());
    };
    let url = ImapUrl::parse(&mail.imap).map_err(|e| BadArg(format!("[mail] {e}")))?;
    let password = mail.password()?;
    eprintln!("Reading {} as {}...", url.server(), mail.user);
    let mut source = match &mail.ca_file {
        Some(ca) => ImapSource::connect_with_ca(&url, &mail.user, &password, ca),
        None => ImapSource::connect(&url, &mail.user, &password),
    }
    .map_err(|e| anyhow::anyhow!("mail: {e}"))?;
    drop(password);
    let folders = [
        (mail.sent.as_str(), FolderRole::Sent),
        (mail.inbox.as_str(), FolderRole::Inbox),
    ];
    let synced = app.mail_sync(cx, &mut source, &mail.own_addresses(), &folders, dry_run)?;
    // Signing out is a courtesy: what was read is kept either way.
    let _ = source.logout();
    report(&synced, json)
}

fn report(s: &Synced, json: bool) -> Result<()> {
    if json {
        return output::print_json(s);
    }
    for l in &s.lines {
        let did = if l.did.is_empty() {
            String::new()
        } else {
            format!(": {}", l.did)
        };
        outln!(
            "  {}  {:<10} {}  \"{}\"{did}",
            l.day,
            l.meaning,
            l.address,
            followup_core::text::escape_controls(&l.subject)
        );
    }
    let counts: Vec<String> = s.counts.iter().map(|(m, n)| counted(m, *n)).collect();
    let what = if counts.is_empty() {
        "nothing new".to_string()
    } else {
        counts.join(", ")
    };
    let known = if s.known > 0 {
        format!("; {} read before", s.known)
    } else {
        String::new()
    };
    if s.dry_run {
        outln!("Dry run, nothing kept: {what}{known}.");
    } else {
        outln!("Mail read: {what}{known}.");
    }
    Ok(())
}

/// "2 replies", "1 from a stranger", as a person says it.
fn counted(meaning: &str, n: usize) -> String {
    let one = n == 1;
    let words = match meaning {
        "reply" if one => "reply",
        "reply" => "replies",
        "sent" => "sent",
        "auto-reply" if one => "automatic answer",
        "auto-reply" => "automatic answers",
        "bounce" if one => "bounce",
        "bounce" => "bounces",
        "stranger" if one => "from a stranger",
        "stranger" => "from strangers",
        "bulk" if one => "mailing",
        "bulk" => "mailings",
        other => other,
    };
    format!("{n} {words}")
}
