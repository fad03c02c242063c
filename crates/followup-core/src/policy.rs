//! The policy: every parameter of RULES.md with its default, overridable in a config file.
//!
//! Field names are the ones docs/CONFIG.md documents; a field left out keeps its default, an
//! unknown field is refused (a typo must not silently keep a default).

use serde::{Deserialize, Serialize};

use crate::calendar::{BusinessCalendar, Wait};
use crate::model::{Channel, Tier};

/// The parameters of rules F1-F19.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// F3: after the date they named.
    pub grace: Wait,
    /// F4: after an interview with no timeline.
    pub interview_wait: Wait,
    /// F5: after an application whose posting states no response time.
    pub application_wait: Wait,
    /// F6: the thank-you note after an interview.
    pub thank_you_within: Wait,
    /// F7: after an unanswered follow-up.
    pub retry_wait: Wait,
    /// F8: between purposeful follow-ups while silent.
    pub value_add_period: Wait,
    /// F9: silence since the first follow-up before the move-on review.
    pub silence_limit: Wait,
    /// F10: the reply to a rejection.
    pub rejection_reply_within: Wait,
    /// F12: after an outreach with no reply.
    pub outreach_wait: Wait,
    /// F12: after a meeting where they promised to act.
    pub action_wait: Wait,
    /// F12: after a casual meeting.
    pub casual_wait: Wait,
    /// F13: keep-in-touch cadence by tier.
    pub cadence: Cadence,
    /// F15: the least gap between two outbound touches with nothing inbound between.
    pub gap: Wait,
    /// F18: fewer open opportunities than this and the agenda carries a pipeline item.
    pub pipeline_minimum: u32,
    /// F19: the channel when a contact states none.
    pub default_channel: Channel,
    /// F16: weekend and holidays.
    pub calendar: BusinessCalendar,
}

/// F13's cadences; `None` means occasions only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Cadence {
    pub critical: Option<Wait>,
    pub regular: Option<Wait>,
    pub casual: Option<Wait>,
}

impl Default for Cadence {
    fn default() -> Self {
        Cadence {
            critical: Some(Wait::Days(30)),
            regular: Some(Wait::Days(90)),
            casual: None,
        }
    }
}

impl Cadence {
    /// The cadence of a tier; a contact with no tier gets occasions only.
    pub fn of(&self, tier: Option<Tier>) -> Option<Wait> {
        match tier? {
            Tier::Critical => self.critical,
            Tier::Regular => self.regular,
            Tier::Casual => self.casual,
        }
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            grace: Wait::BusinessDays(2),
            interview_wait: Wait::Days(14),
            application_wait: Wait::Days(7),
            thank_you_within: Wait::Days(1),
            retry_wait: Wait::BusinessDays(4),
            value_add_period: Wait::Weeks(2),
            silence_limit: Wait::Weeks(4),
            rejection_reply_within: Wait::BusinessDays(2),
            outreach_wait: Wait::Weeks(1),
            action_wait: Wait::Weeks(1),
            casual_wait: Wait::Weeks(6),
            cadence: Cadence::default(),
            gap: Wait::BusinessDays(3),
            pipeline_minimum: 5,
            default_channel: Channel::Email,
            calendar: BusinessCalendar::default(),
        }
    }
}

/// Named starting points for a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    /// RULES.md's defaults.
    Default,
    /// Seed 002's "about a week" after an interview.
    Eager,
}

impl Preset {
    /// The policy this preset starts from.
    pub fn policy(self) -> Policy {
        match self {
            Preset::Default => Policy::default(),
            Preset::Eager => Policy {
                interview_wait: Wait::Days(7),
                ..Policy::default()
            },
        }
    }
}

/// A policy that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("policy: {0}")]
pub struct BadPolicy(pub String);

impl Policy {
    /// Refuses policies that would make the planner loop or propose nonsense.
    pub fn check(&self) -> Result<(), BadPolicy> {
        if self.calendar.weekend.len() >= 7 {
            return Err(BadPolicy(
                "calendar.weekend names every day: no business day is left".into(),
            ));
        }
        if let Some(d) = self
            .calendar
            .holidays
            .iter()
            .find(|d| !crate::dates::in_range(**d))
        {
            return Err(BadPolicy(format!(
                "calendar.holidays: {d} is outside {}-{}",
                crate::dates::FIRST_YEAR,
                crate::dates::LAST_YEAR
            )));
        }
        let zero = |w: Wait| match w {
            Wait::Days(n) | Wait::BusinessDays(n) | Wait::Weeks(n) | Wait::Months(n) => n == 0,
        };
        for (name, w) in [
            ("retry_wait", self.retry_wait),
            ("value_add_period", self.value_add_period),
        ] {
            if zero(w) {
                return Err(BadPolicy(format!("{name} must be longer than zero")));
            }
        }
        Ok(())
    }
}
