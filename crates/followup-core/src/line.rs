//! An agenda line kept beside each plan item: the words the command line's agenda prints for
//! it, in a small binary form, so that listing thousands of items decodes no JSON and builds
//! no why from its parts (docs/DESIGN.md, "The agenda streams").
//!
//! A line is the item's *plain* view: what the agenda shows for it on any day when today
//! changes nothing but how overdue it is. [`Compact::of`] also says from which day that stops
//! holding: a thank-you whose follow-up has come folds into it (C4) and a status item past the
//! silence limit becomes a move-on review (F9), which move the item in the agenda's order
//! (`reorder_on`); a default wait's date that has passed says "call now" (F4, C2), which
//! changes its words but not its place (`restyle_on`). From those days the agenda builds the
//! item from the whole plan row, as before; a line is never a second opinion.
//!
//! The encoding is ours and versioned ([`VERSION`]): a line written by another version is not
//! read (the whole item is), so changing the words or the layout means bumping it.

use jiff::ToSpan;
use jiff::civil::Date;

use crate::agenda::AgendaItem;
use crate::model::Channel;
use crate::plan::{Action, FollowUp, Rule};

/// The layout and wording of lines this build writes and reads. Bump it whenever
/// [`crate::present`] or [`crate::why`] words an item differently, or the layout changes: lines
/// of another version are passed over for the whole item until a replan rewrites them.
pub const VERSION: u8 = 1;

/// F6's follow-up after a thank-you, as its note needs it (the words depend on today's year).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Then {
    pub action: Action,
    pub due: Date,
    pub rule: Rule,
}

/// The fixed-size head of a line: what a walk over the window needs of a row without reading
/// its words (its place, whether today changes it, the width of its whom).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    /// The plan item's number.
    pub id: i64,
    /// The natural due date.
    pub due: Date,
    pub action: Action,
    pub channel: Channel,
    pub rule: Rule,
    /// See [`Compact::reorder_on`].
    pub reorder_on: Option<Date>,
    /// See [`Compact::restyle_on`].
    pub restyle_on: Option<Date>,
    /// How many characters the whom ([`Line::who`]) has.
    pub who_chars: u32,
    /// The thank-you's next step, for its note.
    pub then: Option<Then>,
    /// True when there is an F17 note.
    pub unasked: bool,
}

/// A line as read: its head decoded, its words borrowed from the bytes and checked as UTF-8
/// only when asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    pub head: Head,
    /// The words, one UTF-8 text: whom, why, F17 note, name key, of the lengths in `lens`.
    words: &'a [u8],
    lens: [u32; 4],
}

/// The words of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Words<'a> {
    /// [`Compact::name_key`], or empty for none.
    pub name_key: &'a str,
    /// Whom and the jobs: [`crate::present::Presented::who_and_jobs`].
    pub who: &'a str,
    /// The why with its rules: [`crate::present::Presented::why_line`].
    pub why: &'a str,
    /// F17's note, or empty.
    pub unasked: &'a str,
}

/// What a store keeps beside a plan item for the agenda: the columns it orders and filters
/// by, and the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compact {
    /// The contact's name folded as the agenda sorts it (`None` sorts first).
    pub name_key: Option<String>,
    /// The rule, the agenda's third sort key.
    pub rule: Rule,
    /// From this day on the item's place in the agenda's order may differ from its stored one.
    pub reorder_on: Option<Date>,
    /// From this day on its words differ from the line (not its place).
    pub restyle_on: Option<Date>,
    /// The encoded [`Line`].
    pub line: Vec<u8>,
}

impl Compact {
    /// The compact form of plan item number `id`.
    pub fn of(id: i64, item: &FollowUp) -> Compact {
        let mut reorder_on = None;
        if item.action == Action::ThankYou
            && let Some(t) = &item.then
        {
            reorder_on = Some(t.due);
        }
        if let Some(limit) = item.move_on_from {
            reorder_on = Some(reorder_on.map_or(limit, |d: Date| d.min(limit)));
        }
        // "Call now" starts the day after the natural due date; at the end of the calendar
        // the due date itself is the cautious answer.
        let restyle_on = item
            .call_when_late
            .then(|| item.due.checked_add(1.day()).unwrap_or(item.due));
        let name_key = item.contact.as_ref().map(|c| c.name.to_lowercase());
        let line = encode(id, item, name_key.as_deref(), reorder_on, restyle_on);
        Compact {
            name_key,
            rule: item.rule,
            reorder_on,
            restyle_on,
            line,
        }
    }
}

/// Where an action and a channel are in the encoding.
fn action_code(a: Action) -> u8 {
    Action::ALL.iter().position(|x| *x == a).unwrap_or(0) as u8
}

fn channel_code(c: Channel) -> u8 {
    Channel::ALL.iter().position(|x| *x == c).unwrap_or(0) as u8
}

/// The item's plain view as an agenda item: no today-dependent change applied.
fn plain(item: &FollowUp) -> AgendaItem {
    AgendaItem {
        id: 0,
        due: item.due,
        overdue_days: 0,
        action: item.action,
        rule: item.rule,
        why: item.why.clone(),
        reason: item.reason.clone(),
        channel: item.channel,
        contact: item.contact.clone(),
        jobs: item.jobs.clone(),
        call_now: false,
        unasked: item.unasked.clone(),
        then: item.then.clone(),
        key: Some(item.key),
        thanks_too: false,
    }
}

fn put_date(out: &mut Vec<u8>, d: Option<Date>) {
    match d {
        Some(d) => {
            out.extend_from_slice(&d.year().to_le_bytes());
            out.push(d.month() as u8);
            out.push(d.day() as u8);
        }
        None => out.extend_from_slice(&[0; 4]),
    }
}

/// The flags byte.
const HAS_REORDER: u8 = 1;
const HAS_RESTYLE: u8 = 2;
const HAS_THEN: u8 = 4;
const HAS_UNASKED: u8 = 8;

/// The head's size: version, id (i64 LE), flags, action, channel, rule, due, reorder_on,
/// restyle_on (4 bytes each: year i16 LE, month, day), whom's characters (u32 LE), then's
/// action, rule and date, and the four words' lengths in bytes (u32 LE each). The words
/// follow as one UTF-8 text, so a line's words are checked in one pass. The version and the
/// id come first in every version ([`id_of`]).
const HEAD: usize = 5 + 4 * 3 + 8 + 4 + 2 + 4 + 4 * 4;

fn encode(
    id: i64,
    item: &FollowUp,
    name_key: Option<&str>,
    reorder_on: Option<Date>,
    restyle_on: Option<Date>,
) -> Vec<u8> {
    let view = plain(item);
    // The words do not depend on today except the `then` note, which is kept in parts.
    let p = crate::present::item(&view, item.due);
    let who = p.who_and_jobs();
    let why = p.why_line();
    let unasked = crate::present::unasked_note(&item.unasked).unwrap_or_default();
    let name_key = name_key.unwrap_or_default();
    let mut out = Vec::with_capacity(HEAD + 16 + name_key.len() + who.len() + why.len());
    let flags = if reorder_on.is_some() { HAS_REORDER } else { 0 }
        | if restyle_on.is_some() { HAS_RESTYLE } else { 0 }
        | if item.then.is_some() { HAS_THEN } else { 0 }
        | if unasked.is_empty() { 0 } else { HAS_UNASKED };
    out.push(VERSION);
    out.extend_from_slice(&id.to_le_bytes());
    out.extend_from_slice(&[
        flags,
        action_code(item.action),
        channel_code(item.channel),
        item.rule.0,
    ]);
    put_date(&mut out, Some(item.due));
    put_date(&mut out, reorder_on);
    put_date(&mut out, restyle_on);
    out.extend_from_slice(&(who.chars().count() as u32).to_le_bytes());
    match &item.then {
        Some(t) => {
            out.push(action_code(t.action));
            out.push(t.rule.0);
            put_date(&mut out, Some(t.due));
        }
        None => out.extend_from_slice(&[0; 6]),
    }
    let words = [who.as_str(), why.as_str(), unasked.as_str(), name_key];
    for w in words {
        out.extend_from_slice(&(w.len() as u32).to_le_bytes());
    }
    debug_assert_eq!(out.len(), HEAD);
    for w in words {
        out.extend_from_slice(w.as_bytes());
    }
    out
}

/// The plan item a line of any version belongs to: every version begins with its version byte
/// and the item's number (i64 LE), so a store that cannot read a line still finds its item.
pub fn id_of(bytes: &[u8]) -> Option<i64> {
    Some(i64::from_le_bytes(bytes.get(1..9)?.try_into().ok()?))
}

fn date_at(b: &[u8]) -> Option<Date> {
    let year = i16::from_le_bytes([b[0], b[1]]);
    Date::new(year, b[2] as i8, b[3] as i8).ok()
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl<'a> Line<'a> {
    /// The line in `bytes`, its head read; `None` when they are of another [`VERSION`] or
    /// the head is malformed (the caller reads the whole item instead).
    pub fn decode(bytes: &'a [u8]) -> Option<Line<'a>> {
        if bytes.len() < HEAD || bytes[0] != VERSION {
            return None;
        }
        let flags = bytes[9];
        let when = |on: u8, at: usize| -> Option<Option<Date>> {
            if flags & on == 0 {
                Some(None)
            } else {
                date_at(&bytes[at..]).map(Some)
            }
        };
        let then = if flags & HAS_THEN == 0 {
            None
        } else {
            Some(Then {
                action: *Action::ALL.get(bytes[29] as usize)?,
                rule: Rule(bytes[30]),
                due: date_at(&bytes[31..])?,
            })
        };
        let head = Head {
            action: *Action::ALL.get(bytes[10] as usize)?,
            channel: *Channel::ALL.get(bytes[11] as usize)?,
            rule: Rule(bytes[12]),
            due: date_at(&bytes[13..])?,
            reorder_on: when(HAS_REORDER, 17)?,
            restyle_on: when(HAS_RESTYLE, 21)?,
            id: id_of(bytes)?,
            who_chars: u32::from_le_bytes(bytes[25..29].try_into().ok()?),
            then,
            unasked: flags & HAS_UNASKED != 0,
        };
        let lens = [
            u32_at(bytes, 35),
            u32_at(bytes, 39),
            u32_at(bytes, 43),
            u32_at(bytes, 47),
        ];
        Some(Line {
            head,
            words: &bytes[HEAD..],
            lens,
        })
    }

    /// The byte range of word `i` in the words.
    fn span(&self, i: usize) -> std::ops::Range<usize> {
        let start: usize = self.lens[..i].iter().map(|n| *n as usize).sum();
        start..start + self.lens[i] as usize
    }

    /// The words, checked; `None` when they are malformed.
    pub fn words(&self) -> Option<Words<'a>> {
        if self.span(3).end != self.words.len() {
            return None;
        }
        let text = std::str::from_utf8(self.words).ok()?;
        Some(Words {
            who: text.get(self.span(0))?,
            why: text.get(self.span(1))?,
            unasked: text.get(self.span(2))?,
            name_key: text.get(self.span(3))?,
        })
    }

    /// The name key alone ([`Compact::name_key`]), checked.
    pub fn name_key(&self) -> Option<Option<&'a str>> {
        let k = std::str::from_utf8(self.words.get(self.span(3))?).ok()?;
        Some((!k.is_empty()).then_some(k))
    }

    /// The notes the agenda prints under the table for this line, as of `today`, in the
    /// order [`crate::present::item`] gives them.
    pub fn notes(&self, words: &Words<'_>, today: Date) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(t) = self.head.then {
            out.push(crate::present::then_note(t.action, t.due, t.rule, today));
        }
        if !words.unasked.is_empty() {
            out.push(words.unasked.to_string());
        }
        out
    }

    /// True when the line has notes.
    pub fn has_notes(&self) -> bool {
        self.head.then.is_some() || self.head.unasked
    }
}

/// What the agenda's table needs to know of one day's *firm* lines (those today never
/// changes: no [`Head::reorder_on`], no [`Head::restyle_on`]) to size its columns without
/// reading them (docs/DESIGN.md, "Per-day extents"): how many, the largest number, which
/// actions and channels (as sets, so the words are this build's), the widest whom, and
/// whether any has a note. A store keeps one per day and folds a day's lines again when one
/// of them changes; the loose lines are few and measured one by one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extent {
    pub due: Date,
    pub rows: u32,
    pub id_max: i64,
    /// One bit per action, in [`Action::ALL`]'s order.
    pub actions: u32,
    /// One bit per channel, in [`Channel::ALL`]'s order.
    pub channels: u32,
    pub who_max: u32,
    pub notes: bool,
}

impl Extent {
    /// A day with no lines yet.
    pub fn empty(due: Date) -> Extent {
        Extent {
            due,
            rows: 0,
            id_max: 0,
            actions: 0,
            channels: 0,
            who_max: 0,
            notes: false,
        }
    }

    /// True when a line belongs in a day's extent rather than being measured on its own.
    pub fn is_firm(head: &Head) -> bool {
        head.reorder_on.is_none() && head.restyle_on.is_none()
    }

    /// The extent with one more firm line.
    pub fn add(&mut self, line: &Line<'_>) {
        let h = &line.head;
        self.rows += 1;
        self.id_max = self.id_max.max(h.id);
        self.actions |= 1 << (action_code(h.action) as u32 % 32);
        self.channels |= 1 << (channel_code(h.channel) as u32 % 32);
        self.who_max = self.who_max.max(h.who_chars);
        self.notes |= line.has_notes();
    }

    /// The actions the day holds.
    pub fn actions(&self) -> impl Iterator<Item = Action> + '_ {
        Action::ALL
            .iter()
            .enumerate()
            .filter(|(i, _)| self.actions & (1 << (*i as u32 % 32)) != 0)
            .map(|(_, a)| *a)
    }

    /// The channels the day holds.
    pub fn channels(&self) -> impl Iterator<Item = Channel> + '_ {
        Channel::ALL
            .iter()
            .enumerate()
            .filter(|(i, _)| self.channels & (1 << (*i as u32 % 32)) != 0)
            .map(|(_, c)| *c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agenda::{Planned, today_view};
    use crate::model::{ContactId, JobId, Question};
    use crate::plan::{ContactRef, JobRef, PlanKey, Slot, Step, Subject};
    use crate::why::{Basis, Why};
    use jiff::civil::date;

    fn thank_you() -> FollowUp {
        let why = Why::new(
            Rule(6),
            Basis::ThankYou {
                interview: date(2026, 3, 5),
                within: crate::Wait::Days(1),
            },
        );
        FollowUp {
            key: PlanKey {
                subject: Subject::Contact(ContactId(3)),
                slot: Slot::FollowUp,
            },
            due: date(2026, 3, 6),
            action: Action::ThankYou,
            rule: Rule(6),
            why: why.line(),
            reason: Some(why),
            channel: Channel::Linkedin,
            contact: Some(ContactRef {
                id: ContactId(3),
                name: "Dana Ängström".into(),
            }),
            jobs: vec![JobRef {
                id: JobId(2),
                organization: "Northwind".into(),
                title: "Data Engineer".into(),
            }],
            move_on_from: Some(date(2026, 4, 20)),
            call_when_late: true,
            unasked: vec![Question::Timeline, Question::OnLinkedin],
            then: Some(Step {
                due: date(2027, 1, 4),
                action: Action::FollowUp,
                rule: Rule(4),
                why: String::new(),
                reason: None,
                call_when_late: true,
            }),
            after_touch: None,
            greeted_on: None,
        }
    }

    /// The line says what the agenda says of the item on a day it is plain, notes included.
    #[test]
    fn a_line_reads_as_the_item_does() {
        let item = thank_you();
        let c = Compact::of(9, &item);
        let line = Line::decode(&c.line).expect("this version's line");
        let w = line.words().expect("its words");
        let today = date(2026, 3, 6);
        let view = today_view(
            &Planned {
                id: 9,
                item: item.clone(),
            },
            today,
        );
        let p = crate::present::item(&view, today);
        assert_eq!(w.who, p.who_and_jobs());
        assert_eq!(
            line.head.who_chars as usize,
            p.who_and_jobs().chars().count()
        );
        assert_eq!(w.why, p.why_line());
        assert_eq!(w.name_key, "dana ängström");
        assert_eq!(line.name_key(), Some(Some("dana ängström")));
        assert_eq!(line.head.action, view.action);
        assert_eq!(line.head.channel, view.channel);
        assert_eq!(
            (line.head.id, line.head.due, line.head.rule),
            (9, item.due, Rule(6))
        );
        assert_eq!(line.notes(&w, today), p.notes);
        assert!(line.has_notes());
        assert_eq!(c.name_key.as_deref(), Some("dana ängström"));
        assert_eq!(c.rule, Rule(6));
        assert_eq!(
            c.reorder_on,
            Some(date(2026, 4, 20)),
            "the earlier of the two"
        );
        assert_eq!(line.head.reorder_on, c.reorder_on);
        assert_eq!(
            c.restyle_on,
            Some(date(2026, 3, 7)),
            "the day after it is due"
        );
        assert_eq!(line.head.restyle_on, c.restyle_on);
    }

    #[test]
    fn a_line_of_another_version_or_cut_short_is_not_read() {
        let c = Compact::of(1, &thank_you());
        let mut other = c.line.clone();
        other[0] = VERSION + 1;
        assert_eq!(Line::decode(&other), None);
        assert_eq!(id_of(&other), Some(1), "its item is found all the same");
        let cut = Line::decode(&c.line[..c.line.len() - 1]).expect("the head is whole");
        assert_eq!(cut.words(), None, "words cut short");
        let mut longer = c.line.clone();
        longer.push(0);
        assert_eq!(Line::decode(&longer).and_then(|l| l.words()), None);
        assert_eq!(Line::decode(&c.line[..HEAD - 1]), None);
        assert_eq!(Line::decode(&[]), None);
    }
}
