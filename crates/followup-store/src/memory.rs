//! The in-memory reference backend: plain maps, copy-on-write snapshots. It is what the store
//! contract means in code, written to be obviously right rather than fast; when SQLite (or a
//! future backend) and this disagree, this is the one to believe, and `conformance::run`
//! checks both.
//!
//! Each owner's data sits behind an `Arc`. A read clones that `Arc` (a snapshot nobody can
//! change, taken without waiting for a writer); a write holds the store's writer lock and
//! changes its own copy (`Arc::make_mut` copies on the first change); commit swaps the copy
//! in; dropping the transaction drops the copy.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;

use followup_core::agenda::Planned;
use followup_core::model::{Contact, ContactId, Job, JobId, OrgRef, OwnerId, Touch, TouchId};
use followup_core::plan::{FollowUp, PlanKey, Snooze, Subject};
use followup_core::{Action, Event, MailMeaning, MailRecord, OrgId};
use jiff::civil::Date;

use crate::{
    AccountId, Appended, Entity, ReadTx, Recorded, Removal, Result, Store, StoreError, Trash,
    WriteTx, is_derived, lock_within, month_day, occasion_ranges,
};

/// The plan numbers' sequence, beside the entities' (as SQLite names it).
const PLAN_KEY: &str = "plan-key";

/// As long as SQLite's wait for its write lock, so both backends fail alike.
const BUSY_WAIT: Duration = Duration::from_secs(5);

/// One owner's rows. Everything a query can find is kept once, as the log implies it.
#[derive(Debug, Clone, Default)]
struct OwnerData {
    version: u64,
    events: Vec<Recorded>,
    /// The next free number of each sequence (entity name or [`PLAN_KEY`]); absent means 1.
    ids: BTreeMap<&'static str, i64>,
    organizations: BTreeMap<OrgId, String>,
    contacts: BTreeMap<ContactId, Contact>,
    jobs: BTreeMap<JobId, Job>,
    touches: BTreeMap<TouchId, Touch>,
    /// Out of sight, with why: a restore moves them back.
    removed_contacts: BTreeMap<ContactId, (Contact, Removal)>,
    removed_jobs: BTreeMap<JobId, (Job, Removal)>,
    removed_touches: BTreeMap<TouchId, (Touch, Removal)>,
    /// In the order recorded (the log's sequence number first).
    snoozes: Vec<(i64, Snooze)>,
    /// Each calendar's days, by the calendar's name.
    holidays: BTreeMap<String, BTreeSet<Date>>,
    plan_keys: BTreeMap<String, i64>,
    plan: BTreeMap<i64, FollowUp>,
    settings: BTreeMap<String, String>,
    /// Mail read, by Message-ID, with the order it was read in.
    mail: BTreeMap<String, (i64, MailRecord)>,
}

#[derive(Debug, Default)]
struct State {
    /// The log's sequence is store-wide, as SQLite's rowid is.
    seq: i64,
    owners: BTreeMap<OwnerId, Arc<OwnerData>>,
}

/// A store in memory: the reference backend (tests, and what the contract means).
#[derive(Debug, Default)]
pub struct MemoryStore {
    /// Held only for a lookup or a swap, never for a transaction: reads never wait on it.
    state: RwLock<State>,
    /// Held for a whole write transaction: one writer at a time, as SQLite.
    writer: Mutex<()>,
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    fn snapshot(&self, owner: OwnerId) -> (i64, Arc<OwnerData>) {
        let state = self.state.read().unwrap_or_else(|p| p.into_inner());
        let data = state.owners.get(&owner).cloned().unwrap_or_default();
        (state.seq, data)
    }
}

impl Store for MemoryStore {
    fn read(&self, owner: OwnerId) -> Result<Box<dyn ReadTx + '_>> {
        let (seq, data) = self.snapshot(owner);
        Ok(Box::new(MemoryTx {
            store: self,
            owner,
            seq,
            data,
            actor: None,
            appended: Appended::default(),
            derived: BTreeSet::new(),
            _writer: None,
        }))
    }

    fn write(&self, owner: OwnerId) -> Result<Box<dyn WriteTx + '_>> {
        let guard = lock_within(&self.writer, BUSY_WAIT).ok_or_else(|| StoreError::Busy {
            path: "the in-memory store".into(),
        })?;
        // Taken after the writer lock: no other commit can land between this and ours.
        let (seq, data) = self.snapshot(owner);
        Ok(Box::new(MemoryTx {
            store: self,
            owner,
            seq,
            data,
            actor: None,
            appended: Appended::default(),
            derived: BTreeSet::new(),
            _writer: Some(guard),
        }))
    }

    fn version(&self, owner: OwnerId) -> Result<u64> {
        Ok(self.snapshot(owner).1.version)
    }

    fn version_and_setting(&self, owner: OwnerId, key: &str) -> Result<(u64, Option<String>)> {
        let data = self.snapshot(owner).1;
        Ok((data.version, data.settings.get(key).cloned()))
    }
}

/// A read (no writer guard) or a write (holding it) on one owner's data.
struct MemoryTx<'s> {
    store: &'s MemoryStore,
    owner: OwnerId,
    /// The last sequence number handed out, as of this transaction.
    seq: i64,
    data: Arc<OwnerData>,
    /// Who records what is appended (`WriteTx::act_as`).
    actor: Option<AccountId>,
    appended: Appended,
    /// The derived settings this transaction wrote (the others go at commit).
    derived: BTreeSet<String>,
    _writer: Option<MutexGuard<'s, ()>>,
}

fn conflict(what: &'static str, detail: String) -> StoreError {
    StoreError::Conflict { what, detail }
}

fn missing(what: &'static str, id: impl ToString) -> StoreError {
    StoreError::Missing {
        what,
        id: id.to_string(),
    }
}

/// The rows `keep` accepts, in the order given.
fn kept<T: Clone>(rows: impl Iterator<Item = T>, mut keep: impl FnMut(&T) -> bool) -> Vec<T> {
    rows.filter(|r| keep(r)).collect()
}

impl OwnerData {
    fn allocate(&mut self, sequence: &'static str) -> i64 {
        let next = self.ids.entry(sequence).or_insert(1);
        *next += 1;
        *next - 1
    }

    /// Moves a sequence past `id`. A sequence never used starts right after it, as SQLite's
    /// `INSERT ... ON CONFLICT` does.
    fn taken(&mut self, sequence: &'static str, id: i64) {
        self.ids
            .entry(sequence)
            .and_modify(|n| *n = (*n).max(id + 1))
            .or_insert(id + 1);
    }

    /// Everything that makes `event` fail, checked before anything changes: a failed append
    /// leaves the transaction as it was.
    fn check(&self, event: &Event) -> Result<()> {
        match event {
            Event::OrganizationAdded { id, name } => {
                if self.organizations.contains_key(id) {
                    return Err(conflict("organization", format!("id {id} is taken")));
                }
                if self
                    .organizations
                    .values()
                    .any(|n| n.eq_ignore_ascii_case(name))
                {
                    return Err(conflict("organization", format!("{name} exists")));
                }
            }
            Event::ContactAdded { contact }
                if self.contacts.contains_key(&contact.id)
                    || self.removed_contacts.contains_key(&contact.id) =>
            {
                return Err(conflict("contact", format!("id {} is taken", contact.id)));
            }
            Event::ContactRemoved { id } if !self.contacts.contains_key(id) => {
                return Err(missing("contact", id));
            }
            Event::ContactRestored { id }
                if !matches!(self.removed_contacts.get(id), Some((_, Removal::Deleted))) =>
            {
                return Err(missing("contact", format!("{id} (deleted and restorable)")));
            }
            Event::JobRemoved { id } if !self.jobs.contains_key(id) => {
                return Err(missing("job", id));
            }
            Event::JobRestored { id }
                if !matches!(self.removed_jobs.get(id), Some((_, Removal::Deleted))) =>
            {
                return Err(missing("job", format!("{id} (deleted and restorable)")));
            }
            Event::TouchRetracted { id } if !self.touches.contains_key(id) => {
                return Err(missing("touch", id));
            }
            Event::TouchRestored { id }
                if !matches!(self.removed_touches.get(id), Some((_, Removal::Retracted))) =>
            {
                return Err(missing("touch", format!("{id} (retracted and restorable)")));
            }
            Event::TouchEdited { touch } => {
                if !self.touches.contains_key(&touch.id) {
                    return Err(missing("touch", touch.id));
                }
                if let Some(j) = touch.job
                    && !self.jobs.contains_key(&j)
                {
                    return Err(missing("job", j));
                }
            }
            Event::ContactsMerged { from, into } => {
                if from == into {
                    return Err(conflict("merge", format!("contact {from} into itself")));
                }
                for id in [from, into] {
                    if !self.contacts.contains_key(id) {
                        return Err(missing("contact", id));
                    }
                }
            }
            Event::SnoozeWithdrawn { key } if !self.snoozes.iter().any(|(_, s)| s.key == *key) => {
                return Err(missing("snooze", key));
            }
            Event::MailRead { mail } if self.mail.contains_key(&mail.message_id) => {
                return Err(conflict(
                    "mail",
                    format!("{} was read already", mail.message_id),
                ));
            }
            Event::ContactEdited { id, .. } if !self.contacts.contains_key(id) => {
                return Err(missing("contact", id));
            }
            Event::JobAdded { job }
                if self.jobs.contains_key(&job.id) || self.removed_jobs.contains_key(&job.id) =>
            {
                return Err(conflict("job", format!("id {} is taken", job.id)));
            }
            Event::JobStageChanged { id, .. }
            | Event::JobContactLinked { id, .. }
            | Event::JobEdited { id, .. }
                if !self.jobs.contains_key(id) =>
            {
                return Err(missing("job", id));
            }
            Event::TouchLogged { touch } => {
                if self.touches.contains_key(&touch.id)
                    || self.removed_touches.contains_key(&touch.id)
                {
                    return Err(conflict("touch", format!("id {} is taken", touch.id)));
                }
                // Only a touch with contacts links them to its job, so only then must it exist.
                if let Some(j) = touch.job
                    && !touch.contacts.is_empty()
                    && !self.jobs.contains_key(&j)
                {
                    return Err(missing("job", j));
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn link(&mut self, job: JobId, contact: ContactId) {
        let j = self.jobs.get_mut(&job).expect("checked before applying");
        if !j.contacts.contains(&contact) {
            j.contacts.push(contact);
        }
    }

    /// Applies a checked event to the rows.
    fn apply(&mut self, seq: i64, event: &Event) {
        match event {
            Event::OrganizationAdded { id, name } => {
                self.taken(Entity::Organization.as_str(), id.0);
                self.organizations.insert(*id, name.clone());
            }
            Event::ContactAdded { contact } => {
                self.taken(Entity::Contact.as_str(), contact.id.0);
                self.contacts.insert(contact.id, contact.clone());
            }
            Event::ContactEdited { id, patch } => {
                let edited = patch.apply(&self.contacts[id]);
                self.contacts.insert(*id, edited);
            }
            Event::JobAdded { job } => {
                self.taken(Entity::Job.as_str(), job.id.0);
                self.jobs.insert(job.id, job.clone());
            }
            Event::JobStageChanged { id, stage } => {
                self.jobs.get_mut(id).expect("checked").stage = *stage;
            }
            Event::JobEdited { id, patch } => {
                let edited = patch.apply(&self.jobs[id]);
                self.jobs.insert(*id, edited);
            }
            Event::JobContactLinked { id, contact } => self.link(*id, *contact),
            Event::TouchLogged { touch } => {
                self.taken(Entity::Touch.as_str(), touch.id.0);
                self.touches.insert(touch.id, touch.clone());
                if let Some(j) = touch.job {
                    for c in &touch.contacts {
                        self.link(j, *c);
                    }
                }
            }
            Event::Snoozed { key, until, after } => self.snoozes.push((
                seq,
                Snooze {
                    key: *key,
                    until: *until,
                    after: *after,
                },
            )),
            Event::ContactRemoved { id } => {
                let c = self.contacts.remove(id).expect("checked");
                self.removed_contacts.insert(*id, (c, Removal::Deleted));
                let alone: Vec<TouchId> = self
                    .touches
                    .values()
                    .filter(|t| t.job.is_none() && t.contacts.iter().all(|c| c == id))
                    .filter(|t| t.contacts.contains(id))
                    .map(|t| t.id)
                    .collect();
                for t in alone {
                    let t = self.touches.remove(&t).expect("just found");
                    self.removed_touches
                        .insert(t.id, (t, Removal::WithContact(*id)));
                }
            }
            Event::ContactRestored { id } => {
                let (c, _) = self.removed_contacts.remove(id).expect("checked");
                self.contacts.insert(*id, c);
                self.restore_touches(Removal::WithContact(*id));
            }
            Event::JobRemoved { id } => {
                let j = self.jobs.remove(id).expect("checked");
                self.removed_jobs.insert(*id, (j, Removal::Deleted));
                let of_job: Vec<TouchId> = self
                    .touches
                    .values()
                    .filter(|t| t.job == Some(*id))
                    .map(|t| t.id)
                    .collect();
                for t in of_job {
                    let t = self.touches.remove(&t).expect("just found");
                    self.removed_touches
                        .insert(t.id, (t, Removal::WithJob(*id)));
                }
            }
            Event::JobRestored { id } => {
                let (j, _) = self.removed_jobs.remove(id).expect("checked");
                self.jobs.insert(*id, j);
                self.restore_touches(Removal::WithJob(*id));
            }
            Event::TouchRetracted { id } => {
                let t = self.touches.remove(id).expect("checked");
                self.removed_touches.insert(*id, (t, Removal::Retracted));
            }
            Event::TouchRestored { id } => {
                let (t, _) = self.removed_touches.remove(id).expect("checked");
                self.touches.insert(*id, t);
            }
            Event::TouchEdited { touch } => {
                self.touches.insert(touch.id, touch.clone());
                if let Some(j) = touch.job {
                    for c in &touch.contacts {
                        self.link(j, *c);
                    }
                }
            }
            Event::ContactsMerged { from, into } => {
                let rename = |cs: &mut Vec<ContactId>| {
                    if cs.contains(from) {
                        for c in cs.iter_mut() {
                            if c == from {
                                *c = *into;
                            }
                        }
                        let mut seen = BTreeSet::new();
                        cs.retain(|c| seen.insert(*c));
                    }
                };
                self.touches
                    .values_mut()
                    .for_each(|t| rename(&mut t.contacts));
                self.jobs.values_mut().for_each(|j| rename(&mut j.contacts));
                self.removed_touches
                    .values_mut()
                    .for_each(|(t, _)| rename(&mut t.contacts));
                self.removed_jobs
                    .values_mut()
                    .for_each(|(j, _)| rename(&mut j.contacts));
                let c = self.contacts.remove(from).expect("checked");
                self.removed_contacts
                    .insert(*from, (c, Removal::MergedInto(*into)));
            }
            Event::SnoozeWithdrawn { key } => {
                let newest = self
                    .snoozes
                    .iter()
                    .rposition(|(_, s)| s.key == *key)
                    .expect("checked");
                self.snoozes.remove(newest);
            }
            Event::HolidaysKept { source, days } => {
                self.holidays
                    .insert(source.clone(), days.iter().copied().collect());
            }
            Event::MailRead { mail } => {
                self.mail
                    .insert(mail.message_id.clone(), (seq, mail.clone()));
            }
        }
    }

    /// Brings back every touch that went for `why`.
    fn restore_touches(&mut self, why: Removal) {
        let ids: Vec<TouchId> = self
            .removed_touches
            .iter()
            .filter(|(_, (_, w))| *w == why)
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            let (t, _) = self.removed_touches.remove(&id).expect("just found");
            self.touches.insert(id, t);
        }
    }

    /// A key's number, given one from the allocator if it has none.
    fn key_id(&mut self, key: &PlanKey) -> i64 {
        let key = key.to_string();
        if let Some(id) = self.plan_keys.get(&key) {
            return *id;
        }
        let id = self.allocate(PLAN_KEY);
        self.plan_keys.insert(key, id);
        id
    }

    /// `items` with their numbers; the same key twice is a conflict (one number, one row).
    fn numbered(&mut self, items: &[FollowUp]) -> Result<BTreeMap<i64, FollowUp>> {
        let mut rows = BTreeMap::new();
        for item in items {
            let id = self.key_id(&item.key);
            if rows.insert(id, item.clone()).is_some() {
                return Err(conflict("plan item", format!("{} twice", item.key)));
            }
        }
        Ok(rows)
    }
}

impl MemoryTx<'_> {
    /// This transaction's data to change: copied from the snapshot on the first change.
    fn data_mut(&mut self) -> &mut OwnerData {
        Arc::make_mut(&mut self.data)
    }

    /// Runs a change that may fail part way, keeping the data as it was if it does.
    fn all_or_nothing<T>(&mut self, f: impl FnOnce(&mut OwnerData) -> Result<T>) -> Result<T> {
        let mut copy = (*self.data).clone();
        let out = f(&mut copy)?;
        self.data = Arc::new(copy);
        Ok(out)
    }
}

impl ReadTx for MemoryTx<'_> {
    fn is_empty(&self) -> Result<bool> {
        Ok(self.data.events.is_empty())
    }

    fn events(&self) -> Result<Vec<Recorded>> {
        Ok(self.data.events.clone())
    }

    fn mail(&self, message_id: &str) -> Result<Option<MailRecord>> {
        Ok(self.data.mail.get(message_id).map(|(_, m)| m.clone()))
    }

    fn mail_in_thread(&self, thread: &str) -> Result<Vec<MailRecord>> {
        let mut v: Vec<&(i64, MailRecord)> = self
            .data
            .mail
            .values()
            .filter(|(_, m)| m.thread == thread)
            .collect();
        v.sort_by_key(|(seq, _)| *seq);
        Ok(v.into_iter().map(|(_, m)| m.clone()).collect())
    }

    fn mail_with_meaning(&self, meaning: MailMeaning) -> Result<Vec<MailRecord>> {
        let mut v: Vec<&(i64, MailRecord)> = self
            .data
            .mail
            .values()
            .filter(|(_, m)| m.meaning == meaning)
            .collect();
        v.sort_by_key(|(seq, _)| *seq);
        Ok(v.into_iter().map(|(_, m)| m.clone()).collect())
    }

    fn mail_counts(&self) -> Result<Vec<(MailMeaning, u64)>> {
        let mut counts: BTreeMap<&'static str, (MailMeaning, u64)> = BTreeMap::new();
        for (_, m) in self.data.mail.values() {
            counts.entry(m.meaning.as_str()).or_insert((m.meaning, 0)).1 += 1;
        }
        let mut v: Vec<(MailMeaning, u64)> = counts.into_values().collect();
        v.sort_by_key(|(m, _)| *m);
        Ok(v)
    }

    fn events_by_accounts(&self) -> Result<Vec<Recorded>> {
        Ok(self
            .data
            .events
            .iter()
            .filter(|r| r.actor.is_some())
            .cloned()
            .collect())
    }

    fn holidays(&self) -> Result<Vec<Date>> {
        let days: BTreeSet<Date> = self.data.holidays.values().flatten().copied().collect();
        Ok(days.into_iter().collect())
    }

    fn organization_named(&self, name: &str) -> Result<Option<OrgRef>> {
        let name = name.trim();
        Ok(self
            .data
            .organizations
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(name))
            .map(|(id, n)| OrgRef {
                id: *id,
                name: n.clone(),
            }))
    }

    fn contact(&self, id: ContactId) -> Result<Option<Contact>> {
        Ok(self.data.contacts.get(&id).cloned())
    }

    fn contacts(&self) -> Result<Vec<Contact>> {
        Ok(self.data.contacts.values().cloned().collect())
    }

    fn contacts_named(&self, name: &str) -> Result<Vec<Contact>> {
        let name = name.trim();
        let all = || self.data.contacts.values().cloned();
        let exact = kept(all(), |c| c.name.eq_ignore_ascii_case(name));
        if !exact.is_empty() {
            return Ok(exact);
        }
        let part = name.to_ascii_lowercase();
        Ok(kept(all(), |c| c.name.to_ascii_lowercase().contains(&part)))
    }

    fn job(&self, id: JobId) -> Result<Option<Job>> {
        Ok(self.data.jobs.get(&id).cloned())
    }

    fn jobs(&self) -> Result<Vec<Job>> {
        Ok(self.data.jobs.values().cloned().collect())
    }

    fn jobs_matching(&self, text: &str) -> Result<Vec<Job>> {
        let t = text.trim();
        // A job is found by its organization's recorded name; one without is never found.
        let named: Vec<(&Job, String, String)> = self
            .data
            .jobs
            .values()
            .filter_map(|j| {
                let org = self.data.organizations.get(&j.organization.id)?;
                Some((j, org.clone(), format!("{org}: {}", j.title)))
            })
            .collect();
        let pick = |keep: &dyn Fn(&(&Job, String, String)) -> bool| -> Vec<Job> {
            named
                .iter()
                .filter(|n| keep(n))
                .map(|n| n.0.clone())
                .collect()
        };
        let exact = pick(&|(j, org, full)| {
            j.title.eq_ignore_ascii_case(t)
                || org.eq_ignore_ascii_case(t)
                || full.eq_ignore_ascii_case(t)
        });
        if !exact.is_empty() {
            return Ok(exact);
        }
        let part = t.to_ascii_lowercase();
        Ok(pick(&|(_, _, full)| {
            full.to_ascii_lowercase().contains(&part)
        }))
    }

    fn jobs_of_contact(&self, id: ContactId) -> Result<Vec<Job>> {
        Ok(kept(self.data.jobs.values().cloned(), |j| {
            j.contacts.contains(&id)
        }))
    }

    fn open_job_count(&self) -> Result<u32> {
        Ok(self
            .data
            .jobs
            .values()
            .filter(|j| j.stage.is_open())
            .count() as u32)
    }

    fn touches_of_contact(&self, id: ContactId) -> Result<Vec<Touch>> {
        let mut out = kept(self.data.touches.values().cloned(), |t| {
            t.contacts.contains(&id)
        });
        out.sort_by_key(|t| (t.date, t.id));
        Ok(out)
    }

    fn touches_of_job(&self, id: JobId) -> Result<Vec<Touch>> {
        let mut out = kept(self.data.touches.values().cloned(), |t| t.job == Some(id));
        out.sort_by_key(|t| (t.date, t.id));
        Ok(out)
    }

    fn newest_touch(&self) -> Result<Option<TouchId>> {
        Ok(self
            .data
            .touches
            .keys()
            .next_back()
            .copied()
            .filter(|t| t.0 > 0))
    }

    fn snoozes(&self, subject: Subject) -> Result<Vec<Snooze>> {
        Ok(kept(self.data.snoozes.iter().map(|s| s.1.clone()), |s| {
            s.key.subject == subject
        }))
    }

    fn all_touches(&self) -> Result<Vec<Touch>> {
        Ok(self.data.touches.values().cloned().collect())
    }

    fn touches_of_contacts(&self, from: ContactId, to: ContactId) -> Result<Vec<Touch>> {
        Ok(kept(self.data.touches.values().cloned(), |t| {
            t.contacts.iter().any(|c| (from..=to).contains(c))
        }))
    }

    fn plan_subjects(&self) -> Result<Vec<Subject>> {
        let subjects: BTreeSet<Subject> = self.data.plan.values().map(|i| i.key.subject).collect();
        Ok(subjects.into_iter().collect())
    }

    fn all_snoozes(&self) -> Result<Vec<Snooze>> {
        Ok(self.data.snoozes.iter().map(|s| s.1.clone()).collect())
    }

    fn plan_window(&self, from: Date, until: Date) -> Result<Vec<Planned>> {
        let ranges = occasion_ranges(from, until);
        let shows = |item: &FollowUp| {
            if item.action == Action::Occasion {
                let md = month_day(item.due);
                ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&md))
            } else {
                item.due <= until
            }
        };
        Ok(self
            .data
            .plan
            .iter()
            .filter(|(_, item)| shows(item))
            .map(|(id, item)| Planned {
                id: *id,
                item: item.clone(),
            })
            .collect())
    }

    fn plan_all(&self) -> Result<Vec<Planned>> {
        Ok(self
            .data
            .plan
            .iter()
            .map(|(id, item)| Planned {
                id: *id,
                item: item.clone(),
            })
            .collect())
    }

    fn plan_item(&self, id: i64) -> Result<Option<Planned>> {
        Ok(self.data.plan.get(&id).map(|item| Planned {
            id,
            item: item.clone(),
        }))
    }

    fn plan_id(&self, key: &PlanKey) -> Result<Option<i64>> {
        Ok(self.data.plan_keys.get(&key.to_string()).copied())
    }

    fn plan_keys(&self) -> Result<Vec<(String, i64)>> {
        let mut keys: Vec<(String, i64)> = self
            .data
            .plan_keys
            .iter()
            .map(|(k, id)| (k.clone(), *id))
            .collect();
        keys.sort_by_key(|k| k.1);
        Ok(keys)
    }

    fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self.data.settings.get(key).cloned())
    }

    fn touch(&self, id: TouchId) -> Result<Option<Touch>> {
        Ok(self.data.touches.get(&id).cloned())
    }

    fn trash(&self) -> Result<Trash> {
        Ok(Trash {
            contacts: self.data.removed_contacts.values().cloned().collect(),
            jobs: self.data.removed_jobs.values().cloned().collect(),
            touches: self.data.removed_touches.values().cloned().collect(),
        })
    }
}

impl WriteTx for MemoryTx<'_> {
    fn next_id(&mut self, entity: Entity) -> Result<i64> {
        Ok(self.data_mut().allocate(entity.as_str()))
    }

    fn act_as(&mut self, actor: Option<AccountId>) {
        self.actor = actor;
    }

    fn append(&mut self, recorded_on: Date, event: &Event) -> Result<()> {
        self.data.check(event)?;
        self.seq += 1;
        let seq = self.seq;
        let actor = self.actor;
        let data = self.data_mut();
        data.events.push(Recorded {
            seq,
            recorded_on,
            actor,
            event: event.clone(),
        });
        data.apply(seq, event);
        self.appended.note(event);
        Ok(())
    }

    fn appended(&self) -> &Appended {
        &self.appended
    }

    fn committed_version(&self) -> Result<u64> {
        Ok(self.data.version + 1)
    }

    fn replace_plan(&mut self, subject: Subject, items: &[FollowUp]) -> Result<()> {
        self.all_or_nothing(|data| {
            let rows = data.numbered(items)?;
            data.plan.retain(|_, item| item.key.subject != subject);
            for (id, item) in rows {
                if data.plan.insert(id, item).is_some() {
                    // Only an item of another subject (which the caller must not pass) can be here.
                    return Err(conflict("plan item", format!("number {id} is in the plan")));
                }
            }
            Ok(())
        })
    }

    fn replace_plan_of(&mut self, subjects: &[Subject], items: &[FollowUp]) -> Result<()> {
        self.all_or_nothing(|data| {
            let rows = data.numbered(items)?;
            data.plan
                .retain(|_, item| !subjects.contains(&item.key.subject));
            for (id, item) in rows {
                if data.plan.insert(id, item).is_some() {
                    return Err(conflict("plan item", format!("number {id} is in the plan")));
                }
            }
            Ok(())
        })
    }

    fn clear_plan(&mut self) -> Result<()> {
        self.data_mut().plan.clear();
        Ok(())
    }

    fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        if is_derived(key) {
            self.derived.insert(key.to_string());
        }
        self.appended.note_setting(key);
        self.data_mut()
            .settings
            .insert(key.to_string(), value.to_string());
        Ok(())
    }

    fn set_plan_key(&mut self, key: &str, id: i64) -> Result<()> {
        if self.data.plan_keys.contains_key(key) || self.data.plan_keys.values().any(|n| *n == id) {
            return Err(conflict("plan key", format!("{key} as {id}")));
        }
        let data = self.data_mut();
        data.plan_keys.insert(key.to_string(), id);
        data.taken(PLAN_KEY, id);
        Ok(())
    }

    fn commit(mut self: Box<Self>) -> Result<()> {
        let kept = std::mem::take(&mut self.derived);
        let data = self.data_mut();
        data.settings
            .retain(|k, _| !is_derived(k) || kept.contains(k));
        data.version += 1;
        let mut state = self.store.state.write().unwrap_or_else(|p| p.into_inner());
        state.seq = self.seq;
        state.owners.insert(self.owner, self.data.clone());
        Ok(())
    }
}
