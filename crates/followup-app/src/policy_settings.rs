//! The policy's parameters as the owner set them in Settings (the web's form, the API, `followup
//! settings policy`): kept per owner in the store's settings under one key, as a JSON object of
//! parameter key to value as typed (`{"grace": "3bd", "cadence.casual": "none"}`), and laid
//! over the config file's policy (preset, then `[policy]`) field by field.
//!
//! Only what differs from the config's value is kept: a value typed equal to it, or left empty,
//! drops the override, so a later change of the config file still reaches every parameter the
//! person did not change here. A change replans everything in the same transaction: the
//! agenda follows at once, and a refused value changes nothing.

use std::collections::BTreeMap;

use followup_core::calendar::{weekday_from_name, weekday_name};
use followup_core::model::Channel;
use followup_core::{Policy, Wait};
use serde::Serialize;

use crate::error::{AppError, Field, Result, invalid, refused};
use crate::{App, Ctx};

/// The settings key the overrides are kept under.
pub const KEY: &str = "policy";

/// What a parameter's value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A duration: `2bd`, `14d`, `2w`, `1mo`.
    Wait,
    /// A duration or `none`.
    WaitOrNone,
    /// A whole number.
    Count,
    /// `email`, `phone` or `linkedin`.
    Channel,
    /// Weekday names, comma-separated.
    Weekdays,
}

/// One parameter of the policy: its key (as the config's `[policy]` spells it), its label on a
/// form, the rule it belongs to (RULES.md) and a line in plain words.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Param {
    pub key: &'static str,
    pub label: &'static str,
    pub rule: &'static str,
    pub hint: &'static str,
    pub kind: Kind,
}

const fn p(
    key: &'static str,
    label: &'static str,
    rule: &'static str,
    hint: &'static str,
    kind: Kind,
) -> Param {
    Param {
        key,
        label,
        rule,
        hint,
        kind,
    }
}

/// Every parameter a person may set, in RULES.md's order. The holidays are not here: they are
/// imported calendars (Import, `followup import holidays`).
pub const PARAMS: &[Param] = &[
    p(
        "grace",
        "Grace after their date",
        "F3",
        "when they said they would decide by a date, follow up this long after it",
        Kind::Wait,
    ),
    p(
        "interview_wait",
        "Wait after an interview",
        "F4",
        "an interview with no timeline: follow up this long after it",
        Kind::Wait,
    ),
    p(
        "application_wait",
        "Wait after applying",
        "F5",
        "when the posting states no response time",
        Kind::Wait,
    ),
    p(
        "thank_you_within",
        "Thank-you note within",
        "F6",
        "after every interview",
        Kind::Wait,
    ),
    p(
        "retry_wait",
        "Retry after silence",
        "F7",
        "after a follow-up nobody answered; more than zero",
        Kind::Wait,
    ),
    p(
        "value_add_period",
        "Something of value every",
        "F8",
        "while a job stays silent after the retry; more than zero",
        Kind::Wait,
    ),
    p(
        "silence_limit",
        "Review moving on after",
        "F9",
        "silence since the first follow-up before asking whether to move on",
        Kind::Wait,
    ),
    p(
        "rejection_reply_within",
        "Reply to a rejection within",
        "F10",
        "thank them and ask for feedback",
        Kind::Wait,
    ),
    p(
        "outreach_wait",
        "After an outreach",
        "F12",
        "a networking message with no reply",
        Kind::Wait,
    ),
    p(
        "action_wait",
        "After a promise to act",
        "F12",
        "they offered an introduction or a referral, with no date",
        Kind::Wait,
    ),
    p(
        "casual_wait",
        "After a casual meeting",
        "F12",
        "a coffee or a call with nothing promised",
        Kind::Wait,
    ),
    p(
        "cadence.critical",
        "Keep in touch: critical",
        "F13",
        "since the last touch; none for occasions only",
        Kind::WaitOrNone,
    ),
    p(
        "cadence.regular",
        "Keep in touch: regular",
        "F13",
        "since the last touch; none for occasions only",
        Kind::WaitOrNone,
    ),
    p(
        "cadence.casual",
        "Keep in touch: casual",
        "F13",
        "since the last touch; none for occasions only",
        Kind::WaitOrNone,
    ),
    p(
        "gap",
        "Least gap between messages",
        "F15",
        "two messages to one person with nothing back between them",
        Kind::Wait,
    ),
    p(
        "pipeline_minimum",
        "Open jobs at least",
        "F18",
        "with fewer open, the agenda asks you to find more",
        Kind::Count,
    ),
    p(
        "default_channel",
        "Default channel",
        "F19",
        "email, phone or linkedin, when a contact states none",
        Kind::Channel,
    ),
    p(
        "calendar.weekend",
        "Weekend",
        "F16",
        "days that are not business days, such as saturday, sunday",
        Kind::Weekdays,
    ),
];

/// The parameter named `key`.
pub fn param(key: &str) -> Option<&'static Param> {
    PARAMS.iter().find(|p| p.key == key)
}

/// The form's label of a parameter (the key itself when unknown).
pub fn label(key: &'static str) -> &'static str {
    param(key).map(|p| p.label).unwrap_or(key)
}

/// A parameter as Settings shows it: the value in force, and the one without an override.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParamView {
    pub key: &'static str,
    pub label: &'static str,
    pub rule: &'static str,
    pub hint: &'static str,
    /// The value in force.
    pub value: String,
    /// The value without an override here: the config file's, else RULES.md's.
    pub default: String,
    /// RULES.md's own default, for when the config file changed it.
    pub rules_default: String,
    /// True when Settings overrides the config's value.
    pub overridden: bool,
}

/// A parameter's value in `policy`, as a form shows it and the config file writes it.
pub fn show(policy: &Policy, key: &str) -> String {
    let wait = |w: Wait| {
        serde_json::to_value(w)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    let opt = |w: Option<Wait>| w.map(wait).unwrap_or_else(|| "none".into());
    match key {
        "grace" => wait(policy.grace),
        "interview_wait" => wait(policy.interview_wait),
        "application_wait" => wait(policy.application_wait),
        "thank_you_within" => wait(policy.thank_you_within),
        "retry_wait" => wait(policy.retry_wait),
        "value_add_period" => wait(policy.value_add_period),
        "silence_limit" => wait(policy.silence_limit),
        "rejection_reply_within" => wait(policy.rejection_reply_within),
        "outreach_wait" => wait(policy.outreach_wait),
        "action_wait" => wait(policy.action_wait),
        "casual_wait" => wait(policy.casual_wait),
        "cadence.critical" => opt(policy.cadence.critical),
        "cadence.regular" => opt(policy.cadence.regular),
        "cadence.casual" => opt(policy.cadence.casual),
        "gap" => wait(policy.gap),
        "pipeline_minimum" => policy.pipeline_minimum.to_string(),
        "default_channel" => policy.default_channel.to_string(),
        "calendar.weekend" => policy
            .calendar
            .weekend
            .iter()
            .map(|d| weekday_name(*d))
            .collect::<Vec<_>>()
            .join(", "),
        _ => String::new(),
    }
}

/// A parameter's value as typed, checked: its normalized text.
fn parse(p: &'static Param, text: &str) -> Result<String> {
    parsed(p, text).map(|(norm, _)| norm)
}

/// A parameter's value as typed, checked: its normalized text, and a policy (RULES.md's
/// otherwise) holding it, to copy it from.
fn parsed(p: &'static Param, text: &str) -> Result<(String, Policy)> {
    let field = Field::Policy(p.key);
    let t = text.trim();
    let wait = |t: &str| -> Result<Wait> {
        t.parse::<Wait>()
            .map_err(|e| invalid(field, format!("{e}")))
    };
    let zero = |w: Wait| {
        matches!(
            w,
            Wait::Days(0) | Wait::BusinessDays(0) | Wait::Weeks(0) | Wait::Months(0)
        )
    };
    let mut policy = Policy::default();
    match p.kind {
        Kind::Wait => {
            let w = wait(t)?;
            if zero(w) && matches!(p.key, "retry_wait" | "value_add_period") {
                return Err(invalid(
                    field,
                    format!("must be longer than zero, found {t:?}"),
                ));
            }
            set(&mut policy, p.key, Value::Wait(Some(w)));
        }
        Kind::WaitOrNone => {
            let w = match t.to_ascii_lowercase().as_str() {
                "none" | "never" => None,
                _ => Some(wait(t).map_err(|_| {
                    invalid(
                        field,
                        format!(
                            "expected a duration like \"30d\" or \"3 months\", or none, found {t:?}"
                        ),
                    )
                })?),
            };
            set(&mut policy, p.key, Value::Wait(w));
        }
        Kind::Count => {
            let n: u32 = t.parse().ok().filter(|n| *n <= 1000).ok_or_else(|| {
                invalid(
                    field,
                    format!("expected a whole number from 0 to 1000, found {t:?}"),
                )
            })?;
            set(&mut policy, p.key, Value::Count(n));
        }
        Kind::Channel => {
            let c: Channel = t
                .to_ascii_lowercase()
                .parse()
                .map_err(|e: followup_core::model::UnknownWord| invalid(field, e.to_string()))?;
            set(&mut policy, p.key, Value::Channel(c));
        }
        Kind::Weekdays => {
            let mut days = Vec::new();
            for name in t.split([',', ' ']).map(str::trim).filter(|n| !n.is_empty()) {
                let d = weekday_from_name(&name.to_ascii_lowercase()).ok_or_else(|| {
                    invalid(
                        field,
                        format!("expected weekday names like \"saturday, sunday\", found {name:?}"),
                    )
                })?;
                if !days.contains(&d) {
                    days.push(d);
                }
            }
            if days.len() >= 7 {
                return Err(invalid(
                    field,
                    "names every day: no business day would be left",
                ));
            }
            days.sort_by_key(|d| d.to_monday_zero_offset());
            policy.calendar.weekend = days;
        }
    }
    Ok((show(&policy, p.key), policy))
}

/// A parsed value, to set on a policy.
enum Value {
    Wait(Option<Wait>),
    Count(u32),
    Channel(Channel),
}

fn set(policy: &mut Policy, key: &str, v: Value) {
    match v {
        Value::Wait(w) => {
            let slot = match key {
                "cadence.critical" => return policy.cadence.critical = w,
                "cadence.regular" => return policy.cadence.regular = w,
                "cadence.casual" => return policy.cadence.casual = w,
                "grace" => &mut policy.grace,
                "interview_wait" => &mut policy.interview_wait,
                "application_wait" => &mut policy.application_wait,
                "thank_you_within" => &mut policy.thank_you_within,
                "retry_wait" => &mut policy.retry_wait,
                "value_add_period" => &mut policy.value_add_period,
                "silence_limit" => &mut policy.silence_limit,
                "rejection_reply_within" => &mut policy.rejection_reply_within,
                "outreach_wait" => &mut policy.outreach_wait,
                "action_wait" => &mut policy.action_wait,
                "casual_wait" => &mut policy.casual_wait,
                "gap" => &mut policy.gap,
                _ => return,
            };
            if let Some(w) = w {
                *slot = w;
            }
        }
        Value::Count(n) => policy.pipeline_minimum = n,
        Value::Channel(c) => policy.default_channel = c,
    }
}

/// Sets one override on `policy`; false when it does not read.
fn apply_one(policy: &mut Policy, key: &str, text: &str) -> bool {
    match param(key).map(|p| parsed(p, text)) {
        Some(Ok((_, scratch))) => {
            copy(policy, &scratch, key);
            true
        }
        _ => false,
    }
}

fn copy(to: &mut Policy, from: &Policy, key: &str) {
    match key {
        "grace" => to.grace = from.grace,
        "interview_wait" => to.interview_wait = from.interview_wait,
        "application_wait" => to.application_wait = from.application_wait,
        "thank_you_within" => to.thank_you_within = from.thank_you_within,
        "retry_wait" => to.retry_wait = from.retry_wait,
        "value_add_period" => to.value_add_period = from.value_add_period,
        "silence_limit" => to.silence_limit = from.silence_limit,
        "rejection_reply_within" => to.rejection_reply_within = from.rejection_reply_within,
        "outreach_wait" => to.outreach_wait = from.outreach_wait,
        "action_wait" => to.action_wait = from.action_wait,
        "casual_wait" => to.casual_wait = from.casual_wait,
        "cadence.critical" => to.cadence.critical = from.cadence.critical,
        "cadence.regular" => to.cadence.regular = from.cadence.regular,
        "cadence.casual" => to.cadence.casual = from.cadence.casual,
        "gap" => to.gap = from.gap,
        "pipeline_minimum" => to.pipeline_minimum = from.pipeline_minimum,
        "default_channel" => to.default_channel = from.default_channel,
        "calendar.weekend" => to.calendar.weekend = from.calendar.weekend.clone(),
        _ => {}
    }
}

/// The overrides kept in a setting's text; a value that no longer reads (a hand-edited
/// database) is left out, so the config's value applies.
pub fn read(stored: Option<&str>) -> BTreeMap<String, String> {
    let Some(text) = stored.filter(|t| !t.trim().is_empty()) else {
        return BTreeMap::new();
    };
    let map: BTreeMap<String, String> = serde_json::from_str(text).unwrap_or_default();
    map.into_iter()
        .filter(|(k, v)| param(k).is_some_and(|p| parse(p, v).is_ok()))
        .collect()
}

/// Checks overrides as an export carries them: a JSON object of known parameters, each value
/// one Settings would keep.
pub fn check_stored(text: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Ok(());
    }
    let map: BTreeMap<String, String> = serde_json::from_str(text)
        .map_err(|e| refused(format!("expected an object of parameter to value: {e}")))?;
    for (k, v) in &map {
        let p = param(k).ok_or_else(|| unknown(k))?;
        parse(p, v)?;
    }
    Ok(())
}

/// `base` (the config's policy) with the overrides kept in `stored` laid over it.
pub fn overlay(base: &Policy, stored: Option<&str>) -> Policy {
    let mut policy = base.clone();
    for (k, v) in read(stored) {
        apply_one(&mut policy, &k, &v);
    }
    // A combination that fails together (none can today) keeps the config's policy.
    if policy.check().is_err() {
        return base.clone();
    }
    policy
}

/// A change to the overrides as typed: each value given replaces that parameter's (empty: no
/// override), and each key in `reset` drops its override (`*` drops them all).
#[derive(Debug, Clone, Default)]
pub struct PolicyChange {
    pub values: BTreeMap<String, String>,
    pub reset: Vec<String>,
}

impl App {
    /// Every parameter as Settings shows it.
    pub fn policy_params(&self, cx: &Ctx) -> Result<Vec<ParamView>> {
        let stored = self.store.read(cx.owner)?.setting(KEY)?;
        Ok(views(&self.config.policy, stored.as_deref()))
    }

    /// What is wrong with each value of `change`, one refusal per field, checking nothing
    /// against the database: a form shows them all at once, beside their fields.
    pub fn policy_problems(&self, change: &PolicyChange) -> Vec<AppError> {
        let mut out = Vec::new();
        for (k, v) in &change.values {
            match param(k) {
                None => out.push(unknown(k)),
                Some(p) if !v.trim().is_empty() => {
                    if let Err(e) = parse(p, v) {
                        out.push(e);
                    }
                }
                Some(_) => {}
            }
        }
        for k in &change.reset {
            if k != "*" && param(k).is_none() {
                out.push(unknown(k));
            }
        }
        out
    }

    /// Keeps the change to the owner's policy and replans everything with it, in one
    /// transaction; returns the parameters now in force. The first refused value refuses the
    /// whole change: nothing is kept.
    pub fn set_policy(&self, cx: &Ctx, change: PolicyChange) -> Result<Vec<ParamView>> {
        if change.values.is_empty() && change.reset.is_empty() {
            return Err(AppError::NothingToChange { what: "policy" });
        }
        if let Some(e) = self.policy_problems(&change).into_iter().next() {
            return Err(e);
        }
        let base = &self.config.policy;
        self.change(cx, |w| {
            let mut kept = read(w.tx.setting(KEY)?.as_deref());
            for (k, v) in &change.values {
                let p = param(k).expect("checked");
                let v = v.trim();
                if v.is_empty() {
                    kept.remove(k);
                    continue;
                }
                let norm = parse(p, v)?;
                if norm == show(base, k) {
                    kept.remove(k);
                } else {
                    kept.insert(k.clone(), norm);
                }
            }
            for k in &change.reset {
                if k == "*" {
                    kept.clear();
                } else {
                    kept.remove(k);
                }
            }
            let text = if kept.is_empty() {
                String::new()
            } else {
                serde_json::to_string(&kept).expect("a map of strings")
            };
            let policy = overlay(base, Some(&text));
            policy.check().map_err(|e| refused(e.to_string()))?;
            w.tx.set_setting(KEY, &text)?;
            // The agenda follows the new policy at once.
            let mut with_days = policy;
            with_days.calendar.holidays.extend(w.tx.holidays()?);
            crate::replan::full_replan(w.tx.as_mut(), &with_days)?;
            Ok(())
        })?;
        self.policy_params(cx)
    }
}

fn unknown(k: &str) -> AppError {
    refused(format!(
        "{k:?} is not a policy parameter; expected one of {}",
        PARAMS.iter().map(|p| p.key).collect::<Vec<_>>().join(", ")
    ))
}

/// The parameters of `base` with `stored` laid over it.
pub fn views(base: &Policy, stored: Option<&str>) -> Vec<ParamView> {
    let kept = read(stored);
    let policy = overlay(base, stored);
    let rules = Policy::default();
    PARAMS
        .iter()
        .map(|p| ParamView {
            key: p.key,
            label: p.label,
            rule: p.rule,
            hint: p.hint,
            value: show(&policy, p.key),
            default: show(base, p.key),
            rules_default: show(&rules, p.key),
            overridden: kept.contains_key(p.key),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parameter_shows_and_reads_back() {
        let d = Policy::default();
        for p in PARAMS {
            let shown = show(&d, p.key);
            assert!(!shown.is_empty(), "{}", p.key);
            assert_eq!(parse(p, &shown).unwrap(), shown, "{}", p.key);
            let mut again = Policy::default();
            assert!(apply_one(&mut again, p.key, &shown));
            assert_eq!(again, d, "{}", p.key);
        }
    }

    #[test]
    fn overrides_lay_over_the_config() {
        let base = Policy::default();
        let p = overlay(
            &base,
            Some(
                r#"{"grace": "3bd", "cadence.casual": "6mo", "calendar.weekend": "friday, saturday", "pipeline_minimum": "3", "default_channel": "phone"}"#,
            ),
        );
        assert_eq!(p.grace, Wait::BusinessDays(3));
        assert_eq!(p.cadence.casual, Some(Wait::Months(6)));
        assert_eq!(show(&p, "calendar.weekend"), "friday, saturday");
        assert_eq!(p.pipeline_minimum, 3);
        assert_eq!(p.default_channel, Channel::Phone);
        assert_eq!(p.interview_wait, base.interview_wait);
        // A hand-broken value is left out.
        assert_eq!(overlay(&base, Some(r#"{"grace": "soon"}"#)), base);
    }

    #[test]
    fn bad_values_name_the_field_in_one_line() {
        for (key, text, want) in [
            ("grace", "soon", "expected a duration"),
            ("retry_wait", "0d", "longer than zero"),
            (
                "calendar.weekend",
                "monday tuesday wednesday thursday friday saturday sunday",
                "every day",
            ),
            ("calendar.weekend", "caturday", "weekday names"),
            ("pipeline_minimum", "-1", "whole number"),
            ("cadence.critical", "often", "or none"),
        ] {
            let e = parse(param(key).unwrap(), text).unwrap_err();
            let AppError::Invalid { field, problem } = &e else {
                panic!("{e}")
            };
            assert_eq!(*field, Field::Policy(param(key).unwrap().key));
            assert!(
                problem.contains(want) && !problem.contains('\n'),
                "{key}: {problem}"
            );
        }
    }
}
