//! `followup mail sync`: connects to the mailbox of `[mail]` and hands it to the app's sync.
//! The connection is the binary's (network and credentials); what the messages mean is the
//! app's.

use std::io::Write;

use anyhow::Result;
use std::sync::Arc;
use std::time::Duration;

use followup_app::config::MailConfig;
use followup_app::mail::{FolderRole, MailStatus, Mailer, SyncOptions, Synced};
use followup_app::{App, Ctx};
use followup_mail::imap::{ImapSource, ImapUrl};
use followup_mail::smtp::{self, SmtpUrl};

use crate::cli::BadArg;
use crate::output;

pub fn sync(app: &App, cx: &Ctx, opts: SyncOptions, json: bool) -> Result<()> {
    let Some(mail) = app.config.mail.clone() else {
        return Err(BadArg(
            "mail sync: no [mail] in the config; docs/MAIL.md shows what to add (`followup where` names the file)".into(),
        )
        .into());
    };
    let synced = run(app, cx, &mail, opts, true)?;
    report(&synced, json)
}

/// Connects, reads what is new, signs out. `say` prints where it is reading (the command;
/// the server's worker is quiet).
fn run(app: &App, cx: &Ctx, mail: &MailConfig, opts: SyncOptions, say: bool) -> Result<Synced> {
    let url = ImapUrl::parse(&mail.imap).map_err(|e| BadArg(format!("[mail] {e}")))?;
    let password = mail.password()?;
    if say {
        eprintln!("Reading {} as {}...", url.server(), mail.user);
    }
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
    let synced = app.mail_sync(cx, &mut source, &mail.own_addresses(), &folders, opts)?;
    // Signing out is a courtesy: what was read is kept either way.
    let _ = source.logout();
    Ok(synced)
}

/// `serve`'s mail worker: reads the mailbox now and every `[mail] every_minutes`, and keeps
/// how each run went for Settings. A failed run is kept as failed (never silent) and tried
/// again next time. A thread of its own: the IMAP client blocks, and the web's runtime must
/// not.
pub fn worker(app: Arc<App>, pinned: Option<jiff::civil::Date>, mail: MailConfig, base: String) {
    let every = Duration::from_secs(u64::from(mail.every_minutes.max(1)) * 60);
    std::thread::spawn(move || {
        loop {
            let ran = (|| -> Result<Synced> {
                let owner = app.default_owner();
                let today = match pinned {
                    Some(d) => d,
                    None => app.today_for(owner)?,
                };
                let cx = app.ctx(today)?;
                run(&app, &cx, &mail, SyncOptions::default(), false)
            })();
            let status = MailStatus {
                at: followup_app::clock::now().to_string(),
                ok: ran.is_ok(),
                message: match &ran {
                    Ok(s) => summary(s),
                    Err(e) => format!("{e:#}"),
                },
            };
            if let Ok(cx) = app.ctx(pinned.unwrap_or_else(followup_app::clock::system_today))
                && let Err(e) = app.set_mail_status(&cx, &status)
            {
                eprintln!("followup: mail: cannot keep the sync's status: {e}");
            }
            if !status.ok {
                // The message names mail already ("mail: cannot reach ...").
                eprintln!("followup: {}", status.message);
            }
            if let Err(e) = digest_if_due(&app, pinned, &mail, &base) {
                eprintln!("followup: digest: {e:#}");
            }
            std::thread::sleep(every);
        }
    });
}

/// Sends the day's digest once `[mail] digest_at` has passed and none went out today; a failed
/// attempt is recorded and tried again on the next round.
fn digest_if_due(
    app: &App,
    pinned: Option<jiff::civil::Date>,
    mail: &MailConfig,
    base: &str,
) -> Result<()> {
    let Some(at) = mail.digest_at.as_deref() else {
        return Ok(());
    };
    let at: jiff::civil::Time = at.parse()?;
    let owner = app.default_owner();
    let tz = jiff::tz::TimeZone::system();
    let now = followup_app::clock::now().to_zoned(tz.clone());
    let today = match pinned {
        Some(d) => d,
        None => app.today_for(owner)?,
    };
    // A pinned day replays a scenario: its digest is due at once.
    if pinned.is_none() && now.time() < at {
        return Ok(());
    }
    let cx = app.ctx(today)?;
    let sent_today = app.deliveries(&cx)?.iter().any(|d| {
        d.ok && !d.test
            && d.at
                .parse::<jiff::Timestamp>()
                .is_ok_and(|t| t.to_zoned(tz.clone()).date() == now.date())
    });
    if sent_today {
        return Ok(());
    }
    let mailer = SmtpMailer::from_config(app, "[mail] digest_at")?;
    let d = app.send_digest(&cx, &mailer, base, false, followup_app::clock::now())?;
    if !d.ok {
        eprintln!("followup: digest: not sent: {}", d.detail);
    }
    Ok(())
}

/// "2 replies, 1 sent; 3 read before", or "nothing new".
fn summary(s: &Synced) -> String {
    let counts: Vec<String> = s.counts.iter().map(|(m, n)| counted(m, *n)).collect();
    let what = if counts.is_empty() {
        "nothing new".to_string()
    } else {
        counts.join(", ")
    };
    if s.known > 0 {
        format!("{what}; {} read before", s.known)
    } else {
        what
    }
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
    if s.dry_run {
        outln!("Dry run, nothing kept: {}.", summary(s));
    } else {
        outln!("Mail read: {}.", summary(s));
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

/// `[mail] smtp` as the app's [`Mailer`]: from the person's first address, signing in as
/// `user` with the `[mail]` password.
pub struct SmtpMailer {
    url: SmtpUrl,
    user: String,
    password: String,
    ca_file: Option<std::path::PathBuf>,
    from: String,
    from_name: Option<String>,
    digest_to: String,
}

impl SmtpMailer {
    /// The mailer `[mail]` describes, or why there is none.
    pub fn from_config(app: &App, what: &str) -> Result<SmtpMailer> {
        let Some(mail) = app.config.mail.clone() else {
            return Err(BadArg(format!(
                "{what}: no [mail] in the config; docs/MAIL.md shows what to add"
            ))
            .into());
        };
        let Some(smtp) = mail.smtp.as_deref() else {
            return Err(BadArg(format!(
                "{what}: no smtp in [mail]; add smtp = \"smtps://your-server\" (docs/MAIL.md)"
            ))
            .into());
        };
        let url = SmtpUrl::parse(smtp).map_err(|e| BadArg(format!("[mail] {e}")))?;
        let from = mail
            .own_addresses()
            .first()
            .cloned()
            .unwrap_or_else(|| mail.user.clone());
        Ok(SmtpMailer {
            url,
            password: mail.password()?,
            user: mail.user.clone(),
            ca_file: mail.ca_file.clone(),
            digest_to: mail.digest_to.clone().unwrap_or_else(|| from.clone()),
            from,
            from_name: app.config.me.name.clone(),
        })
    }
}

impl Mailer for SmtpMailer {
    fn send(&self, out: &followup_app::mail::Outgoing) -> std::result::Result<String, String> {
        smtp::send(
            &self.url,
            Some((self.user.as_str(), self.password.as_str())),
            self.ca_file.as_deref(),
            &smtp::Outgoing {
                from: self.from.clone(),
                from_name: self.from_name.clone(),
                to: out.to.clone(),
                to_name: Some(out.to_name.clone()).filter(|n| !n.is_empty()),
                subject: out.subject.clone(),
                body: out.body.clone(),
            },
        )
        .map_err(|e| e.to_string())
    }

    fn digest_to(&self) -> String {
        self.digest_to.clone()
    }
}

/// `draft N --send`: sends the item's draft by `[mail] smtp` and logs the touch it does.
pub fn send_draft(app: &App, cx: &Ctx, id: i64, yes: bool, json: bool) -> Result<()> {
    let mailer = SmtpMailer::from_config(app, "draft --send")?;
    let sent = app.send_draft(cx, id, yes, &mut |out| mailer.send(out))?;
    if json {
        return output::print_json(&sent);
    }
    outln!("Sent \"{}\" to {}.", sent.subject, sent.to);
    if let followup_app::agenda::Done::Logged(l) = &sent.done {
        outln!(
            "Logged {} #{} (Message-ID <{}>).",
            l.touch.kind,
            l.touch.id,
            sent.message_id
        );
    }
    Ok(())
}

/// `followup digest`: prints today's digest, or with `--send` mails it and records the
/// attempt; `digest log` lists the attempts.
pub fn digest(app: &App, cx: &Ctx, d: &crate::cli::DigestArgs, json: bool) -> Result<()> {
    if let Some(crate::cli::DigestCmd::Log) = d.cmd {
        let log = app.deliveries(cx)?;
        if json {
            return output::print_json(&log);
        }
        if log.is_empty() {
            outln!(
                "No digest was sent yet (`followup digest --send`, or [mail] digest_at with `serve`)."
            );
        }
        for l in &log {
            let what = if l.test { "test" } else { "digest" };
            let how = if l.ok { "sent" } else { "FAILED" };
            outln!("{}  {what} to {}  {how}: {}", l.at, l.to, l.detail);
        }
        return Ok(());
    }
    let digest = app.digest(cx, &d.link)?;
    if !d.send {
        if json {
            return output::print_json(&digest);
        }
        outln!("Subject: {}\n\n{}", digest.subject, digest.body);
        return Ok(());
    }
    let mailer = SmtpMailer::from_config(app, "digest --send")?;
    let delivery = app.send_digest(cx, &mailer, &d.link, d.test, followup_app::clock::now())?;
    if json {
        return output::print_json(&delivery);
    }
    if delivery.ok {
        outln!(
            "Sent {} to {}.",
            if d.test { "a test" } else { "the digest" },
            delivery.to
        );
        Ok(())
    } else {
        Err(anyhow::anyhow!(
            "the digest was not sent: {} (kept in `followup digest log`)",
            delivery.detail
        ))
    }
}
