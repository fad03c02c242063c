//! The unit of work every change goes through: begin a write for the context's owner, let
//! the use case append its events and say which subjects it touched, replan exactly those,
//! commit. A use case that returns an error leaves nothing behind (the transaction is dropped).

use std::collections::{BTreeMap, BTreeSet};

use followup_core::Event;
use followup_core::model::{ContactId, Touch};
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
    /// Contacts' touches as this change read them, with how many touches it had logged
    /// then: the replan of a contact the change already read (F15's check before a `log`)
    /// adds what it logged since instead of reading them all again.
    read_touches: BTreeMap<ContactId, (Vec<Touch>, usize)>,
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

    /// The contact's touches, by date then id, as the store has them in this change.
    pub(crate) fn touches_of_contact(&mut self, c: ContactId) -> Result<Vec<Touch>> {
        if let Some(known) = self.known_touches(c) {
            return Ok(known);
        }
        let touches = self.tx.touches_of_contact(c)?;
        let logged = self.tx.appended().logged.len();
        self.read_touches.insert(c, (touches.clone(), logged));
        Ok(touches)
    }

    /// The contact's touches from what this change read and logged since, when nothing it
    /// appended can have changed a touch otherwise (`Appended::other`: a retraction, an edit,
    /// a merge).
    fn known_touches(&self, c: ContactId) -> Option<Vec<Touch>> {
        let appended = self.tx.appended();
        if appended.other {
            return None;
        }
        let (before, logged) = self.read_touches.get(&c)?;
        let mut touches = before.clone();
        touches.extend(
            appended.logged[*logged..]
                .iter()
                .filter(|t| t.contacts.contains(&c))
                .cloned(),
        );
        touches.sort_by_key(|t| (t.date, t.id));
        Some(touches)
    }

    /// Marks subjects whose plan items the change may have moved.
    pub(crate) fn touch(&mut self, subjects: impl IntoIterator<Item = Subject>) {
        self.touched.extend(subjects);
    }

    /// Replans what was touched so far, now (a use case that reads the new plan before it
    /// returns, such as `log` saying what comes next).
    pub(crate) fn replan_touched(&mut self) -> Result<()> {
        let subjects = std::mem::take(&mut self.touched);
        let known: BTreeMap<ContactId, Vec<Touch>> = self
            .read_touches
            .keys()
            .filter_map(|c| Some((*c, self.known_touches(*c)?)))
            .collect();
        replan_subjects(self.tx.as_mut(), &self.cx.policy, subjects, &known)
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
        self.change_about(cx, &[], change)
    }

    /// [`App::change`] for a change that begins by reading `contacts`: the store may read
    /// them with the transaction's first round trip (`Store::write_about`).
    pub(crate) fn change_about<T>(
        &self,
        cx: &Ctx,
        contacts: &[ContactId],
        change: impl FnOnce(&mut Work<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut tx = self.store.write_about(cx.owner, contacts)?;
        tx.act_as(cx.actor.account());
        let mut work = Work {
            tx,
            cx,
            touched: BTreeSet::new(),
            keep: true,
            read_touches: BTreeMap::new(),
        };
        let out = change(&mut work)?;
        if work.keep {
            work.replan_touched()?;
            if self.directory.is_some() {
                // A team server: keep the caseload's summary of this workspace with the
                // change (a one-person book has no caseload, and pays nothing).
                crate::caseload::summary::keep(work.tx.as_mut())?;
            }
            // A change that wrote nothing a policy is read from leaves the owner's cached
            // policy good for the version it makes: the next request need not read it again
            // (on the team server, five statements after every logged touch).
            let kept = work
                .tx
                .appended()
                .keeps_policy()
                .then(|| work.tx.committed_version())
                .transpose()?;
            // With the policy kept, the agenda the change leaves is read with its commit, if
            // someone is looking at it (`App::memo_window`).
            let after = match kept.zip(self.memo_window(cx)) {
                Some((version, window)) => work
                    .tx
                    .commit_reading_window(window.0, window.1)?
                    .map(|read| App::memo_of(cx, version, window, read)),
                None => {
                    work.tx.commit()?;
                    None
                }
            };
            // The owner's memo is of the data before: a read in this same request (whose
            // context still names the version it began at) must not be handed it. It is
            // replaced by the one read above, of the version the change made (which that
            // read does not name), or dropped.
            match after {
                Some(memo) => self.keep_memo(cx.owner, memo),
                None => {
                    self.agendas
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .remove(&cx.owner);
                }
            }
            if let Some(version) = kept {
                self.policy_still_holds(cx.owner, version);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use followup_core::TouchKind;
    use jiff::civil::date;

    use crate::policy_settings::PolicyChange;
    use crate::{App, Config, NewTouch};

    /// The demo book in memory, and its day.
    fn demo() -> (App, jiff::civil::Date) {
        let store = Arc::new(followup_store::SqliteStore::in_memory().unwrap());
        let app = App::with_store(store, Config::default());
        let today = date(2026, 11, 23);
        crate::demo::build(&app, &app.ctx(today).unwrap()).unwrap();
        (app, today)
    }

    /// A change of the policy (the wait after an application).
    fn a_policy_change() -> PolicyChange {
        PolicyChange {
            values: [("application_wait".to_string(), "10d".to_string())].into(),
            reset: Vec::new(),
        }
    }

    /// Emma Novak replied (the demo's item for her moves).
    fn emma_replied() -> NewTouch {
        NewTouch {
            kind: TouchKind::Reply,
            with: vec!["Emma Novak".into()],
            ..Default::default()
        }
    }

    /// A change keeps the owner's cached policy for the version it makes unless it wrote
    /// something a policy is read from.
    #[test]
    fn a_change_that_writes_no_policy_keeps_the_cached_policy() {
        let (app, today) = demo();
        let cx = app.ctx(today).unwrap();
        let owner = cx.owner;
        let cached = |app: &App| {
            app.policies
                .lock()
                .unwrap()
                .get(&owner)
                .map(|c| (c.version, format!("{:?}", c.policy)))
        };
        let v = app.store.version(owner).unwrap();
        let before = cached(&app).expect("the context read the policy");
        assert_eq!(before.0, v);
        app.log(&cx, emma_replied()).unwrap();
        assert_eq!(app.store.version(owner).unwrap(), v + 1);
        assert_eq!(
            cached(&app),
            Some((v + 1, before.1.clone())),
            "a logged touch keeps the policy, for the new version"
        );
        app.set_policy(&cx, a_policy_change()).unwrap();
        assert_eq!(
            cached(&app).map(|c| c.0),
            Some(v + 1),
            "a policy change is not carried forward"
        );
        let after = app.ctx(today).unwrap();
        assert_ne!(
            format!("{:?}", after.policy),
            before.1,
            "the next context reads the new policy"
        );
        assert_eq!(cached(&app).map(|c| c.0), Some(v + 2));
    }

    /// A request's agenda is read once per version and shared; a change this App commits
    /// replaces it with the one it leaves, kept for the version it made, so a read later in
    /// the same request (its context still naming the version it began at) sees the change.
    #[test]
    fn the_agenda_is_kept_per_version_and_replaced_by_a_change() {
        let (app, today) = demo();
        let (cx, v) = app
            .ctx_at_version(crate::DEFAULT_OWNER, crate::Actor::Owner, Some(today))
            .unwrap();
        let json = |items: Vec<followup_core::AgendaItem>| serde_json::to_string(&items).unwrap();
        let before = json(app.agenda(&cx, None).unwrap());
        let memo = |app: &App| {
            app.agendas
                .lock()
                .unwrap()
                .get(&cx.owner)
                .map(|m| (m.version, m.items.len()))
        };
        assert_eq!(
            memo(&app).map(|m| m.0),
            Some(v),
            "kept for the version read"
        );
        assert_eq!(
            json(app.agenda(&cx, None).unwrap()),
            before,
            "the same, kept"
        );
        app.log(&cx, emma_replied()).unwrap();
        // The change read the agenda it leaves with its commit (someone was looking): kept
        // for the version it made, not the one this request's context names.
        let (cx2, v2) = app
            .ctx_at_version(crate::DEFAULT_OWNER, crate::Actor::Owner, Some(today))
            .unwrap();
        assert!(v2 > v);
        assert_eq!(
            memo(&app).map(|m| m.0),
            Some(v2),
            "replaced, at the new version"
        );
        let after = json(app.agenda(&cx, None).unwrap());
        assert_ne!(after, before, "Emma's reply moved her item");
        let fresh = app.ctx(today).unwrap();
        assert_eq!(fresh.version, None);
        assert_eq!(
            json(app.agenda(&fresh, None).unwrap()),
            after,
            "what a context without a version reads"
        );
        assert_eq!(
            json(app.agenda(&cx2, None).unwrap()),
            after,
            "the kept agenda is the one a read of the new version finds"
        );
    }

    /// Nobody looking (no agenda kept), a change reads no agenda with its commit; a change
    /// that moves the policy keeps none either (the items would be of the old policy).
    #[test]
    fn a_change_reads_the_agenda_only_for_someone_looking_and_a_kept_policy() {
        let (app, today) = demo();
        let (cx, _) = app
            .ctx_at_version(crate::DEFAULT_OWNER, crate::Actor::Owner, Some(today))
            .unwrap();
        let kept = |app: &App| {
            app.agendas
                .lock()
                .unwrap()
                .get(&cx.owner)
                .map(|m| m.version)
        };
        app.log(&cx, emma_replied()).unwrap();
        assert_eq!(kept(&app), None, "nobody was looking");
        app.agenda(&cx, None).unwrap();
        assert!(kept(&app).is_some());
        app.set_policy(&cx, a_policy_change()).unwrap();
        assert_eq!(kept(&app), None, "the policy moved: dropped, not replaced");
    }
}
