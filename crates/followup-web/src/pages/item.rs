//! An agenda item as the pages show it: Today, a contact's and a job's next items.

use followup_core::agenda::AgendaItem;
use jiff::civil::Date;

use super::day;

/// An agenda item as a page shows it.
pub struct ItemView {
    pub id: i64,
    pub when: String,
    pub overdue_days: i64,
    pub action: String,
    pub who: String,
    pub contact_id: i64,
    pub jobs: Vec<(i64, String)>,
    pub channel: String,
    pub why: String,
    /// The rules behind the why, each a link to its explanation.
    pub rules: Vec<String>,
    pub notes: Vec<String>,
}

impl ItemView {
    pub fn new(a: &AgendaItem, today: Date) -> ItemView {
        let when = if a.overdue_days > 0 {
            format!("{} ({} d overdue)", day(a.due, today), a.overdue_days)
        } else if a.due == today {
            format!("{} (today)", day(a.due, today))
        } else {
            day(a.due, today)
        };
        let p = followup_core::present::item(a, today);
        ItemView {
            id: a.id,
            when,
            overdue_days: a.overdue_days,
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
        }
    }
}
