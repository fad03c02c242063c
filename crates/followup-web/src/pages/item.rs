//! An agenda item as the pages show it: Today, a contact's and a job's next items.

use followup_core::agenda::AgendaItem;
use jiff::civil::Date;

use super::day;

/// An agenda item as a page shows it.
pub struct ItemView {
    pub id: i64,
    /// The due day in words ("Thu 26 Nov"); "today" and lateness are badges beside it.
    pub when: String,
    pub overdue_days: i64,
    pub is_today: bool,
    pub action: String,
    pub who: String,
    pub contact_id: i64,
    pub jobs: Vec<(i64, String)>,
    pub channel: String,
    pub why: String,
    /// The rules behind the why, each a link to its explanation.
    pub rules: Vec<String>,
    pub notes: Vec<String>,
    /// What an action on this item just did, shown in the item (htmx's answer).
    pub feedback: Option<String>,
    /// The Undo of what the feedback reports: (token, page to return to).
    pub undo: Option<(String, String)>,
    /// Why Done was refused, shown in the item.
    pub problem: Option<String>,
    /// The snooze field as typed, kept when its date was refused, and why.
    pub snooze: String,
    pub snooze_error: Option<String>,
}

impl ItemView {
    pub fn new(a: &AgendaItem, today: Date) -> ItemView {
        let p = followup_core::present::item(a, today);
        ItemView {
            id: a.id,
            when: day(a.due, today),
            overdue_days: a.overdue_days,
            is_today: a.due == today && a.overdue_days == 0,
            action: p.label.to_string(),
            who: p.who.clone(),
            contact_id: a.contact.as_ref().map(|c| c.id.0).unwrap_or(0),
            jobs: a
                .jobs
                .iter()
                .map(|j| j.id.0)
                .zip(p.jobs.iter().cloned())
                .collect(),
            channel: a.channel.to_string(),
            why: p.why.clone(),
            rules: a
                .reason
                .as_ref()
                .map(|r| r.rules().iter().map(|r| r.to_string()).collect())
                .unwrap_or_default(),
            notes: p.notes,
            feedback: None,
            undo: None,
            problem: None,
            snooze: String::new(),
            snooze_error: None,
        }
    }

    /// True when the day it was due has passed (F4's "call now" keeps its natural day).
    pub fn is_overdue(&self) -> bool {
        self.overdue_days > 0
    }

    /// "1 day overdue", "5 days overdue".
    pub fn overdue_label(&self) -> String {
        match self.overdue_days {
            1 => "1 day overdue".to_string(),
            n => format!("{n} days overdue"),
        }
    }
}
