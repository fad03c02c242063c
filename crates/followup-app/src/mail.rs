//! `mail sync`: what the person's mailbox says happened, logged as if they had typed it.
//!
//! A reply from a contact is an inbound `reply`; a message the person sent to a contact is the
//! outbound touch their pending item asked for (thank-you, follow-up, value-add, ...); an
//! automatic answer is not a reply, and the day its writer is back snoozes the follow-up to
//! the business day after; a bounce marks the address; strangers and mailings are counted and
//! never become contacts. Only headers and the subject are read (docs/MAIL.md).
//!
//! Every message is an [`Event::MailRead`] kept by Message-ID, and each folder's checkpoint
//! (its UIDVALIDITY and the last UID read) is a setting written in the same transaction as the
//! touches of that batch: a second sync logs nothing, and a sync killed at any point resumes
//! without losing or doubling a touch.

use std::collections::BTreeMap;

use followup_core::model::{ContactId, Direction, JobId, TouchKind};
use followup_core::plan::{Action, PlanKey, Slot, Subject};
use followup_core::{Event, MailMeaning, MailRecord};
use followup_mail::message::{Headers, Machine, read};
use followup_mail::source::{MailSource, SourceError};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, Result};
use crate::touches::{NewTouch, log_in};
use crate::uow::Work;
use crate::{App, Ctx};

/// Messages read per transaction: a kill loses at most this much work, never a touch.
const BATCH: usize = 50;

/// What a folder holds for the search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderRole {
    /// Messages to the person: replies, auto-replies, bounces.
    Inbox,
    /// Messages the person sent.
    Sent,
}

impl FolderRole {
    fn key(self) -> &'static str {
        match self {
            FolderRole::Inbox => "mail.checkpoint.inbox",
            FolderRole::Sent => "mail.checkpoint.sent",
        }
    }
}

const STATUS_KEY: &str = "mail.status";

/// How a background sync went: when, whether it worked (else why not, in one line without
/// any password), and what it read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailStatus {
    /// When it ended (RFC 3339).
    pub at: String,
    pub ok: bool,
    /// What was read ("2 replies, 1 sent"), or why it failed.
    pub message: String,
}

/// How a sync goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncOptions {
    /// Work everything out and keep nothing.
    pub dry_run: bool,
    /// Make a contact of a person who is none yet (never of a machine or a mailing), and log
    /// their message: asked for, never by default.
    pub add_strangers: bool,
}

/// What one sync did, for the person to read.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Synced {
    /// Messages looked at (new since the last sync).
    pub read: usize,
    /// Messages seen before (by Message-ID), skipped.
    pub known: usize,
    /// What each new message meant, in the order read.
    pub lines: Vec<SyncLine>,
    /// How many of each meaning, in meaning order.
    pub counts: Vec<(String, usize)>,
    pub dry_run: bool,
}

/// One message's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct SyncLine {
    pub meaning: String,
    pub day: Date,
    pub address: String,
    pub subject: String,
    /// The touch logged, or what was done instead ("snoozed item 4 to ...").
    pub did: String,
}

impl App {
    /// Reads what is new in `folders` of `source` and logs it (see the module). With
    /// `dry_run`, everything is worked out and nothing is kept.
    pub fn mail_sync(
        &self,
        cx: &Ctx,
        source: &mut dyn MailSource,
        mine: &[String],
        folders: &[(&str, FolderRole)],
        opts: SyncOptions,
    ) -> Result<Synced> {
        let dry_run = opts.dry_run;
        let mine: Vec<String> = mine.iter().map(|a| a.trim().to_lowercase()).collect();
        let mut out = Synced {
            dry_run,
            ..Synced::default()
        };
        for (folder, role) in folders {
            let state = source.open(folder).map_err(source_error)?;
            let (validity, mut after) = self.checkpoint(cx, *role)?;
            if validity != Some(state.uid_validity) {
                // A new UIDVALIDITY: the old UIDs mean nothing; Message-IDs keep what was
                // read from being read twice.
                after = 0;
            }
            loop {
                let batch = source.fetch_after(after, BATCH).map_err(source_error)?;
                let Some(last) = batch.last().map(|m| m.uid) else {
                    break;
                };
                let lines = self.change(cx, |w| {
                    if dry_run {
                        w.discard();
                    }
                    let mut lines = Vec::new();
                    let mut known = ByEmail::read(w)?;
                    for m in &batch {
                        let Some(h) = read(&m.header, &m.text_start) else {
                            continue;
                        };
                        let arrived = m
                            .arrived
                            .or(h.date)
                            .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date())
                            .unwrap_or(cx.today)
                            .min(cx.today);
                        let id = h.message_id.clone().unwrap_or_else(|| {
                            format!("{folder}/{}/{}@followup.invalid", state.uid_validity, m.uid)
                        });
                        if w.tx.mail(&id)?.is_some() {
                            lines.push(None);
                            continue;
                        }
                        let reading = Reading {
                            mine: &mine,
                            role: *role,
                            opts,
                        };
                        lines.push(meaning_of(w, &mut known, &reading, &h, id, arrived)?);
                    }
                    w.tx.set_setting(role.key(), &format!("{} {last}", state.uid_validity))?;
                    Ok(lines)
                })?;
                out.read += lines.len();
                for l in lines {
                    match l {
                        Some(l) => out.lines.push(l),
                        None => out.known += 1,
                    }
                }
                after = last;
                if batch.len() < BATCH {
                    break;
                }
            }
        }
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for l in &out.lines {
            *counts.entry(l.meaning.clone()).or_default() += 1;
        }
        out.counts = MailMeaning::ALL
            .iter()
            .filter_map(|m| counts.get(m.as_str()).map(|n| (m.as_str().to_string(), *n)))
            .collect();
        Ok(out)
    }

    /// A folder's checkpoint: its UIDVALIDITY and the last UID read, if it was read before.
    fn checkpoint(&self, cx: &Ctx, role: FolderRole) -> Result<(Option<u32>, u32)> {
        let text = self.store.read(cx.owner)?.setting(role.key())?;
        let parsed = text.as_deref().and_then(|t| {
            let (v, u) = t.split_once(' ')?;
            Some((v.parse().ok()?, u.parse().ok()?))
        });
        Ok(match parsed {
            Some((v, u)) => (Some(v), u),
            None => (None, 0),
        })
    }

    /// Keeps how the last sync went (`serve`'s mail worker), for Settings to show.
    pub fn set_mail_status(&self, cx: &Ctx, status: &MailStatus) -> Result<()> {
        let text = serde_json::to_string(status).expect("serializable");
        self.change(cx, |w| Ok(w.tx.set_setting(STATUS_KEY, &text)?))
    }

    /// How the last background sync went, if one ran.
    pub fn mail_status(&self, cx: &Ctx) -> Result<Option<MailStatus>> {
        let text = self.store.read(cx.owner)?.setting(STATUS_KEY)?;
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    }

    /// How many messages were read, per meaning (Settings' mail status).
    pub fn mail_counts(&self, cx: &Ctx) -> Result<Vec<(MailMeaning, u64)>> {
        Ok(self.store.read(cx.owner)?.mail_counts()?)
    }
}

fn source_error(e: SourceError) -> AppError {
    let hint = match e {
        SourceError::NoFolder { .. } => {
            " (the folders read are [mail] inbox and sent in the config; your mail program shows their names)"
        }
        _ => "",
    };
    AppError::Refused(format!("mail: {e}{hint}"))
}

/// Contacts by email (lower case), read once per batch rather than once per address: a book
/// of a thousand contacts is not decoded again for every message.
struct ByEmail(BTreeMap<String, ContactId>);

impl ByEmail {
    fn read(w: &Work<'_>) -> Result<ByEmail> {
        let mut map = BTreeMap::new();
        for c in w.tx.contacts()? {
            for e in &c.emails {
                // The lowest id wins, as the first match did.
                map.entry(e.trim().to_lowercase()).or_insert(c.id);
            }
        }
        Ok(ByEmail(map))
    }

    /// The contact whose address this is, by any of their emails.
    fn get(&self, email: &str) -> Option<ContactId> {
        self.0.get(&email.trim().to_lowercase()).copied()
    }
}

/// The job a message's thread is about: a message it answers that we read, else a message we
/// sent with the same subject.
fn job_of_thread(w: &Work<'_>, h: &Headers) -> Result<Option<JobId>> {
    for id in h.answers() {
        if let Some(m) = w.tx.mail(id)?
            && m.job.is_some()
        {
            return Ok(m.job);
        }
    }
    let thread = h.thread_subject();
    if thread.is_empty() {
        return Ok(None);
    }
    Ok(w.tx
        .mail_in_thread(&thread)?
        .into_iter()
        .rev()
        .find(|m| m.meaning == MailMeaning::Sent && m.job.is_some())
        .and_then(|m| m.job))
}

/// A pending follow-up: its number, key, action and job.
struct Pending {
    id: i64,
    key: PlanKey,
    action: Action,
    job: Option<JobId>,
}

/// The pending follow-up of a contact (theirs, else one of their jobs').
fn pending_of(w: &Work<'_>, c: ContactId) -> Result<Option<Pending>> {
    let mut keys = vec![PlanKey {
        subject: Subject::Contact(c),
        slot: Slot::FollowUp,
    }];
    for j in w.tx.jobs_of_contact(c)? {
        keys.push(PlanKey {
            subject: Subject::Job(j.id),
            slot: Slot::FollowUp,
        });
    }
    for key in keys {
        if let Some(p) = w.tx.planned_for(&key)? {
            let job = p.item.jobs.first().map(|j| j.id);
            return Ok(Some(Pending {
                id: p.id,
                key,
                action: p.item.action,
                job,
            }));
        }
    }
    Ok(None)
}

/// Works out what one new message means, logs it, and records it as read.
/// What a folder's messages are read as: whose they are, which folder, how.
struct Reading<'a> {
    /// The person's own addresses.
    mine: &'a [String],
    role: FolderRole,
    opts: SyncOptions,
}

fn meaning_of(
    w: &mut Work<'_>,
    contacts: &mut ByEmail,
    reading: &Reading<'_>,
    h: &Headers,
    message_id: String,
    day: Date,
) -> Result<Option<SyncLine>> {
    let (mine, role, opts) = (reading.mine, reading.role, reading.opts);
    let dry_run = opts.dry_run;
    // A dry run says what would be done: its touch numbers are rolled back with it.
    let logged_words = |kind: TouchKind, id: followup_core::model::TouchId| {
        if dry_run {
            format!("would log {kind}")
        } else {
            format!("logged {kind} #{id}")
        }
    };
    let from = h.from.as_ref().map(|a| a.email.clone()).unwrap_or_default();
    let mut record = MailRecord {
        message_id,
        meaning: MailMeaning::Stranger,
        day,
        address: from.clone(),
        thread: h.thread_subject(),
        contact: None,
        job: None,
        touch: None,
        back_on: None,
    };
    let mut did = String::new();
    match role {
        FolderRole::Inbox if mine.contains(&from) => {
            // A copy of the person's own message: the sent folder speaks for it.
            return Ok(None);
        }
        FolderRole::Inbox => match &h.machine {
            Some(Machine::Bulk) => record.meaning = MailMeaning::Bulk,
            Some(Machine::Bounce { recipient }) => {
                record.meaning = MailMeaning::Bounce;
                if let Some(r) = recipient {
                    record.address = r.clone();
                    record.contact = contacts.get(r);
                }
                did = format!("{} did not receive a message", record.address);
            }
            Some(Machine::AutoReply { back_on }) => {
                record.meaning = MailMeaning::AutoReply;
                record.back_on = *back_on;
                record.contact = contacts.get(&from);
                did = "an automatic answer, not a reply".into();
                if let (Some(c), Some(back)) = (record.contact, back_on)
                    && let Some(Pending { id, key, .. }) = pending_of(w, c)?
                {
                    let until =
                        w.cx.policy
                            .calendar
                            .on_or_after(followup_core::calendar::next_day(*back));
                    if until > w.cx.today {
                        let after = w.tx.newest_touch()?;
                        w.append(&Event::Snoozed { key, until, after })?;
                        w.touch([key.subject]);
                        did = format!(
                            "away until {back}: item {id} {} to {until}, the business day after",
                            if dry_run {
                                "would be snoozed"
                            } else {
                                "snoozed"
                            }
                        );
                    }
                }
            }
            None => {
                let known =
                    match contacts.get(&from) {
                        None if opts.add_strangers && !from.is_empty() => Some(
                            stranger_to_contact(w, contacts, h.from.as_ref().expect("from"))?,
                        ),
                        c => c,
                    };
                if let Some(c) = known {
                    record.meaning = MailMeaning::Reply;
                    record.contact = Some(c);
                    record.job = job_of_thread(w, h)?;
                    let mut t = NewTouch::new(TouchKind::Reply);
                    t.with = vec![c.to_string()];
                    t.job = record.job.map(|j| j.to_string());
                    t.on = Some(day);
                    t.direction = Some(Direction::Inbound);
                    t.note = note(h);
                    let logged = log_in(w, t)?;
                    record.touch = Some(logged.touch.id);
                    did = logged_words(TouchKind::Reply, logged.touch.id);
                }
            }
        },
        FolderRole::Sent => {
            let to: Vec<&str> = h.to.iter().chain(&h.cc).map(|a| a.email.as_str()).collect();
            record.address = to.first().map(|s| s.to_string()).unwrap_or_default();
            let mut found = Vec::new();
            for a in &to {
                if let Some(c) = contacts.get(a)
                    && !found.contains(&c)
                {
                    found.push(c);
                }
            }
            if found.is_empty()
                && opts.add_strangers
                && let Some(first) = h.to.first()
            {
                found.push(stranger_to_contact(w, contacts, first)?);
            }
            if let Some(&c) = found.first() {
                record.meaning = MailMeaning::Sent;
                record.contact = Some(c);
                let pending = pending_of(w, c)?;
                let kind = match &pending {
                    Some(p) => crate::agenda::done_kind(p.action),
                    None if w.tx.touches_of_contact(c)?.is_empty() => TouchKind::Outreach,
                    None => TouchKind::FollowUp,
                };
                record.job = match job_of_thread(w, h)? {
                    Some(j) => Some(j),
                    None => pending.and_then(|p| p.job),
                };
                let mut t = NewTouch::new(kind);
                t.with = found.iter().map(|c| c.to_string()).collect();
                t.job = record.job.map(|j| j.to_string());
                t.on = Some(day);
                t.direction = Some(Direction::Outbound);
                t.note = note(h);
                let logged = log_in(w, t)?;
                record.touch = Some(logged.touch.id);
                did = logged_words(kind, logged.touch.id);
            }
        }
    }
    let line = SyncLine {
        meaning: record.meaning.as_str().to_string(),
        day,
        address: record.address.clone(),
        subject: h.subject.clone(),
        did,
    };
    w.append(&Event::MailRead { mail: record })?;
    Ok(Some(line))
}

/// A contact made of a message's address (its display name, else the address).
fn stranger_to_contact(
    w: &mut Work<'_>,
    contacts: &mut ByEmail,
    a: &followup_mail::message::Address,
) -> Result<ContactId> {
    let name = a
        .name
        .clone()
        .filter(|n| !n.trim().is_empty() && !n.contains('@'))
        .unwrap_or_else(|| a.email.clone());
    let c = crate::contacts::add_contact_in(
        w,
        crate::NewContact {
            name,
            emails: vec![a.email.clone()],
            ..Default::default()
        },
    )?;
    contacts.0.insert(a.email.to_lowercase(), c.id);
    Ok(c.id)
}

/// The touch's note: the subject, as the mailbox shows it.
fn note(h: &Headers) -> Option<String> {
    let s: String = h
        .subject
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    (!s.trim().is_empty()).then(|| format!("Mail: {}", s.trim()))
}

/// A draft sent by mail: the Message-ID it went with, and the touch it logged.
#[derive(Debug, Clone, Serialize)]
pub struct SentDraft {
    pub message_id: String,
    pub to: String,
    pub subject: String,
    pub done: crate::agenda::Done,
}

/// Sends mail (the binary's SMTP, from `[mail]`): the app decides what to send and records
/// it; the transport only delivers. `send` returns the Message-ID it used.
pub trait Mailer: Send + Sync {
    fn send(&self, out: &Outgoing) -> std::result::Result<String, String>;
    /// Where the daily digest goes.
    fn digest_to(&self) -> String;
}

/// What [`App::send_draft`] hands the transport: a plain-text message to one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub to: String,
    pub to_name: String,
    pub subject: String,
    pub body: String,
}

impl App {
    /// Sends item `id`'s draft with `send` (which returns the Message-ID it used), then, in
    /// one change, logs the touch the item asked for and records the message as read-sent,
    /// so the copy in the Sent folder is not logged again. A draft with a warning that it is
    /// too soon after the last message (F15, C12) is refused unless `confirmed`; a contact
    /// without an email address is refused before anything is sent.
    pub fn send_draft(
        &self,
        cx: &Ctx,
        id: i64,
        confirmed: bool,
        send: &mut dyn FnMut(&Outgoing) -> std::result::Result<String, String>,
    ) -> Result<SentDraft> {
        let draft = self.draft_checked(cx, id, false)?;
        if draft
            .warnings
            .iter()
            .any(|w| w.rule == crate::identity::PLACEHOLDER_RULE)
        {
            return Err(crate::error::refused(format!(
                "item {id}: the draft says {}: set your name first (in Settings, or `followup me --name`)",
                crate::identity::PLACEHOLDER
            )));
        }
        if draft.channel != "email" || draft.to.is_empty() {
            return Err(crate::error::refused(format!(
                "item {id}: no email address to send to (the draft is for {}{}); add one with `followup contact edit`",
                draft.channel,
                if draft.to.is_empty() {
                    String::new()
                } else {
                    format!(" to {}", draft.to)
                }
            )));
        }
        if !confirmed && let Some(w) = draft.warnings.iter().find(|w| w.rule == "F15") {
            return Err(crate::error::refused(format!(
                "item {id}: {} (F15); send anyway with --yes, or wait",
                w.message
            )));
        }
        let item = crate::lookup::plan_item(self.store.read(cx.owner)?.as_ref(), id)?;
        let contact = item.item.contact.clone();
        let out = Outgoing {
            to: draft.to.clone(),
            to_name: contact.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
            subject: draft.subject.clone(),
            body: draft.body.clone(),
        };
        let message_id = send(&out).map_err(|e| AppError::Refused(format!("mail: {e}")))?;
        let day = cx.today;
        let note = Some(format!("Mail: {}", draft.subject));
        let done = self.change(cx, |w| {
            let done = crate::agenda::done_in(w, id, None, note)?;
            let (touch, job) = match &done {
                crate::agenda::Done::Logged(l) => (Some(l.touch.id), l.touch.job),
                crate::agenda::Done::Closed { .. } => (None, None),
            };
            w.append(&Event::MailRead {
                mail: MailRecord {
                    message_id: message_id.clone(),
                    meaning: MailMeaning::Sent,
                    day,
                    address: out.to.to_lowercase(),
                    thread: followup_mail::message::thread_subject(&out.subject),
                    contact: contact.as_ref().map(|c| c.id),
                    job,
                    touch,
                    back_on: None,
                },
            })?;
            Ok(done)
        })?;
        Ok(SentDraft {
            message_id,
            to: out.to,
            subject: out.subject,
            done,
        })
    }
}
