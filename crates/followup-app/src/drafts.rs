//! Drafts: the message for an agenda item, rendered from a template the person can replace.
//!
//! Each default template ships inside the binary (`templates/*.txt`); a file of the same name
//! in the templates folder replaces it. A template's first line may be `Subject: ...`; the rest
//! is the body. The placeholders are the fields of `followup_core::draft::DraftContext`
//! (docs/DRAFTS.md). A placeholder that does not exist is an error naming the file and line.

use std::path::{Path, PathBuf};

use followup_core::draft::{DraftContext, LintWarning};
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use crate::AppError;

/// The default templates, by name.
pub const DEFAULTS: &[(&str, &str)] = &[
    ("thank-you", include_str!("../templates/thank-you.txt")),
    ("follow-up", include_str!("../templates/follow-up.txt")),
    ("decide", include_str!("../templates/decide.txt")),
    ("retry", include_str!("../templates/retry.txt")),
    ("value-add", include_str!("../templates/value-add.txt")),
    (
        "rejection-reply",
        include_str!("../templates/rejection-reply.txt"),
    ),
    (
        "move-on-review",
        include_str!("../templates/move-on-review.txt"),
    ),
    (
        "keep-in-touch",
        include_str!("../templates/keep-in-touch.txt"),
    ),
    ("occasion", include_str!("../templates/occasion.txt")),
    ("outreach", include_str!("../templates/outreach.txt")),
    ("voicemail", include_str!("../templates/voicemail.txt")),
];

/// A template as found: the person's file, or the default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Template {
    pub name: String,
    /// The person's file, when it replaces the default.
    pub path: Option<PathBuf>,
    #[serde(skip)]
    pub text: String,
}

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Draft {
    pub subject: String,
    pub body: String,
    pub channel: String,
    /// The address, number or profile it goes to; empty when none is recorded.
    pub to: String,
    pub warnings: Vec<LintWarning>,
    pub template: String,
}

/// The names of every template, in the order `templates list` shows them.
pub fn names() -> impl Iterator<Item = &'static str> {
    DEFAULTS.iter().map(|(n, _)| *n)
}

/// The default text of a template.
pub fn default_text(name: &str) -> Option<&'static str> {
    DEFAULTS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Finds a template: `dir/NAME.txt` when it exists, else the default.
pub fn load(name: &str, dir: Option<&Path>) -> Result<Template, AppError> {
    let default = default_text(name).ok_or_else(|| {
        crate::error::invalid(
            crate::Field::Template,
            format!(
                "expected one of {}, found {name:?}",
                names().collect::<Vec<_>>().join(", ")
            ),
        )
    })?;
    if let Some(dir) = dir {
        let path = dir.join(format!("{name}.txt"));
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                return Ok(Template {
                    name: name.to_string(),
                    path: Some(path),
                    text,
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(AppError::BadFile(format!(
                    "template {}: cannot read: {e}",
                    path.display()
                )));
            }
        }
    }
    Ok(Template {
        name: name.to_string(),
        path: None,
        text: default.to_string(),
    })
}

/// Renders a template with the context into a subject and a body.
pub fn render(t: &Template, ctx: &DraftContext) -> Result<(String, String), AppError> {
    let shown = t
        .path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| format!("{} (built in)", t.name));
    let fail = |e: minijinja::Error| {
        let line = e.line().unwrap_or(0);
        let text = t
            .text
            .lines()
            .nth(line.saturating_sub(1))
            .unwrap_or("")
            .trim();
        let what = e
            .detail()
            .map(str::to_string)
            .unwrap_or_else(|| e.kind().to_string());
        AppError::BadFile(format!(
            "template {shown}, line {line}: {what}, in `{text}` (placeholders: docs/DRAFTS.md)"
        ))
    };
    let mut env = Environment::new();
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            // Block tags keep their line's newline and `tidy` folds the blank lines they leave,
            // so a person editing a template never has to think about whitespace control.
            .lstrip_blocks(true)
            .build()
            .map_err(fail)?,
    );
    // A misspelt placeholder must fail loudly, never render as nothing.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_template(&t.name, &t.text).map_err(fail)?;
    let out = env
        .get_template(&t.name)
        .map_err(fail)?
        .render(minijinja::Value::from(minijinja::value::Serde(ctx)))
        .map_err(fail)?;
    Ok(split(&tidy(&out)))
}

/// Collapses runs of blank lines and trailing spaces that conditional blocks leave behind.
fn tidy(text: &str) -> String {
    let mut out = String::new();
    let mut blank = 0;
    for line in text.trim().lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn split(text: &str) -> (String, String) {
    match text.strip_prefix("Subject:") {
        Some(rest) => {
            let (subject, body) = rest.split_once('\n').unwrap_or((rest, ""));
            (subject.trim().to_string(), body.trim().to_string() + "\n")
        }
        None => (String::new(), text.trim().to_string() + "\n"),
    }
}

/// Percent-encodes all but RFC 3986's unreserved characters; a newline becomes CRLF.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b'\n' => out.push_str("%0D%0A"),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `mailto:` link for a draft (RFC 6068: subject and body percent-encoded).
pub fn mailto(to: &str, subject: &str, body: &str) -> String {
    let enc = percent_encode;
    format!(
        "mailto:{}?subject={}&body={}",
        enc(to).replace("%40", "@"),
        enc(subject),
        enc(body)
    )
}

// ---- the use cases ----------------------------------------------------------------------

use followup_core::agenda::{PIPELINE_ID, today_view};
use followup_core::draft::{MessageKind, Person, Role, lint_with};
use followup_core::model::{Channel, Contact, Direction, Job, PromiseKind, Touch, TouchKind};
use followup_core::plan::{Action, Slot};
use followup_core::policy::Policy;
use jiff::civil::Date;

use crate::error::{Field, invalid, refused};
use crate::lookup::resolve_contact;
use crate::{App, Ctx};

/// "Thursday 5 March", with the year when it is not today's.
pub fn long_date(d: Date, today: Date) -> String {
    const DAYS: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let base = format!(
        "{} {} {}",
        DAYS[d.weekday().to_monday_zero_offset() as usize],
        d.day(),
        MONTHS[(d.month() - 1) as usize]
    );
    if d.year() == today.year() {
        base
    } else {
        format!("{base} {}", d.year())
    }
}

fn person(c: &Contact) -> Person {
    Person {
        name: c.name.clone(),
        first_name: c.name.split_whitespace().next().unwrap_or("").to_string(),
        title: c.title.clone().unwrap_or_default(),
        organization: c
            .organization
            .as_ref()
            .map(|o| o.name.clone())
            .unwrap_or_default(),
        email: c.emails.first().cloned().unwrap_or_default(),
        phone: c.phones.first().cloned().unwrap_or_default(),
        signature: String::new(),
    }
}

impl App {
    fn me(&self, cx: &Ctx) -> Result<Person, AppError> {
        // The identity in force: what the person set (`followup me`, Settings) over `[me]`.
        let me = self.identity(cx)?.as_me();
        let name = me
            .name
            .clone()
            .unwrap_or_else(|| crate::identity::PLACEHOLDER.into());
        Ok(Person {
            first_name: name.split_whitespace().next().unwrap_or("").to_string(),
            signature: me.signature.clone().unwrap_or(name.clone()),
            phone: me.phone.clone().unwrap_or_default(),
            name,
            ..Person::default()
        })
    }

    fn template(&self, name: &str) -> Result<Template, AppError> {
        load(name, self.config.templates_dir().as_deref())
    }

    /// Every template: name, and the person's file when one replaces the default.
    pub fn templates(&self) -> Result<Vec<Template>, AppError> {
        names().map(|n| self.template(n)).collect()
    }

    /// Copies a default template into the templates folder (unless a file is there) and
    /// returns its path.
    pub fn template_to_edit(&self, name: &str) -> Result<PathBuf, AppError> {
        let text = default_text(name).ok_or_else(|| {
            invalid(
                Field::Template,
                format!(
                    "expected one of {}, found {name:?}",
                    names().collect::<Vec<_>>().join(", ")
                ),
            )
        })?;
        let dir = self.config.templates_dir().ok_or_else(|| {
            refused("no config folder for templates; set `templates` in the config")
        })?;
        let path = dir.join(format!("{name}.txt"));
        if !path.exists() {
            std::fs::create_dir_all(&dir)
                .and_then(|_| std::fs::write(&path, text))
                .map_err(|e| refused(format!("{}: cannot write: {e}", path.display())))?;
        }
        Ok(path)
    }

    /// The draft for agenda item `id`; `voicemail` gives the M7 script instead.
    pub fn draft(&self, cx: &Ctx, id: i64, voicemail: bool) -> Result<Draft, AppError> {
        if id == PIPELINE_ID {
            return Err(refused(
                "item 0 is the pipeline (F18): there is no message to draft; add jobs instead",
            ));
        }
        let today = cx.today;
        let me = self.me(cx)?;
        let tx = self.store.read(cx.owner)?;
        let planned = tx.plan_item(id)?.ok_or_else(|| AppError::NotFound {
            what: "agenda item",
            query: id.to_string(),
            hint: "; `followup agenda` lists the items and their ids".into(),
        })?;
        let item = today_view(&planned, today);
        let contact = match &item.contact {
            Some(c) => tx.contact(c.id)?,
            None => None,
        };
        let jobs: Vec<Job> = item
            .jobs
            .iter()
            .map(|j| tx.job(j.id))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect();
        let mut touches: Vec<Touch> = match &contact {
            Some(c) => tx.touches_of_contact(c.id)?,
            None => Vec::new(),
        };
        if let Some(j) = jobs.first() {
            touches.extend(tx.touches_of_job(j.id)?);
        }
        touches.sort_by_key(|t| (t.date, t.id));
        touches.dedup_by_key(|t| t.id);
        drop(tx);

        let name = if voicemail {
            "voicemail"
        } else {
            item.action.as_str()
        };
        let policy: &followup_core::Policy = &cx.policy;
        let mut ctx = context(
            &me,
            contact.as_ref(),
            &jobs,
            &touches,
            today,
            policy,
            item.action.as_str(),
        );
        ctx.template = name.to_string();
        ctx.action = item.action.to_string();
        ctx.rule = item.rule.to_string();
        ctx.why = item.why.clone();
        ctx.thanks_too = item.thanks_too;
        if let Some(followup_core::Basis::Offer {
            answer_by: Some(by),
            ..
        }) = item.reason.as_ref().map(|r| &r.basis)
        {
            ctx.answer_by = long_date(*by, today);
        }
        ctx.channel = item.channel.to_string();
        if let Some(step) = &item.then {
            // C3: the date that will be recorded when this note goes out today.
            let named = followup_core::plan::named_date(step.due, today, &cx.policy);
            ctx.follow_up_on = long_date(named, today);
        }
        if item.action == Action::Occasion {
            ctx.occasion = match planned.item.key.slot {
                Slot::Birthday => "birthday",
                Slot::WorkAnniversary => "work anniversary",
                Slot::PersonalAnniversary => "personal anniversary",
                Slot::FollowUp => "",
            }
            .to_string();
        }
        let previous = last_message(&touches, contact.as_ref());
        self.finish(name, &ctx, contact.as_ref(), &touches, previous.as_deref())
    }

    /// A draft to a contact outside the agenda: `outreach` by default, or any template.
    pub fn draft_to(&self, cx: &Ctx, who: &str, template: &str) -> Result<Draft, AppError> {
        let today = cx.today;
        let me = self.me(cx)?;
        let tx = self.store.read(cx.owner)?;
        let contact = resolve_contact(tx.as_ref(), who)?;
        let jobs = tx.jobs_of_contact(contact.id)?;
        let jobs: Vec<Job> = jobs.into_iter().filter(|j| j.stage.is_open()).collect();
        let mut touches = tx.touches_of_contact(contact.id)?;
        touches.sort_by_key(|t| (t.date, t.id));
        drop(tx);
        // A call script outside the agenda is a first call to someone never contacted, else
        // a follow-up on what happened last (C10).
        let action = match template {
            "voicemail" if touches.iter().all(|t| t.direction == Direction::Internal) => "outreach",
            "voicemail" => "follow-up",
            t => t,
        };
        let mut ctx = context(
            &me,
            Some(&contact),
            &jobs,
            &touches,
            today,
            &cx.policy,
            action,
        );
        ctx.template = template.to_string();
        ctx.action = action.to_string();
        ctx.channel = contact
            .prefers
            .unwrap_or(cx.policy.default_channel)
            .to_string();
        if action == "outreach" {
            let d = self
                .config
                .policy
                .calendar
                .add(today, cx.policy.outreach_wait);
            ctx.follow_up_on = long_date(d, today);
        }
        let previous = last_message(&touches, Some(&contact));
        self.finish(
            template,
            &ctx,
            Some(&contact),
            &touches,
            previous.as_deref(),
        )
    }

    fn finish(
        &self,
        name: &str,
        ctx: &DraftContext,
        contact: Option<&Contact>,
        touches: &[Touch],
        previous: Option<&str>,
    ) -> Result<Draft, AppError> {
        let t = self.template(name)?;
        let (subject, body) = render(&t, ctx)?;
        let warnings = lint_with(
            &body,
            MessageKind::of_template(name),
            previous,
            &self.config.pressure,
        );
        // A call script goes to a number (empty when none is recorded), whatever the
        // channel (C10).
        if name == "voicemail" {
            return Ok(Draft {
                subject,
                body,
                channel: Channel::Phone.to_string(),
                to: contact
                    .and_then(|c| phone_of(c, touches))
                    .unwrap_or_default(),
                warnings,
                template: name.to_string(),
            });
        }
        let to = contact
            .map(|c| {
                // A written message goes to an address it can be sent to: the profile for
                // LinkedIn, else the email address; a number only when nothing else is known.
                let by_channel = match ctx.channel.as_str() {
                    "linkedin" => c.linkedin.clone(),
                    _ => None,
                };
                by_channel
                    .or_else(|| c.emails.first().cloned())
                    .or_else(|| c.phones.first().cloned())
                    .unwrap_or_default()
            })
            .unwrap_or_default();
        Ok(Draft {
            subject,
            body,
            channel: ctx.channel.clone(),
            to,
            warnings,
            template: name.to_string(),
        })
    }

    /// Lints a message the person wrote (M1, M3, and F8 against the last message to `to`).
    pub fn lint(
        &self,
        cx: &Ctx,
        text: &str,
        kind: MessageKind,
        to: Option<&str>,
    ) -> Result<Vec<LintWarning>, AppError> {
        let previous = match to {
            Some(who) => {
                let tx = self.store.read(cx.owner)?;
                let c = resolve_contact(tx.as_ref(), who)?;
                let touches = tx.touches_of_contact(c.id)?;
                last_message(&touches, Some(&c))
            }
            None => None,
        };
        Ok(lint_with(
            text,
            kind,
            previous.as_deref(),
            &self.config.pressure,
        ))
    }
}

/// The last message recorded as sent to the contact.
fn last_message(touches: &[Touch], contact: Option<&Contact>) -> Option<String> {
    let c = contact?;
    touches
        .iter()
        .rev()
        .filter(|t| t.contacts.contains(&c.id) && t.direction == Direction::Outbound)
        .find_map(|t| t.message.clone())
}

/// Whom a message without a contact greets: the organization's hiring team, by name
/// ("Northwind hiring team", C10).
fn hiring_team(roles: &[Role]) -> String {
    match roles.first().filter(|r| !r.organization.is_empty()) {
        Some(r) => format!("{} hiring team", r.organization),
        None => "hiring team".into(),
    }
}

/// A number to call back: the contact's first phone, else a direct line given at an
/// interview (F17) that reads as a phone number.
fn phone_of(contact: &Contact, touches: &[Touch]) -> Option<String> {
    contact.phones.first().cloned().or_else(|| {
        touches
            .iter()
            .rev()
            .filter(|t| t.contacts.contains(&contact.id))
            .filter_map(|t| t.answers.as_ref()?.direct_contact.clone())
            .find(|d| !d.contains('@') && d.chars().filter(char::is_ascii_digit).count() >= 7)
    })
}

/// Which touches a draft reads: the role's when it is about one; for a keep-in-touch or an
/// occasion everything with the contact; else the contact's touches outside any role, as the
/// planner reads a networking thread (F12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Thread {
    Role,
    Network,
    Everything,
}

fn thread_for(action: &str, has_role: bool) -> Thread {
    match action {
        "keep-in-touch" | "occasion" => Thread::Everything,
        _ if has_role => Thread::Role,
        _ => Thread::Network,
    }
}

/// What is known for a draft, from the records (C10: a draft says only what happened).
fn context(
    me: &Person,
    contact: Option<&Contact>,
    jobs: &[Job],
    touches: &[Touch],
    today: Date,
    policy: &Policy,
    action: &str,
) -> DraftContext {
    let roles: Vec<Role> = jobs
        .iter()
        .map(|j| Role {
            title: j.title.clone(),
            organization: j.organization.name.clone(),
        })
        .collect();
    let roles_text = roles
        .iter()
        .map(|r| format!("{} at {}", r.title, r.organization))
        .collect::<Vec<_>>()
        .join(" and ");
    let job = jobs.first().map(|j| j.id);
    let with_them = |t: &Touch| contact.is_none_or(|c| t.contacts.contains(&c.id));
    // The thread the message belongs to, notes to oneself left out.
    let kind = thread_for(action, job.is_some());
    let thread: Vec<&Touch> = touches
        .iter()
        .filter(|t| t.direction != Direction::Internal)
        .filter(|t| match kind {
            Thread::Role => t.job == job,
            Thread::Network => t.job.is_none() && with_them(t),
            Thread::Everything => with_them(t),
        })
        .collect();
    // The current thread: from the last time they spoke on. A promise older than that is
    // history, and so is one whose date passed more than the silence limit ago (C10).
    let heard = thread.iter().rposition(|t| t.direction.heard_from_them());
    let current = &thread[heard.unwrap_or(0)..];
    let fresh = |d: Date| policy.calendar.add(d, policy.silence_limit) >= today;
    let after = |i: usize| current[i + 1..].iter().copied();
    // *Mine*: the newest promise of the current thread, until a status message keeps it.
    let mine = current
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, t)| t.my_promise().map(|d| (i, d)))
        .filter(|(i, d)| {
            fresh(*d) && !after(*i).any(|t| t.kind.is_status() || t.kind == TouchKind::Outreach)
        })
        .map(|(_, d)| d);
    let decide = current
        .iter()
        .rev()
        .find_map(|t| t.their_promise(PromiseKind::Decide).and_then(|p| p.date))
        .filter(|d| fresh(*d));
    let interview = thread.iter().rev().find(|t| t.kind == TouchKind::Interview);
    let may_follow_up = interview
        .and_then(|t| t.answers.as_ref())
        .and_then(|a| a.may_follow_up);
    let agreed = match (decide, mine) {
        (Some(d), _) if may_follow_up == Some(true) || mine.is_some() => format!(
            "We agreed I would reach out if I had not heard by {}",
            long_date(d, today)
        ),
        (_, Some(m)) => format!("I mentioned I would follow up on {}", long_date(m, today)),
        _ => String::new(),
    };
    let problems: Vec<String> = thread
        .iter()
        .rev()
        .filter(|t| matches!(t.kind, TouchKind::Interview | TouchKind::Meeting))
        .filter_map(|t| t.note.clone())
        .collect();
    let mut attempt = 0u32;
    let mut last_sent = String::new();
    for t in thread.iter().rev() {
        if t.direction.heard_from_them() {
            break;
        }
        if t.kind.is_status() {
            if attempt == 0 {
                last_sent = long_date(t.date, today);
            }
            attempt += 1;
        }
    }
    // What was agreed is worth saying in the first message after it, not in the ones after.
    let agreed = if attempt == 0 { agreed } else { String::new() };
    let last_heard = heard.map(|i| thread[i]);
    let their_last_note = last_heard.and_then(|t| t.note.clone()).unwrap_or_default();
    let they_promised = last_heard
        .map(|t| {
            if t.their_promise(PromiseKind::Act).is_some() {
                "act"
            } else if t.their_promise(PromiseKind::Decide).is_some() {
                "decide"
            } else {
                ""
            }
        })
        .unwrap_or("")
        .to_string();
    // A conversation with this person: about the role when the message is about one.
    let met = touches
        .iter()
        .rev()
        .filter(|t| contact.is_some() && with_them(t))
        .filter(|t| kind != Thread::Role || t.job == job)
        .find(|t| matches!(t.kind, TouchKind::Interview | TouchKind::Meeting));
    // The ask still unanswered: the newest outreach since they last spoke, unless it is as
    // stale as an old promise (then the message starts afresh).
    let outreach = current[usize::from(heard.is_some())..]
        .iter()
        .rev()
        .find(|t| t.kind == TouchKind::Outreach)
        .filter(|t| fresh(t.date));
    let applied = jobs.first().and_then(|j| j.applied).or_else(|| {
        thread
            .iter()
            .find(|t| t.kind == TouchKind::Application)
            .map(|t| t.date)
    });
    let day = |d: Date| long_date(d, today);
    DraftContext {
        me: me.clone(),
        contact: contact.map(person).unwrap_or_default(),
        dear: match contact {
            Some(c) => person(c).first_name,
            None => hiring_team(&roles),
        },
        role: roles.first().cloned().unwrap_or_default(),
        roles,
        roles_text,
        interview_date: interview.map(|t| day(t.date)).unwrap_or_default(),
        agreed,
        follow_up_on: mine.filter(|d| *d >= today).map(day).unwrap_or_default(),
        problems,
        attempt,
        last_sent,
        their_last_note,
        last_touch: thread
            .last()
            .map(|t| t.kind.to_string())
            .unwrap_or_default(),
        last_touch_on: thread.last().map(|t| day(t.date)).unwrap_or_default(),
        last_heard: last_heard.map(|t| t.kind.to_string()).unwrap_or_default(),
        last_heard_on: last_heard.map(|t| day(t.date)).unwrap_or_default(),
        they_promised,
        i_promised: mine.is_some(),
        met: met.is_some(),
        met_on: met.map(|t| day(t.date)).unwrap_or_default(),
        interviewed: interview.is_some(),
        applied_on: applied.map(day).unwrap_or_default(),
        asked_on: outreach.map(|t| day(t.date)).unwrap_or_default(),
        ask: outreach.and_then(|t| t.note.clone()).unwrap_or_default(),
        ..DraftContext::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_placeholder_names_file_and_line() {
        let t = Template {
            name: "follow-up".into(),
            path: Some("/home/me/follow-up.txt".into()),
            text: "Subject: hi\n\nDear {{ contact.first_nmae }},\n".into(),
        };
        let e = render(&t, &DraftContext::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("/home/me/follow-up.txt"), "{e}");
        assert!(e.contains("line 3"), "{e}");
        assert!(e.contains("first_nmae"), "{e}");
    }

    #[test]
    fn every_default_renders_on_an_empty_context() {
        for name in names() {
            let t = load(name, None).unwrap();
            let (_, body) = render(&t, &DraftContext::default()).unwrap();
            assert!(!body.trim().is_empty(), "{name}");
        }
    }

    #[test]
    fn mailto_encodes() {
        assert_eq!(
            mailto("dana@northwind.example", "Hi there", "a&b\nc"),
            "mailto:dana@northwind.example?subject=Hi%20there&body=a%26b%0D%0Ac"
        );
    }
}
