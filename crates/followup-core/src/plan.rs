//! The planner: `plan(history of one subject, policy) -> follow-ups`, rules F1-F17 and F19.
//!
//! Pure: no clock, no IO. Each item carries its natural due date and its why, independent of
//! today; what depends on today (overdue, F4's "call now", F9's review once the silence limit
//! has passed, F18's pipeline, occasions in a window) is `agenda`'s job.
//!
//! A subject is a contact, or an opportunity that has no contact yet: every open opportunity
//! gets a next date (F1) even when no one is named at it.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::calendar::add_calendar;
use crate::model::{
    Channel, Contact, ContactId, Direction, Job, JobId, PromiseKind, Question, Stage, Touch,
    TouchId, TouchKind, chronological,
};
use crate::policy::Policy;
use crate::why::{Basis, Change, Since, Why};

/// What a follow-up asks the person to do (RULES.md's action names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    ThankYou,
    RejectionReply,
    FollowUp,
    Retry,
    ValueAdd,
    MoveOnReview,
    KeepInTouch,
    Occasion,
    Pipeline,
    /// C6: decide on an offer before the answer is due.
    Decide,
}

impl Action {
    /// Every action, in the order the agenda breaks ties.
    pub const ALL: &'static [Action] = &[
        Action::ThankYou,
        Action::RejectionReply,
        Action::FollowUp,
        Action::Retry,
        Action::ValueAdd,
        Action::MoveOnReview,
        Action::KeepInTouch,
        Action::Occasion,
        Action::Pipeline,
        Action::Decide,
    ];
    /// RULES.md's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::ThankYou => "thank-you",
            Action::RejectionReply => "rejection-reply",
            Action::FollowUp => "follow-up",
            Action::Retry => "retry",
            Action::ValueAdd => "value-add",
            Action::MoveOnReview => "move-on-review",
            Action::KeepInTouch => "keep-in-touch",
            Action::Occasion => "occasion",
            Action::Pipeline => "pipeline",
            Action::Decide => "decide",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule of RULES.md: `F1` to `F19` as `Rule(1)`..`Rule(19)`, and the second edition's
/// clarifications `C1` to `C12` as [`Rule::clarification`] (stored above 100).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rule(pub u8);

impl Rule {
    /// Clarification `Cn` of RULES.md's second edition.
    pub const fn clarification(n: u8) -> Rule {
        Rule(100 + n)
    }

    /// True for a clarification (`C1`..`C12`).
    pub fn is_clarification(self) -> bool {
        self.0 > 100
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_clarification() {
            write!(f, "C{}", self.0 - 100)
        } else {
            write!(f, "F{}", self.0)
        }
    }
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let f = s
            .strip_prefix('F')
            .and_then(|n| n.parse::<u8>().ok())
            .filter(|n| (1..=19).contains(n))
            .map(Rule);
        let c = s
            .strip_prefix('C')
            .and_then(|n| n.parse::<u8>().ok())
            .filter(|n| (1..=12).contains(n))
            .map(Rule::clarification);
        f.or(c).ok_or_else(|| {
            serde::de::Error::custom(format!("expected F1..F19 or C1..C12, found {s:?}"))
        })
    }
}

/// Whose plan an item belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "id")]
pub enum Subject {
    Contact(ContactId),
    /// An open opportunity with no contact named at it yet.
    Job(JobId),
}

/// Which of a subject's items: the one pending follow-up (F15), or one of its occasions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Slot {
    FollowUp,
    Birthday,
    WorkAnniversary,
    PersonalAnniversary,
}

/// The stable name of a plan item; the store maps it to the short number people type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PlanKey {
    pub subject: Subject,
    pub slot: Slot,
}

impl fmt::Display for PlanKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let slot = match self.slot {
            Slot::FollowUp => "follow-up",
            Slot::Birthday => "birthday",
            Slot::WorkAnniversary => "work-anniversary",
            Slot::PersonalAnniversary => "personal-anniversary",
        };
        match self.subject {
            Subject::Contact(c) => write!(f, "contact/{c}/{slot}"),
            Subject::Job(j) => write!(f, "job/{j}/{slot}"),
        }
    }
}

impl FromStr for PlanKey {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.split('/').collect();
        let [kind, id, slot] = parts.as_slice() else {
            return Err(format!("bad plan key {s:?}"));
        };
        let id: i64 = id.parse().map_err(|_| format!("bad plan key {s:?}"))?;
        let subject = match *kind {
            "contact" => Subject::Contact(ContactId(id)),
            "job" => Subject::Job(JobId(id)),
            _ => return Err(format!("bad plan key {s:?}")),
        };
        let slot = match *slot {
            "follow-up" => Slot::FollowUp,
            "birthday" => Slot::Birthday,
            "work-anniversary" => Slot::WorkAnniversary,
            "personal-anniversary" => Slot::PersonalAnniversary,
            _ => return Err(format!("bad plan key {s:?}")),
        };
        Ok(PlanKey { subject, slot })
    }
}

/// A contact as an item names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ContactRef {
    pub id: ContactId,
    pub name: String,
}

/// An opportunity as an item names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct JobRef {
    pub id: JobId,
    pub organization: String,
    pub title: String,
}

/// What comes after an item: a thank-you's item carries the status follow-up that the
/// thank-you note should name (F6), with the gap from the thank-you already applied (C3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub due: Date,
    pub action: Action,
    pub rule: Rule,
    pub why: String,
    /// The why as data (C1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Why>,
    /// F4 and C2: once past, the follow-up is a call.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub call_when_late: bool,
}

/// One proposed follow-up: a natural due date, an action, a channel and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    pub key: PlanKey,
    /// The natural due date. For an occasion, the date as recorded (its year may be the
    /// year of birth); the agenda finds each year's day.
    pub due: Date,
    pub action: Action,
    pub rule: Rule,
    /// The why in words, plain words first and the rules after ([`Why::line`]).
    pub why: String,
    /// The why as data: the rule, its inputs, where a taken-over date came from (C1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Why>,
    pub channel: Channel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactRef>,
    #[serde(default)]
    pub jobs: Vec<JobRef>,
    /// F9: from this day on, with nothing heard, the item is a `move-on-review`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub move_on_from: Option<Date>,
    /// F4: once past due, the item says "call now" and its channel is phone.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub call_when_late: bool,
    /// F17: the interview questions that went unasked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unasked: Vec<Question>,
    /// F6: the status follow-up that comes after a thank-you.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub then: Option<Step>,
    /// The touch the item answers, when there is one (drafts quote it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_touch: Option<TouchId>,
    /// C7: for an occasion, the last greeting sent; the occasion a week or less after it is
    /// done already.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub greeted_on: Option<Date>,
}

/// A recorded snooze, as the planner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snooze {
    pub key: PlanKey,
    pub until: Date,
    /// The newest touch when the snooze was recorded; a newer touch ends the snooze.
    pub after: Option<TouchId>,
}

/// Everything the planner needs about one subject.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The contact, for a contact subject.
    pub contact: Option<Contact>,
    /// For a contact: every opportunity linked to it. For a job subject: that one job.
    pub jobs: Vec<Job>,
    /// Every touch with the contact, and every touch of its jobs, in any order.
    pub touches: Vec<Touch>,
    /// Snoozes recorded for this subject's keys, in the order they were recorded.
    pub snoozes: Vec<Snooze>,
}

/// A candidate before F15 merges a subject's candidates into one pending follow-up.
#[derive(Debug, Clone)]
struct Candidate {
    due: Date,
    action: Action,
    why: Why,
    channel: Option<Channel>,
    job: Option<JobId>,
    move_on_from: Option<Date>,
    call_when_late: bool,
    unasked: Vec<Question>,
    then: Option<Step>,
    after_touch: Option<TouchId>,
}

impl Candidate {
    fn new(due: Date, action: Action, why: Why) -> Candidate {
        Candidate {
            due,
            action,
            why,
            channel: None,
            job: None,
            move_on_from: None,
            call_when_late: false,
            unasked: Vec::new(),
            then: None,
            after_touch: None,
        }
    }
}

/// Short date for a why: `9 Mar`, with the year only when it is not the due date's year.
pub fn short(d: Date) -> String {
    const M: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!("{} {}", d.day(), M[(d.month() - 1) as usize])
}

/// `Wed 11 Mar`, with the year when it is not `today`'s: how the CLI and the web show a day.
pub fn day_label(d: Date, today: Date) -> String {
    let mut s = String::with_capacity(16);
    push_day_label(&mut s, d, today);
    s
}

/// [`day_label`], appended to `out` without formatting machinery: the agenda writes one per
/// line, thousands of lines.
pub fn push_day_label(out: &mut String, d: Date, today: Date) {
    const W: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const M: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    out.push_str(W[d.weekday().to_monday_zero_offset() as usize]);
    out.push(' ');
    push_number(out, i64::from(d.day()));
    out.push(' ');
    out.push_str(M[(d.month() - 1) as usize]);
    if d.year() != today.year() {
        out.push(' ');
        push_number(out, i64::from(d.year()));
    }
}

/// A decimal number appended to `out`.
pub fn push_number(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut m = n.unsigned_abs();
    loop {
        i -= 1;
        digits[i] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(&digits[i..]).unwrap_or_default());
}

/// The plan of one subject: at most one pending follow-up (F15) plus its occasions (F14).
pub fn plan(subject: Subject, h: &History, p: &Policy) -> Vec<FollowUp> {
    plan_ref(subject, &h.as_ref(), p)
}

/// A history that borrows its parts, so a full replan plans every subject without copying
/// the touches it shares with others.
#[derive(Debug, Clone, Default)]
pub struct HistoryRef<'a> {
    pub contact: Option<&'a Contact>,
    pub jobs: Vec<&'a Job>,
    pub touches: Vec<&'a Touch>,
    pub snoozes: Vec<&'a Snooze>,
}

impl History {
    /// The same history, borrowed.
    pub fn as_ref(&self) -> HistoryRef<'_> {
        HistoryRef {
            contact: self.contact.as_ref(),
            jobs: self.jobs.iter().collect(),
            touches: self.touches.iter().collect(),
            snoozes: self.snoozes.iter().collect(),
        }
    }
}

/// `plan` over a borrowed history.
pub fn plan_ref(subject: Subject, h: &HistoryRef<'_>, p: &Policy) -> Vec<FollowUp> {
    let mut touches: Vec<&Touch> = h.touches.clone();
    touches.sort_by(|a, b| chronological(a, b));
    touches.dedup_by_key(|t| t.id);

    let mut candidates = Vec::new();
    let mut kit_merged: Option<Date> = None;
    match subject {
        Subject::Contact(cid) => {
            for job in h.jobs.iter().copied() {
                if point_of_contact(job, &touches) == Some(cid) {
                    let jt: Vec<&Touch> = touches
                        .iter()
                        .copied()
                        .filter(|t| t.job == Some(job.id))
                        .collect();
                    candidates.extend(job_thread(job, &jt, p));
                }
            }
            let net: Vec<&Touch> = touches
                .iter()
                .copied()
                .filter(|t| t.job.is_none() && t.contacts.contains(&cid))
                .collect();
            candidates.extend(network_thread(&net, p));
            if let Some(c) = h.contact
                && let Some(k) = keep_in_touch(c, &touches, p)
            {
                // C7: a keep-in-touch a week or less from an occasion is done by its greeting.
                let occasion_days = [c.birthday, c.work_anniversary, c.personal_anniversary];
                if occasion_days
                    .iter()
                    .flatten()
                    .any(|o| near_occasion(*o, k.due))
                {
                    kit_merged = Some(k.due);
                } else {
                    candidates.push(k);
                }
            }
        }
        Subject::Job(jid) => {
            if let Some(job) = h.jobs.iter().copied().find(|j| j.id == jid)
                && point_of_contact(job, &touches).is_none()
            {
                let jt: Vec<&Touch> = touches
                    .iter()
                    .copied()
                    .filter(|t| t.job == Some(jid))
                    .collect();
                candidates.extend(job_thread(job, &jt, p));
            }
        }
    }

    let mut out = Vec::new();
    if let Some(item) = merge(subject, candidates, h, &touches, p) {
        out.push(item);
    }
    if let (Subject::Contact(_), Some(c)) = (subject, h.contact) {
        out.extend(occasions(c, &touches, kit_merged, p));
    }
    out
}

/// The contact a job's status follow-ups go to: the first contact of the latest touch on the
/// job that names one; else the first linked contact; else nobody (the job is its own subject).
pub fn point_of_contact(job: &Job, touches_in_order: &[&Touch]) -> Option<ContactId> {
    touches_in_order
        .iter()
        .rev()
        .filter(|t| t.job == Some(job.id) && t.direction != Direction::Internal)
        .find_map(|t| t.contacts.first().copied())
        .or_else(|| job.contacts.first().copied())
}

fn job_thread(job: &Job, touches: &[&Touch], p: &Policy) -> Option<Candidate> {
    let cal = &p.calendar;
    if !job.stage.is_open() {
        if job.stage != Stage::Rejected {
            return None;
        }
        // F10: a rejection wants a graceful reply, once.
        let rejection = touches
            .iter()
            .rev()
            .find(|t| t.kind == TouchKind::Rejection)?;
        let replied = touches.iter().any(|t| {
            t.direction == Direction::Outbound && (t.date, t.id) > (rejection.date, rejection.id)
        });
        if replied {
            return None;
        }
        let due = cal.add(rejection.date, p.rejection_reply_within);
        let mut c = Candidate::new(
            due,
            Action::RejectionReply,
            Why::new(
                Rule(10),
                Basis::Rejected {
                    on: rejection.date,
                    within: p.rejection_reply_within,
                },
            ),
        );
        c.job = Some(job.id);
        c.after_touch = Some(rejection.id);
        return Some(c);
    }

    let mut status: Option<Candidate> = None;
    let mut heard_any = false;
    let mut last_interview: Option<&Touch> = None;
    let mut thanked_since_interview = false;
    let mut status_since_heard = 0u32;
    let mut first_status_since_heard: Option<Date> = None;
    let mut poor_fit = false;
    let mut channel: Option<Channel> = None;

    for t in touches {
        let mut next: Option<Candidate> = None;
        match t.kind {
            TouchKind::Application => {
                let applied = job.applied.unwrap_or(t.date);
                let wait = job.response_time.unwrap_or(p.application_wait);
                next = Some(Candidate::new(
                    cal.add(applied, wait),
                    Action::FollowUp,
                    Why::new(
                        Rule(5),
                        Basis::Applied {
                            on: applied,
                            response_time: job.response_time,
                            wait,
                        },
                    ),
                ));
            }
            TouchKind::Interview | TouchKind::Meeting => {
                heard_any = true;
                status_since_heard = 0;
                first_status_since_heard = None;
                if t.kind == TouchKind::Interview {
                    last_interview = Some(t);
                    thanked_since_interview = false;
                    poor_fit |= t.poor_fit;
                }
                if let Some(ch) = t.answers.as_ref().and_then(|a| a.preferred_channel) {
                    channel = Some(ch);
                }
                let decide = t
                    .their_promise(PromiseKind::Decide)
                    .and_then(|pr| pr.date)
                    .or_else(|| t.answers.as_ref().and_then(|a| a.decide_by));
                let mut c = if let Some(d) = decide {
                    they_said(d, p)
                } else if let Some(act) = t.their_promise(PromiseKind::Act) {
                    action_candidate(t, act.date, p)
                } else {
                    let mut c = Candidate::new(
                        cal.add(t.date, p.interview_wait),
                        Action::FollowUp,
                        Why::new(
                            Rule(4),
                            Basis::DefaultWait {
                                after: t.kind,
                                on: t.date,
                                wait: p.interview_wait,
                            },
                        ),
                    );
                    c.call_when_late = true;
                    c
                };
                if t.kind == TouchKind::Interview {
                    c.unasked = t
                        .answers
                        .as_ref()
                        .map(|a| a.unasked())
                        .unwrap_or_else(|| Question::ALL.to_vec());
                }
                next = Some(c);
            }
            TouchKind::ThankYou => {
                thanked_since_interview = last_interview.is_some();
            }
            TouchKind::FollowUp | TouchKind::ValueAdd | TouchKind::Outreach => {
                // C4: a follow-up sent after the interview carries the thanks a separate
                // note would have: the thank-you is done.
                thanked_since_interview |= last_interview.is_some();
                status_since_heard += 1;
                first_status_since_heard.get_or_insert(t.date);
                next = Some(if status_since_heard == 1 {
                    retry(t, p)
                } else {
                    Candidate::new(
                        cal.add(t.date, p.value_add_period),
                        Action::ValueAdd,
                        Why::new(
                            Rule(8),
                            Basis::StillSilent {
                                since: t.date,
                                every: p.value_add_period,
                            },
                        ),
                    )
                });
            }
            TouchKind::Offer if job.stage == Stage::Offer => {
                // C6: an open offer waits for the person's answer, not for them.
                heard_any = true;
                status_since_heard = 0;
                first_status_since_heard = None;
                next = Some(offer_candidate(t, p));
            }
            TouchKind::Reply | TouchKind::Offer => {
                heard_any = true;
                status_since_heard = 0;
                first_status_since_heard = None;
                next = Some(
                    if let Some(d) = t.their_promise(PromiseKind::Decide).and_then(|p| p.date) {
                        they_said(d, p)
                    } else if let Some(act) = t.their_promise(PromiseKind::Act) {
                        action_candidate(t, act.date, p)
                    } else {
                        Candidate::new(
                            cal.add(t.date, p.value_add_period),
                            Action::FollowUp,
                            Why::new(
                                Rule(8),
                                Basis::HeardNoDate {
                                    kind: t.kind,
                                    on: t.date,
                                    every: p.value_add_period,
                                },
                            ),
                        )
                    },
                );
            }
            TouchKind::Withdrawal => poor_fit = true,
            TouchKind::Rejection | TouchKind::Note | TouchKind::Greeting => {}
        }
        // F2: the person's own stated date wins over whatever the touch implies. An open
        // offer's decision is not a follow-up (C6).
        if let Some(d) = t.my_promise()
            && !(job.stage == Stage::Offer && t.kind == TouchKind::Offer)
        {
            next = Some(my_promise(t, d, status.as_ref(), p));
        }
        if let Some(mut c) = next {
            c.after_touch = Some(t.id);
            // Questions unasked at the interview stay noted until something new is learned.
            if c.unasked.is_empty()
                && t.kind == TouchKind::ThankYou
                && let Some(prev) = &status
            {
                c.unasked = prev.unasked.clone();
            }
            status = Some(c);
        }
    }

    // F1: an open opportunity with nothing that sets a date still gets one.
    let mut status = status.unwrap_or_else(|| {
        Candidate::new(
            cal.add(job.added_on, p.application_wait),
            Action::FollowUp,
            Why::new(Rule(1), Basis::Added { on: job.added_on }),
        )
    });

    // F5: nothing about the application before the posting's response time, until they speak.
    if let (false, Some(rt), Some(applied)) = (heard_any, job.response_time, job.applied) {
        let floor = cal.add(applied, rt);
        if status.due < floor && status.why.rule != Rule(2) {
            status.due = floor;
            status.why = status.why.with(Change::NotBefore {
                floor,
                response_time: rt,
            });
        }
    }

    // F9: a thank-you (when there was an interview) and a follow-up, then silence.
    // C8: a thank-you is not required to move on; a follow-up and the silence are.
    let open_offer = job.stage == Stage::Offer && status.action == Action::Decide;
    if let Some(first) = first_status_since_heard
        && !open_offer
    {
        let limit = cal.add(first, p.silence_limit);
        if status.due >= limit {
            let why = Why::new(
                Rule(9),
                Basis::MoveOn {
                    first,
                    limit: p.silence_limit,
                },
            );
            status = Candidate {
                after_touch: status.after_touch,
                ..Candidate::new(limit, Action::MoveOnReview, why)
            };
        } else {
            status.move_on_from = Some(limit);
        }
    }

    status.job = Some(job.id);
    status.channel = channel;

    // F6: the thank-you comes first and names the status date.
    // An open offer makes a thank-you for the interview moot (C6): the decision comes first.
    let interview =
        last_interview.filter(|_| !thanked_since_interview && status.action != Action::Decide);
    let result = if let Some(iv) = interview {
        let due = add_calendar(iv.date, p.thank_you_within);
        let mut c = Candidate::new(
            due,
            Action::ThankYou,
            Why::new(
                Rule(6),
                Basis::ThankYou {
                    interview: iv.date,
                    within: p.thank_you_within,
                },
            ),
        );
        c.job = Some(job.id);
        c.channel = channel;
        c.after_touch = Some(iv.id);
        c.unasked = status.unasked.clone();
        if !poor_fit && status.action != Action::Decide {
            // C3: the date the note names is the date that will be recorded: the gap from
            // the thank-you itself is applied before the note names it.
            let named = named_date(status.due, due, p);
            let mut why = status.why.clone();
            if named > status.due {
                why = why.with(Change::Gap {
                    to: named,
                    gap: p.gap,
                    after: TouchKind::ThankYou,
                    on: due,
                });
            }
            c.then = Some(Step {
                due: named,
                action: status.action,
                rule: why.rule,
                why: why.line(),
                reason: Some(why),
                call_when_late: status.call_when_late,
            });
        }
        c
    } else if poor_fit {
        // F11: a thank-you at most, no status follow-ups.
        return None;
    } else {
        status
    };
    Some(result)
}

/// C5 and F12: they promised to act: their date plus the grace, else the action wait.
fn action_candidate(t: &Touch, date: Option<Date>, p: &Policy) -> Candidate {
    let cal = &p.calendar;
    let (due, rule, wait) = match date {
        Some(d) => (cal.add(d, p.grace), Rule::clarification(5), p.grace),
        None => (cal.add(t.date, p.action_wait), Rule(12), p.action_wait),
    };
    Candidate::new(
        due,
        Action::FollowUp,
        Why::new(
            rule,
            Basis::PromisedToAct {
                by: date,
                kind: t.kind,
                on: t.date,
                wait,
            },
        ),
    )
}

/// F3: their date plus the grace.
fn they_said(d: Date, p: &Policy) -> Candidate {
    Candidate::new(
        p.calendar.add(d, p.grace),
        Action::FollowUp,
        Why::new(
            Rule(3),
            Basis::TheySaid {
                by: d,
                grace: p.grace,
            },
        ),
    )
}

/// F7: one retry after an unanswered outbound touch.
fn retry(t: &Touch, p: &Policy) -> Candidate {
    Candidate::new(
        p.calendar.add(t.date, p.retry_wait),
        Action::Retry,
        Why::new(
            Rule(7),
            Basis::Retry {
                sent: t.kind,
                on: t.date,
                wait: p.retry_wait,
            },
        ),
    )
}

/// How long before an offer's answer is due the `decide` item comes (C6).
const OFFER_LEAD: crate::calendar::Wait = crate::calendar::Wait::BusinessDays(2);

/// C6: an offer makes a `decide` item 2 business days before the answer is due (the
/// person's *mine* decide promise), or 2 business days after the offer when no date was set.
fn offer_candidate(t: &Touch, p: &Policy) -> Candidate {
    let answer_by = t
        .promises
        .iter()
        .find(|pr| pr.whose == crate::model::Whose::Mine && pr.kind == PromiseKind::Decide)
        .and_then(|pr| pr.date);
    let due = match answer_by {
        Some(by) => p.calendar.sub_business_days(by, 2).max(t.date),
        None => p.calendar.add(t.date, OFFER_LEAD),
    };
    Candidate::new(
        due,
        Action::Decide,
        Why::new(
            Rule::clarification(6),
            Basis::Offer {
                on: t.date,
                answer_by,
                lead: OFFER_LEAD,
            },
        ),
    )
}

/// F2 at touch `t` for the person's date `d`. C1: when `d` is the date the engine proposed
/// before the touch (a thank-you that named it, an accepted proposal), the why keeps where it
/// came from, and C2: a default wait's "call when late" goes with it.
fn my_promise(t: &Touch, d: Date, before: Option<&Candidate>, p: &Policy) -> Candidate {
    let mut c = Candidate::new(
        d,
        Action::FollowUp,
        Why::new(
            Rule(2),
            Basis::MyPromise {
                date: d,
                made_on: t.date,
                at: t.kind,
            },
        ),
    );
    if let Some(prev) = before.filter(|prev| {
        prev.action != Action::Decide && (prev.due == d || named_date(prev.due, t.date, p) == d)
    }) {
        let mut o = prev.why.clone();
        o.changes.clear();
        c.why.origin = Some(Box::new(o));
        c.call_when_late = prev.call_when_late;
    }
    c
}

/// C3: the date a thank-you sent on `sent_on` names for a follow-up proposed for `proposed`:
/// never closer than the gap (F15) to the thank-you itself.
pub fn named_date(proposed: Date, sent_on: Date, p: &Policy) -> Date {
    proposed.max(p.calendar.add(sent_on, p.gap))
}

/// F12 and F7 for touches outside any opportunity.
fn network_thread(touches: &[&Touch], p: &Policy) -> Option<Candidate> {
    let cal = &p.calendar;
    let mut due: Option<Candidate> = None;
    let mut unanswered = 0u32;
    for t in touches {
        let mut next: Option<Option<Candidate>> = None;
        match t.kind {
            TouchKind::Outreach => {
                unanswered = 1;
                next = Some(Some(Candidate::new(
                    cal.add(t.date, p.outreach_wait),
                    Action::FollowUp,
                    Why::new(
                        Rule(12),
                        Basis::Outreach {
                            on: t.date,
                            wait: p.outreach_wait,
                        },
                    ),
                )));
            }
            TouchKind::Meeting | TouchKind::Interview => {
                unanswered = 0;
                next = Some(Some(
                    if let Some(d) = t.their_promise(PromiseKind::Decide).and_then(|p| p.date) {
                        they_said(d, p)
                    } else if let Some(act) = t.their_promise(PromiseKind::Act) {
                        action_candidate(t, act.date, p)
                    } else {
                        Candidate::new(
                            cal.add(t.date, p.casual_wait),
                            Action::FollowUp,
                            Why::new(
                                Rule(12),
                                Basis::Casual {
                                    kind: t.kind,
                                    on: t.date,
                                    wait: p.casual_wait,
                                },
                            ),
                        )
                    },
                ));
            }
            TouchKind::FollowUp | TouchKind::ValueAdd => {
                unanswered += 1;
                // One retry after silence (F7), then the tier's cadence carries the contact.
                next = Some(if unanswered <= 1 {
                    Some(retry(t, p))
                } else {
                    None
                });
            }
            TouchKind::Reply | TouchKind::Offer | TouchKind::Rejection => {
                unanswered = 0;
                next = Some(
                    t.their_promise(PromiseKind::Decide)
                        .and_then(|p| p.date)
                        .map(|d| they_said(d, p))
                        .or_else(|| {
                            t.their_promise(PromiseKind::Act)
                                .map(|a| action_candidate(t, a.date, p))
                        }),
                );
            }
            // C7: a greeting asks no reply: it chains nothing (it resets F13's cadence).
            TouchKind::Application
            | TouchKind::ThankYou
            | TouchKind::Withdrawal
            | TouchKind::Note
            | TouchKind::Greeting => {}
        }
        if let Some(d) = t.my_promise() {
            next = Some(Some(my_promise(t, d, due.as_ref(), p)));
        }
        if let Some(n) = next {
            due = n.map(|mut c| {
                c.after_touch = Some(t.id);
                c
            });
        }
    }
    due
}

/// F13: keep in touch by tier, counted from the last touch (or the day the contact was added).
fn keep_in_touch(c: &Contact, touches: &[&Touch], p: &Policy) -> Option<Candidate> {
    let cadence = p.cadence.of(c.tier)?;
    let last = touches
        .iter()
        .rev()
        .find(|t| t.contacts.contains(&c.id) && t.direction != Direction::Internal);
    let (from, since) = match last {
        Some(t) => (
            t.date,
            Since::Touch {
                kind: t.kind,
                on: t.date,
            },
        ),
        None => match c.cadence_start {
            Some(d) => (d, Since::Imported { on: d }),
            None => (c.added_on, Since::Added { on: c.added_on }),
        },
    };
    let mut cand = Candidate::new(
        p.calendar.add(from, cadence),
        Action::KeepInTouch,
        Why::new(
            Rule(13),
            Basis::KeepInTouch {
                tier: c.tier,
                since,
                every: cadence,
            },
        ),
    );
    cand.after_touch = last.map(|t| t.id);
    Some(cand)
}

/// F15: one pending follow-up per subject, due at the earliest date, naming every
/// opportunity it covers, never closer than the gap to the last unanswered outbound touch.
fn merge(
    subject: Subject,
    mut cands: Vec<Candidate>,
    h: &HistoryRef<'_>,
    touches: &[&Touch],
    p: &Policy,
) -> Option<FollowUp> {
    if cands.is_empty() {
        return None;
    }
    cands.sort_by_key(|a| (a.due, a.action, a.job));
    let mut job_ids: Vec<JobId> = cands.iter().filter_map(|c| c.job).collect();
    job_ids.sort();
    job_ids.dedup();
    let mut best = cands.swap_remove(0);
    // Keep the winner's own job first: it is what the item is about.
    if let Some(j) = best.job {
        job_ids.retain(|x| *x != j);
        job_ids.insert(0, j);
    }

    let who = match subject {
        Subject::Contact(c) => Some(c),
        Subject::Job(_) => None,
    };
    let relevant = |t: &&&Touch| match who {
        Some(c) => t.contacts.contains(&c),
        None => t.job == best.job,
    };
    // F15: the gap to the last outbound touch that nothing inbound answered.
    let last_out = touches
        .iter()
        .filter(relevant)
        .rev()
        .find(|t| t.direction != Direction::Internal);
    if let Some(t) = last_out.filter(|t| t.direction == Direction::Outbound) {
        let floor = p.calendar.add(t.date, p.gap);
        if best.due < floor {
            best.due = floor;
            best.why = best.why.with(Change::Gap {
                to: floor,
                gap: p.gap,
                after: t.kind,
                on: t.date,
            });
        }
    }

    let key = PlanKey {
        subject,
        slot: Slot::FollowUp,
    };
    // A snooze holds until a newer touch changes the picture.
    let newest = touches.iter().map(|t| t.id).max();
    if let Some(s) = h.snoozes.iter().rev().find(|s| s.key == key)
        && newest <= s.after
    {
        best.why = best.why.with(Change::Snoozed { until: s.until });
        best.due = s.until;
    }

    let contact = h.contact.filter(|_| who.is_some());
    let channel = best
        .channel
        .or(contact.and_then(|c| c.prefers))
        .unwrap_or(p.default_channel);
    let jobs = job_ids
        .iter()
        .filter_map(|id| h.jobs.iter().copied().find(|j| j.id == *id))
        .map(|j| JobRef {
            id: j.id,
            organization: j.organization.name.clone(),
            title: j.title.clone(),
        })
        .collect();
    Some(FollowUp {
        key,
        due: best.due,
        action: best.action,
        rule: best.why.rule,
        why: best.why.line(),
        reason: Some(best.why),
        channel,
        contact: contact.map(|c| ContactRef {
            id: c.id,
            name: c.name.clone(),
        }),
        jobs,
        move_on_from: best.move_on_from,
        call_when_late: best.call_when_late,
        unasked: best.unasked,
        then: best.then,
        after_touch: best.after_touch,
        greeted_on: None,
    })
}

/// F14: birthdays and anniversaries, one item each; the agenda finds the day in each year.
/// C7: each carries the last greeting sent (an occasion greeted up to a month early is done), and one whose
/// day falls within a week of `keep_in_touch` says that it keeps the person in touch too.
fn occasions(
    c: &Contact,
    touches: &[&Touch],
    keep_in_touch: Option<Date>,
    p: &Policy,
) -> Vec<FollowUp> {
    let greeted_on = touches
        .iter()
        .rev()
        .find(|t| t.kind == TouchKind::Greeting && t.contacts.contains(&c.id))
        .map(|t| t.date);
    let mut out = Vec::new();
    for (slot, date) in [
        (Slot::Birthday, c.birthday),
        (Slot::WorkAnniversary, c.work_anniversary),
        (Slot::PersonalAnniversary, c.personal_anniversary),
    ] {
        let Some(d) = date else { continue };
        let mut why = Why::new(Rule(14), Basis::Occasion { slot, on: d });
        if keep_in_touch.is_some_and(|k| near_occasion(d, k)) {
            why = why.with(Change::KeepInTouchMerged);
        }
        out.push(FollowUp {
            key: PlanKey {
                subject: Subject::Contact(c.id),
                slot,
            },
            due: d,
            action: Action::Occasion,
            rule: why.rule,
            why: why.line(),
            reason: Some(why),
            channel: c.prefers.unwrap_or(p.default_channel),
            contact: Some(ContactRef {
                id: c.id,
                name: c.name.clone(),
            }),
            jobs: Vec::new(),
            move_on_from: None,
            call_when_late: false,
            unasked: Vec::new(),
            then: None,
            after_touch: None,
            greeted_on,
        });
    }
    out
}

/// How close a keep-in-touch may fall to an occasion and be done by its greeting (C7).
pub const OCCASION_MERGE_DAYS: i64 = 7;

/// How early a greeting may come and still be that year's occasion done (C7): a month, more
/// than the agenda's two-week look-ahead, so an occasion done early never stays on it. A
/// greeting is not tied to one occasion: two a contact has within a month are both greeted.
pub const OCCASION_GREETED_DAYS: i64 = 31;

/// True when `day` is within [`OCCASION_MERGE_DAYS`] of the occasion recorded on `occasion`
/// (in `day`'s year or a neighbouring one, for late December and early January).
pub fn near_occasion(occasion: Date, day: Date) -> bool {
    [day.year() - 1, day.year(), day.year() + 1]
        .into_iter()
        .filter_map(|y| occasion_in(occasion, y))
        .any(|o| (o - day).get_days().abs() as i64 <= OCCASION_MERGE_DAYS)
}

/// The day an occasion falls on in `year`: 29 February is 28 February in other years (F14).
pub fn occasion_in(d: Date, year: i16) -> Option<Date> {
    Date::new(year, d.month(), d.day())
        .or_else(|_| Date::new(year, d.month(), d.day() - 1))
        .ok()
}

/// A warning shown when a touch is logged; the touch is recorded all the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub rule: Rule,
    pub message: String,
    /// For F15: the earliest day the engine would have proposed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earliest: Option<Date>,
}

/// F15: logging an outbound touch to `contact` on `on` less than the gap after the last
/// outbound one, with nothing heard in between, earns a warning. `touches` are the contact's
/// touches before the new one.
pub fn gap_warning(touches: &[Touch], contact: ContactId, on: Date, p: &Policy) -> Option<Warning> {
    let mut ts: Vec<&Touch> = touches
        .iter()
        .filter(|t| t.contacts.contains(&contact) && t.date <= on)
        .filter(|t| t.direction != Direction::Internal)
        .collect();
    ts.sort_by(|a, b| chronological(a, b));
    let last = ts.last().filter(|t| t.direction == Direction::Outbound)?;
    let earliest = p.calendar.add(last.date, p.gap);
    if on >= earliest {
        return None;
    }
    Some(Warning {
        rule: Rule(15),
        message: format!(
            "F15: your last {} went out on {} with no reply since; the gap is {} (not before {})",
            last.kind,
            short(last.date),
            p.gap,
            short(earliest)
        ),
        earliest: Some(earliest),
    })
}
