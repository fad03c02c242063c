//! Finding a record by what a person typed: an id (`3`, `#3`) or a name that matches one,
//! with the candidates listed when it matches several.

use followup_core::Event;
use followup_core::agenda::Planned;
use followup_core::model::{Contact, ContactId, Job, JobId, OrgId, OrgRef};
use followup_store::{Entity, ReadTx, WriteTx};
use jiff::civil::Date;

use crate::error::{AppError, Result};

pub(crate) fn plan_item(tx: &dyn ReadTx, id: i64) -> Result<Planned> {
    tx.plan_item(id)?.ok_or_else(|| AppError::NotFound {
        what: "agenda item",
        query: id.to_string(),
        hint: "; `followup agenda` lists the items and their ids".into(),
    })
}

pub(crate) fn ensure_org(tx: &mut dyn WriteTx, today: Date, name: &str) -> Result<OrgRef> {
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
pub(crate) fn resolve_contact(tx: &dyn ReadTx, who: &str) -> Result<Contact> {
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
pub(crate) fn resolve_job(tx: &dyn ReadTx, which: &str) -> Result<Job> {
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

/// The id a person typed (`3`, `#3`), if what they typed is one rather than a name.
pub(crate) fn id_in(query: &str) -> Option<i64> {
    query.trim().trim_start_matches('#').parse().ok()
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
    if let Some(n) = id_in(query) {
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
