//! The unit of work every change goes through: begin a write for the context's owner, let
//! the use case append its events and say which subjects it touched, replan exactly those,
//! commit. A use case that returns an error leaves nothing behind (the transaction is dropped).

use std::collections::BTreeSet;

use followup_core::Event;
use followup_core::plan::Subject;
use followup_store::WriteTx;

use crate::error::Result;
use crate::replan::{full_replan, replan_subjects};
use crate::{App, Ctx};

/// A write in progress: the transaction, who and when, and what needs replanning.
pub struct Work<'a> {
    pub(crate) tx: Box<dyn WriteTx + 'a>,
    pub(crate) cx: &'a Ctx,
    touched: BTreeSet<Subject>,
    /// False for a dry run: everything is done and checked, then rolled back.
    keep: bool,
}

impl Work<'_> {
    /// Makes this a dry run: the change is carried out and checked, then not kept.
    pub(crate) fn discard(&mut self) {
        self.keep = false;
    }

    /// Records an event as of the context's day.
    pub(crate) fn append(&mut self, event: &Event) -> Result<()> {
        Ok(self.tx.append(self.cx.today, event)?)
    }

    /// Marks subjects whose plan items the change may have moved.
    pub(crate) fn touch(&mut self, subjects: impl IntoIterator<Item = Subject>) {
        self.touched.extend(subjects);
    }

    /// Replans what was touched so far, now (a use case that reads the new plan before it
    /// returns, such as `log` saying what comes next).
    pub(crate) fn replan_touched(&mut self) -> Result<()> {
        let subjects = std::mem::take(&mut self.touched);
        replan_subjects(self.tx.as_mut(), &self.cx.policy, subjects)
    }

    /// Replans every subject of the owner (a policy or holiday change, an import); returns how
    /// many items the plan holds.
    pub(crate) fn replan_everything(&mut self) -> Result<usize> {
        self.touched.clear();
        full_replan(self.tx.as_mut(), &self.cx.policy)
    }
}

impl App {
    /// Runs `change` in one write transaction of `cx.owner`, replans the subjects it touched,
    /// and commits; on any error nothing is kept.
    pub(crate) fn change<T>(
        &self,
        cx: &Ctx,
        change: impl FnOnce(&mut Work<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut tx = self.store.write(cx.owner)?;
        tx.act_as(cx.actor.account());
        let mut work = Work {
            tx,
            cx,
            touched: BTreeSet::new(),
            keep: true,
        };
        let out = change(&mut work)?;
        if work.keep {
            work.replan_touched()?;
            if self.directory.is_some() {
                // A team server: keep the caseload's summary of this workspace with the
                // change (a one-person book has no caseload, and pays nothing).
                crate::caseload::summary::keep(work.tx.as_mut())?;
            }
            work.tx.commit()?;
        }
        Ok(out)
    }
}
