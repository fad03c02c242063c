//! Data out and back in: the lossless JSON export (the event log, plus readable copies of what
//! it implies), its import into an empty database, and CSV for spreadsheets.
//!
//! The log is the truth, so exporting it is exporting everything; importing replays it with
//! the ids it carries, in one transaction, and rebuilds the plan. Export, import into an empty
//! database, export again: the two files are byte-identical (a test holds it on the demo).

mod check;

use std::collections::BTreeMap;

use followup_core::Event;
use followup_core::model::{Contact, Job, Touch};
use followup_store::AccountId;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::{App, AppError, Ctx};

/// What the export format says about itself.
pub const FORMAT: &str = "followup-export";
/// The export format's version; an import refuses any other.
pub const VERSION: u32 = 1;

/// The whole export.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Export {
    pub format: String,
    pub version: u32,
    /// Every change, in order: this is what an import reads.
    pub events: Vec<ExportedEvent>,
    /// Readable copies of what the events imply (an import ignores them).
    #[serde(default)]
    pub contacts: Vec<Contact>,
    #[serde(default)]
    pub jobs: Vec<Job>,
    #[serde(default)]
    pub touches: Vec<Touch>,
    /// The agenda's item numbers, so `followup done 7` means the same item after a move.
    #[serde(default)]
    pub item_numbers: Vec<ItemNumber>,
    /// The owner's settings that shape the agenda and the drafts: the policy's overrides
    /// (`policy`), their own templates (`template.NAME`), and who they are (`me.name`,
    /// `me.signature`, `me.phone`, `me.time_zone`). Never the calendar token: a secret stays
    /// in its database. Left out when there are none, so an export without settings reads as
    /// it did before they travelled (an older followup reads it, and its bytes are the same).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub settings: BTreeMap<String, String>,
}

/// The settings keys an export carries, besides one `template.NAME` per template.
pub const EXPORTED_SETTINGS: &[&str] = &[
    crate::policy_settings::KEY,
    "me.name",
    "me.signature",
    "me.phone",
    "me.time_zone",
];

/// The keys of every setting an export may carry.
fn exported_keys() -> impl Iterator<Item = String> {
    EXPORTED_SETTINGS
        .iter()
        .map(|k| k.to_string())
        .chain(crate::drafts::names().map(crate::drafts::template_key))
}

/// Checks the settings of an export as the doors that set them do; the message names the key.
fn check_settings(settings: &BTreeMap<String, String>) -> Result<(), String> {
    use crate::error::Field;
    let known: Vec<String> = exported_keys().collect();
    for (k, v) in settings {
        if !known.contains(k) {
            return Err(format!(
                "settings: {k:?} is not a setting an export carries; expected one of {}",
                known.join(", ")
            ));
        }
        let checked = match k.as_str() {
            crate::policy_settings::KEY => crate::policy_settings::check_stored(v),
            "me.name" => crate::fields::line(Field::Name, v).map(|_| ()),
            "me.signature" => {
                crate::fields::opt_note(Field::Signature, Some(v.clone())).map(|_| ())
            }
            "me.phone" if v.is_empty() => Ok(()),
            "me.phone" => crate::fields::phone(Field::Phone, v).map(|_| ()),
            "me.time_zone" if v.is_empty() => Ok(()),
            "me.time_zone" => crate::identity::time_zone(Field::TimeZone, v).map(|_| ()),
            template => match template.strip_prefix("template.") {
                Some(_) if v.is_empty() => Ok(()),
                Some(name) => crate::drafts::check_template(name, v),
                None => Ok(()),
            },
        };
        checked.map_err(|e| format!("settings: {k}: {e}"))?;
    }
    Ok(())
}

/// An agenda item's stable key and its number.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemNumber {
    pub key: String,
    pub id: i64,
}

/// One event with the day it was recorded.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedEvent {
    pub recorded_on: Date,
    /// The email of the account that recorded it, when not the owner (a coach on the team
    /// server). An email, not an account number, so it means the same on another server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    pub event: Event,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Imported {
    pub events: usize,
    pub contacts: usize,
    pub jobs: usize,
    pub plan_items: usize,
}

/// Which table a CSV export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvTable {
    Contacts,
    Jobs,
    Touches,
}

impl std::str::FromStr for CsvTable {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self, AppError> {
        match s {
            "contacts" => Ok(CsvTable::Contacts),
            "jobs" => Ok(CsvTable::Jobs),
            "touches" => Ok(CsvTable::Touches),
            other => Err(crate::error::invalid(
                crate::Field::Table,
                format!("expected contacts, jobs or touches, found {other:?}"),
            )),
        }
    }
}

impl App {
    /// The email of an account named in the log, if this server still has it.
    fn account_email(&self, id: AccountId) -> Result<Option<String>, AppError> {
        Ok(match &self.directory {
            Some(d) => d.account(id)?.map(|a| a.email),
            None => None,
        })
    }

    /// The account with this email, when this server has accounts and one matches.
    fn account_id_of(&self, email: &str) -> Result<Option<AccountId>, AppError> {
        Ok(match &self.directory {
            Some(d) => d.account_by_email(&email.to_lowercase())?.map(|a| a.id),
            None => None,
        })
    }

    /// Everything, as the JSON export (pretty, ends in a newline).
    pub fn export_json(&self, cx: &Ctx) -> Result<String, AppError> {
        let tx = self.store.read(cx.owner)?;
        let mut emails: BTreeMap<AccountId, Option<String>> = BTreeMap::new();
        let mut events = Vec::new();
        for r in tx.events()? {
            let by = match r.actor {
                None => None,
                Some(a) => match emails.get(&a) {
                    Some(e) => e.clone(),
                    None => {
                        let e = self.account_email(a)?;
                        emails.insert(a, e.clone());
                        e
                    }
                },
            };
            events.push(ExportedEvent {
                recorded_on: r.recorded_on,
                by,
                event: r.event,
            });
        }
        let mut touches = tx.all_touches()?;
        touches.sort_by_key(|t| t.id);
        let mut settings = BTreeMap::new();
        for k in exported_keys() {
            if let Some(v) = tx.setting(&k)?.filter(|v| !v.is_empty()) {
                settings.insert(k, v);
            }
        }
        let export = Export {
            format: FORMAT.into(),
            version: VERSION,
            events,
            contacts: tx.contacts()?,
            jobs: tx.jobs()?,
            touches,
            item_numbers: tx
                .plan_keys()?
                .into_iter()
                .map(|(key, id)| ItemNumber { key, id })
                .collect(),
            settings,
        };
        let mut text = serde_json::to_string_pretty(&export).expect("serializable");
        text.push('\n');
        Ok(text)
    }

    /// Replays a JSON export into this (empty) database, all or nothing.
    pub fn import_json(&self, cx: &Ctx, source: &str, text: &str) -> Result<Imported, AppError> {
        let export = read_export(source, text, cx.today)?;
        self.import_export(cx, source, export)
    }

    /// Replays an export read (and checked) by [`read_export`] into this (empty) database, all
    /// or nothing.
    pub fn import_export(
        &self,
        cx: &Ctx,
        source: &str,
        export: Export,
    ) -> Result<Imported, AppError> {
        let plan_items = self.change(cx, |w| {
            let tx = &mut w.tx;
            if !tx.is_empty()? {
                return Err(AppError::BadFile(format!(
                    "{source}: import json replays a whole log and needs an empty database (on a team server, an empty workspace); import into a new database file or a new account's workspace"
                )));
            }
            let importer = cx.actor.account();
            for (i, e) in export.events.iter().enumerate() {
                // Who recorded it stays with the event when this server knows them; an
                // account it does not have (another server, a one-file book) cannot be
                // named here, and the event counts as the importer's. The owner's own
                // events are the importer's too: a coach importing for a client is on
                // record as having done it.
                let by = match &e.by {
                    Some(email) => self.account_id_of(email)?.or(importer),
                    None => importer,
                };
                tx.act_as(by);
                tx.append(e.recorded_on, &e.event).map_err(|err| {
                    AppError::BadFile(format!(
                        "{source}: event {} ({}) cannot be replayed: {err}",
                        i + 1,
                        e.event.kind()
                    ))
                })?;
            }
            for n in &export.item_numbers {
                if n.key.parse::<followup_core::PlanKey>().is_err() || n.id < 1 {
                    return Err(AppError::BadFile(format!(
                        "{source}: item number {} has a key followup does not know: {:?}",
                        n.id, n.key
                    )));
                }
                tx.set_plan_key(&n.key, n.id).map_err(|e| {
                    AppError::BadFile(format!("{source}: item number {} ({}): {e}", n.id, n.key))
                })?;
            }
            for (k, v) in &export.settings {
                tx.set_setting(k, v)?;
            }
            // The holidays the log kept and the policy settings carried join the config's
            // policy before the plan is built.
            let policy = self.policy_in(&**tx)?;
            crate::replan::full_replan(tx.as_mut(), &policy)
        })?;
        let tx = self.store.read(cx.owner)?;
        Ok(Imported {
            events: export.events.len(),
            contacts: tx.contacts()?.len(),
            jobs: tx.jobs()?.len(),
            plan_items,
        })
    }

    /// One table as CSV (RFC 4180, CRLF), with a header row.
    pub fn export_csv(&self, cx: &Ctx, table: CsvTable) -> Result<String, AppError> {
        let tx = self.store.read(cx.owner)?;
        let mut out = String::new();
        let mut row = |cells: &[String]| {
            let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
            out.push_str(&line.join(","));
            out.push_str("\r\n");
        };
        let opt = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
        match table {
            CsvTable::Contacts => {
                row(&[
                    "id",
                    "name",
                    "emails",
                    "phones",
                    "organization",
                    "title",
                    "tier",
                    "prefers",
                    "linkedin",
                    "birthday",
                    "work_anniversary",
                    "personal_anniversary",
                    "notes",
                    "added_on",
                ]
                .map(String::from));
                for c in tx.contacts()? {
                    row(&[
                        c.id.to_string(),
                        c.name,
                        c.emails.join("; "),
                        c.phones.join("; "),
                        c.organization.map(|o| o.name).unwrap_or_default(),
                        c.title.unwrap_or_default(),
                        c.tier.map(|t| t.to_string()).unwrap_or_default(),
                        c.prefers.map(|t| t.to_string()).unwrap_or_default(),
                        c.linkedin.unwrap_or_default(),
                        opt(c.birthday),
                        opt(c.work_anniversary),
                        opt(c.personal_anniversary),
                        c.notes.unwrap_or_default(),
                        c.added_on.to_string(),
                    ]);
                }
            }
            CsvTable::Jobs => {
                row(&[
                    "id",
                    "organization",
                    "title",
                    "stage",
                    "applied",
                    "response_time",
                    "url",
                    "contacts",
                    "added_on",
                    "notes",
                ]
                .map(String::from));
                for j in tx.jobs()? {
                    row(&[
                        j.id.to_string(),
                        j.organization.name,
                        j.title,
                        j.stage.to_string(),
                        opt(j.applied),
                        j.response_time.map(|w| w.to_string()).unwrap_or_default(),
                        j.url.unwrap_or_default(),
                        j.contacts
                            .iter()
                            .map(|c| c.to_string())
                            .collect::<Vec<_>>()
                            .join("; "),
                        j.added_on.to_string(),
                        j.notes.unwrap_or_default(),
                    ]);
                }
            }
            CsvTable::Touches => {
                row(&[
                    "id",
                    "date",
                    "kind",
                    "direction",
                    "contacts",
                    "job",
                    "note",
                    "promises",
                ]
                .map(String::from));
                let mut touches = tx.all_touches()?;
                touches.sort_by_key(|t| (t.date, t.id));
                for t in touches {
                    row(&[
                        t.id.to_string(),
                        t.date.to_string(),
                        t.kind.to_string(),
                        t.direction.to_string(),
                        t.contacts
                            .iter()
                            .map(|c| c.to_string())
                            .collect::<Vec<_>>()
                            .join("; "),
                        t.job.map(|j| j.to_string()).unwrap_or_default(),
                        t.note.unwrap_or_default(),
                        t.promises
                            .iter()
                            .map(|p| {
                                format!(
                                    "{} {} {}",
                                    p.whose,
                                    p.kind,
                                    p.date.map(|d| d.to_string()).unwrap_or_default()
                                )
                                .trim()
                                .to_string()
                            })
                            .collect::<Vec<_>>()
                            .join("; "),
                    ]);
                }
            }
        }
        Ok(out)
    }
}

/// Reads a JSON export and checks its log ([`check`]) as of `today` without touching any
/// database: a refused file leaves nothing behind, not even a new empty database.
pub fn read_export(source: &str, text: &str, today: Date) -> Result<Export, AppError> {
    let export: Export = serde_json::from_str(text).map_err(|e| {
        AppError::BadFile(format!(
            "{source}: line {}, column {}: {}",
            e.line(),
            e.column(),
            strip_position(&e.to_string())
        ))
    })?;
    if export.format != FORMAT {
        return Err(AppError::BadFile(format!(
            "{source}: expected a followup export (\"format\": \"{FORMAT}\"), found {:?}",
            export.format
        )));
    }
    if export.version != VERSION {
        return Err(AppError::BadFile(format!(
            "{source}: export version {} is not one this followup reads ({VERSION})",
            export.version
        )));
    }
    check::check(&export.events, today).map_err(|m| AppError::BadFile(format!("{source}: {m}")))?;
    check_settings(&export.settings).map_err(|m| AppError::BadFile(format!("{source}: {m}")))?;
    Ok(export)
}

/// serde_json puts " at line L column C" at the end; we say it first.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// One CSV cell: a formula prefix neutralized (`followup_core::text::csv_cell`), then
/// quoted when RFC 4180 needs it.
fn csv_cell(s: &str) -> String {
    let s = followup_core::text::csv_cell(s);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
