//! Bringing a network in: people read from another program's export (LinkedIn connections,
//! vCards), merged into the contacts in one transaction, all or nothing.
//!
//! A person matches an existing contact by email, then LinkedIn profile, then exact name
//! (ignoring case). A match gains what it lacked (new emails and phones, empty fields) and takes
//! the newer organization and title; nothing else is overwritten. So an import run twice
//! changes nothing the second time. New contacts' keep-in-touch dates (F13) are spread over the
//! first cadence period rather than all falling due on one day.

pub mod linkedin;
pub mod vcard;

use std::collections::BTreeMap;

use followup_core::model::{Contact, ContactId, OrgRef, Tier};
use followup_core::{ContactPatch, Event};
use followup_store::{Entity, ReadTx, WriteTx};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::Serialize;

use crate::error::{Field, invalid};
use crate::{App, AppError, Ctx};

/// One person as another program exported them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Incoming {
    /// Where in the source: "line 7", "card 3 (line 41)".
    pub place: String,
    pub name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub organization: Option<String>,
    pub title: Option<String>,
    pub linkedin: Option<String>,
    pub birthday: Option<Date>,
    pub work_anniversary: Option<Date>,
    pub personal_anniversary: Option<Date>,
    pub notes: Option<String>,
}

/// What an import did (or, with `--dry-run`, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub source: String,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Entries with nobody in them (LinkedIn's hidden members, empty cards).
    pub skipped: usize,
    pub dry_run: bool,
    /// Why entries were skipped, with their place.
    pub notes: Vec<String>,
    /// Values left out of entries that were kept (an email that is not an address), with
    /// their place and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub left_out: Vec<String>,
}

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The tier new contacts get.
    pub tier: Option<Tier>,
    pub dry_run: bool,
}

impl App {
    /// Merges people into the contacts in one transaction; `progress(done, total)` is called
    /// as it goes.
    pub fn import_people(
        &self,
        cx: &Ctx,
        source: &str,
        people: Vec<Incoming>,
        skipped: Vec<String>,
        opts: &ImportOptions,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<ImportReport, AppError> {
        let today = cx.today;
        let policy = cx.policy.clone();
        let mut report = ImportReport {
            source: source.to_string(),
            skipped: skipped.len(),
            dry_run: opts.dry_run,
            notes: skipped,
            ..ImportReport::default()
        };
        // Every importer's people pass the same checks as a contact typed in (fields.rs).
        let people = people
            .into_iter()
            .map(|p| p.checked(source, &mut report.left_out))
            .collect::<Result<Vec<_>, AppError>>()?;
        // Spread new contacts' first keep-in-touch over the first cadence period (F13).
        let period = policy
            .cadence
            .of(opts.tier)
            .or(policy.cadence.regular)
            .map(|w| followup_core::calendar::add_calendar(today, w) - today)
            .map(|s| s.get_days().max(1) as i64)
            .unwrap_or(90);
        self.change(cx, |w| {
            if opts.dry_run {
                w.discard();
            }
            let tx = &mut w.tx;
            let mut index = Index::load(tx.as_ref())?;
            let total = people.len();
            let mut subjects = Vec::new();
            let mut new_count = 0i64;
            let new_total = people.len().max(1) as i64;
            for (i, p) in people.into_iter().enumerate() {
                if i % 256 == 0 {
                    progress(i, total);
                }
                match index.find(&p) {
                    Some(pos) => {
                        let old = index.contacts[pos].clone();
                        let patch =
                            merge_patch(tx.as_mut(), today, &old, &p, opts.tier, opts.dry_run)?;
                        if patch.is_empty() {
                            report.unchanged += 1;
                        } else {
                            report.updated += 1;
                            let new = patch.apply(&old);
                            if !opts.dry_run {
                                tx.append(today, &Event::ContactEdited { id: old.id, patch })?;
                                subjects.push(old.id);
                            }
                            index.replace(pos, new);
                        }
                    }
                    None => {
                        report.created += 1;
                        let organization = match &p.organization {
                            Some(o) if !opts.dry_run => {
                                Some(crate::lookup::ensure_org(tx.as_mut(), today, o)?)
                            }
                            Some(o) => Some(OrgRef {
                                id: followup_core::OrgId(0),
                                name: o.clone(),
                            }),
                            None => None,
                        };
                        let id = if opts.dry_run {
                            ContactId(-(i as i64) - 1)
                        } else {
                            ContactId(tx.next_id(Entity::Contact)?)
                        };
                        let offset = new_count * period / new_total;
                        new_count += 1;
                        let contact = Contact {
                            id,
                            name: p.name.clone(),
                            emails: p.emails.clone(),
                            phones: p.phones.clone(),
                            organization,
                            title: p.title.clone(),
                            tier: opts.tier,
                            prefers: None,
                            linkedin: p.linkedin.clone(),
                            birthday: p.birthday,
                            work_anniversary: p.work_anniversary,
                            personal_anniversary: p.personal_anniversary,
                            notes: p.notes.clone(),
                            added_on: today,
                            cadence_start: Some(today.checked_sub(offset.days()).unwrap_or(today)),
                        };
                        if !opts.dry_run {
                            tx.append(
                                today,
                                &Event::ContactAdded {
                                    contact: contact.clone(),
                                },
                            )?;
                            // A contact just created has no jobs, touches or snoozes: its plan
                            // needs no reading back (thirty thousand look-ups saved).
                            let subject = followup_core::Subject::Contact(id);
                            let h = followup_core::History {
                                contact: Some(contact.clone()),
                                ..followup_core::History::default()
                            };
                            let items = followup_core::plan(subject, &h, &policy);
                            tx.replace_plan(subject, &items)?;
                        }
                        index.push(contact);
                    }
                }
            }
            progress(total, total);
            w.touch(subjects.into_iter().map(followup_core::Subject::Contact));
            Ok(report)
        })
    }

    /// Sets the tier of several contacts at once (F13: "go through your entire network").
    /// `tier` None takes the tier away.
    pub fn set_tiers(
        &self,
        cx: &Ctx,
        tier: Option<Tier>,
        who: &[String],
    ) -> Result<Vec<Contact>, AppError> {
        if who.is_empty() {
            return Err(invalid(Field::Contacts, "name at least one contact"));
        }
        self.change(cx, |w| {
            let mut out = Vec::new();
            for name in who {
                let c = crate::lookup::resolve_contact(w.tx.as_ref(), name)?;
                if c.tier == tier {
                    out.push(c);
                    continue;
                }
                let patch = ContactPatch {
                    tier: Some(tier),
                    ..ContactPatch::default()
                };
                let edited = patch.apply(&c);
                w.append(&Event::ContactEdited { id: c.id, patch })?;
                w.touch([followup_core::Subject::Contact(c.id)]);
                out.push(edited);
            }
            Ok(out)
        })
    }
}

/// The existing contacts, searchable the three ways a person is matched, by maps: an import
/// of thirty thousand people must not compare each with every other.
struct Index {
    contacts: Vec<Contact>,
    by_email: BTreeMap<String, usize>,
    by_url: BTreeMap<String, usize>,
    by_name: BTreeMap<String, usize>,
}

fn lower(s: &str) -> String {
    s.trim().to_lowercase()
}

impl Index {
    fn load(tx: &dyn ReadTx) -> Result<Index, AppError> {
        let mut ix = Index {
            contacts: Vec::new(),
            by_email: BTreeMap::new(),
            by_url: BTreeMap::new(),
            by_name: BTreeMap::new(),
        };
        for c in tx.contacts()? {
            ix.push(c);
        }
        Ok(ix)
    }

    fn find(&self, p: &Incoming) -> Option<usize> {
        p.emails
            .iter()
            .find_map(|e| self.by_email.get(&lower(e)).copied())
            .or_else(|| {
                p.linkedin
                    .as_deref()
                    .and_then(|u| self.by_url.get(&normalize_url(u)).copied())
            })
            .or_else(|| self.by_name.get(&lower(&p.name)).copied())
    }

    /// Records where a contact is; the first contact with a key keeps it.
    fn note(&mut self, pos: usize) {
        let c = &self.contacts[pos];
        for e in &c.emails {
            self.by_email.entry(lower(e)).or_insert(pos);
        }
        if let Some(u) = &c.linkedin {
            self.by_url.entry(normalize_url(u)).or_insert(pos);
        }
        self.by_name.entry(lower(&c.name)).or_insert(pos);
    }

    fn replace(&mut self, pos: usize, c: Contact) {
        self.contacts[pos] = c;
        self.note(pos);
    }

    fn push(&mut self, c: Contact) {
        self.contacts.push(c);
        self.note(self.contacts.len() - 1);
    }
}

fn normalize_url(u: &str) -> String {
    u.trim()
        .trim_end_matches('/')
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches("www.")
        .to_lowercase()
}

/// What an incoming person adds to an existing contact.
fn merge_patch(
    tx: &mut dyn WriteTx,
    today: Date,
    old: &Contact,
    p: &Incoming,
    tier: Option<Tier>,
    dry_run: bool,
) -> Result<ContactPatch, AppError> {
    let mut patch = ContactPatch::default();
    let union = |have: &[String], more: &[String]| -> Option<Vec<String>> {
        let mut out = have.to_vec();
        for m in more {
            if !out.iter().any(|h| h.eq_ignore_ascii_case(m)) {
                out.push(m.clone());
            }
        }
        (out.len() != have.len()).then_some(out)
    };
    patch.emails = union(&old.emails, &p.emails);
    patch.phones = union(&old.phones, &p.phones);
    if let Some(o) = &p.organization {
        let same = old
            .organization
            .as_ref()
            .is_some_and(|x| x.name.eq_ignore_ascii_case(o));
        if !same {
            patch.organization = Some(Some(if dry_run {
                OrgRef {
                    id: followup_core::OrgId(0),
                    name: o.clone(),
                }
            } else {
                crate::lookup::ensure_org(tx, today, o)?
            }));
        }
    }
    if p.title.is_some() && p.title != old.title {
        patch.title = Some(p.title.clone());
    }
    let fill = |have: &Option<String>, new: &Option<String>| -> Option<Option<String>> {
        (have.is_none() && new.is_some()).then(|| new.clone())
    };
    patch.linkedin = fill(&old.linkedin, &p.linkedin);
    patch.notes = fill(&old.notes, &p.notes);
    let fill_date = |have: Option<Date>, new: Option<Date>| -> Option<Option<Date>> {
        (have.is_none() && new.is_some()).then_some(new)
    };
    patch.birthday = fill_date(old.birthday, p.birthday);
    patch.work_anniversary = fill_date(old.work_anniversary, p.work_anniversary);
    patch.personal_anniversary = fill_date(old.personal_anniversary, p.personal_anniversary);
    if old.tier.is_none() && tier.is_some() {
        patch.tier = Some(tier);
    }
    Ok(patch)
}

/// Text that must be UTF-8: the error names the line of the first bad byte.
pub fn utf8(source: &str, bytes: &[u8]) -> Result<String, AppError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
        AppError::BadFile(format!(
            "{source}: line {line}: not UTF-8 text; export it again as UTF-8"
        ))
    })
}
