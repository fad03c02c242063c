//! The banner after a form's redirect. The URL carries a key and record ids, never text: a
//! link from anywhere else could otherwise make the page say whatever it liked. The sentence
//! is the server's, written from the records the ids name; an unknown key shows nothing.

use followup_app::{App, Ctx, Undo};
use followup_core::agenda::AgendaItem;
use followup_core::model::{Job, TouchKind};
use jiff::civil::Date;
use serde::Deserialize;

use crate::pages::day;

/// What a redirect may ask the page to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// A touch was logged for an agenda item; `next` is the item now planned, if any.
    Done {
        kind: Option<TouchKind>,
        next: Option<i64>,
    },
    /// Done closed a job.
    Closed {
        job: i64,
    },
    /// A job moved to another stage on the pipeline (or closed there).
    Moved {
        job: i64,
    },
    /// An item moved to a later day.
    Snoozed {
        item: i64,
    },
    /// A contact's form was saved, or held nothing new.
    Saved,
    Unchanged,
    /// A contact was added from the form.
    Added,
    /// A contact or a job was deleted, a touch retracted, corrected, two contacts merged.
    Deleted,
    Retracted,
    Corrected,
    Merged,
    /// An undo was carried out.
    Undone,
}

/// A notice with its Undo, as a page shows it.
pub struct Banner {
    pub text: String,
    /// The undo token, for the Undo button's form.
    pub undo: Option<String>,
    /// Where the Undo button's form returns to.
    pub back: String,
}

impl Banner {
    /// The banner a page's query asks for, with the Undo it carries (checked: only a token
    /// this program writes shows a button).
    pub fn of(q: &NoticeQuery, app: &App, cx: &Ctx, back: &str) -> Option<Banner> {
        let n = Notice::from_query(q)?;
        Some(Banner {
            text: n.sentence(app, cx),
            undo: q
                .undo
                .as_deref()
                .and_then(|u| u.parse::<Undo>().ok())
                .map(|u| u.to_string()),
            back: back.to_string(),
        })
    }
}

/// The query string for a notice with an Undo.
pub fn with_undo(n: &Notice, undo: &Undo) -> String {
    format!(
        "{}&undo={}",
        n.query(),
        crate::encode_query(&undo.to_string())
    )
}

/// The query string of a page that shows notices.
#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    notice: Option<String>,
    kind: Option<String>,
    item: Option<i64>,
    job: Option<i64>,
    /// An undo token (`restore-contact:5`) for the notice's Undo button.
    undo: Option<String>,
    pub page: Option<usize>,
}

impl NoticeQuery {
    /// The undo the query carries, as its page's Undo button posts it back (`back`); only
    /// a token this program writes is taken.
    pub fn undo(&self, back: &str) -> Option<(String, String)> {
        let u = self.undo.as_deref()?.parse::<Undo>().ok()?;
        Some((u.to_string(), back.to_string()))
    }
}

impl Notice {
    /// The query string that asks for this notice.
    pub fn query(&self) -> String {
        match self {
            Notice::Done { kind, next } => {
                let mut q = "notice=done".to_string();
                if let Some(k) = kind {
                    q.push_str(&format!("&kind={k}"));
                }
                if let Some(n) = next {
                    q.push_str(&format!("&item={n}"));
                }
                q
            }
            Notice::Closed { job } => format!("notice=closed&job={job}"),
            Notice::Moved { job } => format!("notice=moved&job={job}"),
            Notice::Snoozed { item } => format!("notice=snoozed&item={item}"),
            Notice::Saved => "notice=saved".into(),
            Notice::Unchanged => "notice=unchanged".into(),
            Notice::Added => "notice=added".into(),
            Notice::Deleted => "notice=deleted".into(),
            Notice::Retracted => "notice=retracted".into(),
            Notice::Corrected => "notice=corrected".into(),
            Notice::Merged => "notice=merged".into(),
            Notice::Undone => "notice=undone".into(),
        }
    }

    /// The notice a query asks for; `None` for no key or one the server never writes.
    pub fn from_query(q: &NoticeQuery) -> Option<Notice> {
        Some(match q.notice.as_deref()? {
            "done" => Notice::Done {
                kind: q.kind.as_deref().and_then(|k| k.parse().ok()),
                next: q.item,
            },
            "closed" => Notice::Closed { job: q.job? },
            "moved" => Notice::Moved { job: q.job? },
            "snoozed" => Notice::Snoozed { item: q.item? },
            "saved" => Notice::Saved,
            "unchanged" => Notice::Unchanged,
            "added" => Notice::Added,
            "deleted" => Notice::Deleted,
            "retracted" => Notice::Retracted,
            "corrected" => Notice::Corrected,
            "merged" => Notice::Merged,
            "undone" => Notice::Undone,
            _ => return None,
        })
    }

    /// The sentence, from the records as they are now; reads only.
    pub fn sentence(&self, app: &App, cx: &Ctx) -> String {
        match self {
            Notice::Done { kind, next } => {
                let next = next.and_then(|id| find_item(app, cx, id));
                done(*kind, next.as_ref(), cx.today)
            }
            Notice::Closed { job } => match app.job_view(cx, &job.to_string()) {
                Ok(v) => closed(&v.job),
                Err(_) => "Closed the job.".to_string(),
            },
            Notice::Moved { job } => match app.job_view(cx, &job.to_string()) {
                Ok(v) => moved(&v.job),
                Err(_) => "Moved the job.".to_string(),
            },
            Notice::Snoozed { item } => match find_item(app, cx, *item) {
                Some(a) => snoozed(&a, cx.today),
                None => "Snoozed.".to_string(),
            },
            Notice::Saved => "Saved.".to_string(),
            Notice::Unchanged => "Nothing changed.".to_string(),
            Notice::Added => "Added.".to_string(),
            Notice::Deleted => "Deleted. Undo brings it back, with its touches.".to_string(),
            Notice::Retracted => {
                "Retracted: that touch no longer counts; the dates are planned without it."
                    .to_string()
            }
            Notice::Corrected => "Corrected; the dates follow.".to_string(),
            Notice::Merged => {
                "Merged: one record now, with both histories and every detail.".to_string()
            }
            Notice::Undone => "Undone.".to_string(),
        }
    }
}

/// After Done logged a touch: what it was and what comes next.
pub fn done(kind: Option<TouchKind>, next: Option<&AgendaItem>, today: Date) -> String {
    let did = match kind {
        Some(k) => format!("Logged the {k}."),
        None => "Logged it.".to_string(),
    };
    match next {
        Some(a) => format!("{did} Next: {}", item_line(a, today)),
        None => format!("{did} Next: nothing planned"),
    }
}

/// After Done closed a job.
pub fn closed(j: &Job) -> String {
    format!(
        "Closed {}: {} as {}.",
        j.organization.name, j.title, j.stage
    )
}

/// After a job moved on the pipeline: where it is now.
pub fn moved(j: &Job) -> String {
    if j.stage.is_open() {
        format!("Moved {}: {} to {}.", j.organization.name, j.title, j.stage)
    } else {
        closed(j)
    }
}

/// After a snooze, in the words the agenda uses (followup_core::present).
pub fn snoozed(a: &AgendaItem, today: Date) -> String {
    let p = followup_core::present::item(a, today);
    format!("Snoozed {} until {}.", p.title, day(a.due, today))
}

/// One line for a planned item: when, what, with whom, why (followup_core::present).
pub fn item_line(a: &AgendaItem, today: Date) -> String {
    let p = followup_core::present::item(a, today);
    format!("{} {}: {}", day(a.due, today), p.title, p.why_line())
}

/// A planned item by id, up to a year ahead (a snooze can reach far).
pub(crate) fn find_item(app: &App, cx: &Ctx, id: i64) -> Option<AgendaItem> {
    let horizon = cx.today.checked_add(jiff::Span::new().years(1)).ok()?;
    app.agenda_item(cx, id, Some(horizon)).ok()?
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &str) -> Option<Notice> {
        let q: NoticeQuery = serde_urlencoded_like(q);
        Notice::from_query(&q)
    }

    /// The few keys the tests use, without a URL-decoding dependency.
    fn serde_urlencoded_like(q: &str) -> NoticeQuery {
        let mut n = NoticeQuery::default();
        for pair in q.split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "notice" => n.notice = Some(v.into()),
                "kind" => n.kind = Some(v.into()),
                "item" => n.item = v.parse().ok(),
                "job" => n.job = v.parse().ok(),
                _ => {}
            }
        }
        n
    }

    #[test]
    fn every_notice_survives_its_own_query() {
        for n in [
            Notice::Done {
                kind: Some(TouchKind::FollowUp),
                next: Some(17),
            },
            Notice::Done {
                kind: None,
                next: None,
            },
            Notice::Closed { job: 3 },
            Notice::Moved { job: 4 },
            Notice::Snoozed { item: 11 },
            Notice::Saved,
            Notice::Unchanged,
            Notice::Deleted,
            Notice::Retracted,
            Notice::Corrected,
            Notice::Merged,
            Notice::Undone,
        ] {
            assert_eq!(parse(&n.query()), Some(n.clone()), "{}", n.query());
        }
    }

    #[test]
    fn an_undo_token_travels_encoded() {
        let u = Undo::RetractTouch {
            touch: followup_core::TouchId(12),
            stages: vec![(followup_core::JobId(3), followup_core::Stage::Applied)],
        };
        let q = with_undo(&Notice::Deleted, &u);
        assert_eq!(q, "notice=deleted&undo=retract-touch%3A12%3A3%3Dapplied");
    }

    #[test]
    fn text_and_unknown_keys_ask_for_nothing() {
        assert_eq!(parse("notice=Your%20account%20is%20locked"), None);
        assert_eq!(parse("notice=snoozed"), None, "no item");
        assert_eq!(parse("item=3"), None);
    }
}
