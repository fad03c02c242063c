//! The config file: a preset, then the person's overrides, layered by hand.
//!
//! ```toml
//! preset = "eager"            # or "default"
//! [policy]
//! grace = "2bd"
//! [policy.cadence]
//! critical = "21d"
//! [policy.calendar]
//! holidays = ["2026-07-03", "2026-12-25"]
//! ```

use std::path::{Path, PathBuf};

use followup_core::{Policy, Preset};
use serde::Deserialize;

use crate::AppError;

/// The whole config file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    preset: Option<Preset>,
    policy: Option<toml::Table>,
    me: Option<Me>,
    /// The folder of the person's own templates.
    templates: Option<PathBuf>,
    lint: Option<LintTune>,
    mail: Option<MailConfig>,
}

/// `[mail]`: the person's mailbox, read by `mail sync` (docs/MAIL.md). The password is never
/// in the file: `password_env` names an environment variable, or `password_file` a file only
/// its owner can read.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    /// `imaps://host[:993]`, or `imap://host[:143]` with STARTTLS.
    pub imap: String,
    pub user: String,
    pub password_env: Option<String>,
    pub password_file: Option<PathBuf>,
    /// The person's own addresses: what they send from (and what is not a reply).
    #[serde(default)]
    pub addresses: Vec<String>,
    #[serde(default = "inbox")]
    pub inbox: String,
    #[serde(default = "sent")]
    pub sent: String,
    /// A certificate (PEM) to trust besides the public ones, for a self-hosted server.
    pub ca_file: Option<PathBuf>,
    /// Where drafts are sent from: `smtps://host[:465]`, or `smtp://host[:587]` with
    /// STARTTLS; signs in with `user` and the same password.
    pub smtp: Option<String>,
    /// Where the daily digest goes (default: your first address).
    pub digest_to: Option<String>,
    /// When `serve` sends the digest, as `HH:MM` in your time zone; none: it does not.
    pub digest_at: Option<String>,
    /// How often `serve` reads the mailbox, in minutes (default 5, at least 1).
    #[serde(default = "every_minutes")]
    pub every_minutes: u32,
}

fn every_minutes() -> u32 {
    5
}

fn inbox() -> String {
    "INBOX".into()
}

fn sent() -> String {
    "Sent".into()
}

impl MailConfig {
    /// The password, from where the config says: refused (naming the setting, never the
    /// password) when the variable is unset or the file can be read by others.
    pub fn password(&self) -> Result<String, AppError> {
        let bad = |m: String| AppError::Refused(format!("[mail] {m}"));
        match (&self.password_env, &self.password_file) {
            (Some(var), None) => match std::env::var(var) {
                Ok(p) if !p.is_empty() => Ok(p),
                _ => Err(bad(format!(
                    "password_env: the environment variable {var} is not set"
                ))),
            },
            (None, Some(path)) => {
                use std::os::unix::fs::PermissionsExt;
                let meta = std::fs::metadata(path).map_err(|e| {
                    bad(format!(
                        "password_file: cannot read {}: {e}",
                        path.display()
                    ))
                })?;
                let mode = meta.permissions().mode() & 0o777;
                if mode & 0o077 != 0 {
                    return Err(bad(format!(
                        "password_file: {} can be read by others (mode {mode:o}); `chmod 600 {}`",
                        path.display(),
                        path.display()
                    )));
                }
                let text = std::fs::read_to_string(path).map_err(|e| {
                    bad(format!(
                        "password_file: cannot read {}: {e}",
                        path.display()
                    ))
                })?;
                let p = text.trim_end_matches(['\r', '\n']).to_string();
                if p.is_empty() {
                    return Err(bad(format!("password_file: {} is empty", path.display())));
                }
                Ok(p)
            }
            (Some(_), Some(_)) => Err(bad("give password_env or password_file, not both".into())),
            (None, None) => Err(bad(
                "no password: set password_env (an environment variable's name) or password_file"
                    .into(),
            )),
        }
    }

    /// The person's own addresses: `addresses`, else the user name when it is an address.
    pub fn own_addresses(&self) -> Vec<String> {
        if self.addresses.is_empty() && self.user.contains('@') {
            vec![self.user.to_lowercase()]
        } else {
            self.addresses
                .iter()
                .map(|a| a.trim().to_lowercase())
                .collect()
        }
    }
}

/// `[lint]`: the person's own pressure phrases (M3), added to or taken from the built-in list.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LintTune {
    #[serde(default)]
    add: Vec<String>,
    #[serde(default)]
    ignore: Vec<String>,
}

/// Who the person is (drafts sign with it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Me {
    pub name: Option<String>,
    pub signature: Option<String>,
    /// The call-back number a voicemail script gives (M7).
    pub phone: Option<String>,
    /// The time zone "today" is counted in (`Europe/Berlin`); default this computer's.
    pub time_zone: Option<String>,
}

/// The config as loaded: the policy in force and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Config {
    pub policy: Policy,
    pub me: Me,
    /// The folder of the person's own templates; default `$XDG_CONFIG_HOME/followup/templates`.
    pub templates: Option<PathBuf>,
    /// The file read, if any.
    pub source: Option<PathBuf>,
    /// The folder of the config: templates and imported holiday calendars live beside it.
    pub dir: Option<PathBuf>,
    /// The pressure phrases the lint flags (M3), as the person tuned them.
    pub pressure: followup_core::draft::Pressure,
    /// What was skipped while loading (a broken holiday calendar), one line each: commands
    /// print these and go on.
    pub warnings: Vec<String>,
    /// `[mail]`, when the person set up their mailbox.
    pub mail: Option<MailConfig>,
}

impl Config {
    /// Where imported holiday calendars (`.ics`) are kept: `holidays/` beside the config.
    pub fn holidays_dir(&self) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join("holidays"))
    }

    /// Adds the days of every calendar kept in the holidays folder to the policy (F16); a
    /// file that cannot be read is skipped with a warning.
    fn load_holidays(&mut self) {
        let Some(dir) = self.holidays_dir() else {
            return;
        };
        let (days, warnings) = crate::holidays::load(&dir);
        self.policy.calendar.holidays.extend(days);
        self.warnings.extend(warnings);
    }

    /// Where the person's own templates live.
    pub fn templates_dir(&self) -> Option<PathBuf> {
        self.templates.clone().or_else(|| {
            use etcetera::BaseStrategy;
            etcetera::choose_base_strategy()
                .ok()
                .map(|b| b.config_dir().join("followup").join("templates"))
        })
    }
}

/// The default config path: `$XDG_CONFIG_HOME/followup/config.toml`.
pub fn default_path() -> Option<PathBuf> {
    use etcetera::BaseStrategy;
    etcetera::choose_base_strategy()
        .ok()
        .map(|b| b.config_dir().join("followup").join("config.toml"))
}

/// Loads `path` when given (it must exist), else the default path when it exists, else the
/// defaults.
pub fn load(path: Option<&Path>) -> Result<Config, AppError> {
    let (path, required) = match path {
        Some(p) => (Some(p.to_path_buf()), true),
        None => (default_path(), false),
    };
    let Some(path) = path else {
        return Ok(Config::default());
    };
    let dir = path.parent().map(Path::to_path_buf);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
            let mut cfg = Config {
                dir,
                ..Config::default()
            };
            cfg.load_holidays();
            return Ok(cfg);
        }
        Err(e) => {
            return Err(AppError::BadFile(format!(
                "config {}: cannot read: {e}",
                path.display()
            )));
        }
    };
    let mut cfg =
        parse(&text).map_err(|m| AppError::BadFile(format!("config {}: {m}", path.display())))?;
    cfg.source = Some(path);
    cfg.dir = dir;
    cfg.load_holidays();
    Ok(cfg)
}

/// Parses a config file's text; the error names the line.
pub fn parse(text: &str) -> Result<Config, String> {
    let file: File = toml::from_str(text).map_err(|e| one_line(&e, text))?;
    let base = file.preset.unwrap_or(Preset::Default).policy();
    let policy = match file.policy {
        None => base,
        Some(overrides) => merged_policy(&base, &overrides)
            .map_err(|m| format!("{}: {m}", policy_place(text, &base, &overrides)))?,
    };
    let me = file.me.unwrap_or_default();
    if let Some(tz) = &me.time_zone {
        crate::identity::time_zone(crate::Field::TimeZone, tz).map_err(|e| {
            let line = line_of(text, &["me".to_string(), "time_zone".to_string()])
                .map(|l| format!("line {l}: "))
                .unwrap_or_default();
            format!("{line}[me] {e}")
        })?;
    }
    if let Some(at) = file.mail.as_ref().and_then(|m| m.digest_at.as_deref())
        && at.parse::<jiff::civil::Time>().is_err()
    {
        let line = line_of(text, &["mail".to_string(), "digest_at".to_string()])
            .map(|l| format!("line {l}: "))
            .unwrap_or_default();
        return Err(format!(
            "{line}[mail] digest_at: expected a time of day like \"07:30\", found {at:?}"
        ));
    }
    Ok(Config {
        policy,
        me,
        templates: file.templates,
        source: None,
        dir: None,
        pressure: file
            .lint
            .map(|l| followup_core::draft::Pressure::tuned(&l.add, &l.ignore))
            .unwrap_or_default(),
        warnings: Vec::new(),
        mail: file.mail,
    })
}

/// The preset's policy with the person's overrides, checked.
fn merged_policy(base: &Policy, overrides: &toml::Table) -> Result<Policy, String> {
    let mut merged = toml::Table::try_from(base).map_err(|e| e.to_string())?;
    merge(&mut merged, overrides.clone());
    let policy: Policy = merged
        .try_into()
        .map_err(|e: toml::de::Error| e.message().to_string())?;
    policy.check().map_err(|e| e.to_string())?;
    Ok(policy)
}

/// Where in the file a bad `[policy]` is: the line of the first override that fails on its
/// own. The merged table has no positions, so each override is tried alone and its line is
/// found in the file's own spans; a combination that fails only together names `[policy]`.
fn policy_place(text: &str, base: &Policy, overrides: &toml::Table) -> String {
    let mut leaves = Vec::new();
    leaf_paths(overrides, &mut Vec::new(), &mut leaves);
    for path in leaves {
        let mut alone = toml::Table::new();
        insert_path(&mut alone, &path, overrides);
        if merged_policy(base, &alone).is_err() {
            let mut full = vec!["policy".to_string()];
            full.extend(path.iter().cloned());
            if let Some(line) = line_of(text, &full) {
                return format!("line {line}: [policy] {}", path.join("."));
            }
            return format!("[policy] {}", path.join("."));
        }
    }
    match line_of(text, &["policy".to_string()]) {
        Some(line) => format!("line {line}: [policy]"),
        None => "[policy]".to_string(),
    }
}

fn leaf_paths(t: &toml::Table, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    for (k, v) in t {
        prefix.push(k.clone());
        match v {
            toml::Value::Table(inner) => leaf_paths(inner, prefix, out),
            _ => out.push(prefix.clone()),
        }
        prefix.pop();
    }
}

/// Copies the value at `path` in `from` into `into`, creating the tables on the way.
fn insert_path(into: &mut toml::Table, path: &[String], from: &toml::Table) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    let Some(v) = from.get(first) else {
        return;
    };
    match (v, rest.is_empty()) {
        (v, true) => {
            into.insert(first.clone(), v.clone());
        }
        (toml::Value::Table(sub), false) => {
            let entry = into
                .entry(first.clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if let toml::Value::Table(t) = entry {
                insert_path(t, rest, sub);
            }
        }
        _ => {}
    }
}

/// The line of the key at `path` in the file, from the parser's spans.
fn line_of(text: &str, path: &[String]) -> Option<usize> {
    let root = toml::de::DeTable::parse(text).ok()?;
    let mut table = root.get_ref();
    let mut start = None;
    for (i, part) in path.iter().enumerate() {
        let (k, v) = table.iter().find(|(k, _)| k.get_ref().as_ref() == part)?;
        start = Some(k.span().start);
        if i + 1 < path.len() {
            match v.get_ref() {
                toml::de::DeValue::Table(t) => table = t,
                _ => return None,
            }
        }
    }
    start.map(|s| text[..s.min(text.len())].matches('\n').count() + 1)
}

fn one_line(e: &toml::de::Error, text: &str) -> String {
    match e.span() {
        Some(span) => {
            let line = text[..span.start].matches('\n').count() + 1;
            format!("line {line}: {}", e.message())
        }
        None => e.message().to_string(),
    }
}

fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use followup_core::Wait;

    #[test]
    fn presets_and_overrides_layer() {
        let c = parse("preset = \"eager\"\n[policy]\ngrace = \"3bd\"\n[policy.calendar]\nholidays = [\"2026-07-03\"]\n").unwrap();
        assert_eq!(c.policy.interview_wait, Wait::Days(7));
        assert_eq!(c.policy.grace, Wait::BusinessDays(3));
        assert_eq!(c.policy.retry_wait, Wait::BusinessDays(4));
        assert_eq!(c.policy.calendar.holidays.len(), 1);
        assert_eq!(c.policy.calendar.weekend.len(), 2);
    }

    #[test]
    fn the_documented_example_parses() {
        let doc = include_str!("../../../docs/CONFIG.md");
        let start = doc.find("```toml\n").expect("a toml block") + 8;
        let end = start + doc[start..].find("```").unwrap();
        let c = parse(&doc[start..end]).unwrap();
        assert_eq!(
            c.policy.interview_wait,
            Wait::Days(14),
            "the example sets 14d after eager"
        );
        assert_eq!(c.me.phone.as_deref(), Some("+1 555 0199"));
        assert!(c.templates.is_some());
    }

    #[test]
    fn policy_errors_name_the_line() {
        let cases = [
            (
                "[policy]\ngrace = \"3bd\"\nretry_wait = \"0d\"\n",
                "line 3: [policy] retry_wait",
            ),
            (
                "preset = \"eager\"\n\n[policy.cadence]\ncritical = \"often\"\n",
                "line 4: [policy] cadence.critical",
            ),
            (
                "[policy.calendar]\nweekend = [\"monday\", \"tuesday\", \"wednesday\", \"thursday\", \"friday\", \"saturday\", \"sunday\"]\n",
                "line 2: [policy] calendar.weekend",
            ),
            (
                "[policy]\nvalue_add_period = 3\n",
                "line 2: [policy] value_add_period",
            ),
            (
                "[policy.calendar]\nholidays = [\"9999-01-01\"]\n",
                "line 2: [policy] calendar.holidays",
            ),
        ];
        for (text, want) in cases {
            let e = parse(text).unwrap_err();
            assert!(e.starts_with(want), "{text:?}: {e}");
            assert!(!e.contains('\n'), "{e}");
        }
    }

    #[test]
    fn a_time_zone_that_is_none_is_refused_with_its_line() {
        let e = parse("[me]\nname = \"A\"\ntime_zone = \"Mars/Base\"\n").unwrap_err();
        assert!(e.starts_with("line 3: [me] time_zone: no time zone"), "{e}");
        assert!(parse("[me]\ntime_zone = \"Europe/Berlin\"\n").is_ok());
    }

    #[test]
    fn typos_name_the_line() {
        let e = parse("[policy]\n\ngrase = \"3bd\"\n").unwrap_err();
        assert!(e.contains("grase"), "{e}");
        let e = parse("preset = \"lazy\"\n").unwrap_err();
        assert!(e.starts_with("line 1"), "{e}");
        let e = parse("[policy]\ngrace = \"soon\"\n").unwrap_err();
        assert!(e.contains("soon"), "{e}");
    }
}
