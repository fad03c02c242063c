//! `followup-core`: the vocabulary of RULES.md as types, the events that change it, the
//! business-day calendar, human date phrases, and the planner that turns what happened into
//! what to do next and why.
//!
//! It is pure. It never reads the clock (every function takes `today`), never touches a file,
//! a socket or a database, and uses ordered collections only, so the same inputs give the same
//! output to the byte. Its dependencies are jiff, serde and thiserror; CI fails if
//! `cargo tree -p followup-core` shows anything that can do IO.
//!
//! It is not the store (followup-store), the use cases (followup-app) or any user interface.

pub mod agenda;
pub mod calendar;
pub mod dates;
pub mod draft;
pub mod event;
pub mod line;
pub mod model;
pub mod plan;
pub mod policy;
pub mod present;
pub mod promises;
pub mod text;
pub mod why;

pub use agenda::{AgendaItem, Planned, Window, agenda};
pub use calendar::{BusinessCalendar, Wait};
pub use dates::parse_date;
pub use event::{ContactPatch, Event, JobPatch, MailMeaning, MailRecord};
pub use model::*;
pub use plan::{Action, FollowUp, History, PlanKey, Rule, Slot, Subject, plan};
pub use policy::{Policy, Preset};
pub use why::{Basis, Change, Why};
