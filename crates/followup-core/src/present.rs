//! How an agenda item and a promise read, in one place, for every front end: the command
//! line's agenda, the web's Today page and the calendar feed say the same words for the same
//! item (a test holds them to it on the demo). Plain words first, the rules as a reference.
//!
//! Pure text; the front ends only lay it out (columns, HTML, iCalendar lines).

use jiff::civil::Date;

use crate::agenda::AgendaItem;
use crate::model::{Promise, PromiseKind, Whose};
use crate::plan::{Action, Slot, day_label};
use crate::why::{action_label, occasion_title};

/// An agenda item in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    /// What to do: "thank-you note", "keep in touch", "add opportunities".
    pub label: &'static str,
    /// Whom it is for: a name, "Northwind hiring team", "Dana Reyes's birthday", or "you".
    pub who: String,
    /// The opportunities it covers: "Northwind: Senior Data Engineer".
    pub jobs: Vec<String>,
    /// One line for a calendar or a notification: "Thank-you note: Dana Reyes (Northwind:
    /// Senior Data Engineer)", "Dana Reyes's birthday".
    pub title: String,
    /// Why, in plain words, without rule ids.
    pub why: String,
    /// The rules behind it: "F2, from F4".
    pub rules: String,
    /// What else to know: the date a thank-you names, questions unasked at the interview.
    pub notes: Vec<String>,
}

impl Presented {
    /// The why with its rules after it: what the command line prints.
    pub fn why_line(&self) -> String {
        if self.rules.is_empty() {
            self.why.clone()
        } else {
            format!("{} ({})", self.why, self.rules)
        }
    }

    /// Who and the jobs in one phrase: "Dana Reyes (Northwind: Senior Data Engineer)".
    pub fn who_and_jobs(&self) -> String {
        if self.jobs.is_empty() {
            self.who.clone()
        } else {
            format!("{} ({})", self.who, self.jobs.join("; "))
        }
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// An agenda item in words, as of `today`.
pub fn item(a: &AgendaItem, today: Date) -> Presented {
    let label = action_label(a.action);
    let slot = a.key.map(|k| k.slot).unwrap_or(Slot::FollowUp);
    let who = match (&a.contact, a.action) {
        (Some(c), Action::Occasion) => occasion_title(&c.name, slot),
        (Some(c), _) => c.name.clone(),
        (None, _) => match a.jobs.first() {
            Some(j) => format!("{} hiring team", j.organization),
            None => "you".to_string(),
        },
    };
    let jobs: Vec<String> = a
        .jobs
        .iter()
        .map(|j| format!("{}: {}", j.organization, j.title))
        .collect();
    let (why, rules) = match &a.reason {
        Some(r) => (r.text(), r.reference()),
        // A plan row from before reasons were kept: its words as they were.
        None => (a.why.clone(), String::new()),
    };
    let mut notes = Vec::new();
    if let Some(t) = &a.then {
        notes.push(then_note(t.action, t.due, t.rule, today));
    }
    if a.thanks_too {
        notes.push("Thank them for the interview in this message too (C4).".to_string());
    }
    if let Some(n) = unasked_note(&a.unasked) {
        notes.push(n);
    }
    let mut p = Presented {
        label,
        who,
        jobs,
        title: String::new(),
        why,
        rules,
        notes,
    };
    p.title = match a.action {
        Action::Occasion => p.who.clone(),
        Action::Pipeline => capitalized(label),
        _ => format!("{}: {}", capitalized(label), p.who_and_jobs()),
    };
    p
}

/// F6's note on a thank-you: the follow-up after it, whose date the note should name. It
/// depends on today (the year is shown when it is not today's), so the agenda's kept lines
/// ([`crate::line`]) keep its parts and write it here.
pub fn then_note(action: Action, due: Date, rule: crate::plan::Rule, today: Date) -> String {
    format!(
        "Then {} on {}: name that date in the note ({}; F6, C3).",
        action_label(action),
        day_label(due, today),
        rule
    )
}

/// F17's note: the interview questions that went unasked, if any.
pub fn unasked_note(unasked: &[crate::model::Question]) -> Option<String> {
    if unasked.is_empty() {
        return None;
    }
    let q: Vec<&str> = unasked.iter().map(|q| q.as_str()).collect();
    Some(format!("Unasked at the interview: {} (F17).", q.join(", ")))
}

/// A promise in words, the same on every page: "you will follow up on Tue 31 Mar",
/// "they will decide by Mon 9 Mar", "you will answer the offer by Fri 20 Mar".
pub fn promise(p: &Promise, today: Date) -> String {
    let what = match (p.whose, p.kind) {
        (Whose::Mine, PromiseKind::FollowUp) => "you will follow up",
        (Whose::Mine, PromiseKind::Decide) => "you will answer the offer",
        (Whose::Mine, PromiseKind::Act) => "you will act",
        (Whose::Theirs, PromiseKind::Decide) => "they will decide or get back to you",
        (Whose::Theirs, PromiseKind::Act) => "they will act (an introduction, a referral)",
        (Whose::Theirs, PromiseKind::FollowUp) => "they will follow up",
    };
    let word = match (p.whose, p.kind) {
        (Whose::Mine, PromiseKind::FollowUp) => "on",
        _ => "by",
    };
    match p.date {
        Some(d) => format!("{what} {word} {}", day_label(d, today)),
        None => what.to_string(),
    }
}

/// Where a promise stands, in words (C9), the same on every page: "kept on Fri 6 Nov (touch
/// #12, 2 d late)", "replaced on Mon 9 Mar by a newer promise (touch #14)", "missed: the day
/// passed with nothing", "pending".
pub fn promise_state(
    p: &Promise,
    state: crate::promises::PromiseState,
    kept_by: Option<crate::promises::TouchAt>,
    replaced_by: Option<crate::promises::TouchAt>,
    today: Date,
) -> String {
    use crate::promises::PromiseState;
    match (state, kept_by, replaced_by) {
        (PromiseState::Kept, Some(k), _) => {
            let late = p
                .date
                .filter(|d| k.date > *d)
                .map(|d| format!(", {} d late", (k.date - d).get_days()))
                .unwrap_or_default();
            format!(
                "kept on {} (touch #{}{late})",
                day_label(k.date, today),
                k.touch
            )
        }
        (PromiseState::Replaced, _, Some(r)) => format!(
            "replaced on {} by a newer promise (touch #{})",
            day_label(r.date, today),
            r.touch
        ),
        (PromiseState::Missed, _, _) => "missed: the day passed with nothing".to_string(),
        (state, _, _) => state.to_string(),
    }
}
