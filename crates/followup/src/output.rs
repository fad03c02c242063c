//! Text and JSON output. Plain text, no colour (so NO_COLOR and pipes need nothing special);
//! JSON is the use cases' own structures, documented in docs/CLI.md.

use std::io::Write;

use followup_app::{ContactView, Done, JobView, Logged, PromiseView};
use followup_core::agenda::AgendaItem;
use followup_core::model::{Contact, Job, Touch};
use followup_store::Recorded;
use jiff::civil::Date;
use serde::Serialize;

type Out = anyhow::Result<()>;

/// `println!` that returns the error instead of panicking, so `followup agenda | head` ends
/// quietly (main treats a closed pipe as success).
/// Text goes through [`Safe`]: a name recorded before names were checked cannot rewrite the
/// terminal it is printed on.
macro_rules! outln {
    () => { writeln!($crate::output::Safe(std::io::stdout()))? };
    ($($arg:tt)*) => { writeln!($crate::output::Safe(std::io::stdout()), $($arg)*)? };
}

/// A writer that shows control characters (but newline and tab) as `\u{..}` instead of
/// passing them to the terminal. Formatting hands it whole `str` pieces, so a character is
/// never split across two writes.
pub struct Safe<W: Write>(pub W);

impl<W: Write> Write for Safe<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let clean = buf
            .iter()
            .all(|b| (*b >= 0x20 && *b != 0x7f) || *b == b'\n' || *b == b'\t')
            && !buf
                .windows(2)
                .any(|w| w[0] == 0xc2 && (0x80..=0x9f).contains(&w[1]));
        if clean {
            return self.0.write(buf);
        }
        let text = String::from_utf8_lossy(buf);
        self.0
            .write_all(followup_core::text::escape_controls(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Standard output for text, buffered: a long agenda is one write, not one per line.
fn stdout() -> Safe<std::io::BufWriter<std::io::StdoutLock<'static>>> {
    Safe(std::io::BufWriter::with_capacity(
        1 << 16,
        std::io::stdout().lock(),
    ))
}

pub fn print_json<T: Serialize + ?Sized>(v: &T) -> Out {
    // JSON escapes control characters itself.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

pub fn day(d: Date, today: Date) -> String {
    followup_core::plan::day_label(d, today)
}

/// Left-aligned columns, two spaces apart; the last column is not padded.
fn table(header: &[&str], rows: &[Vec<String>]) -> Out {
    let mut out = stdout();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    // Written cell by cell into one buffer: a coach's agenda is thousands of lines.
    let mut line = |cells: &mut dyn Iterator<Item = &str>| -> Out {
        let mut cells = cells.peekable();
        let mut i = 0;
        while let Some(c) = cells.next() {
            if cells.peek().is_none() {
                out.write_all(c.trim_end().as_bytes())?;
            } else {
                out.write_all(c.as_bytes())?;
                let pad = widths[i] - c.chars().count() + 2;
                out.write_all(
                    &b"                                                                "
                        [..pad.min(64)],
                )?;
                for _ in 64..pad {
                    out.write_all(b" ")?;
                }
            }
            i += 1;
        }
        out.write_all(b"\n")?;
        Ok(())
    };
    line(&mut header.iter().copied())?;
    for r in rows {
        line(&mut r.iter().map(String::as_str))?;
    }
    out.flush()?;
    Ok(())
}

fn when(a: &AgendaItem, today: Date) -> String {
    if a.overdue_days > 0 {
        format!("{} ({} d overdue)", day(a.due, today), a.overdue_days)
    } else if a.due == today {
        format!("{} (today)", day(a.due, today))
    } else {
        day(a.due, today)
    }
}

fn item_line(a: &AgendaItem, today: Date) -> Vec<String> {
    let p = followup_core::present::item(a, today);
    vec![
        format!("{}", a.id),
        when(a, today),
        p.label.to_string(),
        p.who_and_jobs(),
        a.channel.to_string(),
        p.why_line(),
    ]
}

fn notes(a: &AgendaItem, today: Date) -> Vec<String> {
    followup_core::present::item(a, today).notes
}

pub fn agenda(items: &[AgendaItem], today: Date, json: bool) -> Out {
    if json {
        return print_json(items);
    }
    if items.is_empty() {
        outln!("Nothing due. `followup agenda --until \"in 4 weeks\"` looks further ahead.");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = items.iter().map(|a| item_line(a, today)).collect();
    table(&["ID", "DUE", "ACTION", "WHO", "CHANNEL", "WHY"], &rows)?;
    let annotated: Vec<(i64, Vec<String>)> = items
        .iter()
        .map(|a| (a.id, notes(a, today)))
        .filter(|(_, n)| !n.is_empty())
        .collect();
    if !annotated.is_empty() {
        let mut out = stdout();
        writeln!(out)?;
        for (id, ns) in annotated {
            for n in ns {
                writeln!(out, "  {id}: {n}")?;
            }
        }
        out.flush()?;
    }
    Ok(())
}

fn next_lines(next: &[AgendaItem], today: Date) -> Out {
    for a in next {
        let p = followup_core::present::item(a, today);
        outln!(
            "Next: {}  {}  {}  {}  {}  [item {}]",
            when(a, today),
            p.label,
            p.who_and_jobs(),
            a.channel,
            p.why_line(),
            a.id
        );
        for n in p.notes {
            outln!("      {n}");
        }
    }
    Ok(())
}

pub fn created_contact(c: &Contact, json: bool) -> Out {
    if json {
        return print_json(c);
    }
    outln!("Added contact #{} {}{}", c.id, c.name, contact_suffix(c));
    Ok(())
}

pub fn edited_contact(c: &Contact, json: bool) -> Out {
    if json {
        return print_json(c);
    }
    outln!("Updated contact #{} {}{}", c.id, c.name, contact_suffix(c));
    Ok(())
}

fn contact_suffix(c: &Contact) -> String {
    let mut parts = Vec::new();
    if let Some(o) = &c.organization {
        parts.push(o.name.clone());
    }
    if let Some(t) = &c.title {
        parts.push(t.clone());
    }
    if let Some(t) = c.tier {
        parts.push(t.to_string());
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

pub fn contacts(list: &[Contact], json: bool) -> Out {
    if json {
        return print_json(list);
    }
    if list.is_empty() {
        outln!("No contacts yet. Add one with `followup contact add NAME`.");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|c| {
            vec![
                c.id.to_string(),
                c.name.clone(),
                c.organization
                    .as_ref()
                    .map(|o| o.name.clone())
                    .unwrap_or_default(),
                c.title.clone().unwrap_or_default(),
                c.tier.map(|t| t.to_string()).unwrap_or_default(),
                c.emails.first().cloned().unwrap_or_default(),
            ]
        })
        .collect();
    table(
        &["ID", "NAME", "ORGANIZATION", "TITLE", "TIER", "EMAIL"],
        &rows,
    )
}

fn touch_line(t: &Touch, today: Date, names: &dyn Fn(&Touch) -> String) -> String {
    let mut s = format!(
        "  {}  {:<11} {:<8}  {}",
        day(t.date, today),
        t.kind.as_str(),
        t.direction.as_str(),
        names(t)
    );
    if t.poor_fit {
        s.push_str("  [poor fit]");
    }
    if let Some(n) = &t.note {
        s.push_str(&format!("  \"{n}\""));
    }
    s
}

/// Where a promise stands (C9), in the words every page uses.
fn promise_state(p: &PromiseView, today: Date) -> String {
    followup_core::present::promise_state(&p.promise, p.state, p.kept_by, p.replaced_by, today)
}

fn promise_line(p: &PromiseView, today: Date) -> String {
    format!(
        "  [{}] {} (said {}{})",
        promise_state(p, today),
        followup_core::present::promise(&p.promise, today),
        day(p.made_on, today),
        p.job.map(|j| format!(", job #{j}")).unwrap_or_default()
    )
}

pub fn identity(me: &followup_app::identity::Identity, json: bool) -> Out {
    if json {
        return print_json(me);
    }
    use followup_app::identity::Source;
    let from = |s: Option<Source>| match s {
        Some(Source::Settings) => "  (set here: `followup me`, Settings)",
        Some(Source::Config) => "  (the config's [me])",
        None => "",
    };
    let name = me.name.clone().unwrap_or_else(|| {
        format!(
            "not set: drafts say {}",
            followup_app::identity::PLACEHOLDER
        )
    });
    outln!("name       {name}{}", from(me.sources.name));
    let signature = me
        .signature
        .clone()
        .unwrap_or_else(|| "(the name)".into())
        .replace('\n', "\n           ");
    outln!("signature  {signature}{}", from(me.sources.signature));
    outln!(
        "phone      {}{}",
        me.phone.clone().unwrap_or_else(|| "(none)".into()),
        from(me.sources.phone)
    );
    Ok(())
}

pub fn contact_view(v: &ContactView, today: Date, json: bool) -> Out {
    if json {
        return print_json(v);
    }
    let c = &v.contact;
    outln!("#{} {}{}", c.id, c.name, contact_suffix(c));
    let field = |k: &str, val: String| -> Out {
        if !val.is_empty() {
            outln!("  {k:<21}{val}");
        }
        Ok(())
    };
    field("email", c.emails.join(", "))?;
    field("phone", c.phones.join(", "))?;
    field(
        "prefers",
        c.prefers.map(|p| p.to_string()).unwrap_or_default(),
    )?;
    field("linkedin", c.linkedin.clone().unwrap_or_default())?;
    field(
        "birthday",
        c.birthday.map(|d| d.to_string()).unwrap_or_default(),
    )?;
    field(
        "work anniversary",
        c.work_anniversary
            .map(|d| d.to_string())
            .unwrap_or_default(),
    )?;
    field(
        "personal anniversary",
        c.personal_anniversary
            .map(|d| d.to_string())
            .unwrap_or_default(),
    )?;
    field("notes", c.notes.clone().unwrap_or_default())?;
    field("added", c.added_on.to_string())?;
    if !v.jobs.is_empty() {
        outln!("Jobs:");
        for j in &v.jobs {
            outln!(
                "  #{} {}: {} ({})",
                j.id,
                j.organization.name,
                j.title,
                j.stage
            );
        }
    }
    outln!("Timeline:");
    if v.timeline.is_empty() {
        outln!("  nothing logged yet");
    }
    let jobs = &v.jobs;
    let label = |t: &Touch| {
        t.job
            .and_then(|id| jobs.iter().find(|j| j.id == id))
            .map(|j| format!("{}: {}", j.organization.name, j.title))
            .unwrap_or_default()
    };
    for t in &v.timeline {
        outln!("{}", touch_line(t, today, &label));
    }
    if !v.promises.is_empty() {
        outln!("Promises:");
        for p in &v.promises {
            outln!("{}", promise_line(p, today));
        }
    }
    if v.next.is_empty() {
        outln!("Next: nothing planned (a casual contact gets occasions only, F13)");
    }
    next_lines(&v.next, today)?;
    Ok(())
}

pub fn created_job(j: &Job, json: bool) -> Out {
    if json {
        return print_json(j);
    }
    outln!(
        "Added job #{} {}: {} ({})",
        j.id,
        j.organization.name,
        j.title,
        j.stage
    );
    Ok(())
}

pub fn job_changed(j: &Job, json: bool) -> Out {
    if json {
        return print_json(j);
    }
    outln!(
        "Job #{} {}: {} is now {}",
        j.id,
        j.organization.name,
        j.title,
        j.stage
    );
    Ok(())
}

pub fn jobs(list: &[Job], json: bool) -> Out {
    if json {
        return print_json(list);
    }
    if list.is_empty() {
        outln!("No jobs yet. Add one with `followup job add ORGANIZATION TITLE`.");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|j| {
            vec![
                j.id.to_string(),
                j.organization.name.clone(),
                j.title.clone(),
                j.stage.to_string(),
                j.applied.map(|d| d.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    table(&["ID", "ORGANIZATION", "TITLE", "STAGE", "APPLIED"], &rows)
}

pub fn job_view(v: &JobView, today: Date, json: bool) -> Out {
    if json {
        return print_json(v);
    }
    let j = &v.job;
    outln!(
        "#{} {}: {} ({})",
        j.id,
        j.organization.name,
        j.title,
        j.stage
    );
    if let Some(u) = &j.url {
        outln!("  posting        {u}");
    }
    if let Some(d) = j.applied {
        outln!("  applied        {d}");
    }
    if let Some(t) = j.response_time {
        outln!("  response time  {t}");
    }
    if let Some(n) = &j.notes {
        outln!("  notes          {n}");
    }
    if !v.contacts.is_empty() {
        outln!("Contacts:");
        for c in &v.contacts {
            outln!("  #{} {}{}", c.id, c.name, contact_suffix(c));
        }
    }
    outln!("Timeline:");
    if v.timeline.is_empty() {
        outln!("  nothing logged yet");
    }
    let contacts = &v.contacts;
    let label = |t: &Touch| {
        t.contacts
            .iter()
            .filter_map(|id| contacts.iter().find(|c| c.id == *id))
            .map(|c| c.name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    for t in &v.timeline {
        outln!("{}", touch_line(t, today, &label));
    }
    if !v.promises.is_empty() {
        outln!("Promises:");
        for p in &v.promises {
            outln!("{}", promise_line(p, today));
        }
    }
    next_lines(&v.next, today)?;
    Ok(())
}

pub fn logged(l: &Logged, today: Date, json: bool) -> Out {
    if json {
        return print_json(l);
    }
    let t = &l.touch;
    outln!(
        "Logged {} #{} on {}{}",
        t.kind,
        t.id,
        day(t.date, today),
        t.job.map(|j| format!(" (job #{j})")).unwrap_or_default()
    );
    for s in &l.stage_changes {
        outln!("Job #{} moved from {} to {}", s.job, s.from, s.to);
    }
    for p in &t.promises {
        if p.whose == followup_core::Whose::Mine
            && let Some(d) = p.date
        {
            outln!("Promise recorded: you will follow up on {}", day(d, today));
        }
    }
    next_lines(&l.next, today)?;
    warnings(&l.warnings);
    Ok(())
}

pub fn warnings(ws: &[followup_core::plan::Warning]) {
    let mut err = Safe(std::io::stderr().lock());
    for w in ws {
        let _ = writeln!(err, "warning: {}", w.message);
    }
}

pub fn snoozed(a: &AgendaItem, today: Date, json: bool) -> Out {
    if json {
        return print_json(a);
    }
    let p = followup_core::present::item(a, today);
    outln!(
        "Snoozed item {}: {} comes back on {}",
        a.id,
        p.title,
        day(a.due, today)
    );
    Ok(())
}

pub fn done(d: &Done, today: Date, json: bool) -> Out {
    match d {
        Done::Logged(l) => logged(l, today, json),
        Done::Closed(j) => job_changed(j, json),
    }
}

pub fn events(list: &[Recorded], json: bool) -> Out {
    if json {
        let v: Vec<serde_json::Value> = list
            .iter()
            .map(|r| {
                serde_json::json!({
                    "seq": r.seq,
                    "recorded_on": r.recorded_on,
                    "event": r.event,
                })
            })
            .collect();
        return print_json(&v);
    }
    for r in list {
        let body = serde_json::to_string(&r.event)?;
        outln!("{:>6}  {}  {body}", r.seq, r.recorded_on);
    }
    Ok(())
}

pub fn draft(d: &followup_app::drafts::Draft, open: bool, json: bool) -> Out {
    if json {
        return print_json(d);
    }
    let call = d.template == "voicemail";
    if d.to.is_empty() && call {
        outln!(
            "To: (no phone number recorded: `followup contact edit WHO --phone NUMBER` adds one)"
        );
    } else if d.to.is_empty() {
        outln!("To: (no address recorded: `followup contact edit` adds one)");
    } else {
        outln!("To: {}", d.to);
    }
    if d.channel != "email" && !call {
        outln!(
            "Channel: {} (their preference{})",
            d.channel,
            if d.channel == "phone" {
                "; `--voicemail` gives a call script"
            } else {
                ""
            }
        );
    }
    if !d.subject.is_empty() {
        outln!("Subject: {}", d.subject);
    }
    outln!();
    write!(Safe(std::io::stdout()), "{}", d.body)?;
    std::io::stdout().flush()?;
    {
        let mut err = Safe(std::io::stderr().lock());
        for w in &d.warnings {
            let at = w.line.map(|l| format!(" (line {l})")).unwrap_or_default();
            writeln!(err, "warning: {}{at}", w.message)?;
        }
    }
    if open {
        // A call script opens the dialer; a message the mail client.
        let link = if call {
            format!("tel:{}", d.to.replace([' ', '-', '(', ')'], ""))
        } else {
            followup_app::drafts::mailto(&d.to, &d.subject, &d.body)
        };
        let opened = ["xdg-open", "open"].iter().any(|cmd| {
            std::process::Command::new(cmd)
                .arg(&link)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        });
        if !opened {
            outln!();
            outln!(
                "No {} could be started; open this link:",
                if call { "dialer" } else { "mail client" }
            );
            outln!("{link}");
        }
    }
    Ok(())
}

pub fn templates(list: &[followup_app::drafts::Template], json: bool) -> Out {
    if json {
        return print_json(list);
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|t| {
            vec![
                t.name.clone(),
                t.path
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| "built in".into()),
            ]
        })
        .collect();
    table(&["TEMPLATE", "SOURCE"], &rows)
}

pub fn lint(ws: &[followup_core::draft::LintWarning], json: bool) -> Out {
    if json {
        return print_json(ws);
    }
    if ws.is_empty() {
        outln!("No warnings: short, calm, and nothing asked twice.");
    }
    for w in ws {
        let at = w.line.map(|l| format!("line {l}: ")).unwrap_or_default();
        outln!("{at}{}", w.message);
    }
    Ok(())
}

/// A progress line on a terminal for long imports; nothing in a pipe.
pub fn progress() -> impl FnMut(usize, usize) {
    use std::io::IsTerminal;
    let tty = std::io::stderr().is_terminal();
    move |done: usize, total: usize| {
        if !tty || total < 500 {
            return;
        }
        let width = 30;
        let filled = done * width / total.max(1);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r[{}{}] {done}/{total}",
            "#".repeat(filled),
            " ".repeat(width - filled)
        );
        if done == total {
            let _ = writeln!(err);
        }
    }
}

pub fn import_report(r: &followup_app::import::ImportReport, json: bool) -> Out {
    if json {
        return print_json(r);
    }
    let verb = if r.dry_run {
        "Would import"
    } else {
        "Imported"
    };
    outln!(
        "{verb} {}: {} created, {} updated, {} unchanged, {} skipped.",
        r.source,
        r.created,
        r.updated,
        r.unchanged,
        r.skipped
    );
    for n in &r.notes {
        outln!("  skipped {n}");
    }
    for n in &r.left_out {
        outln!("  {n}");
    }
    if r.dry_run {
        outln!("Nothing was written (--dry-run).");
    } else if r.created > 0 {
        outln!("Set tiers in bulk with `followup contact tier critical NAME...` (F13).");
    }
    Ok(())
}
