//! A synthetic coach-sized database for benchmarks (docs/BENCHMARKS.md): many contacts and
//! touches, written in one transaction through the same events as real use, then replanned.
//! Deterministic: the same sizes and today give the same database.

use followup_core::model::*;
use followup_core::{Event, Wait};
use jiff::ToSpan;

use crate::{App, Ctx, Result};

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
    app: &App,
    cx: &Ctx,
    contacts: u64,
    touches: u64,
    progress: &mut dyn FnMut(&str),
) -> Result<usize> {
    generate_seeded(app, cx, contacts, touches, 42, progress)
}

/// `generate` from a given seed.
pub fn generate_seeded(
    app: &App,
    cx: &Ctx,
    contacts: u64,
    touches: u64,
    seed: u64,
    progress: &mut dyn FnMut(&str),
) -> Result<usize> {
    let today = cx.today;
    let mut rng = Lcg(seed);
    app.change(cx, |w| {
        let tx = &mut w.tx;
        if !tx.is_empty()? {
            return Err(crate::error::refused(
                "synth: the database already holds data",
            ));
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
        debug_assert!(tx.newest_touch()?.map_or(0, |t| t.0) as u64 == touches);
        Ok(())
    })?;
    progress("replanning");
    app.replan(cx)
}

/// One pending follow-up, as the peer tools get it too.
#[derive(Debug, Clone)]
pub struct Pending {
    pub name: String,
    pub due: jiff::civil::Date,
}

/// The "N pending follow-ups" workload: N contacts, each with one follow-up the person promised
/// (F2) on a day within 60 days either side of today. Returns the items, for the peer tools.
pub fn generate_pending(app: &App, cx: &Ctx, n: u64, seed: u64) -> Result<Vec<Pending>> {
    let today = cx.today;
    let mut rng = Lcg(seed ^ 0x9e37_79b9_7f4a_7c15);
    let mut out = Vec::with_capacity(n as usize);
    app.change(cx, |w| {
        let tx = &mut w.tx;
        if !tx.is_empty()? {
            return Err(crate::error::refused(
                "synth: the database already holds data",
            ));
        }
        for c in 1..=n {
            let name = format!("Contact {c}");
            let due = today
                .checked_add((rng.below(121) as i64 - 60).days())
                .unwrap_or(today);
            // The promise is made a few days before it falls due, never after today.
            let made = due.checked_sub(7.days()).unwrap_or(due).min(today);
            tx.append(
                today,
                &Event::ContactAdded {
                    contact: Contact {
                        id: ContactId(c as i64),
                        name: name.clone(),
                        emails: vec![format!("contact{c}@example.com")],
                        phones: vec![],
                        organization: None,
                        title: None,
                        tier: Some(Tier::Casual),
                        prefers: None,
                        linkedin: None,
                        birthday: None,
                        work_anniversary: None,
                        personal_anniversary: None,
                        notes: None,
                        added_on: made,
                        cadence_start: None,
                    },
                },
            )?;
            tx.append(
                today,
                &Event::TouchLogged {
                    touch: Touch {
                        id: TouchId(c as i64),
                        kind: TouchKind::Note,
                        direction: Direction::Internal,
                        date: made,
                        contacts: vec![ContactId(c as i64)],
                        job: None,
                        note: None,
                        answers: None,
                        poor_fit: false,
                        promises: vec![Promise {
                            whose: Whose::Mine,
                            kind: PromiseKind::FollowUp,
                            date: Some(due),
                        }],
                        message: None,
                    },
                },
            )?;
            out.push(Pending { name, due });
        }
        Ok(())
    })?;
    app.replan(cx)?;
    Ok(out)
}

/// A LinkedIn `Connections.csv` of `n` rows, in LinkedIn's layout, for import benchmarks.
pub fn linkedin_csv(n: u64, seed: u64) -> String {
    let mut rng = Lcg(seed);
    let mut out = String::from(
        "Notes:\n\"When exporting your connection data, you may notice that some of the email addresses are missing.\"\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\n",
    );
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    for i in 1..=n {
        let email = if rng.below(4) == 0 {
            format!("person{i}@example.com")
        } else {
            String::new()
        };
        out.push_str(&format!(
            "Person,Number {i},https://www.linkedin.com/in/person-{i},{email},\"Company {}, Inc.\",Engineer,{:02} {} {}\n",
            rng.below(500),
            1 + rng.below(28),
            MONTHS[rng.below(12) as usize],
            2015 + rng.below(11)
        ));
    }
    out
}
