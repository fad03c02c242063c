//! C9: promises kept. Which of the dates people committed to still stand, and which were
//! kept, replaced or missed.
//!
//! - A *mine* promise is kept by the first outbound touch to that contact (or about that job)
//!   after the touch that made it, on or after the day it was made.
//! - A *theirs* promise is kept by the first inbound touch (or conversation: an interview, a
//!   meeting) from that contact or about that job after it.
//! - A promise is replaced when a newer promise of the same whose and kind is made in the same
//!   thread (the same job; outside any job, the same contact) before it was kept. The touch
//!   that keeps a promise may make the next one: the first is then kept, not replaced.
//! - A promise neither kept nor replaced whose date has passed is missed; one whose date has
//!   not come (or that has none) is pending.
//!
//! Pure: `today` is an argument, and the same touches give the same answer in any order.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::model::{Promise, Touch, TouchId, Whose, chronological};

/// Where a promise stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PromiseState {
    /// Not kept yet, and its date (if any) has not passed.
    Pending,
    /// A later touch kept it (`kept_by`).
    Kept,
    /// A newer promise of the same kind in the same thread took its place (`replaced_by`).
    Replaced,
    /// Its date passed and nothing kept it.
    Missed,
}

impl PromiseState {
    /// The word JSON and the pages use.
    pub fn as_str(self) -> &'static str {
        match self {
            PromiseState::Pending => "pending",
            PromiseState::Kept => "kept",
            PromiseState::Replaced => "replaced",
            PromiseState::Missed => "missed",
        }
    }
}

impl std::fmt::Display for PromiseState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A touch named by a promise's state: which, and on what day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TouchAt {
    pub touch: TouchId,
    pub date: Date,
}

/// One promise and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromiseStatus {
    /// The touch it was made at.
    pub touch: TouchId,
    pub made_on: Date,
    pub promise: Promise,
    pub state: PromiseState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept_by: Option<TouchAt>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<TouchAt>,
}

/// Every promise made at `touches`, in the order they were made, with its state on `today`.
///
/// Give every touch that may keep or replace them: for a contact, its touches and those of
/// its jobs; for a job, its touches and those of its contacts. Duplicates are ignored.
pub fn promise_states(touches: &[Touch], today: Date) -> Vec<PromiseStatus> {
    let mut ts: Vec<&Touch> = touches.iter().collect();
    ts.sort_by(|a, b| chronological(a, b));
    ts.dedup_by_key(|t| t.id);

    let mut out = Vec::new();
    for (i, made) in ts.iter().enumerate() {
        for p in &made.promises {
            let later = || ts.iter().skip(i + 1).copied();
            let keeper = later().position(|u| {
                related(made, u)
                    && match p.whose {
                        Whose::Mine => u.direction.reached_out(),
                        Whose::Theirs => u.direction.heard_from_them(),
                    }
            });
            let replacer = later()
                .take(keeper.unwrap_or(usize::MAX))
                .find(|u| {
                    same_thread(made, u)
                        && u.promises
                            .iter()
                            .any(|q| q.whose == p.whose && q.kind == p.kind)
                })
                .map(at);
            let kept_by = keeper.and_then(|k| later().nth(k)).map(at);
            let state = match (replacer, kept_by) {
                (Some(_), _) => PromiseState::Replaced,
                (None, Some(_)) => PromiseState::Kept,
                (None, None) if p.date.is_some_and(|d| d < today) => PromiseState::Missed,
                (None, None) => PromiseState::Pending,
            };
            out.push(PromiseStatus {
                touch: made.id,
                made_on: made.date,
                promise: p.clone(),
                state,
                kept_by: kept_by.filter(|_| replacer.is_none()),
                replaced_by: replacer,
            });
        }
    }
    out
}

fn at(t: &Touch) -> TouchAt {
    TouchAt {
        touch: t.id,
        date: t.date,
    }
}

/// A touch with the promise's contact, or about the promise's job.
fn related(made: &Touch, u: &Touch) -> bool {
    made.contacts.iter().any(|c| u.contacts.contains(c))
        || (made.job.is_some() && u.job == made.job)
}

/// The promise's thread: its job; outside any job, its contact's networking touches.
fn same_thread(made: &Touch, u: &Touch) -> bool {
    match made.job {
        Some(j) => u.job == Some(j),
        None => u.job.is_none() && made.contacts.iter().any(|c| u.contacts.contains(c)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ContactId, Direction, JobId, PromiseKind, TouchKind};
    use jiff::civil::date;

    fn touch(
        id: i64,
        kind: TouchKind,
        on: Date,
        job: Option<i64>,
        promises: Vec<Promise>,
    ) -> Touch {
        Touch {
            id: TouchId(id),
            kind,
            direction: kind.default_direction(),
            date: on,
            contacts: vec![ContactId(1)],
            job: job.map(JobId),
            note: None,
            answers: None,
            poor_fit: false,
            promises,
            message: None,
        }
    }

    fn mine(d: Date) -> Promise {
        Promise {
            whose: Whose::Mine,
            kind: PromiseKind::FollowUp,
            date: Some(d),
        }
    }

    fn theirs(d: Date) -> Promise {
        Promise {
            whose: Whose::Theirs,
            kind: PromiseKind::Decide,
            date: Some(d),
        }
    }

    #[test]
    fn clarification_c09_mine_is_kept_by_the_next_outbound_touch() {
        // Seed 000: "I will follow up on 31 March"; the follow-up went out on 31 March.
        let ts = vec![
            touch(1, TouchKind::Interview, date(2026, 3, 5), Some(1), vec![]),
            touch(
                2,
                TouchKind::ThankYou,
                date(2026, 3, 5),
                Some(1),
                vec![mine(date(2026, 3, 31))],
            ),
            touch(3, TouchKind::FollowUp, date(2026, 3, 31), Some(1), vec![]),
        ];
        let s = promise_states(&ts, date(2026, 4, 10));
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].state, PromiseState::Kept);
        assert_eq!(
            s[0].kept_by,
            Some(TouchAt {
                touch: TouchId(3),
                date: date(2026, 3, 31)
            })
        );
        // The thank-you that made the promise does not keep it; before 31 Mar it is pending.
        let s = promise_states(&ts[..2], date(2026, 3, 20));
        assert_eq!(s[0].state, PromiseState::Pending);
        assert_eq!(s[0].kept_by, None);
        // After 31 Mar with nothing sent, it is missed.
        let s = promise_states(&ts[..2], date(2026, 4, 1));
        assert_eq!(s[0].state, PromiseState::Missed);
    }

    #[test]
    fn clarification_c09_inbound_does_not_keep_mine_and_outbound_does_not_keep_theirs() {
        let ts = vec![
            touch(
                1,
                TouchKind::Interview,
                date(2026, 3, 5),
                Some(1),
                vec![theirs(date(2026, 3, 9)), mine(date(2026, 3, 20))],
            ),
            touch(2, TouchKind::ThankYou, date(2026, 3, 6), Some(1), vec![]),
            touch(3, TouchKind::Reply, date(2026, 3, 10), Some(1), vec![]),
        ];
        let s = promise_states(&ts, date(2026, 3, 12));
        // Theirs: the thank-you (outbound) does not keep it, the reply (inbound) does.
        assert_eq!(s[0].promise.whose, Whose::Theirs);
        assert_eq!(s[0].state, PromiseState::Kept);
        assert_eq!(s[0].kept_by.map(|k| k.touch), Some(TouchId(3)));
        // Mine: the thank-you on 6 Mar is the first outbound touch after it.
        assert_eq!(s[1].state, PromiseState::Kept);
        assert_eq!(s[1].kept_by.map(|k| k.touch), Some(TouchId(2)));
    }

    #[test]
    fn clarification_c09_a_newer_promise_replaces_one_not_yet_kept() {
        // Seed 004: they said Monday; then, before anything came, a new date in a note.
        let ts = vec![
            touch(
                1,
                TouchKind::Interview,
                date(2026, 3, 5),
                Some(1),
                vec![theirs(date(2026, 3, 9))],
            ),
            Touch {
                direction: Direction::Internal,
                ..touch(
                    2,
                    TouchKind::Note,
                    date(2026, 3, 6),
                    Some(1),
                    vec![theirs(date(2026, 3, 16))],
                )
            },
            touch(3, TouchKind::Reply, date(2026, 3, 16), Some(1), vec![]),
        ];
        let s = promise_states(&ts, date(2026, 3, 20));
        assert_eq!(s[0].state, PromiseState::Replaced);
        assert_eq!(s[0].replaced_by.map(|r| r.touch), Some(TouchId(2)));
        assert_eq!(s[0].kept_by, None);
        assert_eq!(s[1].state, PromiseState::Kept);
        // The touch that keeps a promise may make the next one: kept, not replaced.
        let ts = vec![
            touch(
                1,
                TouchKind::ThankYou,
                date(2026, 3, 5),
                Some(1),
                vec![mine(date(2026, 3, 19))],
            ),
            touch(
                2,
                TouchKind::FollowUp,
                date(2026, 3, 19),
                Some(1),
                vec![mine(date(2026, 4, 2))],
            ),
        ];
        let s = promise_states(&ts, date(2026, 3, 25));
        assert_eq!(s[0].state, PromiseState::Kept);
        assert_eq!(s[1].state, PromiseState::Pending);
        // Another job's promise replaces nothing.
        let ts = vec![
            touch(
                1,
                TouchKind::Interview,
                date(2026, 3, 5),
                Some(1),
                vec![theirs(date(2026, 3, 9))],
            ),
            Touch {
                direction: Direction::Internal,
                ..touch(
                    2,
                    TouchKind::Note,
                    date(2026, 3, 6),
                    Some(2),
                    vec![theirs(date(2026, 3, 16))],
                )
            },
        ];
        let s = promise_states(&ts, date(2026, 3, 7));
        assert_eq!(s[0].state, PromiseState::Pending);
    }

    #[test]
    fn clarification_c09_order_and_duplicates_do_not_matter() {
        let ts = vec![
            touch(3, TouchKind::FollowUp, date(2026, 3, 31), None, vec![]),
            touch(
                1,
                TouchKind::Meeting,
                date(2026, 3, 5),
                None,
                vec![mine(date(2026, 3, 31))],
            ),
            touch(3, TouchKind::FollowUp, date(2026, 3, 31), None, vec![]),
        ];
        let s = promise_states(&ts, date(2026, 4, 1));
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].state, PromiseState::Kept);
        // A promise without a date never misses.
        let ts = vec![touch(
            1,
            TouchKind::Meeting,
            date(2026, 3, 5),
            None,
            vec![Promise {
                whose: Whose::Theirs,
                kind: PromiseKind::Act,
                date: None,
            }],
        )];
        assert_eq!(
            promise_states(&ts, date(2027, 1, 1))[0].state,
            PromiseState::Pending
        );
    }
}
