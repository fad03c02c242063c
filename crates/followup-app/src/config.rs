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
}

/// Who the person is (drafts sign with it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Me {
    pub name: Option<String>,
    pub signature: Option<String>,
    /// The call-back number a voicemail script gives (M7).
    pub phone: Option<String>,
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
}

impl Config {
    /// Where imported holiday calendars (`.ics`) are kept: `holidays/` beside the config.
    pub fn holidays_dir(&self) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join("holidays"))
    }

    /// Adds the days of every calendar in the holidays folder to the policy (F16).
    fn load_holidays(&mut self) -> Result<(), AppError> {
        let Some(dir) = self.holidays_dir() else {
            return Ok(());
        };
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(());
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("ics")))
            .collect();
        files.sort();
        for f in files {
            let shown = f.display().to_string();
            let text = std::fs::read_to_string(&f)
                .map_err(|e| AppError::Invalid(format!("{shown}: cannot read: {e}")))?;
            for d in crate::ics::holidays_from_ics(&shown, &text)? {
                self.policy.calendar.holidays.insert(d);
            }
        }
        Ok(())
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
            cfg.load_holidays()?;
            return Ok(cfg);
        }
        Err(e) => {
            return Err(AppError::Invalid(format!(
                "config {}: cannot read: {e}",
                path.display()
            )));
        }
    };
    let mut cfg =
        parse(&text).map_err(|m| AppError::Invalid(format!("config {}: {m}", path.display())))?;
    cfg.source = Some(path);
    cfg.dir = dir;
    cfg.load_holidays()?;
    Ok(cfg)
}

/// Parses a config file's text; the error names the line.
pub fn parse(text: &str) -> Result<Config, String> {
    let file: File = toml::from_str(text).map_err(|e| one_line(&e, text))?;
    let base = file.preset.unwrap_or(Preset::Default).policy();
    let policy = match file.policy {
        None => base,
        Some(overrides) => {
            let mut merged = toml::Table::try_from(&base).map_err(|e| e.to_string())?;
            merge(&mut merged, overrides);
            let policy: Policy = merged
                .try_into()
                .map_err(|e: toml::de::Error| format!("[policy]: {}", e.message()))?;
            policy
        }
    };
    policy.check().map_err(|e| e.to_string())?;
    Ok(Config {
        policy,
        me: file.me.unwrap_or_default(),
        templates: file.templates,
        source: None,
        dir: None,
    })
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
    fn typos_name_the_line() {
        let e = parse("[policy]\n\ngrase = \"3bd\"\n").unwrap_err();
        assert!(e.contains("grase"), "{e}");
        let e = parse("preset = \"lazy\"\n").unwrap_err();
        assert!(e.starts_with("line 1"), "{e}");
        let e = parse("[policy]\ngrace = \"soon\"\n").unwrap_err();
        assert!(e.contains("soon"), "{e}");
    }
}
