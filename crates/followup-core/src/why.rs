//! Why a follow-up is due when it is, as data (C1): the rule that set the date, the inputs it
//! used, the rule a date the person took over came from, and what moved it since. And the one
//! place that turns it into words, for the command line, the web and the calendar alike:
//! plain words first ("two weeks after your interview on 1 Jun"), the rule ids after it as a
//! reference ("F2, from F4").
//!
//! Pure, like the rest of core: the same item always reads the same.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::calendar::Wait;
use crate::model::{Tier, TouchKind};
use crate::plan::{Action, Rule, Slot, short};

/// What a date was computed from: one variant per way the rules set a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "basis", rename_all = "kebab-case")]
pub enum Basis {
    /// F1: an opportunity with nothing logged since it was added.
    Added { on: Date },
    /// F2: the person said they would follow up on `date`, at a touch of `at` on `made_on`.
    MyPromise {
        date: Date,
        made_on: Date,
        at: TouchKind,
    },
    /// F3: they said they would decide (or get back) by `by`; plus the grace.
    TheySaid { by: Date, grace: Wait },
    /// F4: an interview (or meeting) with no timeline known; plus the default wait.
    DefaultWait {
        after: TouchKind,
        on: Date,
        wait: Wait,
    },
    /// F5: an application; the posting's response time, else the default wait.
    Applied {
        on: Date,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        response_time: Option<Wait>,
        wait: Wait,
    },
    /// F6: a thank-you note after an interview.
    ThankYou { interview: Date, within: Wait },
    /// F7: an outbound follow-up with no reply.
    Retry {
        sent: TouchKind,
        on: Date,
        wait: Wait,
    },
    /// F8: still silent after the retry: every period, with something of value.
    StillSilent { since: Date, every: Wait },
    /// F8: they wrote without naming a date.
    HeardNoDate {
        kind: TouchKind,
        on: Date,
        every: Wait,
    },
    /// F9: silent for the limit since the first follow-up.
    MoveOn { first: Date, limit: Wait },
    /// F10: a rejection wants a graceful reply.
    Rejected { on: Date, within: Wait },
    /// F12 and C5: they promised to act (an introduction, a referral), by a date or not.
    PromisedToAct {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<Date>,
        kind: TouchKind,
        on: Date,
        wait: Wait,
    },
    /// F12: an outreach with no reply.
    Outreach { on: Date, wait: Wait },
    /// F12: a casual meeting.
    Casual {
        kind: TouchKind,
        on: Date,
        wait: Wait,
    },
    /// F13: keep in touch by tier, since the last touch (or since added or imported).
    KeepInTouch {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tier: Option<Tier>,
        since: Since,
        every: Wait,
    },
    /// F14: a birthday or an anniversary.
    Occasion { slot: Slot, on: Date },
    /// F18: too few open opportunities.
    Pipeline { open: u32, minimum: u32 },
    /// C6: an offer waits for the person's answer.
    Offer {
        on: Date,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        answer_by: Option<Date>,
        lead: Wait,
    },
}

/// What a keep-in-touch counts from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "kebab-case")]
pub enum Since {
    Touch { kind: TouchKind, on: Date },
    Imported { on: Date },
    Added { on: Date },
}

/// What moved or changed an item after its rule set the date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "kebab-case")]
pub enum Change {
    /// F5: nothing about the application before the posting's response time.
    NotBefore { floor: Date, response_time: Wait },
    /// F15: not closer than the gap to the last outbound touch.
    Gap {
        to: Date,
        gap: Wait,
        after: TouchKind,
        on: Date,
    },
    /// The person snoozed it.
    Snoozed { until: Date },
    /// F9, as of today: silent past the limit.
    SilentPast { limit: Date },
    /// F4 and C2: a default wait's date has passed: call now.
    CallNow { since: Date },
    /// C4: the thank-you was never sent; this follow-up thanks them too.
    ThanksFolded { interview: Date },
    /// C7: a keep-in-touch this close to an occasion is done by the greeting.
    KeepInTouchMerged,
}

/// Why an item is due when it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Why {
    /// The rule that set the date.
    pub rule: Rule,
    pub basis: Basis,
    /// C1: the rule and inputs a date the person took over came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Box<Why>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Change>,
}

impl Why {
    /// A why with no origin and no changes.
    pub fn new(rule: Rule, basis: Basis) -> Why {
        Why {
            rule,
            basis,
            origin: None,
            changes: Vec::new(),
        }
    }

    /// The why with a change appended.
    pub fn with(mut self, change: Change) -> Why {
        self.changes.push(change);
        self
    }

    /// Plain words, no rule ids: "two weeks after your interview on 1 Jun, no timeline known".
    pub fn text(&self) -> String {
        let mut out = basis_text(&self.basis);
        if let Some(o) = &self.origin {
            out.push_str(": ");
            out.push_str(&basis_text(&o.basis));
        }
        for c in &self.changes {
            out.push_str("; ");
            out.push_str(&change_text(c));
        }
        out
    }

    /// The rules, in order: the one that set the date, the one it came from, then those that
    /// moved it.
    pub fn rules(&self) -> Vec<Rule> {
        let mut out = vec![self.rule];
        if let Some(o) = &self.origin {
            out.push(o.rule);
        }
        for c in &self.changes {
            if let Some(r) = change_rule(c)
                && !out.contains(&r)
            {
                out.push(r);
            }
        }
        out
    }

    /// The rule reference: "F2, from F4; F15".
    pub fn reference(&self) -> String {
        let mut out = self.rule.to_string();
        if let Some(o) = &self.origin {
            out.push_str(&format!(", from {}", o.rule));
        }
        let moved: Vec<String> = self
            .rules()
            .into_iter()
            .skip(1 + usize::from(self.origin.is_some()))
            .map(|r| r.to_string())
            .collect();
        if !moved.is_empty() {
            out.push_str("; ");
            out.push_str(&moved.join(", "));
        }
        out
    }

    /// The words and the reference: "... on 1 Jun, no timeline known (F4)".
    pub fn line(&self) -> String {
        format!("{} ({})", self.text(), self.reference())
    }
}

/// A wait in words: "14 days", "2 business days", "1 week", "3 months".
pub fn wait_words(w: Wait) -> String {
    let (n, unit) = match w {
        Wait::Days(n) => (n, "day"),
        Wait::BusinessDays(n) => (n, "business day"),
        Wait::Weeks(n) => (n, "week"),
        Wait::Months(n) => (n, "month"),
    };
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// A touch kind in a sentence: "your interview", "your follow-up".
fn kind_words(k: TouchKind) -> &'static str {
    match k {
        TouchKind::Application => "application",
        TouchKind::Interview => "interview",
        TouchKind::ThankYou => "thank-you",
        TouchKind::FollowUp => "follow-up",
        TouchKind::ValueAdd => "value-add note",
        TouchKind::Outreach => "outreach",
        TouchKind::Meeting => "meeting",
        TouchKind::Reply => "reply",
        TouchKind::Rejection => "rejection",
        TouchKind::Offer => "offer",
        TouchKind::Withdrawal => "withdrawal",
        TouchKind::Note => "note",
        TouchKind::Greeting => "greeting",
    }
}

/// What an occasion is called: "birthday", "work anniversary".
pub fn occasion_words(slot: Slot) -> &'static str {
    match slot {
        Slot::Birthday => "birthday",
        Slot::WorkAnniversary => "work anniversary",
        Slot::PersonalAnniversary => "anniversary",
        Slot::FollowUp => "follow-up",
    }
}

fn basis_text(b: &Basis) -> String {
    match b {
        Basis::Added { on } => format!(
            "added on {} with nothing logged since: decide the next step",
            short(*on)
        ),
        Basis::MyPromise { date, made_on, at } => format!(
            "you said in your {} of {} that you would follow up on {}",
            kind_words(*at),
            short(*made_on),
            short(*date)
        ),
        Basis::TheySaid { by, grace } => format!(
            "they said they would decide by {}; {} of grace after that",
            short(*by),
            wait_words(*grace)
        ),
        Basis::DefaultWait { after, on, wait } => format!(
            "{} after your {} on {}, no timeline known",
            wait_words(*wait),
            kind_words(*after),
            short(*on)
        ),
        Basis::Applied {
            on,
            response_time: Some(rt),
            ..
        } => format!(
            "you applied on {}; the posting says they respond within {}",
            short(*on),
            wait_words(*rt)
        ),
        Basis::Applied {
            on,
            response_time: None,
            wait,
        } => format!(
            "{} after you applied on {}; the posting states no response time",
            wait_words(*wait),
            short(*on)
        ),
        Basis::ThankYou { interview, within } => format!(
            "your interview on {}: a thank-you note within {}",
            short(*interview),
            wait_words(*within)
        ),
        Basis::Retry { sent, on, wait } => format!(
            "no reply to your {} of {}: try again after {}",
            kind_words(*sent),
            short(*on),
            wait_words(*wait)
        ),
        Basis::StillSilent { since, every } => format!(
            "still silent since {}: every {}, bring something of value",
            short(*since),
            wait_words(*every)
        ),
        Basis::HeardNoDate { kind, on, every } => format!(
            "their {} on {} named no date: follow up every {}",
            kind_words(*kind),
            short(*on),
            wait_words(*every)
        ),
        Basis::MoveOn { first, limit } => format!(
            "nothing heard in {} since your first follow-up on {}: close it as no-response, or keep it by choice",
            wait_words(*limit),
            short(*first)
        ),
        Basis::Rejected { on, within } => format!(
            "rejected on {}: reply within {}, thank them, wish them well, ask for feedback",
            short(*on),
            wait_words(*within)
        ),
        Basis::PromisedToAct {
            by: Some(by), wait, ..
        } => format!(
            "they promised to act by {}; {} of grace after that",
            short(*by),
            wait_words(*wait)
        ),
        Basis::PromisedToAct {
            by: None,
            kind,
            on,
            wait,
        } => format!(
            "{} after your {} on {}, where they promised to act",
            wait_words(*wait),
            kind_words(*kind),
            short(*on)
        ),
        Basis::Outreach { on, wait } => format!(
            "no reply to your outreach on {}: {} later",
            short(*on),
            wait_words(*wait)
        ),
        Basis::Casual { kind, on, wait } => format!(
            "{} after your casual {} on {}",
            wait_words(*wait),
            kind_words(*kind),
            short(*on)
        ),
        Basis::KeepInTouch { tier, since, every } => {
            let who = match tier {
                Some(t) => format!("a {t} contact"),
                None => "this contact".to_string(),
            };
            let from = match since {
                Since::Touch { kind, on } => {
                    format!("last touch: {} on {}", kind_words(*kind), short(*on))
                }
                Since::Imported { on } => format!("imported, spread from {}", short(*on)),
                Since::Added { on } => format!("added on {}", short(*on)),
            };
            format!(
                "keep in touch with {who} every {}; {from}",
                wait_words(*every)
            )
        }
        Basis::Occasion { slot, on } => format!("{} on {}", occasion_words(*slot), short(*on)),
        Basis::Pipeline { open, minimum } => format!(
            "{open} open opportunit{}, fewer than {minimum}: waiting on one employer is the time to find others",
            if *open == 1 { "y" } else { "ies" }
        ),
        Basis::Offer {
            answer_by: Some(by),
            lead,
            ..
        } => format!(
            "your answer to the offer is due {}: decide {} before",
            short(*by),
            wait_words(*lead)
        ),
        Basis::Offer {
            on,
            answer_by: None,
            lead,
        } => format!(
            "an offer on {} with no date for your answer: decide within {}, or ask by when they need it",
            short(*on),
            wait_words(*lead)
        ),
    }
}

/// A change in words: "moved to 9 Mar, 3 business days after your follow-up on 4 Mar".
pub fn change_text(c: &Change) -> String {
    match c {
        Change::NotBefore {
            floor,
            response_time,
        } => format!(
            "not before {}: the posting says {}",
            short(*floor),
            wait_words(*response_time)
        ),
        Change::Gap { to, gap, after, on } => format!(
            "moved to {}, {} after your {} on {}",
            short(*to),
            wait_words(*gap),
            kind_words(*after),
            short(*on)
        ),
        Change::Snoozed { until } => format!("snoozed until {}", short(*until)),
        Change::SilentPast { limit } => format!(
            "silent past {}: close it as no-response, or keep it by choice",
            short(*limit)
        ),
        Change::CallNow { since } => format!("overdue since {}: call now", short(*since)),
        Change::ThanksFolded { interview } => format!(
            "the thank-you for your interview on {} was never sent: thank them in this message too",
            short(*interview)
        ),
        Change::KeepInTouchMerged => "it keeps you in touch, too".to_string(),
    }
}

fn change_rule(c: &Change) -> Option<Rule> {
    match c {
        Change::NotBefore { .. } => Some(Rule(5)),
        Change::Gap { .. } => Some(Rule(15)),
        Change::Snoozed { .. } => None,
        Change::SilentPast { .. } => Some(Rule(9)),
        Change::CallNow { .. } => Some(Rule(4)),
        Change::ThanksFolded { .. } => Some(Rule::clarification(4)),
        Change::KeepInTouchMerged => Some(Rule::clarification(7)),
    }
}

/// What an action asks, as a label: the agenda's ACTION column, the web's tag, the calendar.
pub fn action_label(a: Action) -> &'static str {
    match a {
        Action::ThankYou => "thank-you note",
        Action::RejectionReply => "reply to the rejection",
        Action::FollowUp => "follow up",
        Action::Retry => "try again",
        Action::ValueAdd => "bring something of value",
        Action::MoveOnReview => "move on?",
        Action::KeepInTouch => "keep in touch",
        Action::Occasion => "occasion",
        Action::Pipeline => "add opportunities",
        Action::Decide => "decide on the offer",
    }
}

/// An occasion by name: "Dana Reyes's birthday" (always 's: it reads right aloud).
pub fn occasion_title(name: &str, slot: Slot) -> String {
    format!("{name}'s {}", occasion_words(slot))
}

/// One line on what a rule says, for `--explain` and the web's rule pages.
pub fn rule_text(r: Rule) -> &'static str {
    match (r.is_clarification(), r.0 % 100) {
        (false, 1) => "Every significant touch gets a next date.",
        (false, 2) => "Your stated date wins.",
        (false, 3) => "Their timeline plus grace.",
        (false, 4) => "Default wait after an interview; once it has passed, call now.",
        (false, 5) => "Respect the posting's response time.",
        (false, 6) => "A thank-you note within a day of every interview.",
        (false, 7) => "Retry after silence.",
        (false, 8) => "Periodic and purposeful: every period, something of value.",
        (false, 9) => "Know when to move on.",
        (false, 10) => "Accept rejection gracefully.",
        (false, 11) => "No follow-up where none is needed.",
        (false, 12) => "Networking touches: outreach, promises to act, casual meetings.",
        (false, 13) => "Keep in touch by tier.",
        (false, 14) => "Birthdays and anniversaries.",
        (false, 15) => "Don't pester: one pending follow-up, a gap between touches.",
        (false, 16) => "Business days skip weekends and holidays.",
        (false, 17) => "Ask before you leave the interview.",
        (false, 18) => "Keep the pipeline full.",
        (false, 19) => "The right channel.",
        (true, 1) => "A date you took over from the engine still says where it came from.",
        (true, 2) => "A default wait's date, once passed, means a phone call.",
        (true, 3) => "The date a thank-you names is the date recorded.",
        (true, 4) => "An unsent thank-you is folded into the follow-up.",
        (true, 5) => "They promised to act by a date: that date plus grace.",
        (true, 6) => "An offer: decide before your answer is due; no status follow-ups.",
        (true, 7) => "A greeting asks no reply and keeps you in touch.",
        (true, 8) => "Moving on needs a follow-up, not a thank-you.",
        (true, 9) => "Promises kept are shown as kept.",
        (true, 10) => "A draft says only what happened.",
        (true, 11) => "Your stated date is not moved off a weekend.",
        (true, 12) => "Warnings come before the act.",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn plain_words_first_rules_after() {
        let w = Why::new(
            Rule(4),
            Basis::DefaultWait {
                after: TouchKind::Interview,
                on: d("2026-06-01"),
                wait: Wait::Days(14),
            },
        );
        assert_eq!(
            w.line(),
            "14 days after your interview on 1 Jun, no timeline known (F4)"
        );
        let promised = Why {
            origin: Some(Box::new(w)),
            ..Why::new(
                Rule(2),
                Basis::MyPromise {
                    date: d("2026-06-15"),
                    made_on: d("2026-06-02"),
                    at: TouchKind::ThankYou,
                },
            )
        }
        .with(Change::CallNow {
            since: d("2026-06-15"),
        });
        assert_eq!(
            promised.line(),
            "you said in your thank-you of 2 Jun that you would follow up on 15 Jun: 14 days after your interview on 1 Jun, no timeline known; overdue since 15 Jun: call now (F2, from F4)"
        );
        assert_eq!(promised.rules(), vec![Rule(2), Rule(4)]);
    }

    #[test]
    fn occasions_are_named() {
        assert_eq!(
            occasion_title("Dana Reyes", Slot::Birthday),
            "Dana Reyes's birthday"
        );
        assert_eq!(
            occasion_title("Chris Jones", Slot::WorkAnniversary),
            "Chris Jones's work anniversary"
        );
    }

    #[test]
    fn every_rule_has_words() {
        for n in 1..=19 {
            assert!(!rule_text(Rule(n)).is_empty(), "F{n}");
        }
        for n in 1..=12 {
            assert!(!rule_text(Rule::clarification(n)).is_empty(), "C{n}");
        }
    }
}
