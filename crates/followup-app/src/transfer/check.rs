//! The checks an imported event log passes before a single event is replayed: every id it
//! names was created earlier in the log, no id is created twice, ids and recording days only
//! grow (a shuffled log is refused, not reordered), and every date and text is one the
//! command line would have accepted. The store's own constraints would catch some of this; a
//! log that replays "fine" into nonsense (a touch with contact 999, a date in 9999) would not
//! be caught at all, and would poison every plan built on it.

use std::collections::BTreeSet;

use followup_core::dates::in_range;
use followup_core::model::{Contact, Job, OrgRef, Touch};
use followup_core::plan::Subject;
use followup_core::{ContactPatch, Event, text};
use jiff::civil::Date;

use super::ExportedEvent;
use crate::fields;

/// The ids seen so far, per kind, and the newest recording day.
#[derive(Default)]
struct Seen {
    orgs: BTreeSet<i64>,
    contacts: BTreeSet<i64>,
    jobs: BTreeSet<i64>,
    touches: BTreeSet<i64>,
    last_day: Option<Date>,
    /// Nothing is recorded after today: the CLI refuses a touch in the future.
    today: Date,
}

/// Checks the whole log as of `today`; the error reads "event N (kind): what is wrong".
pub fn check(events: &[ExportedEvent], today: Date) -> Result<(), String> {
    let mut seen = Seen {
        today,
        ..Seen::default()
    };
    for (i, e) in events.iter().enumerate() {
        seen.event(e)
            .map_err(|m| format!("event {} ({}): {m}", i + 1, e.event.kind()))?;
    }
    Ok(())
}

fn date(field: &str, d: Date) -> Result<(), String> {
    if in_range(d) {
        Ok(())
    } else {
        Err(format!("{field} {d} is outside 1900-2200"))
    }
}

fn occasion(field: &str, d: Option<Date>) -> Result<(), String> {
    match d {
        Some(d) if !fields::occasion_in_range(d) => {
            Err(format!("{field} {d} is outside 1900-2200"))
        }
        _ => Ok(()),
    }
}

fn line(field: &str, s: &str) -> Result<(), String> {
    let kept = text::check_line(field, s).map_err(|e| e.to_string())?;
    if kept.is_empty() {
        return Err(format!("{field} is empty"));
    }
    Ok(())
}

fn opt_line(field: &str, s: &Option<String>) -> Result<(), String> {
    match s {
        Some(s) => text::check_line(field, s)
            .map(drop)
            .map_err(|e| e.to_string()),
        None => Ok(()),
    }
}

fn opt_note(field: &str, s: &Option<String>) -> Result<(), String> {
    match s {
        Some(s) => text::check_note(field, s)
            .map(drop)
            .map_err(|e| e.to_string()),
        None => Ok(()),
    }
}

fn opt_url(field: crate::Field, s: &Option<String>) -> Result<(), String> {
    match s {
        Some(u) => fields::url(field, u).map(drop).map_err(|e| e.to_string()),
        None => Ok(()),
    }
}

fn emails(list: &[String]) -> Result<(), String> {
    for e in list {
        fields::email(crate::Field::Email, e).map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn phones(list: &[String]) -> Result<(), String> {
    for p in list {
        fields::phone(crate::Field::Phone, p).map_err(|e| e.to_string())?;
    }
    Ok(())
}

impl Seen {
    fn event(&mut self, e: &ExportedEvent) -> Result<(), String> {
        date("recorded_on", e.recorded_on)?;
        if e.recorded_on > self.today {
            return Err(format!(
                "recorded on {}, after today ({}): a log is recorded as things happen",
                e.recorded_on, self.today
            ));
        }
        if let Some(last) = self.last_day
            && e.recorded_on < last
        {
            return Err(format!(
                "recorded on {} after an event recorded on {last}: the log is out of order",
                e.recorded_on
            ));
        }
        self.last_day = Some(e.recorded_on);
        let day = e.recorded_on;
        match &e.event {
            Event::OrganizationAdded { id, name } => {
                new_id(&mut self.orgs, "organization", id.0)?;
                line("name", name)
            }
            Event::ContactAdded { contact } => {
                self.contact(contact)?;
                new_id(&mut self.contacts, "contact", contact.id.0)
            }
            Event::ContactEdited { id, patch } => {
                self.has(&self.contacts, "contact", id.0)?;
                self.patch(patch)
            }
            Event::JobAdded { job } => {
                self.job(job, day)?;
                new_id(&mut self.jobs, "job", job.id.0)
            }
            Event::JobStageChanged { id, .. } => self.has(&self.jobs, "job", id.0),
            Event::JobEdited { id, patch } => {
                self.has(&self.jobs, "job", id.0)?;
                if let Some(o) = &patch.organization {
                    self.org(o)?;
                }
                if let Some(t) = &patch.title {
                    line("title", t)?;
                }
                opt_note("notes", &patch.notes.clone().flatten())
            }
            Event::JobContactLinked { id, contact } => {
                self.has(&self.jobs, "job", id.0)?;
                self.has(&self.contacts, "contact", contact.0)
            }
            Event::TouchLogged { touch } => {
                self.touch(touch, day)?;
                new_id(&mut self.touches, "touch", touch.id.0)
            }
            // Whether the record is live or removed at that point is the store's to say as
            // the log replays (a restore of something never removed is refused there).
            Event::ContactRemoved { id } | Event::ContactRestored { id } => {
                self.has(&self.contacts, "contact", id.0)
            }
            Event::JobRemoved { id } | Event::JobRestored { id } => {
                self.has(&self.jobs, "job", id.0)
            }
            Event::TouchRetracted { id } | Event::TouchRestored { id } => {
                self.has(&self.touches, "touch", id.0)
            }
            Event::TouchEdited { touch } => {
                self.has(&self.touches, "touch", touch.id.0)?;
                self.touch(touch, day)
            }
            Event::ContactsMerged { from, into } => {
                self.has(&self.contacts, "contact", from.0)?;
                self.has(&self.contacts, "contact", into.0)
            }
            Event::MailRead { mail } => {
                line("message_id", &mail.message_id)?;
                if mail.message_id.is_empty() {
                    return Err("a mail record without a Message-ID".into());
                }
                line("address", &mail.address)?;
                line("thread", &mail.thread)?;
                date("day", mail.day)?;
                if let Some(c) = mail.contact {
                    self.has(&self.contacts, "contact", c.0)?;
                }
                if let Some(j) = mail.job {
                    self.has(&self.jobs, "job", j.0)?;
                }
                if let Some(t) = mail.touch {
                    self.has(&self.touches, "touch", t.0)?;
                }
                Ok(())
            }
            Event::SnoozeWithdrawn { key } => match key.subject {
                Subject::Contact(c) => self.has(&self.contacts, "contact", c.0),
                Subject::Job(j) => self.has(&self.jobs, "job", j.0),
            },
            Event::HolidaysKept { source, days } => {
                line("source", source)?;
                for d in days {
                    date("holiday", *d)?;
                }
                Ok(())
            }
            Event::Snoozed { key, until, after } => {
                match key.subject {
                    Subject::Contact(c) => self.has(&self.contacts, "contact", c.0)?,
                    Subject::Job(j) => self.has(&self.jobs, "job", j.0)?,
                }
                date("until", *until)?;
                if *until <= day {
                    return Err(format!(
                        "snoozed until {until}, not after the day it was recorded ({day})"
                    ));
                }
                match after {
                    Some(t) => self.has(&self.touches, "touch", t.0),
                    None => Ok(()),
                }
            }
        }
    }

    fn has(&self, set: &BTreeSet<i64>, what: &str, id: i64) -> Result<(), String> {
        if set.contains(&id) {
            Ok(())
        } else {
            Err(format!(
                "{what} {id} does not exist (no earlier event adds it)"
            ))
        }
    }

    fn org(&self, o: &OrgRef) -> Result<(), String> {
        self.has(&self.orgs, "organization", o.id.0)
    }

    fn contact(&self, c: &Contact) -> Result<(), String> {
        line("name", &c.name)?;
        emails(&c.emails)?;
        phones(&c.phones)?;
        if let Some(o) = &c.organization {
            self.org(o)?;
        }
        opt_line("title", &c.title)?;
        opt_url(crate::Field::Linkedin, &c.linkedin)?;
        occasion("birthday", c.birthday)?;
        occasion("work_anniversary", c.work_anniversary)?;
        occasion("personal_anniversary", c.personal_anniversary)?;
        opt_note("notes", &c.notes)?;
        date("added_on", c.added_on)?;
        if let Some(d) = c.cadence_start {
            date("cadence_start", d)?;
        }
        Ok(())
    }

    fn patch(&self, p: &ContactPatch) -> Result<(), String> {
        if let Some(n) = &p.name {
            line("name", n)?;
        }
        if let Some(l) = &p.emails {
            emails(l)?;
        }
        if let Some(l) = &p.phones {
            phones(l)?;
        }
        if let Some(Some(o)) = &p.organization {
            self.org(o)?;
        }
        if let Some(t) = &p.title {
            opt_line("title", t)?;
        }
        if let Some(u) = &p.linkedin {
            opt_url(crate::Field::Linkedin, u)?;
        }
        for (field, d) in [
            ("birthday", p.birthday),
            ("work_anniversary", p.work_anniversary),
            ("personal_anniversary", p.personal_anniversary),
        ] {
            if let Some(d) = d {
                occasion(field, d)?;
            }
        }
        if let Some(n) = &p.notes {
            opt_note("notes", n)?;
        }
        Ok(())
    }

    fn job(&self, j: &Job, day: Date) -> Result<(), String> {
        self.org(&j.organization)?;
        line("title", &j.title)?;
        opt_url(crate::Field::Url, &j.url)?;
        for c in &j.contacts {
            self.has(&self.contacts, "contact", c.0)?;
        }
        if let Some(a) = j.applied {
            date("applied", a)?;
            if a > day {
                return Err(format!(
                    "applied {a} is after the day it was recorded ({day})"
                ));
            }
        }
        date("added_on", j.added_on)?;
        opt_note("notes", &j.notes)
    }

    fn touch(&self, t: &Touch, day: Date) -> Result<(), String> {
        date("date", t.date)?;
        if t.date > day {
            return Err(format!(
                "date {} is after the day it was recorded ({day}); a touch is logged once it happened",
                t.date
            ));
        }
        if t.contacts.is_empty() && t.job.is_none() {
            return Err("a touch names no contact and no job".into());
        }
        for c in &t.contacts {
            self.has(&self.contacts, "contact", c.0)?;
        }
        if let Some(j) = t.job {
            self.has(&self.jobs, "job", j.0)?;
        }
        for p in &t.promises {
            if let Some(d) = p.date {
                date("promise", d)?;
                if d < t.date {
                    return Err(format!(
                        "a promise for {d} is before the touch ({})",
                        t.date
                    ));
                }
            }
        }
        if let Some(a) = &t.answers {
            opt_note("next_step", &a.next_step)?;
            opt_line("direct_contact", &a.direct_contact)?;
            if let Some(d) = a.decide_by {
                date("decide_by", d)?;
            }
        }
        opt_note("note", &t.note)?;
        opt_note("message", &t.message)
    }
}

/// Records a new id, refusing one seen before or one lower than the newest: ids are given in
/// increasing order, so a lower one means the events were shuffled.
fn new_id(set: &mut BTreeSet<i64>, what: &str, id: i64) -> Result<(), String> {
    if id < 1 {
        return Err(format!("{what} id {id}: ids start at 1"));
    }
    if set.contains(&id) {
        return Err(format!("{what} {id} is added twice"));
    }
    if let Some(last) = set.last()
        && id < *last
    {
        return Err(format!(
            "{what} {id} is added after {what} {last}: the log is out of order"
        ));
    }
    set.insert(id);
    Ok(())
}
