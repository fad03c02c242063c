//! Who the person is, for drafts to sign with: `[me]` in the config is the default, and what
//! the person set with `followup me` or the web's Settings (kept per database owner in the
//! store's settings, so the team server can hold one per user) overrides it field by field.

use followup_core::draft::LintWarning;
use serde::Serialize;

use crate::error::{AppError, Field, invalid};
use crate::{App, Ctx, Result, fields};

/// What a draft says in place of a name nobody gave.
pub const PLACEHOLDER: &str = "[YOUR NAME]";

/// The settings keys, one per field.
const NAME: &str = "me.name";
const SIGNATURE: &str = "me.signature";
const PHONE: &str = "me.phone";
const TIME_ZONE: &str = "me.time_zone";
/// Set once the command line asked for the name (answered or not): it asks only once.
const ASKED: &str = "me.asked";

/// The most lines a signature may hold.
pub const SIGNATURE_LINES: usize = 10;

/// Where a field of the identity comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// Set with `followup me` or the web's Settings: kept in the database.
    Settings,
    /// `[me]` in the config file.
    Config,
}

/// The identity in force: each field, and where it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Identity {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The time zone "today" is counted in (an IANA name, `Europe/Berlin`); absent: this
    /// computer's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Where `name`, `signature`, `phone` and `time_zone` come from; absent when unset.
    pub sources: Sources,
}

/// Where each field of an identity comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Sources {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Source>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<Source>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<Source>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<Source>,
}

impl Identity {
    /// As `[me]` in the config spells it (drafts read this).
    pub fn as_me(&self) -> crate::config::Me {
        crate::config::Me {
            name: self.name.clone(),
            signature: self.signature.clone(),
            phone: self.phone.clone(),
            time_zone: self.time_zone.clone(),
        }
    }
}

/// A change to the identity as typed: `None` leaves a field alone, `Some("")` forgets the
/// stored value (the config's, if any, applies again).
#[derive(Debug, Clone, Default)]
pub struct IdentityChange {
    pub name: Option<String>,
    pub signature: Option<String>,
    pub phone: Option<String>,
    pub time_zone: Option<String>,
}

impl IdentityChange {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.signature.is_none()
            && self.phone.is_none()
            && self.time_zone.is_none()
    }
}

/// The rule a draft's "signed with the placeholder" warning names: each front end adds where
/// it sets the name (the command line its command, the web its Settings link).
pub const PLACEHOLDER_RULE: &str = "me";

/// The warning a draft carries when it is signed with the placeholder.
pub fn placeholder_warning() -> LintWarning {
    LintWarning {
        rule: PLACEHOLDER_RULE.into(),
        message: format!("the draft says {PLACEHOLDER}: set your name, then draft again"),
        line: None,
    }
}

/// True when a rendered draft still holds the placeholder.
pub fn has_placeholder(subject: &str, body: &str) -> bool {
    subject.contains(PLACEHOLDER) || body.contains(PLACEHOLDER)
}

fn stored(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

impl App {
    /// The identity drafts sign with: the stored fields over the config's `[me]`.
    pub fn identity(&self, cx: &Ctx) -> Result<Identity> {
        let tx = self.store.read(cx.owner)?;
        let name = stored(tx.setting(NAME)?);
        let signature = stored(tx.setting(SIGNATURE)?);
        let phone = stored(tx.setting(PHONE)?);
        let time_zone = stored(tx.setting(TIME_ZONE)?);
        drop(tx);
        let me = &self.config.me;
        let pick = |db: Option<String>, cfg: &Option<String>| match db {
            Some(v) => (Some(v), Some(Source::Settings)),
            None => match stored(cfg.clone()) {
                Some(v) => (Some(v), Some(Source::Config)),
                None => (None, None),
            },
        };
        let (name, name_from) = pick(name, &me.name);
        let (signature, signature_from) = pick(signature, &me.signature);
        let (phone, phone_from) = pick(phone, &me.phone);
        let (time_zone, time_zone_from) = pick(time_zone, &me.time_zone);
        Ok(Identity {
            name,
            signature,
            phone,
            time_zone,
            sources: Sources {
                name: name_from,
                signature: signature_from,
                phone: phone_from,
                time_zone: time_zone_from,
            },
        })
    }

    /// Keeps the person's name, signature or phone (checked like every field); returns the
    /// identity now in force. Nothing is written when a field is refused.
    pub fn set_identity(&self, cx: &Ctx, c: IdentityChange) -> Result<Identity> {
        if c.is_empty() {
            return Err(AppError::NothingToChange { what: "me" });
        }
        let name = c
            .name
            .as_deref()
            .map(|n| fields::line(Field::Name, n))
            .transpose()?;
        let signature = c
            .signature
            .map(|s| signature(Field::Signature, s))
            .transpose()?;
        let phone = c
            .phone
            .as_deref()
            .map(|p| match p.trim() {
                "" => Ok(String::new()),
                p => fields::phone(Field::Phone, p),
            })
            .transpose()?;
        let time_zone = c
            .time_zone
            .as_deref()
            .map(|t| match t.trim() {
                "" => Ok(String::new()),
                t => time_zone(Field::TimeZone, t).map(|_| t.to_string()),
            })
            .transpose()?;
        self.change(cx, |w| {
            for (key, value) in [
                (NAME, name),
                (SIGNATURE, signature),
                (PHONE, phone),
                (TIME_ZONE, time_zone),
            ] {
                if let Some(v) = value {
                    w.tx.set_setting(key, v.trim())?;
                }
            }
            Ok(())
        })?;
        self.identity(cx)
    }

    /// True when a draft would be signed with the placeholder and the person was never asked
    /// for their name: the command line asks once, on a terminal.
    pub fn should_ask_name(&self, cx: &Ctx) -> Result<bool> {
        if self.identity(cx)?.name.is_some() {
            return Ok(false);
        }
        let tx = self.store.read(cx.owner)?;
        Ok(tx.setting(ASKED)?.is_none())
    }

    /// Remembers that the person was asked for their name (answered or not).
    pub fn mark_name_asked(&self, cx: &Ctx) -> Result<()> {
        self.change(cx, |w| Ok(w.tx.set_setting(ASKED, "yes")?))
    }
}

/// A time zone as typed: an IANA name this computer's time zone database knows.
pub fn time_zone(field: Field, name: &str) -> Result<jiff::tz::TimeZone> {
    let name = name.trim();
    // Only names: "+02:00" or "CET" would follow no daylight saving rules of a region.
    if !name.contains('/') && name != "UTC" {
        return Err(invalid(
            field,
            format!(
                "expected a time zone name like Europe/Berlin or America/New_York, found {name:?}"
            ),
        ));
    }
    jiff::tz::TimeZone::get(name).map_err(|_| {
        invalid(
            field,
            format!("no time zone is named {name:?}; expected a name like Europe/Berlin or America/New_York"),
        )
    })
}

/// The time zone the owner set (or the config's), if it still reads.
pub(crate) fn stored_time_zone(
    tx: &dyn followup_store::ReadTx,
    config: &crate::config::Me,
) -> Result<Option<jiff::tz::TimeZone>> {
    let name = stored(tx.setting(TIME_ZONE)?).or_else(|| stored(config.time_zone.clone()));
    Ok(name.and_then(|n| time_zone(Field::TimeZone, &n).ok()))
}

/// A signature as typed: at most [`SIGNATURE_LINES`] lines, each a one-line field; `""`
/// forgets it.
fn signature(field: Field, s: String) -> Result<String> {
    let s = s.replace("\r\n", "\n");
    let Some(s) = fields::opt_note(field, Some(s))? else {
        return Ok(String::new());
    };
    let lines: Vec<&str> = s.trim_end().lines().collect();
    if lines.len() > SIGNATURE_LINES {
        return Err(invalid(
            field,
            format!(
                "a signature is at most {SIGNATURE_LINES} lines, found {}",
                lines.len()
            ),
        ));
    }
    for l in &lines {
        fields::line(field, l)?;
    }
    Ok(lines.join("\n"))
}
