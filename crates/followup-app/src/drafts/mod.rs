//! Drafts: the message for an agenda item, rendered from a template the person can replace
//! (`templates`), with the lint's warnings, and the lint of a message the person wrote.

mod context;
use context::{context, phone_of};
mod templates;

pub use templates::{
    DEFAULTS, Template, check as check_template, default_text, load, mailto, names, percent_encode,
    render,
};

use std::path::PathBuf;

use followup_core::draft::{DraftContext, LintWarning};
use serde::Serialize;

use crate::AppError;

/// The most a template kept in Settings may hold: the longest built-in one is under 3 KiB.
pub const TEMPLATE_MAX: usize = 64 * 1024;

/// The settings key of the owner's own template `name`.
pub fn template_key(name: &str) -> String {
    format!("template.{name}")
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

use followup_core::agenda::{PIPELINE_ID, today_view};
use followup_core::draft::{MessageKind, Person, lint_with};
use followup_core::model::{Channel, Contact, Direction, Job, Touch};
use followup_core::plan::{Action, Slot};
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

pub(super) fn person(c: &Contact) -> Person {
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

    /// The template in force: a coach's own when a coach drafts (on the team server), else
    /// the owner's from Settings, else the file in the templates folder, else the built-in
    /// one.
    pub fn template(&self, cx: &Ctx, name: &str) -> Result<Template, AppError> {
        let owners = self.owners_template(cx, name)?;
        if let (Some(coach), Some(dir)) = (cx.actor.account(), &self.directory)
            && let Some(text) = dir.coach_template(coach, name)?
        {
            return Ok(Template {
                path: None,
                stored: false,
                coach: true,
                text,
                ..owners
            });
        }
        Ok(owners)
    }

    /// What a template falls back to when its Reset is pressed: for a coach, the owner's
    /// template; for the owner, the file or the built-in one.
    pub fn template_under(&self, cx: &Ctx, name: &str) -> Result<Template, AppError> {
        match cx.actor.account() {
            Some(_) => self.owners_template(cx, name),
            None => self.template_without_settings(name),
        }
    }

    /// The owner's template: theirs from Settings, else the file, else the built-in one.
    fn owners_template(&self, cx: &Ctx, name: &str) -> Result<Template, AppError> {
        let file = load(name, self.config.templates_dir().as_deref())?;
        let stored = self
            .store
            .read(cx.owner)?
            .setting(&template_key(name))?
            .filter(|t| !t.trim().is_empty());
        Ok(match stored {
            Some(text) => Template {
                path: None,
                stored: true,
                text,
                ..file
            },
            None => file,
        })
    }

    /// Every template: name, and where it comes from (Settings, a file, built in).
    pub fn templates(&self, cx: &Ctx) -> Result<Vec<Template>, AppError> {
        names().map(|n| self.template(cx, n)).collect()
    }

    /// The template without the owner's Settings: the file in the templates folder, else the
    /// built-in one (what "Reset" brings back).
    pub fn template_without_settings(&self, name: &str) -> Result<Template, AppError> {
        load(name, self.config.templates_dir().as_deref())
    }

    /// Keeps `text` as the actor's own template `name` (drafts use it from now on), after
    /// checking it as a draft would read it; a text equal to the one it replaces drops the
    /// override. A broken template is refused with its line and nothing is kept. The owner's
    /// is kept in their Settings; a coach's (on the team server) is the coach's, used in every
    /// search they draft in, and leaves the client's alone.
    pub fn set_template(&self, cx: &Ctx, name: &str, text: &str) -> Result<Template, AppError> {
        let under = self.template_under(cx, name)?;
        let text = text.replace("\r\n", "\n");
        if text.trim().is_empty() {
            return Err(invalid(
                Field::Template,
                "a template cannot be empty; use Reset to go back to the one it replaces",
            ));
        }
        if text.len() > TEMPLATE_MAX {
            return Err(invalid(
                Field::Template,
                format!("a template is at most {} KiB", TEMPLATE_MAX / 1024),
            ));
        }
        templates::check(name, &text)?;
        let kept = if text.trim_end() == under.text.trim_end() {
            String::new()
        } else {
            text
        };
        match (cx.actor.account(), &self.directory) {
            (Some(coach), Some(dir)) => {
                dir.set_coach_template(coach, name, Some(kept.as_str()).filter(|k| !k.is_empty()))?
            }
            _ => self.change(cx, |w| Ok(w.tx.set_setting(&template_key(name), &kept)?))?,
        }
        self.template(cx, name)
    }

    /// Forgets the actor's own template `name` (the owner's, or a coach's): the one under it
    /// applies again.
    pub fn reset_template(&self, cx: &Ctx, name: &str) -> Result<Template, AppError> {
        self.template_without_settings(name)?;
        match (cx.actor.account(), &self.directory) {
            (Some(coach), Some(dir)) => dir.set_coach_template(coach, name, None)?,
            _ => self.change(cx, |w| Ok(w.tx.set_setting(&template_key(name), "")?))?,
        }
        self.template(cx, name)
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
        self.finish(
            cx,
            name,
            &ctx,
            contact.as_ref(),
            &touches,
            previous.as_deref(),
        )
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
            // The owner's calendar: the config's holidays and the ones they imported.
            let d = cx.policy.calendar.add(today, cx.policy.outreach_wait);
            ctx.follow_up_on = long_date(d, today);
        }
        let previous = last_message(&touches, Some(&contact));
        self.finish(
            cx,
            template,
            &ctx,
            Some(&contact),
            &touches,
            previous.as_deref(),
        )
    }

    fn finish(
        &self,
        cx: &Ctx,
        name: &str,
        ctx: &DraftContext,
        contact: Option<&Contact>,
        touches: &[Touch],
        previous: Option<&str>,
    ) -> Result<Draft, AppError> {
        let t = self.template(cx, name)?;
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
