//! `followup-app`: the use cases. Add a contact, add a job, log a touch, snooze, mark done,
//! replan, build the demo. Each change is validated first, then committed as one transaction
//! that appends the event, everything it implies, and the replanned items of every subject it
//! touched; bad input changes nothing.
//!
//! It also reads the config file and, in one function ([`clock::system_today`]), the clock.
//! It is not SQL (followup-store), not rules (followup-core), not output formatting (the
//! binary and, later, the web crate).

pub mod clock;
pub mod config;
pub mod demo;
pub mod drafts;
pub mod fields;
pub mod holidays;
pub mod ics;
pub mod identity;
pub mod import;
pub mod synth;
pub mod transfer;
pub mod warn;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use followup_core::agenda::{self, AgendaItem, Planned, Window};
use followup_core::dates::parse_date;
use followup_core::model::*;
use followup_core::plan::{self, Action, FollowUp, History, PlanKey, Slot, Subject, Warning};
use followup_core::promises::{PromiseState, TouchAt, promise_states};
use followup_core::{ContactPatch, Event, Policy, Wait};
use followup_store::{Entity, Mode, SqliteStore, Store, StoreError, Tx};
use jiff::civil::Date;
use serde::Serialize;

pub use config::Config;

/// What a use case can refuse or fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Bad input: the message names the argument and what was expected. Exit code 2.
    #[error("{0}")]
    Invalid(String),
    /// A name that matches several records. Exit code 2.
    #[error("{what} {query:?} is ambiguous: {candidates}; use the id")]
    Ambiguous {
        what: &'static str,
        query: String,
        candidates: String,
    },
    /// A name or id that matches nothing. Exit code 2.
    #[error("no {what} matches {query:?}{hint}")]
    NotFound {
        what: &'static str,
        query: String,
        hint: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AppError {
    /// True for errors caused by what the person typed (exit code 2).
    pub fn is_bad_input(&self) -> bool {
        match self {
            AppError::Invalid(_) | AppError::Ambiguous { .. } | AppError::NotFound { .. } => true,
            AppError::Store(StoreError::Newer { .. } | StoreError::NoDatabase { .. }) => true,
            AppError::Store(_) => false,
        }
    }
}

fn invalid(msg: impl Into<String>) -> AppError {
    AppError::Invalid(msg.into())
}

/// Result with an app error.
pub type Result<T> = std::result::Result<T, AppError>;

/// The default database: `$XDG_DATA_HOME/followup/followup.db`.
pub fn default_db_path() -> Option<PathBuf> {
    use etcetera::BaseStrategy;
    etcetera::choose_base_strategy()
        .ok()
        .map(|b| b.data_dir().join("followup").join("followup.db"))
}

/// One person's followup: a store, the owner, the policy and the day it is.
pub struct App {
    store: Box<dyn Store + Send>,
    owner: OwnerId,
    pub config: Config,
    pub today: Date,
    /// The holidays the config file (and its folder) named, before the imported ones kept in
    /// the database joined them: what an import's replacement starts from.
    file_holidays: BTreeSet<Date>,
}

/// A new contact as typed.
#[derive(Debug, Clone, Default)]
pub struct NewContact {
    pub name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub company: Option<String>,
    pub title: Option<String>,
    pub tier: Option<String>,
    pub prefers: Option<String>,
    pub linkedin: Option<String>,
    pub birthday: Option<String>,
    pub work_anniversary: Option<String>,
    pub personal_anniversary: Option<String>,
    pub notes: Option<String>,
}

/// A change to a contact as typed; `None` leaves a field alone, `Some("")` clears it.
#[derive(Debug, Clone, Default)]
pub struct EditContact {
    pub name: Option<String>,
    pub emails: Option<Vec<String>>,
    pub phones: Option<Vec<String>>,
    pub company: Option<String>,
    pub title: Option<String>,
    pub tier: Option<String>,
    pub prefers: Option<String>,
    pub linkedin: Option<String>,
    pub birthday: Option<String>,
    pub work_anniversary: Option<String>,
    pub personal_anniversary: Option<String>,
    pub notes: Option<String>,
}

/// A new opportunity as typed.
#[derive(Debug, Clone, Default)]
pub struct NewJob {
    pub organization: String,
    pub title: String,
    pub contacts: Vec<String>,
    pub applied: Option<String>,
    pub response_time: Option<String>,
    pub url: Option<String>,
    pub stage: Option<String>,
    pub notes: Option<String>,
}

/// A touch as typed.
#[derive(Debug, Clone, Default)]
pub struct NewTouch {
    pub kind: String,
    pub with: Vec<String>,
    pub job: Option<String>,
    pub on: Option<String>,
    pub direction: Option<String>,
    pub they_decide_by: Option<String>,
    pub i_will_follow_up: Option<String>,
    pub they_will_act_by: Option<String>,
    /// C6: with an offer, the day your answer is due.
    pub answer_by: Option<String>,
    pub they_will_act: bool,
    pub poor_fit: bool,
    pub note: Option<String>,
    pub next_step: Option<String>,
    pub all_hear_back: Option<bool>,
    pub may_follow_up: Option<bool>,
    pub preferred_channel: Option<String>,
    pub direct_contact: Option<String>,
    pub on_linkedin: Option<bool>,
    /// The message as sent (for the lint's "same question twice", F8).
    pub message: Option<String>,
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

/// A contact with everything recorded about it.
#[derive(Debug, Clone, Serialize)]
pub struct ContactView {
    pub contact: Contact,
    pub jobs: Vec<Job>,
    pub timeline: Vec<Touch>,
    pub promises: Vec<PromiseView>,
    pub next: Vec<AgendaItem>,
}

/// A job with everything recorded about it.
#[derive(Debug, Clone, Serialize)]
pub struct JobView {
    pub job: Job,
    pub contacts: Vec<Contact>,
    pub timeline: Vec<Touch>,
    pub promises: Vec<PromiseView>,
    pub next: Vec<AgendaItem>,
}

/// A promise with the touch it was made at, and where it stands (C9).
#[derive(Debug, Clone, Serialize)]
pub struct PromiseView {
    pub touch: TouchId,
    pub made_on: Date,
    #[serde(flatten)]
    pub promise: Promise,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<JobId>,
    /// `pending`, `kept`, `replaced` or `missed`.
    pub state: PromiseState,
    /// The touch that kept it, and its day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kept_by: Option<TouchAt>,
    /// The touch whose newer promise took its place, and its day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<TouchAt>,
}

impl App {
    /// Opens the SQLite database at `path` (creating its folder and file when needed).
    pub fn open(path: &Path, config: Config, today: Date) -> Result<App> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                invalid(format!(
                    "--db {}: cannot create folder {}: {e}",
                    path.display(),
                    dir.display()
                ))
            })?;
        }
        let store = SqliteStore::open(path)?;
        Ok(App::with_store(Box::new(store), config, today))
    }

    /// Opens the SQLite database at `path` only when it is there (commands that read, dry
    /// runs): creates nothing, and says where the default is when the path is mistyped.
    pub fn open_existing(path: &Path, config: Config, today: Date) -> Result<App> {
        let store = followup_store::SqliteStore::open_existing(path)?;
        Ok(App::with_store(Box::new(store), config, today))
    }

    /// An app with no records, for commands that need none (the templates, a lint without a
    /// contact): nothing is opened or created on disk.
    pub fn without_data(config: Config, today: Date) -> Result<App> {
        let store = followup_store::SqliteStore::in_memory()?;
        Ok(App::with_store(Box::new(store), config, today))
    }

    /// An app over any store (tests, the team server).
    pub fn with_store(store: Box<dyn Store + Send>, config: Config, today: Date) -> App {
        let mut app = App {
            store,
            owner: OwnerId(1),
            file_holidays: config.policy.calendar.holidays.clone(),
            config,
            today,
        };
        // The imported holidays join the policy; a store that cannot say (a broken file) is
        // reported by the first use case that reads it.
        if let Ok(days) = app.stored_holidays() {
            app.config.policy.calendar.holidays.extend(days);
        }
        app
    }

    /// The holidays imported into this database (F16).
    fn stored_holidays(&mut self) -> Result<Vec<Date>> {
        let tx = self.store.begin(self.owner, Mode::Read)?;
        Ok(tx.holidays()?)
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.config.policy
    }

    /// Reads a date phrase for an argument, relative to today.
    pub fn parse_day(&self, arg: &str, text: &str) -> Result<Date> {
        self.date(arg, text)
    }

    fn date(&self, arg: &str, text: &str) -> Result<Date> {
        parse_date(text, self.today, &self.config.policy.calendar)
            .map_err(|e| invalid(format!("{arg}: {e}")))
    }

    fn past_date(&self, arg: &str, text: &str) -> Result<Date> {
        let d = self.date(arg, text)?;
        if d > self.today {
            return Err(invalid(format!(
                "{arg}: {d} is after today ({}); log what has happened, promise what will",
                self.today
            )));
        }
        Ok(d)
    }

    // ---- contacts -------------------------------------------------------------------------

    /// Records a new contact.
    pub fn add_contact(&mut self, n: NewContact) -> Result<Contact> {
        let name = fields::line("NAME", &n.name)?;
        if name.is_empty() {
            return Err(invalid("NAME: expected a contact's name, found nothing"));
        }
        let emails = n
            .emails
            .iter()
            .map(|e| fields::email("--email", e))
            .collect::<Result<Vec<_>>>()?;
        let phones = n
            .phones
            .iter()
            .map(|p| fields::phone("--phone", p))
            .collect::<Result<Vec<_>>>()?;
        let company = fields::opt_line("--company", n.company.clone())?;
        let title = fields::opt_line("--title", n.title.clone())?;
        let linkedin = fields::opt_url("--linkedin", n.linkedin.clone())?;
        let notes = fields::opt_note("--notes", n.notes.clone())?;
        let tier = n
            .tier
            .as_deref()
            .map(|t| word::<Tier>("--tier", t))
            .transpose()?;
        let prefers = n
            .prefers
            .as_deref()
            .map(|t| word::<Channel>("--prefers", t))
            .transpose()?;
        let birthday = n
            .birthday
            .as_deref()
            .map(|d| self.date("--birthday", d))
            .transpose()?;
        let work = n
            .work_anniversary
            .as_deref()
            .map(|d| self.date("--work-anniversary", d))
            .transpose()?;
        let personal = n
            .personal_anniversary
            .as_deref()
            .map(|d| self.date("--personal-anniversary", d))
            .transpose()?;
        let today = self.today;
        let policy = self.config.policy.clone();
        let mut tx = self.store.begin(self.owner, Mode::Write)?;
        let organization = match company.as_deref() {
            Some(c) => Some(ensure_org(tx.as_mut(), today, c)?),
            None => None,
        };
        let id = ContactId(tx.next_id(Entity::Contact)?);
        let contact = Contact {
            id,
            name,
            emails,
            phones,
            organization,
            title,
            tier,
            prefers,
            linkedin,
            birthday,
            work_anniversary: work,
            personal_anniversary: personal,
            notes,
            added_on: today,
            cadence_start: None,
        };
        tx.append(
            today,
            &Event::ContactAdded {
                contact: contact.clone(),
            },
        )?;
        replan_subjects(tx.as_mut(), &policy, [Subject::Contact(id)])?;
        tx.commit()?;
        Ok(contact)
    }

    /// Changes a contact's fields.
    pub fn edit_contact(&mut self, who: &str, e: EditContact) -> Result<Contact> {
        let today = self.today;
        let cal = self.config.policy.calendar.clone();
        let opt_date = |arg: &str, v: &Option<String>| -> Result<Option<Option<Date>>> {
            match v.as_deref().map(str::trim) {
                None => Ok(None),
                Some("") => Ok(Some(None)),
                Some(t) => parse_date(t, today, &cal)
                    .map(|d| Some(Some(d)))
                    .map_err(|err| invalid(format!("{arg}: {err}"))),
            }
        };
        let opt_line = |arg: &str, v: &Option<String>| -> Result<Option<Option<String>>> {
            v.as_ref()
                .map(|s| fields::opt_line(arg, Some(s.clone())))
                .transpose()
        };
        let emails = e
            .emails
            .as_ref()
            .map(|l| l.iter().map(|m| fields::email("--email", m)).collect())
            .transpose()?;
        let phones = e
            .phones
            .as_ref()
            .map(|l| l.iter().map(|p| fields::phone("--phone", p)).collect())
            .transpose()?;
        let company = e
            .company
            .as_ref()
            .map(|c| fields::line("--company", c))
            .transpose()?;
        let mut patch = ContactPatch {
            name: match e
                .name
                .as_deref()
                .map(|n| fields::line("--name", n))
                .transpose()?
            {
                Some(n) if n.is_empty() => return Err(invalid("--name: a contact needs a name")),
                other => other,
            },
            emails,
            phones,
            organization: None,
            title: opt_line("--title", &e.title)?,
            tier: match e.tier.as_deref().map(str::trim) {
                None => None,
                Some("") | Some("none") => Some(None),
                Some(t) => Some(Some(word::<Tier>("--tier", t)?)),
            },
            prefers: match e.prefers.as_deref().map(str::trim) {
                None => None,
                Some("") => Some(None),
                Some(t) => Some(Some(word::<Channel>("--prefers", t)?)),
            },
            linkedin: e
                .linkedin
                .as_ref()
                .map(|u| fields::opt_url("--linkedin", Some(u.clone())))
                .transpose()?,
            birthday: opt_date("--birthday", &e.birthday)?,
            work_anniversary: opt_date("--work-anniversary", &e.work_anniversary)?,
            personal_anniversary: opt_date("--personal-anniversary", &e.personal_anniversary)?,
            notes: e
                .notes
                .as_ref()
                .map(|n| fields::opt_note("--notes", Some(n.clone())))
                .transpose()?,
        };
        let policy = self.config.policy.clone();
        let mut tx = self.store.begin(self.owner, Mode::Write)?;
        let contact = resolve_contact(tx.as_ref(), who)?;
        if let Some(c) = company.as_deref() {
            patch.organization = Some(if c.is_empty() {
                None
            } else {
                Some(ensure_org(tx.as_mut(), today, c)?)
            });
        }
        if patch.is_empty() {
            return Err(invalid(
                "contact edit: nothing to change; give at least one option such as --tier or --email",
            ));
        }
        let edited = patch.apply(&contact);
        tx.append(
            today,
            &Event::ContactEdited {
                id: contact.id,
                patch,
            },
        )?;
        let mut subjects = vec![Subject::Contact(contact.id)];
        // A renamed contact is named in the items of every job it shares.
        for j in tx.jobs_of_contact(contact.id)? {
            subjects.extend(job_subjects(&j));
        }
        replan_subjects(tx.as_mut(), &policy, subjects)?;
        tx.commit()?;
        Ok(edited)
    }

    /// Every contact, by id.
    pub fn contacts(&mut self) -> Result<Vec<Contact>> {
        let tx = self.store.begin(self.owner, Mode::Read)?;
        Ok(tx.contacts()?)
    }

    /// A contact with its jobs, timeline, promises and next items.
    pub fn contact_view(&mut self, who: &str) -> Result<ContactView> {
        let today = self.today;
        let tx = self.store.begin(self.owner, Mode::Read)?;
        let contact = resolve_contact(tx.as_ref(), who)?;
        let jobs = tx.jobs_of_contact(contact.id)?;
        let timeline = tx.touches_of_contact(contact.id)?;
        let mut context = Vec::new();
        for j in &jobs {
            context.extend(tx.touches_of_job(j.id)?);
        }
        let promises = promises_of(&timeline, &context, today);
        let mut next: Vec<AgendaItem> = Vec::new();
        for slot in [
            Slot::FollowUp,
            Slot::Birthday,
            Slot::WorkAnniversary,
            Slot::PersonalAnniversary,
        ] {
            let key = PlanKey {
                subject: Subject::Contact(contact.id),
                slot,
            };
            if let Some(id) = tx.plan_id(&key)?
                && let Some(p) = tx.plan_item(id)?
            {
                next.push(next_view(&p, today));
            }
        }
        Ok(ContactView {
            contact,
            jobs,
            timeline,
            promises,
            next,
        })
    }

    // ---- jobs -----------------------------------------------------------------------------

    /// Records a new opportunity; `--applied` also logs the application (F5).
    pub fn add_job(&mut self, n: NewJob) -> Result<Job> {
        let org_name = fields::line("ORGANIZATION", &n.organization)?;
        if org_name.is_empty() {
            return Err(invalid(
                "ORGANIZATION: expected an organization's name, found nothing",
            ));
        }
        let title = fields::line("TITLE", &n.title)?;
        if title.is_empty() {
            return Err(invalid("TITLE: expected the role's title, found nothing"));
        }
        let applied = n
            .applied
            .as_deref()
            .map(|d| self.past_date("--applied", d))
            .transpose()?;
        let response_time = n
            .response_time
            .as_deref()
            .map(|t| {
                t.parse::<Wait>()
                    .map_err(|e| invalid(format!("--response-time: {e}")))
            })
            .transpose()?;
        let stage = match n.stage.as_deref() {
            Some(s) => {
                let st = word::<Stage>("--stage", s)?;
                if !st.is_open() {
                    return Err(invalid(format!(
                        "--stage: a new job starts open (lead, applied, interviewing, offer), found {st}; close it with `job close`"
                    )));
                }
                st
            }
            None if applied.is_some() => Stage::Applied,
            None => Stage::Lead,
        };
        let url = fields::opt_url("--url", n.url.clone())?;
        let notes = fields::opt_note("--notes", n.notes.clone())?;
        let today = self.today;
        let policy = self.config.policy.clone();
        let mut tx = self.store.begin(self.owner, Mode::Write)?;
        let mut contacts = Vec::new();
        for c in &n.contacts {
            let id = resolve_contact(tx.as_ref(), c)?.id;
            if !contacts.contains(&id) {
                contacts.push(id);
            }
        }
        let organization = ensure_org(tx.as_mut(), today, &org_name)?;
        let id = JobId(tx.next_id(Entity::Job)?);
        let job = Job {
            id,
            organization,
            title,
            url,
            response_time,
            applied,
            stage,
            contacts: contacts.clone(),
            added_on: today,
            notes,
        };
        tx.append(today, &Event::JobAdded { job: job.clone() })?;
        if let Some(on) = applied {
            let tid = TouchId(tx.next_id(Entity::Touch)?);
            let touch = Touch {
                id: tid,
                kind: TouchKind::Application,
                direction: Direction::Outbound,
                date: on,
                contacts,
                job: Some(id),
                note: None,
                answers: None,
                poor_fit: false,
                promises: Vec::new(),
                message: None,
            };
            tx.append(today, &Event::TouchLogged { touch })?;
        }
        replan_subjects(tx.as_mut(), &policy, job_subjects(&job))?;
        tx.commit()?;
        Ok(job)
    }

    /// Every opportunity, by id.
    pub fn jobs(&mut self) -> Result<Vec<Job>> {
        let tx = self.store.begin(self.owner, Mode::Read)?;
        Ok(tx.jobs()?)
    }

    /// A job with its contacts, timeline, promises and next item.
    pub fn job_view(&mut self, which: &str) -> Result<JobView> {
        let today = self.today;
        let tx = self.store.begin(self.owner, Mode::Read)?;
        let job = resolve_job(tx.as_ref(), which)?;
        let mut contacts = Vec::new();
        for c in &job.contacts {
            if let Some(c) = tx.contact(*c)? {
                contacts.push(c);
            }
        }
        let timeline = tx.touches_of_job(job.id)?;
        let mut people: BTreeSet<ContactId> = job.contacts.iter().copied().collect();
        people.extend(timeline.iter().flat_map(|t| t.contacts.iter().copied()));
        let mut context = Vec::new();
        for c in people {
            context.extend(tx.touches_of_contact(c)?);
        }
        let promises = promises_of(&timeline, &context, today);
        let mut next = Vec::new();
        let mut keys: Vec<PlanKey> = job
            .contacts
            .iter()
            .map(|c| PlanKey {
                subject: Subject::Contact(*c),
                slot: Slot::FollowUp,
            })
            .collect();
        keys.push(PlanKey {
            subject: Subject::Job(job.id),
            slot: Slot::FollowUp,
        });
        for key in keys {
            if let Some(id) = tx.plan_id(&key)?
                && let Some(p) = tx.plan_item(id)?
                && p.item.jobs.iter().any(|j| j.id == job.id)
            {
                next.push(next_view(&p, today));
            }
        }
        Ok(JobView {
            job,
            contacts,
            timeline,
            promises,
            next,
        })
    }

    /// Moves an open job to another open stage.
    pub fn set_stage(&mut self, which: &str, stage: &str) -> Result<Job> {
        let stage = word::<Stage>("STAGE", stage)?;
        if !stage.is_open() {
            return Err(invalid(format!(
                "STAGE: {stage} closes the job; use `followup job close ID {stage}`"
            )));
        }
        self.change_stage(which, stage)
    }

    /// Closes a job as accepted, rejected, withdrawn or no-response.
    pub fn close_job(&mut self, which: &str, outcome: &str) -> Result<Job> {
        let stage = word::<Stage>("OUTCOME", outcome)?;
        if stage.is_open() {
            return Err(invalid(format!(
                "OUTCOME: expected accepted, rejected, withdrawn or no-response, found {stage}"
            )));
        }
        self.change_stage(which, stage)
    }

    fn change_stage(&mut self, which: &str, stage: Stage) -> Result<Job> {
        let today = self.today;
        let policy = self.config.policy.clone();
        let mut tx = self.store.begin(self.owner, Mode::Write)?;
        let mut job = resolve_job(tx.as_ref(), which)?;
        if !job.stage.is_open() {
            return Err(invalid(format!(
                "job {} ({}: {}) is already closed as {}",
                job.id, job.organization.name, job.title, job.stage
            )));
        }
        if job.stage == stage {
            return Err(invalid(format!(
                "job {} is already at stage {stage}",
                job.id
            )));
        }
        tx.append(today, &Event::JobStageChanged { id: job.id, stage })?;
        job.stage = stage;
        replan_subjects(tx.as_mut(), &policy, job_subjects(&job))?;
        tx.commit()?;
        Ok(job)
    }

    // ---- touches --------------------------------------------------------------------------

    /// Logs a touch with everything it implies, and says what it changed.
    pub fn log(&mut self, n: NewTouch) -> Result<Logged> {
        let kind = word::<TouchKind>("KIND", &n.kind)?;
        let direction = match &n.direction {
            Some(d) => word::<Direction>("--direction", d)?,
            None => kind.default_direction(),
        };
        let on = match &n.on {
            Some(d) => self.past_date("--on", d)?,
            None => self.today,
        };
        let later = |arg: &str, d: Date| -> Result<Date> {
            if d < on {
                return Err(invalid(format!(
                    "{arg}: {d} is before the touch itself ({on})"
                )));
            }
            Ok(d)
        };
        let mut promises = Vec::new();
        let decide_by = match &n.they_decide_by {
            Some(t) => Some(later(
                "--they-decide-by",
                self.date("--they-decide-by", t)?,
            )?),
            None => None,
        };
        if let Some(d) = decide_by {
            promises.push(Promise {
                whose: Whose::Theirs,
                kind: PromiseKind::Decide,
                date: Some(d),
            });
        }
        if let Some(t) = &n.answer_by {
            if kind != TouchKind::Offer {
                return Err(invalid(format!(
                    "--answer-by: the day your answer is due goes with `log offer`, not `log {kind}`"
                )));
            }
            let d = later("--answer-by", self.date("--answer-by", t)?)?;
            promises.push(Promise {
                whose: Whose::Mine,
                kind: PromiseKind::Decide,
                date: Some(d),
            });
        }
        if let Some(t) = &n.they_will_act_by {
            let d = later("--they-will-act-by", self.date("--they-will-act-by", t)?)?;
            promises.push(Promise {
                whose: Whose::Theirs,
                kind: PromiseKind::Act,
                date: Some(d),
            });
        } else if n.they_will_act {
            promises.push(Promise {
                whose: Whose::Theirs,
                kind: PromiseKind::Act,
                date: None,
            });
        }
        if let Some(t) = &n.i_will_follow_up {
            let d = later("--i-will-follow-up", self.date("--i-will-follow-up", t)?)?;
            promises.push(Promise {
                whose: Whose::Mine,
                kind: PromiseKind::FollowUp,
                date: Some(d),
            });
        }
        let preferred = n
            .preferred_channel
            .as_deref()
            .map(|c| word::<Channel>("--they-prefer", c))
            .transpose()?;
        let interviewish = kind == TouchKind::Interview;
        let answers = if interviewish {
            Some(InterviewAnswers {
                next_step: fields::opt_note("--next-step", n.next_step.clone())?,
                decide_by,
                all_hear_back: n.all_hear_back,
                may_follow_up: n.may_follow_up,
                preferred_channel: preferred,
                direct_contact: fields::opt_line("--direct-contact", n.direct_contact.clone())?,
                on_linkedin: n.on_linkedin,
            })
        } else {
            if n.next_step.is_some()
                || n.all_hear_back.is_some()
                || n.may_follow_up.is_some()
                || n.direct_contact.is_some()
                || n.on_linkedin.is_some()
                || preferred.is_some()
            {
                return Err(invalid(format!(
                    "the interview questions (--next-step, --all-hear-back, ...) go with `log interview`, not `log {kind}`"
                )));
            }
            None
        };
        if n.poor_fit && kind != TouchKind::Interview {
            return Err(invalid(format!(
                "--poor-fit marks an interview (F11), not a {kind}"
            )));
        }
        if n.with.is_empty() && n.job.is_none() {
            return Err(invalid(format!(
                "log {kind}: --with needs at least one contact (or give --job)"
            )));
        }

        let today = self.today;
        let policy = self.config.policy.clone();
        let mut tx = self.store.begin(self.owner, Mode::Write)?;
        let mut contacts = Vec::new();
        for w in &n.with {
            let id = resolve_contact(tx.as_ref(), w)?.id;
            if !contacts.contains(&id) {
                contacts.push(id);
            }
        }
        let job = n
            .job
            .as_deref()
            .map(|j| resolve_job(tx.as_ref(), j))
            .transpose()?;

        // F15: warn (never refuse) when an outbound touch comes too soon after the last one.
        let mut warnings = Vec::new();
        if direction == Direction::Outbound {
            for c in &contacts {
                let before = tx.touches_of_contact(*c)?;
                if let Some(mut w) = plan::gap_warning(&before, *c, on, &policy) {
                    if contacts.len() > 1 {
                        let name = tx.contact(*c)?.map(|c| c.name).unwrap_or_default();
                        w.message = format!("{name}: {}", w.message);
                    }
                    warnings.push(w);
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
            if let Some(id) = tx.plan_id(&key)?
                && let Some(p) = tx.plan_item(id)?
            {
                let then = p.item.then.as_ref().filter(|_| {
                    p.item.action == Action::ThankYou
                        && p.item.jobs.first().map(|r| r.id) == Some(j.id)
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

        let id = TouchId(tx.next_id(Entity::Touch)?);
        let touch = Touch {
            id,
            kind,
            direction,
            date: on,
            contacts: contacts.clone(),
            job: job.as_ref().map(|j| j.id),
            note: fields::opt_note("--note", n.note.clone())?,
            answers,
            poor_fit: n.poor_fit,
            promises,
            message: fields::opt_note("--message", n.message.clone())?,
        };
        tx.append(
            today,
            &Event::TouchLogged {
                touch: touch.clone(),
            },
        )?;
        let mut stage_changes = Vec::new();
        let mut subjects: BTreeSet<Subject> =
            contacts.iter().map(|c| Subject::Contact(*c)).collect();
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
                tx.append(
                    today,
                    &Event::JobStageChanged {
                        id: j.id,
                        stage: to,
                    },
                )?;
                stage_changes.push(StageChange {
                    job: j.id,
                    from: j.stage,
                    to,
                });
            }
            let fresh = tx.job(j.id)?.unwrap_or_else(|| j.clone());
            subjects.extend(job_subjects(&fresh));
        }
        replan_subjects(tx.as_mut(), &policy, subjects.iter().copied())?;
        let mut next = Vec::new();
        for s in &subjects {
            let key = PlanKey {
                subject: *s,
                slot: Slot::FollowUp,
            };
            if let Some(id) = tx.plan_id(&key)?
                && let Some(p) = tx.plan_item(id)?
            {
                let mine = match s {
                    Subject::Contact(c) => contacts.contains(c),
                    Subject::Job(_) => true,
                };
                if mine {
                    next.push(next_view(&p, today));
                }
            }
        }
        tx.commit()?;
        Ok(Logged {
            touch,
            next,
            warnings,
            stage_changes,
        })
    }

    // ---- agenda ---------------------------------------------------------------------------

    /// The agenda from today to `until` (default: the next 14 days).
    pub fn agenda(&mut self, until: Option<&str>) -> Result<Vec<AgendaItem>> {
        let until = match until {
            Some(u) => {
                let d = self.date("--until", u)?;
                if d < self.today {
                    return Err(invalid(format!(
                        "--until: {d} is before today ({}); the agenda looks ahead",
                        self.today
                    )));
                }
                d
            }
            None => followup_core::calendar::add_calendar(self.today, Wait::Days(14)),
        };
        let today = self.today;
        let tx = self.store.begin(self.owner, Mode::Read)?;
        let planned = tx.plan_window(today, until)?;
        let open_jobs = tx.open_job_count()?;
        Ok(agenda::agenda_owned(
            planned,
            Window {
                today,
                until,
                open_jobs,
            },
            &self.config.policy,
        ))
    }

    /// Moves an agenda item to a later day; the item comes back then (an event).
    pub fn snooze(&mut self, id: i64, until: &str) -> Result<AgendaItem> {
        let until = self.date("--until", until)?;
        if until <= self.today {
            return Err(invalid(format!(
                "--until: {until} is not after today ({}); snooze moves an item later",
                self.today
            )));
        }
        let today = self.today;
        let policy = self.config.policy.clone();
        let mut tx = self.store.begin(self.owner, Mode::Write)?;
        let item = plan_item(tx.as_ref(), id)?;
        if item.item.action == Action::Occasion {
            return Err(invalid(format!(
                "item {id} is an occasion (F14): it falls on its day; nothing to snooze"
            )));
        }
        let after = tx.newest_touch()?;
        let key = item.item.key;
        tx.append(today, &Event::Snoozed { key, until, after })?;
        replan_subjects(tx.as_mut(), &policy, [key.subject])?;
        let p = plan_item(tx.as_ref(), id)?;
        tx.commit()?;
        Ok(next_view(&p, today))
    }

    /// Marks an item done by logging the touch that does it (or closing, for move-on-review).
    pub fn done(&mut self, id: i64, on: Option<String>, note: Option<String>) -> Result<Done> {
        if id == agenda::PIPELINE_ID {
            return Err(invalid(
                "item 0 is the pipeline (F18): it is done by adding jobs (`followup job add`)",
            ));
        }
        let item = {
            let tx = self.store.begin(self.owner, Mode::Read)?;
            plan_item(tx.as_ref(), id)?
        };
        let view = agenda::today_view(&item, self.today);
        let job = view.jobs.first().map(|j| j.id.to_string());
        if view.action == Action::MoveOnReview {
            let job = job.ok_or_else(|| invalid(format!("item {id} names no job to close")))?;
            let closed = self.close_job(&job, "no-response")?;
            return Ok(Done::Closed(closed));
        }
        if view.action == Action::Decide {
            let job = view.jobs.first().map(|j| j.id.0).unwrap_or_default();
            return Err(invalid(format!(
                "item {id} is an offer to decide on (C6): answer them, then `followup job close {job} accepted` (or withdrawn)"
            )));
        }
        let kind = match view.action {
            Action::ThankYou => TouchKind::ThankYou,
            Action::ValueAdd => TouchKind::ValueAdd,
            Action::KeepInTouch => TouchKind::Outreach,
            // C7: a greeting asks no reply; it chains nothing.
            Action::Occasion => TouchKind::Greeting,
            Action::FollowUp | Action::Retry | Action::RejectionReply => TouchKind::FollowUp,
            Action::MoveOnReview | Action::Pipeline | Action::Decide => {
                unreachable!("handled above")
            }
        };
        let with = view
            .contact
            .as_ref()
            .map(|c| vec![c.id.to_string()])
            .unwrap_or_default();
        let keep_job = !matches!(view.action, Action::KeepInTouch | Action::Occasion);
        let logged = self.log(NewTouch {
            kind: kind.as_str().to_string(),
            with,
            job: job.filter(|_| keep_job),
            on,
            note,
            ..NewTouch::default()
        })?;
        Ok(Done::Logged(Box::new(logged)))
    }

    /// Rebuilds the whole plan from the log; returns how many items it holds.
    ///
    /// Reads each table once and groups in memory, rather than one set of look-ups per
    /// subject: a coach's million touches replan in seconds (docs/BENCHMARKS.md).
    pub fn replan(&mut self) -> Result<usize> {
        let policy = self.config.policy.clone();
        let mut tx = self.store.begin(self.owner, Mode::Write)?;
        let n = full_replan(tx.as_mut(), &policy)?;
        tx.commit()?;
        Ok(n)
    }

    /// Every plan item, by id (for `plan --all` and the incremental-equals-full property).
    pub fn plan_all(&mut self) -> Result<Vec<Planned>> {
        let tx = self.store.begin(self.owner, Mode::Read)?;
        Ok(tx.plan_all()?)
    }

    /// True when nothing was ever recorded.
    pub fn is_empty(&mut self) -> Result<bool> {
        let tx = self.store.begin(self.owner, Mode::Read)?;
        Ok(tx.is_empty()?)
    }

    /// Changes whenever the data may have changed (here or in another process).
    pub fn data_version(&mut self) -> Result<u64> {
        Ok(self.store.version()?)
    }

    /// The calendar token if one was made; never makes one, so that looking writes nothing.
    pub fn existing_calendar_token(&mut self) -> Result<Option<String>> {
        let tx = self.store.begin(self.owner, Mode::Read)?;
        Ok(tx.setting("calendar_token")?)
    }

    /// Replaces the calendar token: the old feed URL stops working.
    pub fn rotate_calendar_token(&mut self) -> Result<String> {
        let t = random_token()?;
        let mut tx = self.store.begin(self.owner, Mode::Write)?;
        tx.set_setting("calendar_token", &t)?;
        tx.commit()?;
        Ok(t)
    }

    /// True when `token` is the calendar token, compared in constant time.
    pub fn calendar_token_matches(&mut self, token: &str) -> Result<bool> {
        let tx = self.store.begin(self.owner, Mode::Read)?;
        let Some(t) = tx.setting("calendar_token")? else {
            return Ok(false);
        };
        let (a, b) = (t.as_bytes(), token.as_bytes());
        let mut diff = a.len() ^ b.len();
        for (i, x) in a.iter().enumerate() {
            diff |= usize::from(x ^ b.get(i).copied().unwrap_or(0));
        }
        Ok(diff == 0)
    }

    /// The event log.
    pub fn events(&mut self) -> Result<Vec<followup_store::Recorded>> {
        let tx = self.store.begin(self.owner, Mode::Read)?;
        Ok(tx.events()?)
    }
}

/// Rebuilds every plan item inside the caller's transaction; returns how many there are.
pub(crate) fn full_replan(tx: &mut dyn Tx, policy: &Policy) -> Result<usize> {
    let policy = policy.clone();
    let contacts = tx.contacts()?;
    let jobs = tx.jobs()?;
    let touches = tx.all_touches()?;
    let snoozes = tx.all_snoozes()?;

    let index = LogIndex::new(&touches, &jobs, snoozes);
    // The planner is pure: plan the contacts on every core, in order-preserving chunks.
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let chunk = contacts.len().div_ceil(threads).max(1);
    let mut items: Vec<FollowUp> = std::thread::scope(|scope| {
        let handles: Vec<_> = contacts
            .chunks(chunk)
            .map(|cs| {
                let policy = &policy;
                let index = &index;
                scope.spawn(move || {
                    let mut out = Vec::new();
                    for c in cs {
                        let h = index.contact(c);
                        out.extend(plan::plan_ref(Subject::Contact(c.id), &h, policy));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("the planner does not panic"))
            .collect()
    });
    for j in &jobs {
        let subject = Subject::Job(j.id);
        items.extend(plan::plan_ref(subject, &index.job(j), &policy));
    }
    tx.replace_all_plan(&items)?;
    Ok(items.len())
}

/// The whole log grouped for a full replan: which touches and jobs each subject sees.
struct LogIndex<'a> {
    touches: &'a [Touch],
    jobs: &'a [Job],
    // Indexed by id: ids are given per owner as 1, 2, 3... and never reused, so a vector is
    // dense and far cheaper than a map for a million touches.
    by_contact: Vec<Vec<u32>>,
    by_job: Vec<Vec<u32>>,
    jobs_of: Vec<Vec<u32>>,
    snoozes_of: BTreeMap<Subject, Vec<plan::Snooze>>,
}

fn slot(v: &mut Vec<Vec<u32>>, id: i64) -> &mut Vec<u32> {
    let i = usize::try_from(id).unwrap_or(0);
    if v.len() <= i {
        v.resize_with(i + 1, Vec::new);
    }
    &mut v[i]
}

fn get(v: &[Vec<u32>], id: i64) -> &[u32] {
    usize::try_from(id)
        .ok()
        .and_then(|i| v.get(i))
        .map(|x| x.as_slice())
        .unwrap_or(&[])
}

impl<'a> LogIndex<'a> {
    fn new(touches: &'a [Touch], jobs: &'a [Job], snoozes: Vec<plan::Snooze>) -> LogIndex<'a> {
        let mut ix = LogIndex {
            touches,
            jobs,
            by_contact: Vec::new(),
            by_job: Vec::new(),
            jobs_of: Vec::new(),
            snoozes_of: BTreeMap::new(),
        };
        for (i, t) in touches.iter().enumerate() {
            for c in &t.contacts {
                slot(&mut ix.by_contact, c.0).push(i as u32);
            }
            if let Some(j) = t.job {
                slot(&mut ix.by_job, j.0).push(i as u32);
            }
        }
        for (i, j) in jobs.iter().enumerate() {
            for c in &j.contacts {
                slot(&mut ix.jobs_of, c.0).push(i as u32);
            }
        }
        for s in snoozes {
            ix.snoozes_of.entry(s.key.subject).or_default().push(s);
        }
        ix
    }

    fn touches_into(&self, idx: &[u32], into: &mut Vec<&'a Touch>) {
        into.extend(idx.iter().map(|i| &self.touches[*i as usize]));
    }

    fn snoozes(&self, s: Subject) -> Vec<&plan::Snooze> {
        self.snoozes_of
            .get(&s)
            .map(|v| v.iter().collect())
            .unwrap_or_default()
    }

    /// The same history `history(tx, Subject::Contact(..))` reads, borrowed from the index.
    fn contact<'s>(&'s self, c: &'a Contact) -> plan::HistoryRef<'s>
    where
        'a: 's,
    {
        let jobs: Vec<&Job> = get(&self.jobs_of, c.id.0)
            .iter()
            .map(|i| &self.jobs[*i as usize])
            .collect();
        let mut touches = Vec::new();
        self.touches_into(get(&self.by_contact, c.id.0), &mut touches);
        for j in &jobs {
            self.touches_into(get(&self.by_job, j.id.0), &mut touches);
        }
        plan::HistoryRef {
            contact: Some(c),
            jobs,
            touches,
            snoozes: self.snoozes(Subject::Contact(c.id)),
        }
    }

    fn job<'s>(&'s self, j: &'a Job) -> plan::HistoryRef<'s>
    where
        'a: 's,
    {
        let mut touches = Vec::new();
        self.touches_into(get(&self.by_job, j.id.0), &mut touches);
        plan::HistoryRef {
            contact: None,
            jobs: vec![j],
            touches,
            snoozes: self.snoozes(Subject::Job(j.id)),
        }
    }
}

/// 128 random bits as 32 hex digits, from the operating system.
fn random_token() -> Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| invalid(format!("no random source for the calendar token: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// What `done` did.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Done {
    Logged(Box<Logged>),
    Closed(Job),
}

fn next_view(p: &Planned, today: Date) -> AgendaItem {
    let mut a = agenda::today_view(p, today);
    if p.item.action == Action::Occasion {
        // The next time the occasion comes round.
        let this = plan::occasion_in(p.item.due, today.year());
        let d = match this {
            Some(d) if d >= today => d,
            _ => plan::occasion_in(p.item.due, today.year() + 1).unwrap_or(p.item.due),
        };
        a.due = d;
        a.overdue_days = 0;
    }
    a
}

fn plan_item(tx: &dyn Tx, id: i64) -> Result<Planned> {
    tx.plan_item(id)?.ok_or_else(|| AppError::NotFound {
        what: "agenda item",
        query: id.to_string(),
        hint: "; `followup agenda` lists the items and their ids".into(),
    })
}

/// The promises made at `made_at`, each with its state on `today` (C9). `context` holds the
/// other touches that may keep or replace them (the contact's jobs, the job's contacts).
fn promises_of(made_at: &[Touch], context: &[Touch], today: Date) -> Vec<PromiseView> {
    let ids: BTreeSet<TouchId> = made_at.iter().map(|t| t.id).collect();
    let jobs: BTreeMap<TouchId, Option<JobId>> = made_at.iter().map(|t| (t.id, t.job)).collect();
    let all: Vec<Touch> = made_at.iter().chain(context).cloned().collect();
    promise_states(&all, today)
        .into_iter()
        .filter(|s| ids.contains(&s.touch))
        .map(|s| PromiseView {
            touch: s.touch,
            made_on: s.made_on,
            job: jobs.get(&s.touch).copied().flatten(),
            promise: s.promise,
            state: s.state,
            kept_by: s.kept_by,
            replaced_by: s.replaced_by,
        })
        .collect()
}

fn job_subjects(j: &Job) -> Vec<Subject> {
    let mut v = vec![Subject::Job(j.id)];
    v.extend(j.contacts.iter().map(|c| Subject::Contact(*c)));
    v
}

/// Replaces the plan items of each subject inside the caller's transaction.
pub(crate) fn replan_subjects(
    tx: &mut dyn Tx,
    policy: &Policy,
    subjects: impl IntoIterator<Item = Subject>,
) -> Result<()> {
    let subjects: BTreeSet<Subject> = subjects.into_iter().collect();
    for s in subjects {
        let h = history(tx, s)?;
        let items: Vec<FollowUp> = plan::plan(s, &h, policy);
        tx.replace_plan(s, &items)?;
    }
    Ok(())
}

/// Everything the planner needs about one subject.
pub fn history(tx: &dyn Tx, s: Subject) -> Result<History> {
    let mut h = History {
        snoozes: tx.snoozes(s)?,
        ..History::default()
    };
    match s {
        Subject::Contact(c) => {
            h.contact = tx.contact(c)?;
            h.jobs = tx.jobs_of_contact(c)?;
            h.touches = tx.touches_of_contact(c)?;
            for j in &h.jobs {
                h.touches.extend(tx.touches_of_job(j.id)?);
            }
        }
        Subject::Job(j) => {
            if let Some(job) = tx.job(j)? {
                h.jobs.push(job);
                h.touches = tx.touches_of_job(j)?;
            }
        }
    }
    Ok(h)
}

pub(crate) fn ensure_org(tx: &mut dyn Tx, today: Date, name: &str) -> Result<OrgRef> {
    if let Some(o) = tx.organization_named(name)? {
        return Ok(o);
    }
    let id = OrgId(tx.next_id(Entity::Organization)?);
    tx.append(
        today,
        &Event::OrganizationAdded {
            id,
            name: name.trim().to_string(),
        },
    )?;
    Ok(OrgRef {
        id,
        name: name.trim().to_string(),
    })
}

/// A contact named by id or by an unambiguous name.
pub(crate) fn resolve_contact(tx: &dyn Tx, who: &str) -> Result<Contact> {
    resolve(
        Lookup {
            what: "contact",
            query: who,
            by_id_hint: "; `followup contact list` shows the ids",
            by_name_hint: "; add it with `followup contact add NAME`",
        },
        |n| Ok(tx.contact(ContactId(n))?),
        |q| Ok(tx.contacts_named(q)?),
        |c| format!("{} (#{})", c.name, c.id),
    )
}

/// A job named by id or by an unambiguous organization, title or "Org: Title".
fn resolve_job(tx: &dyn Tx, which: &str) -> Result<Job> {
    resolve(
        Lookup {
            what: "job",
            query: which,
            by_id_hint: "; `followup job list` shows the ids",
            by_name_hint: "; `followup job list` shows the jobs",
        },
        |n| Ok(tx.job(JobId(n))?),
        |q| Ok(tx.jobs_matching(q)?),
        |j| format!("{}: {} (#{})", j.organization.name, j.title, j.id),
    )
}

struct Lookup<'a> {
    what: &'static str,
    query: &'a str,
    by_id_hint: &'static str,
    by_name_hint: &'static str,
}

/// One record named by id (`3`, `#3`) or by a name that matches exactly one.
fn resolve<T>(
    l: Lookup<'_>,
    by_id: impl FnOnce(i64) -> Result<Option<T>>,
    by_name: impl FnOnce(&str) -> Result<Vec<T>>,
    label: impl Fn(&T) -> String,
) -> Result<T> {
    let query = l.query.trim();
    let not_found = |hint: &str| AppError::NotFound {
        what: l.what,
        query: shown(query),
        hint: hint.to_string(),
    };
    if let Ok(n) = query.trim_start_matches('#').parse::<i64>() {
        return by_id(n)?.ok_or_else(|| not_found(l.by_id_hint));
    }
    // No name is longer than a field may be: a longer query matches nothing, and is not
    // sent to the store at all.
    if query.chars().count() > followup_core::text::LINE_MAX {
        return Err(not_found(l.by_name_hint));
    }
    let mut found = by_name(query)?;
    match found.len() {
        0 => Err(not_found(l.by_name_hint)),
        1 => Ok(found.remove(0)),
        n => {
            // A one-letter name on a large book matches thousands: name a few, count the rest.
            let mut candidates = found
                .iter()
                .take(MAX_CANDIDATES)
                .map(label)
                .collect::<Vec<_>>()
                .join(", ");
            if n > MAX_CANDIDATES {
                candidates.push_str(&format!(" and {} more", n - MAX_CANDIDATES));
            }
            Err(AppError::Ambiguous {
                what: l.what,
                query: shown(query),
                candidates,
            })
        }
    }
}

/// How many candidates an ambiguous name lists.
const MAX_CANDIDATES: usize = 10;

/// What a person typed, short enough to quote back in one line.
fn shown(query: &str) -> String {
    const MAX: usize = 60;
    if query.chars().count() <= MAX {
        return query.to_string();
    }
    let head: String = query.chars().take(MAX).collect();
    format!("{head}…")
}

fn word<T: std::str::FromStr<Err = UnknownWord>>(arg: &str, s: &str) -> Result<T> {
    s.parse::<T>().map_err(|e| invalid(format!("{arg}: {e}")))
}
