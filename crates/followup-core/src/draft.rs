//! Drafts as data: what a message template may use (the placeholders of docs/DRAFTS.md), and the
//! lint of drafting rules M1 and M3 for any message, drafted or written by the person.
//!
//! Rendering the words is followup-app's job (templates a person can replace); this module only
//! decides what is known and checks text.

use serde::{Deserialize, Serialize};

use crate::plan::Action;

/// Everything a template can name. Absent facts are empty strings or empty lists, never
/// missing, so a template can test them with `{% if ... %}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftContext {
    /// The template: an action's name, `outreach`, or `voicemail`.
    pub template: String,
    pub action: String,
    pub rule: String,
    pub why: String,
    pub channel: String,
    /// The person writing: `[me]` in the config.
    pub me: Person,
    pub contact: Person,
    /// The first role the item is about, and all of them.
    pub role: Role,
    pub roles: Vec<Role>,
    /// "Senior Data Engineer at Northwind and Analyst at Contoso".
    pub roles_text: String,
    /// The last interview about the role: "Thursday 5 March"; empty when none.
    pub interview_date: String,
    /// What was agreed: "we agreed I would reach out if I had not heard by Monday 9 March".
    pub agreed: String,
    /// The date a thank-you should name (F6), or the date promised: "Wednesday 11 March".
    pub follow_up_on: String,
    /// C4: the thank-you was never sent; this follow-up thanks them too.
    pub thanks_too: bool,
    /// C6: the day the answer to an offer is due, when one was set: "Friday 20 March".
    pub answer_by: String,
    /// What they said they struggle with, from interview and meeting notes (M4).
    pub problems: Vec<String>,
    /// Status messages sent since we last heard from them: 0 for the first follow-up.
    pub attempt: u32,
    /// When the last of those went out: "Wednesday 11 March"; empty when none.
    pub last_sent: String,
    /// For an occasion: "birthday", "work anniversary", "personal anniversary".
    pub occasion: String,
    /// The note of the last touch from them (a rejection's reason, a reply).
    pub their_last_note: String,
    /// Whom the message greets: the contact's first name, or with no contact the
    /// organization's hiring team by name, "Northwind hiring team" (C10).
    pub dear: String,
    /// The kind of the newest touch of the thread (`outreach`, `meeting`, `reply`,
    /// `interview`, `follow-up` ...; never a note), and its date; empty when none (C10).
    pub last_touch: String,
    pub last_touch_on: String,
    /// The kind of the last touch where they spoke (`reply`, `meeting`, `interview`, `offer`,
    /// `rejection`), and its date; empty when they never did.
    pub last_heard: String,
    pub last_heard_on: String,
    /// What they promised at that touch: `act` (an introduction, a referral) or `decide`;
    /// empty when nothing (C10).
    pub they_promised: String,
    /// True when a *mine* promise of the current thread is still to be kept: only then may a
    /// draft say "as I said I would" (C10).
    pub i_promised: bool,
    /// True when an interview or a meeting with this contact is recorded: only then may a
    /// draft say "meeting you" or "when we spoke" (C10). `met_on` is the last one's date.
    pub met: bool,
    pub met_on: String,
    /// True when an interview about the role is recorded (with anyone): only then may a draft
    /// speak of interviewing (C10).
    pub interviewed: bool,
    /// The day the application went out: "Monday 2 March"; empty when none is recorded.
    pub applied_on: String,
    /// An outreach still unanswered: its date, and its note as the ask it made ("a short call
    /// about your team's move to streaming"); empty otherwise (C10).
    pub asked_on: String,
    pub ask: String,
}

/// A person as a template names them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub name: String,
    pub first_name: String,
    pub title: String,
    pub organization: String,
    pub email: String,
    pub phone: String,
    /// For `me`: the signature block (defaults to the name).
    pub signature: String,
}

/// A role as a template names it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub title: String,
    pub organization: String,
}

/// The template a follow-up's action drafts with.
pub fn template_for(action: Action) -> &'static str {
    action.as_str()
}

/// What kind of message a limit applies to (M1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MessageKind {
    /// A status follow-up: at most 120 words.
    Status,
    /// A thank-you: at most 200 words.
    ThankYou,
    /// Anything else: no word limit, the other checks still apply.
    Other,
}

impl MessageKind {
    /// The kind a template's message is.
    pub fn of_template(name: &str) -> MessageKind {
        match name {
            "follow-up" | "retry" | "value-add" => MessageKind::Status,
            "thank-you" => MessageKind::ThankYou,
            _ => MessageKind::Other,
        }
    }

    /// M1's limit.
    pub fn word_limit(self) -> Option<usize> {
        match self {
            MessageKind::Status => Some(120),
            MessageKind::ThankYou => Some(200),
            MessageKind::Other => None,
        }
    }
}

/// One finding of the lint. A warning, never a refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LintWarning {
    /// `M1` or `M3`, or `F8` for a repeated question.
    pub rule: String,
    pub message: String,
    /// 1-based line of the message where it was found, when it is one place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

/// Words as M1 counts them: runs of letters or digits (an address counts as one word).
pub fn word_count(text: &str) -> usize {
    text.split_whitespace()
        .filter(|w| w.chars().any(|c| c.is_alphanumeric()))
        .count()
}

/// Pleading and pressure (M3): phrases that make the reader feel obliged, apologies for
/// writing at all, and the plain "any update?" that F8 says never to send twice.
const PRESSURE: &[&str] = &[
    "desperate",
    "desperately",
    "begging",
    "i beg",
    "i really need this job",
    "i really need this",
    "i need this job",
    "my last chance",
    "struggling financially",
    "behind on rent",
    "can't pay",
    "cannot pay",
    "i have bills",
    "you owe me",
    "i deserve",
    "why haven't you",
    "why have you not",
    "i haven't heard anything",
    "i still haven't heard",
    "still waiting",
    "as soon as possible",
    "asap",
    "urgent",
    "immediately",
    "final notice",
    "i will call every day",
    "any update",
    "any updates",
    "any news",
    "just checking in",
    "just checking",
    "following up again",
    "sorry to bother",
    "sorry to bug",
    "sorry to disturb",
    "sorry for bothering",
    "sorry for the bother",
    "apologies for bothering",
    "i apologize for bothering",
    "hate to bother",
    "hate to be a pest",
    "pest",
    "nag",
    "nagging",
    "kindly revert",
    "revert back",
];

/// The pressure phrases the lint looks for: the built-in list, tuned by the person's config
/// (`[lint] add = [...]`, `ignore = [...]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pressure {
    phrases: Vec<String>,
}

impl Default for Pressure {
    fn default() -> Self {
        Pressure {
            phrases: PRESSURE.iter().map(|p| p.to_string()).collect(),
        }
    }
}

impl Pressure {
    /// The built-in list with `add` added and `ignore` taken out (case does not matter).
    pub fn tuned(add: &[String], ignore: &[String]) -> Pressure {
        let norm = |s: &String| s.trim().to_lowercase();
        let ignore: Vec<String> = ignore.iter().map(norm).collect();
        let mut phrases: Vec<String> = Pressure::default()
            .phrases
            .into_iter()
            .chain(add.iter().map(norm))
            .filter(|p| !p.is_empty() && !ignore.contains(p))
            .collect();
        phrases.sort();
        phrases.dedup();
        Pressure { phrases }
    }

    /// Every occurrence in `line` (lowercase), overlapping ones merged into the longest:
    /// "i really need this job" is one finding, not two.
    fn find(&self, line: &str) -> Vec<(usize, usize)> {
        let mut hits: Vec<(usize, usize)> = self
            .phrases
            .iter()
            .flat_map(|p| {
                phrase_positions(line, p)
                    .into_iter()
                    .map(|at| (at, at + p.len()))
            })
            .collect();
        hits.sort_by_key(|(start, end)| (*start, std::cmp::Reverse(*end)));
        let mut kept: Vec<(usize, usize)> = Vec::new();
        for (start, end) in hits {
            match kept.last_mut() {
                Some(last) if start < last.1 => last.1 = last.1.max(end),
                _ => kept.push((start, end)),
            }
        }
        kept
    }
}

/// M1 and M3 on a message, and F8: a question already asked in `previous` (the last message
/// sent to the same contact). With the built-in pressure phrases.
pub fn lint(text: &str, kind: MessageKind, previous: Option<&str>) -> Vec<LintWarning> {
    lint_with(text, kind, previous, &Pressure::default())
}

/// [`lint`] with the person's own pressure phrases.
pub fn lint_with(
    text: &str,
    kind: MessageKind,
    previous: Option<&str>,
    pressure: &Pressure,
) -> Vec<LintWarning> {
    let mut out = Vec::new();
    let body = strip_subject(text);
    let words = word_count(body);
    if let Some(limit) = kind.word_limit()
        && words > limit
    {
        let what = match kind {
            MessageKind::ThankYou => "a thank-you",
            _ => "a status follow-up",
        };
        out.push(LintWarning {
            rule: "M1".into(),
            message: format!(
                "M1: {words} words; {what} is at most {limit}: short and to the point"
            ),
            line: None,
        });
    }
    let mut pleases = 0;
    for (i, line) in text.lines().enumerate() {
        let lower = line.to_lowercase();
        for (start, end) in pressure.find(&lower) {
            let said = line.get(start..end).unwrap_or(&lower[start..end]);
            out.push(LintWarning {
                rule: "M3".into(),
                message: format!(
                    "M3: \"{said}\" pleads or presses; ask for the status and the next steps instead"
                ),
                line: Some(i + 1),
            });
        }
        for _ in phrase_positions(&lower, "please") {
            pleases += 1;
            if pleases == 2 {
                out.push(LintWarning {
                    rule: "M3".into(),
                    message: "M3: \"please\" more than once presses; once is polite".into(),
                    line: Some(i + 1),
                });
            }
        }
    }
    if let Some(prev) = previous {
        let before: Vec<String> = questions(prev).into_iter().map(|(_, q)| q).collect();
        for (line, q) in questions(text) {
            if before.contains(&q) {
                out.push(LintWarning {
                    rule: "F8".into(),
                    message: format!(
                        "F8: your last message to them asked the same question ({q:?}); bring something new"
                    ),
                    line: Some(line),
                });
            }
        }
    }
    out
}

/// The body of a message that starts with a `Subject:` line.
fn strip_subject(text: &str) -> &str {
    match text.strip_prefix("Subject:") {
        Some(rest) => rest.split_once('\n').map(|(_, b)| b).unwrap_or(""),
        None => text,
    }
}

/// Where `phrase` stands in `hay` as whole words (a phrase ending in punctuation may be
/// followed by anything).
fn phrase_positions(hay: &str, phrase: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut start = 0;
    while let Some(pos) = hay[start..].find(phrase) {
        let at = start + pos;
        let before = hay[..at].chars().next_back();
        let after = hay[at + phrase.len()..].chars().next();
        let edge = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        let phrase_ends_in_word = phrase.chars().last().is_some_and(|c| c.is_alphanumeric());
        if edge(before) && (!phrase_ends_in_word || edge(after)) {
            out.push(at);
        }
        start = at + phrase.len().max(1);
    }
    out
}

/// The questions of a message, normalized (lowercase, letters and spaces), with their line.
fn questions(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(q) = rest.find('?') {
            let sentence = &rest[..q];
            let start = sentence
                .rfind(['.', '!', ':', ';'])
                .map(|p| p + 1)
                .unwrap_or(0);
            let norm: String = sentence[start..]
                .to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric() || c.is_whitespace())
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            if !norm.is_empty() {
                out.push((i + 1, norm));
            }
            rest = &rest[q + 1..];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_limits_follow_m1() {
        let long = "word ".repeat(121);
        let w = lint(&long, MessageKind::Status, None);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].rule, "M1");
        assert!(lint(&long, MessageKind::ThankYou, None).is_empty());
        assert!(lint(&long, MessageKind::Other, None).is_empty());
        assert_eq!(word_count("Hi Dana, -- thanks!"), 3);
    }

    #[test]
    fn pleading_is_flagged_with_its_line() {
        let w = lint(
            "Subject: hi\n\nHello,\nI really need this job, please please answer.\n",
            MessageKind::Status,
            None,
        );
        let rules: Vec<_> = w.iter().map(|w| (w.rule.as_str(), w.line)).collect();
        assert!(rules.contains(&("M3", Some(4))), "{w:?}");
        // Words inside other words do not count.
        assert!(lint("An urgently-needed fix", MessageKind::Other, None).is_empty());
        assert!(!lint("This is urgent.", MessageKind::Other, None).is_empty());
    }

    #[test]
    fn pressure_is_flagged_once_per_occurrence() {
        let w = lint(
            "Sorry to bother you again. I hate to be a pest, but any update? Kindly revert.\nI really need this job.",
            MessageKind::Status,
            None,
        );
        let said: Vec<(&str, Option<usize>)> =
            w.iter().map(|w| (w.message.as_str(), w.line)).collect();
        assert_eq!(w.len(), 5, "{said:?}");
        assert!(w[0].message.contains("\"Sorry to bother\""), "{said:?}");
        assert!(
            w[4].message.contains("\"I really need this job\""),
            "{said:?}"
        );
        assert_eq!(w[4].line, Some(2));
        let w = lint(
            "Please let me know. Please reply.",
            MessageKind::Status,
            None,
        );
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].message.contains("more than once"));
        let calm = "Thank you again for your time. Is there anything else I can send you?";
        assert!(lint(calm, MessageKind::Status, None).is_empty());
    }

    #[test]
    fn the_person_tunes_the_phrases() {
        let p = Pressure::tuned(&["circling back".into()], &["ASAP".into()]);
        let w = lint_with(
            "Circling back: can we talk asap?",
            MessageKind::Other,
            None,
            &p,
        );
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].message.contains("Circling back"));
    }

    #[test]
    fn a_question_asked_last_time_is_flagged() {
        let prev = "Could you share where things stand? Thanks.";
        let w = lint(
            "Hello. Could you share where things stand?",
            MessageKind::Status,
            Some(prev),
        );
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].rule, "F8");
        let w = lint(
            "Is there anything else I can send you?",
            MessageKind::Status,
            Some(prev),
        );
        assert!(w.is_empty());
    }
}
