//! Touches: log one with everything it implies (promises, stage changes, the next dates, the
//! warnings of F15 and F17), in one unit of work.

use std::collections::BTreeSet;

use followup_core::Event;
use followup_core::agenda::AgendaItem;
use followup_core::model::*;
use followup_core::plan::{self, Action, PlanKey, Slot, Subject, Warning};
use followup_store::Entity;
use jiff::civil::Date;
use serde::Serialize;

use crate::error::{Field, Result, invalid};
use crate::lookup::{resolve_contact, resolve_job};
use crate::replan::job_subjects;
use crate::uow::Work;
use crate::views::next_view;
use crate::{App, Ctx, fields};

/// A touch: its kind and dates already read by the front end; who and which job as typed
/// (an id or a name, resolved here); text as typed.
#[derive(Debug, Clone)]
pub struct NewTouch {
    pub kind: TouchKind,
    pub with: Vec<String>,
    pub job: Option<String>,
    /// The day it happened (default: today).
    pub on: Option<Date>,
    pub direction: Option<Direction>,
    pub they_decide_by: Option<Date>,
    pub i_will_follow_up: Option<Date>,
    pub they_will_act_by: Option<Date>,
    /// C6: with an offer, the day your answer is due.
    pub answer_by: Option<Date>,
    pub they_will_act: bool,
    pub poor_fit: bool,
    pub note: Option<String>,
    pub next_step: Option<String>,
    pub all_hear_back: Option<bool>,
    pub may_follow_up: Option<bool>,
    pub preferred_channel: Option<Channel>,
    pub direct_contact: Option<String>,
    pub on_linkedin: Option<bool>,
    /// The message as sent (for the lint's "same question twice", F8).
    pub message: Option<String>,
}

/// A follow-up with nothing else yet (fill in the rest with struct update syntax).
impl Default for NewTouch {
    fn default() -> NewTouch {
        NewTouch::new(TouchKind::FollowUp)
    }
}

impl NewTouch {
    /// A touch of `kind` and nothing else yet.
    pub fn new(kind: TouchKind) -> NewTouch {
        NewTouch {
            kind,
            with: Vec::new(),
            job: None,
            on: None,
            direction: None,
            they_decide_by: None,
            i_will_follow_up: None,
            they_will_act_by: None,
            answer_by: None,
            they_will_act: false,
            poor_fit: false,
            note: None,
            next_step: None,
            all_hear_back: None,
            may_follow_up: None,
            preferred_channel: None,
            direct_contact: None,
            on_linkedin: None,
            message: None,
        }
    }
}

/// What logging a touch did: the touch, the next dates it now proposes (F1), warnings.
#[derive(Debug, Clone, Serialize)]
pub struct Logged {
    pub touch: Touch,
    pub next: Vec<AgendaItem>,
    pub warnings: Vec<Warning>,
    /// Stage changes the touch implied.
    pub stage_changes: Vec<StageChange>,
}

/// A stage change a touch implied.
#[derive(Debug, Clone, Serialize)]
pub struct StageChange {
    pub job: JobId,
    pub from: Stage,
    pub to: Stage,
}

impl App {
    /// Logs a touch with everything it implies, and says what it changed.
    pub fn log(&self, cx: &Ctx, n: NewTouch) -> Result<Logged> {
        // The contacts named by id are read first: a store may read them with its lock.
        let by_id: Vec<ContactId> = n
            .with
            .iter()
            .filter_map(|who| crate::lookup::id_in(who).map(ContactId))
            .collect();
        self.change_about(cx, &by_id, |w| log_in(w, n))
    }
}

/// The promises a touch records, checked against its day.
fn promises(n: &NewTouch, on: Date) -> Result<Vec<Promise>> {
    let later = |field: Field, d: Date| -> Result<Date> {
        if d < on {
            return Err(invalid(
                field,
                format!("{d} is before the touch itself ({on})"),
            ));
        }
        Ok(d)
    };
    let mut promises = Vec::new();
    if let Some(d) = n.they_decide_by {
        promises.push(Promise {
            whose: Whose::Theirs,
            kind: PromiseKind::Decide,
            date: Some(later(Field::TheyDecideBy, d)?),
        });
    }
    if let Some(d) = n.answer_by {
        if n.kind != TouchKind::Offer {
            return Err(invalid(
                Field::AnswerBy,
                format!(
                    "the day your answer is due goes with an offer, not this {}",
                    n.kind
                ),
            ));
        }
        promises.push(Promise {
            whose: Whose::Mine,
            kind: PromiseKind::Decide,
            date: Some(later(Field::AnswerBy, d)?),
        });
    }
    if let Some(d) = n.they_will_act_by {
        promises.push(Promise {
            whose: Whose::Theirs,
            kind: PromiseKind::Act,
            date: Some(later(Field::TheyWillActBy, d)?),
        });
    } else if n.they_will_act {
        promises.push(Promise {
            whose: Whose::Theirs,
            kind: PromiseKind::Act,
            date: None,
        });
    }
    if let Some(d) = n.i_will_follow_up {
        promises.push(Promise {
            whose: Whose::Mine,
            kind: PromiseKind::FollowUp,
            date: Some(later(Field::IWillFollowUp, d)?),
        });
    }
    Ok(promises)
}

/// Logs the touch inside `w` (also what `done` does in its own unit of work).
pub(crate) fn log_in(w: &mut Work<'_>, n: NewTouch) -> Result<Logged> {
    let cx = w.cx;
    let kind = n.kind;
    let direction = n.direction.unwrap_or_else(|| kind.default_direction());
    let on = n.on.unwrap_or(cx.today);
    if on > cx.today {
        return Err(invalid(
            Field::On,
            format!(
                "{on} is after today ({}); log what has happened, promise what will",
                cx.today
            ),
        ));
    }
    let mut promises = promises(&n, on)?;
    let answers = if kind == TouchKind::Interview {
        Some(InterviewAnswers {
            next_step: fields::opt_note(Field::NextStep, n.next_step.clone())?,
            decide_by: n.they_decide_by,
            all_hear_back: n.all_hear_back,
            may_follow_up: n.may_follow_up,
            preferred_channel: n.preferred_channel,
            direct_contact: fields::opt_line(Field::DirectContact, n.direct_contact.clone())?,
            on_linkedin: n.on_linkedin,
        })
    } else {
        if n.next_step.is_some()
            || n.all_hear_back.is_some()
            || n.may_follow_up.is_some()
            || n.direct_contact.is_some()
            || n.on_linkedin.is_some()
            || n.preferred_channel.is_some()
        {
            return Err(invalid(
                Field::Interview,
                format!("go with an interview, not this {kind}"),
            ));
        }
        None
    };
    if n.poor_fit && kind != TouchKind::Interview {
        return Err(invalid(
            Field::PoorFit,
            format!("marks an interview (F11), not this {kind}"),
        ));
    }
    if n.with.is_empty() && n.job.is_none() {
        return Err(invalid(
            Field::With,
            "needs at least one contact (or a job)",
        ));
    }
    let note = fields::opt_note(Field::Note, n.note.clone())?;
    let message = fields::opt_note(Field::Message, n.message.clone())?;

    let policy = cx.policy.clone();
    let mut contacts = Vec::new();
    for who in &n.with {
        let id = resolve_contact(w.tx.as_ref(), who)?.id;
        if !contacts.contains(&id) {
            contacts.push(id);
        }
    }
    let job = n
        .job
        .as_deref()
        .map(|j| resolve_job(w.tx.as_ref(), j))
        .transpose()?;

    // F15: warn (never refuse) when an outbound touch comes too soon after the last one.
    let mut warnings = Vec::new();
    if direction == Direction::Outbound {
        for c in &contacts {
            let before = w.touches_of_contact(*c)?;
            if let Some(mut warning) = plan::gap_warning(&before, *c, on, &policy) {
                if contacts.len() > 1 {
                    let name = w.tx.contact(*c)?.map(|c| c.name).unwrap_or_default();
                    warning.message = format!("{name}: {}", warning.message);
                }
                warnings.push(warning);
            }
        }
    }
    // F17: the questions that went unasked.
    if let Some(a) = &answers {
        let unasked = a.unasked();
        if !unasked.is_empty() {
            let list: Vec<&str> = unasked.iter().map(|q| q.as_str()).collect();
            warnings.push(Warning {
                rule: plan::Rule(17),
                message: format!(
                    "F17: unasked at the interview: {}; next time ask before you leave",
                    list.join(", ")
                ),
                earliest: None,
            });
        }
    }
    // F6: a thank-you that names no date turns the engine's date into a *mine* promise.
    if kind == TouchKind::ThankYou
        && !promises.iter().any(|p| p.whose == Whose::Mine)
        && let (Some(j), Some(c)) = (&job, contacts.first())
    {
        let key = PlanKey {
            subject: Subject::Contact(*c),
            slot: Slot::FollowUp,
        };
        if let Some(p) = w.tx.planned_for(&key)? {
            let then = p.item.then.as_ref().filter(|_| {
                p.item.action == Action::ThankYou && p.item.jobs.first().map(|r| r.id) == Some(j.id)
            });
            if let Some(step) = then {
                // C3: the date the note named (the gap from the note already applied);
                // a note sent later than planned names a date the gap allows.
                promises.push(Promise {
                    whose: Whose::Mine,
                    kind: PromiseKind::FollowUp,
                    date: Some(plan::named_date(step.due, on, &policy)),
                });
            }
        }
    }

    let id = TouchId(w.tx.next_id(Entity::Touch)?);
    let touch = Touch {
        id,
        kind,
        direction,
        date: on,
        contacts: contacts.clone(),
        job: job.as_ref().map(|j| j.id),
        note,
        answers,
        poor_fit: n.poor_fit,
        promises,
        message,
    };
    w.append(&Event::TouchLogged {
        touch: touch.clone(),
    })?;
    let mut stage_changes = Vec::new();
    let mut subjects: BTreeSet<Subject> = contacts.iter().map(|c| Subject::Contact(*c)).collect();
    if let Some(j) = &job {
        let implied = match kind {
            TouchKind::Application if j.stage == Stage::Lead => Some(Stage::Applied),
            TouchKind::Interview if matches!(j.stage, Stage::Lead | Stage::Applied) => {
                Some(Stage::Interviewing)
            }
            TouchKind::Offer => Some(Stage::Offer),
            TouchKind::Rejection => Some(Stage::Rejected),
            TouchKind::Withdrawal => Some(Stage::Withdrawn),
            _ => None,
        };
        if let Some(to) = implied.filter(|to| j.stage.is_open() && *to != j.stage) {
            w.append(&Event::JobStageChanged {
                id: j.id,
                stage: to,
            })?;
            stage_changes.push(StageChange {
                job: j.id,
                from: j.stage,
                to,
            });
        }
        let fresh = w.tx.job(j.id)?.unwrap_or_else(|| j.clone());
        subjects.extend(job_subjects(&fresh));
    }
    w.touch(subjects.iter().copied());
    w.replan_touched()?;
    let mut next = Vec::new();
    for s in &subjects {
        let key = PlanKey {
            subject: *s,
            slot: Slot::FollowUp,
        };
        if let Some(p) = w.tx.planned_for(&key)? {
            let mine = match s {
                Subject::Contact(c) => contacts.contains(c),
                Subject::Job(_) => true,
            };
            if mine {
                next.push(next_view(&p, cx.today));
            }
        }
    }
    Ok(Logged {
        touch,
        next,
        warnings,
        stage_changes,
    })
}
