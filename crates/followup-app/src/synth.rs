//! A synthetic coach-sized database for benchmarks (docs/BENCHMARKS.md): many contacts and
//! touches, written in one transaction through the same events as real use, then replanned.
//! Deterministic: the same sizes and today give the same database.

use followup_core::model::*;
use followup_core::{Event, Wait};
use followup_store::{Entity, Mode};
use jiff::ToSpan;

use crate::{App, Result};

/// A tiny deterministic generator (no dependency for randomness in a benchmark fixture).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Fills an empty database with `contacts` contacts, one job per ten contacts, and `touches`
/// touches over the two years before today; then rebuilds the plan. Calls `progress` now and then.
pub fn generate(
    app: &mut App,
    contacts: u64,
    touches: u64,
    progress: &mut dyn FnMut(&str),
) -> Result<usize> {
    let today = app.today;
    let mut rng = Lcg(42);
    {
        let mut tx = app.store.begin(app.owner, Mode::Write)?;
        if !tx.is_empty()? {
            return Err(crate::invalid("synth: the database already holds data"));
        }
        let orgs = (contacts / 20).max(1);
        for o in 1..=orgs {
            tx.append(
                today,
                &Event::OrganizationAdded {
                    id: OrgId(o as i64),
                    name: format!("Organization {o}"),
                },
            )?;
        }
        // A coach's book: a few critical and regular contacts, mostly casual or untiered.
        let tier_of = |r: u64| match r {
            0..=1 => Some(Tier::Critical),
            2..=11 => Some(Tier::Regular),
            12..=59 => Some(Tier::Casual),
            _ => None,
        };
        for c in 1..=contacts {
            let org = OrgId((rng.below(orgs) + 1) as i64);
            let birthday = (rng.below(10) == 0).then(|| {
                jiff::civil::Date::new(
                    1960 + rng.below(40) as i16,
                    1 + rng.below(12) as i8,
                    1 + rng.below(28) as i8,
                )
                .expect("valid")
            });
            tx.append(
                today,
                &Event::ContactAdded {
                    contact: Contact {
                        id: ContactId(c as i64),
                        name: format!("Contact {c}"),
                        emails: vec![format!("contact{c}@example.com")],
                        phones: vec![],
                        organization: Some(OrgRef {
                            id: org,
                            name: format!("Organization {}", org.0),
                        }),
                        title: None,
                        tier: tier_of(rng.below(100)),
                        prefers: None,
                        linkedin: None,
                        birthday,
                        work_anniversary: None,
                        personal_anniversary: None,
                        notes: None,
                        added_on: today.checked_sub(730.days()).unwrap_or(today),
                        cadence_start: None,
                    },
                },
            )?;
        }
        progress(&format!("{contacts} contacts"));
        // One opportunity per hundred contacts; contact 100 * j is its point of contact.
        let jobs = (contacts / 100).max(1);
        for j in 1..=jobs {
            let contact = ContactId(((j * 100).min(contacts)) as i64);
            let stage = Stage::ALL[rng.below(Stage::ALL.len() as u64) as usize];
            tx.append(
                today,
                &Event::JobAdded {
                    job: Job {
                        id: JobId(j as i64),
                        organization: OrgRef {
                            id: OrgId((j % orgs + 1) as i64),
                            name: format!("Organization {}", j % orgs + 1),
                        },
                        title: format!("Role {j}"),
                        url: None,
                        response_time: (rng.below(3) == 0).then_some(Wait::Weeks(3)),
                        applied: None,
                        stage,
                        contacts: vec![contact],
                        added_on: today.checked_sub(400.days()).unwrap_or(today),
                        notes: None,
                    },
                },
            )?;
        }
        progress(&format!("{jobs} jobs"));
        let kinds = [
            TouchKind::FollowUp,
            TouchKind::Reply,
            TouchKind::Meeting,
            TouchKind::Outreach,
            TouchKind::Interview,
            TouchKind::ThankYou,
            TouchKind::ValueAdd,
            TouchKind::Note,
        ];
        // Each contact's touches run forward in time, three weeks apart, and end with a
        // reply from them in the last six weeks: a book that is kept up, not a backlog.
        let per_contact = touches.div_ceil(contacts).max(1);
        for t in 1..=touches {
            let c = (t - 1) % contacts + 1;
            let k = (t - 1) / contacts;
            let contact = ContactId(c as i64);
            let last = k + 1 == per_contact || t + contacts > touches;
            let kind = if last {
                TouchKind::Reply
            } else {
                kinds[rng.below(kinds.len() as u64) as usize]
            };
            let job = (c.is_multiple_of(100) && c / 100 <= jobs && k % 2 == 1)
                .then_some(JobId((c / 100) as i64));
            let base = (c.wrapping_mul(2654435761) >> 7) % 42;
            let back = base + (per_contact - 1 - k.min(per_contact - 1)) * 21;
            let date = today.checked_sub((back as i64).days()).unwrap_or(today);
            tx.append(
                today,
                &Event::TouchLogged {
                    touch: Touch {
                        id: TouchId(t as i64),
                        kind,
                        direction: kind.default_direction(),
                        date,
                        contacts: vec![contact],
                        job,
                        note: None,
                        answers: None,
                        poor_fit: false,
                        promises: vec![],
                        message: None,
                    },
                },
            )?;
            if t % 100_000 == 0 {
                progress(&format!("{t} touches"));
            }
        }
        debug_assert!(tx.next_id(Entity::Touch)? as u64 == touches + 1);
        tx.commit()?;
    }
    progress("replanning");
    app.replan()
}
