//! What the contact and job pages share: the timeline of touches and the promises (C9).

use std::collections::BTreeMap;

use followup_app::PromiseView;
use followup_app::actors::TouchActors;
use followup_core::model::Touch;
use jiff::civil::Date;

use super::day;

pub(super) struct TouchRow {
    /// The touch's id, for its Correct link.
    pub id: i64,
    pub date: String,
    pub kind: String,
    pub direction: String,
    pub about: String,
    pub note: String,
    /// "logged by Sam Lee (coach)" when someone other than the owner did; else empty.
    pub by: String,
}

pub(super) fn touch_rows(
    ts: &[Touch],
    actors: &BTreeMap<i64, TouchActors>,
    about: impl Fn(&Touch) -> String,
    today: Date,
) -> Vec<TouchRow> {
    ts.iter()
        .map(|t| TouchRow {
            id: t.id.0,
            date: day(t.date, today),
            kind: t.kind.to_string(),
            direction: t.direction.to_string(),
            about: about(t),
            note: t.note.clone().unwrap_or_default(),
            by: actors
                .get(&t.id.0)
                .map(TouchActors::sentence)
                .unwrap_or_default(),
        })
        .collect()
}

/// A promise as the contact and job pages list it: its state (C9), and the sentence.
pub struct PromiseLine {
    pub state: String,
    pub text: String,
}

pub(super) fn promise_lines(ps: &[PromiseView], today: Date) -> Vec<PromiseLine> {
    use followup_core::promises::PromiseState;
    ps.iter()
        .map(|p| {
            let what = followup_core::present::promise(&p.promise, today);
            let how = match p.state {
                PromiseState::Pending => String::new(),
                _ => format!(
                    "; {}",
                    followup_core::present::promise_state(
                        &p.promise,
                        p.state,
                        p.kept_by,
                        p.replaced_by,
                        today
                    )
                ),
            };
            PromiseLine {
                state: p.state.to_string(),
                text: format!("{what} (said {}){how}", day(p.made_on, today)),
            }
        })
        .collect()
}
