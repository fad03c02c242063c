//! Undo: the compensating change a front end offers for a while after Done, Snooze, Move,
//! a delete or a retract. It is itself an event (nothing is rolled back in place), so the
//! log tells the whole story and an undo can be undone.
//!
//! An [`Undo`] travels as text (`restore-contact:5`, `retract-touch:12:3=applied`) in a
//! form's hidden field or a JSON body; [`App::undo`] checks it like any other input, for the
//! owner of the context only.

use std::fmt;
use std::str::FromStr;

use followup_core::Event;
use followup_core::model::{ContactId, JobId, Stage, TouchId};
use followup_core::plan::PlanKey;

use crate::error::{AppError, Result};
use crate::removal::retract_in;
use crate::replan::job_subjects;
use crate::{App, Ctx, Done, Logged};

/// A change that takes back a recent one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Undo {
    RestoreContact(ContactId),
    RestoreJob(JobId),
    RestoreTouch(TouchId),
    /// Takes back a logged touch (Done) and puts each job it moved back to its stage.
    RetractTouch {
        touch: TouchId,
        stages: Vec<(JobId, Stage)>,
    },
    /// Takes back the newest snooze of an item.
    WithdrawSnooze(PlanKey),
    /// Puts a job back to the stage it was at.
    Stage(JobId, Stage),
}

impl Undo {
    /// The undo of a Done.
    pub fn of_done(done: &Done) -> Undo {
        match done {
            Done::Logged(l) => Undo::of_logged(l),
            Done::Closed { job, from } => Undo::Stage(job.id, *from),
        }
    }

    /// The undo of logging a touch.
    pub fn of_logged(l: &Logged) -> Undo {
        Undo::RetractTouch {
            touch: l.touch.id,
            stages: l.stage_changes.iter().map(|c| (c.job, c.from)).collect(),
        }
    }
}

impl fmt::Display for Undo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Undo::RestoreContact(c) => write!(f, "restore-contact:{c}"),
            Undo::RestoreJob(j) => write!(f, "restore-job:{j}"),
            Undo::RestoreTouch(t) => write!(f, "restore-touch:{t}"),
            Undo::RetractTouch { touch, stages } => {
                write!(f, "retract-touch:{touch}")?;
                for (j, s) in stages {
                    write!(f, ":{j}={s}")?;
                }
                Ok(())
            }
            Undo::WithdrawSnooze(k) => write!(f, "withdraw-snooze:{k}"),
            Undo::Stage(j, s) => write!(f, "stage:{j}={s}"),
        }
    }
}

/// An undo token that is not one this program wrote.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an undo this program offers")]
pub struct BadUndo(pub String);

impl FromStr for Undo {
    type Err = BadUndo;

    fn from_str(s: &str) -> std::result::Result<Undo, BadUndo> {
        let bad = || BadUndo(s.chars().take(80).collect());
        let (what, rest) = s.trim().split_once(':').ok_or_else(bad)?;
        let id = |t: &str| t.parse::<i64>().map_err(|_| bad());
        let stage = |t: &str| -> std::result::Result<(JobId, Stage), BadUndo> {
            let (j, s) = t.split_once('=').ok_or_else(bad)?;
            Ok((JobId(id(j)?), s.parse().map_err(|_| bad())?))
        };
        Ok(match what {
            "restore-contact" => Undo::RestoreContact(ContactId(id(rest)?)),
            "restore-job" => Undo::RestoreJob(JobId(id(rest)?)),
            "restore-touch" => Undo::RestoreTouch(TouchId(id(rest)?)),
            "retract-touch" => {
                let mut parts = rest.split(':');
                let touch = TouchId(id(parts.next().ok_or_else(bad)?)?);
                let stages = parts.map(stage).collect::<std::result::Result<_, _>>()?;
                Undo::RetractTouch { touch, stages }
            }
            "withdraw-snooze" => Undo::WithdrawSnooze(rest.parse().map_err(|_| bad())?),
            "stage" => {
                let (j, s) = stage(rest)?;
                Undo::Stage(j, s)
            }
            _ => return Err(bad()),
        })
    }
}

impl App {
    /// Carries out an undo; returns what was undone, in words for a notice.
    pub fn undo(&self, cx: &Ctx, u: &Undo) -> Result<String> {
        match u {
            Undo::RestoreContact(id) => {
                let c = self.restore_contact(cx, *id)?;
                Ok(format!("{} is back", c.name))
            }
            Undo::RestoreJob(id) => {
                let j = self.restore_job(cx, *id)?;
                Ok(format!("{}: {} is back", j.organization.name, j.title))
            }
            Undo::RestoreTouch(id) => {
                let t = self.restore_touch(cx, *id)?;
                Ok(format!("the {} of {} counts again", t.kind, t.date))
            }
            Undo::RetractTouch { touch, stages } => self.change(cx, |w| {
                let t = retract_in(w, *touch)?;
                for (j, s) in stages {
                    set_stage_in(w, *j, *s)?;
                }
                Ok(format!("the {} of {} is taken back", t.kind, t.date))
            }),
            Undo::WithdrawSnooze(key) => self.change(cx, |w| {
                if !w.tx.snoozes(key.subject)?.iter().any(|s| s.key == *key) {
                    return Err(AppError::Refused(format!(
                        "{key} has no snooze to take back"
                    )));
                }
                w.append(&Event::SnoozeWithdrawn { key: *key })?;
                w.touch([key.subject]);
                Ok("the snooze is taken back".to_string())
            }),
            Undo::Stage(j, s) => self.change(cx, |w| {
                set_stage_in(w, *j, *s)?;
                Ok(format!("job {j} is back at {s}"))
            }),
        }
    }
}

/// Puts a job at a stage, open or closed (an undo may reopen what a Done closed).
fn set_stage_in(w: &mut crate::uow::Work<'_>, id: JobId, stage: Stage) -> Result<()> {
    let job = w.tx.job(id)?.ok_or_else(|| AppError::NotFound {
        what: "job",
        query: id.to_string(),
        hint: String::new(),
    })?;
    if job.stage != stage {
        w.append(&Event::JobStageChanged { id, stage })?;
        w.touch(job_subjects(&job));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use followup_core::plan::{Slot, Subject};

    #[test]
    fn every_undo_reads_back_as_written() {
        let all = [
            Undo::RestoreContact(ContactId(5)),
            Undo::RestoreJob(JobId(3)),
            Undo::RestoreTouch(TouchId(12)),
            Undo::RetractTouch {
                touch: TouchId(12),
                stages: vec![(JobId(3), Stage::Applied), (JobId(4), Stage::Lead)],
            },
            Undo::RetractTouch {
                touch: TouchId(1),
                stages: vec![],
            },
            Undo::WithdrawSnooze(PlanKey {
                subject: Subject::Job(JobId(2)),
                slot: Slot::FollowUp,
            }),
            Undo::Stage(JobId(7), Stage::NoResponse),
        ];
        for u in all {
            assert_eq!(u.to_string().parse::<Undo>(), Ok(u.clone()), "{u}");
        }
        for bad in [
            "",
            "restore-contact",
            "restore-contact:x",
            "drop:1",
            "stage:1=maybe",
        ] {
            assert!(bad.parse::<Undo>().is_err(), "{bad:?}");
        }
    }
}
