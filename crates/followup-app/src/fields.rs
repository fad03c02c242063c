//! The checks every text field passes on its way in, from every door: the command line, the
//! web's forms and API (which call the same use cases), and each importer (through
//! [`Incoming::checked`]). The limits themselves live in `followup_core::text`.
//!
//! A person typing is refused with the field named; a third-party file has control
//! characters removed, over-long values refused with their place, and an address that is not
//! one (an email without `@`, a phone without digits, a `javascript:` profile link) left out
//! with a note, so one odd card does not refuse a whole address book.

use followup_core::text::{self, BadText};
use jiff::civil::Date;

use crate::error::{AppError, Field, Result, invalid};
use crate::import::Incoming;

/// A file's value that cannot be kept, named by its place in the file.
fn bad(e: BadText) -> AppError {
    AppError::BadFile(e.to_string())
}

/// A typed value that cannot be kept, named by its field.
fn refused(field: Field, e: BadText) -> AppError {
    invalid(field, e.problem())
}

/// A one-line field (name, title, organization) as typed.
pub fn line(field: Field, s: &str) -> Result<String> {
    text::check_line(field.key(), s).map_err(|e| refused(field, e))
}

/// An optional one-line field as typed: empty means none.
pub fn opt_line(field: Field, s: Option<String>) -> Result<Option<String>> {
    s.map(|s| line(field, &s))
        .transpose()
        .map(|s| s.filter(|s| !s.is_empty()))
}

/// A note or message as typed: empty means none.
pub fn opt_note(field: Field, s: Option<String>) -> Result<Option<String>> {
    s.map(|s| text::check_note(field.key(), &s).map_err(|e| refused(field, e)))
        .transpose()
        .map(|s| s.filter(|s| !s.trim().is_empty()))
}

/// Why an email address is not one, if it is not.
fn email_problem(e: &str) -> Option<&'static str> {
    let shaped = e
        .split_once('@')
        .is_some_and(|(a, b)| !a.is_empty() && b.contains('.') && !b.starts_with('.'))
        && !e.contains(char::is_whitespace);
    (!shaped).then_some("expected an address like dana@example.com")
}

/// An email address as typed.
pub fn email(field: Field, s: &str) -> Result<String> {
    let e = line(field, s)?;
    match email_problem(&e) {
        None => Ok(e),
        Some(why) => Err(invalid(field, format!("{why}, found {e:?}"))),
    }
}

/// Why a phone number is not one, if it is not: digits with the usual separators, an
/// optional `+`, and an extension (`x12`, `ext. 12`); a `tel:` prefix is allowed.
fn phone_problem(p: &str) -> Option<&'static str> {
    let lower = p.to_ascii_lowercase();
    let rest = lower.strip_prefix("tel:").unwrap_or(&lower);
    let rest = rest.replace("extension", "").replace("ext", "");
    let digits = rest.chars().filter(char::is_ascii_digit).count();
    if digits < 3 {
        return Some("expected a phone number like +1 555 0199");
    }
    if rest
        .chars()
        .any(|c| !(c.is_ascii_digit() || " +-().,/#*;x".contains(c)))
    {
        return Some("expected digits, spaces and + - ( ) . only");
    }
    None
}

/// A phone number as typed.
pub fn phone(field: Field, s: &str) -> Result<String> {
    let p = line(field, s)?;
    match phone_problem(&p) {
        None => Ok(p),
        Some(why) => Err(invalid(field, format!("{why}, found {p:?}"))),
    }
}

/// The most characters an address (a posting, a profile) may hold.
pub const URL_MAX: usize = 2048;

/// Why a web address is not one we keep, if it is not: http(s) only, so a stored link can
/// never run script (`javascript:`) or open a local file when clicked.
fn url_problem(u: &str) -> Option<String> {
    let lower = u.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return Some("expected an address starting with http:// or https://".into());
    }
    if u.contains(char::is_whitespace) || u.chars().any(char::is_control) {
        return Some("an address has no spaces or control characters".into());
    }
    if u.chars().count() > URL_MAX {
        return Some(format!("at most {URL_MAX} characters"));
    }
    None
}

/// A web address as typed.
pub fn url(field: Field, s: &str) -> Result<String> {
    let u = s.trim();
    match url_problem(u) {
        None => Ok(u.to_string()),
        Some(why) => Err(invalid(field, format!("{why}, found {u:?}"))),
    }
}

/// An optional web address as typed: empty means none.
pub fn opt_url(field: Field, s: Option<String>) -> Result<Option<String>> {
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(u) => url(field, u).map(Some),
    }
}

/// True for a date followup keeps: 1900-2200, or an occasion whose year is unknown (stored in
/// the vCard importer's leap year, [`crate::import::vcard::NO_YEAR`]).
pub fn occasion_in_range(d: Date) -> bool {
    followup_core::dates::in_range(d) || d.year() == crate::import::vcard::NO_YEAR
}

impl Incoming {
    /// The person as a file gave them, made fit to keep: control characters removed, lengths
    /// checked (an over-long value refuses the file, naming its place), and addresses that
    /// are not addresses left out with a note saying so.
    pub fn checked(self, source: &str, notes: &mut Vec<String>) -> Result<Incoming> {
        let place = self.place.clone();
        let at = |field: &str| format!("{source}: {place}: {field}");
        let scrub = |field: &str, s: &str| text::scrub_line(&at(field), s).map_err(bad);
        let mut drop = |field: &str, value: &str, why: &str| {
            notes.push(format!(
                "{place}: {field} {:?} left out: {why}",
                text::escape_controls(value)
            ));
        };
        let name = scrub("name", &self.name)?;
        let mut emails = Vec::new();
        for e in &self.emails {
            let e = scrub("email", e)?;
            match email_problem(&e) {
                None => emails.push(e),
                Some(why) => drop("email", &e, why),
            }
        }
        let mut phones = Vec::new();
        for p in &self.phones {
            let p = scrub("phone", p)?;
            match phone_problem(&p) {
                None => phones.push(p),
                Some(why) => drop("phone", &p, why),
            }
        }
        let linkedin = match self.linkedin.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(u) => match url_problem(u) {
                None => Some(u.to_string()),
                Some(why) => {
                    drop("LinkedIn profile", u, &why);
                    None
                }
            },
        };
        let opt = |field: &str, s: &Option<String>| -> Result<Option<String>> {
            Ok(match s {
                Some(s) => Some(scrub(field, s)?).filter(|s| !s.is_empty()),
                None => None,
            })
        };
        let mut date = |field: &str, d: Option<Date>| match d {
            Some(d) if !occasion_in_range(d) => {
                drop(field, &d.to_string(), "outside 1900-2200");
                None
            }
            other => other,
        };
        // A name that was nothing but control characters: name them by an address instead.
        let name = if name.is_empty() {
            emails
                .first()
                .or(linkedin.as_ref())
                .cloned()
                .unwrap_or_else(|| "(no name)".to_string())
        } else {
            name
        };
        let birthday = date("birthday", self.birthday);
        let work_anniversary = date("work anniversary", self.work_anniversary);
        let personal_anniversary = date("anniversary", self.personal_anniversary);
        Ok(Incoming {
            organization: opt("organization", &self.organization)?,
            title: opt("title", &self.title)?,
            notes: match &self.notes {
                Some(n) => {
                    Some(text::scrub_note(&at("notes"), n).map_err(bad)?).filter(|s| !s.is_empty())
                }
                None => None,
            },
            place: self.place,
            name,
            emails,
            phones,
            linkedin,
            birthday,
            work_anniversary,
            personal_anniversary,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert!(email(crate::Field::Email, "dana@northwind.example").is_ok());
        assert!(email(crate::Field::Email, "dana").is_err());
        for p in [
            "+1 555 0199",
            "(555) 123-4567 ext. 12",
            "tel:+44-20-7946-0958",
            "555.0199 x3",
        ] {
            assert!(phone(crate::Field::Phone, p).is_ok(), "{p}");
        }
        for p in ["call Bob", "12", "+1 555 0199; DROP TABLE"] {
            assert!(phone(crate::Field::Phone, p).is_err(), "{p}");
        }
        assert!(url(crate::Field::Url, "https://example.com/jobs/1").is_ok());
        for u in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "https://a b",
            "ftp://x",
        ] {
            assert!(url(crate::Field::Url, u).is_err(), "{u}");
        }
    }

    #[test]
    fn incoming_is_scrubbed_and_bad_addresses_left_out() {
        let p = Incoming {
            place: "line 3".into(),
            name: "Ann\u{1b}[2J Lee".into(),
            emails: vec!["ann@x.example".into(), "not an address".into()],
            phones: vec!["call me".into()],
            linkedin: Some("javascript:alert(1)".into()),
            organization: Some("=cmd|' /C calc'!A0".into()),
            ..Incoming::default()
        };
        let mut notes = Vec::new();
        let c = p.checked("c.csv", &mut notes).unwrap();
        assert_eq!(c.name, "Ann[2J Lee");
        assert_eq!(c.emails, vec!["ann@x.example".to_string()]);
        assert!(c.phones.is_empty() && c.linkedin.is_none());
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert!(notes[0].starts_with("line 3: email"), "{notes:?}");
        let long = Incoming {
            place: "line 9".into(),
            name: "Bo".into(),
            organization: Some("x".repeat(5000)),
            ..Incoming::default()
        };
        let e = long.checked("c.csv", &mut notes).unwrap_err().to_string();
        assert_eq!(
            e,
            "c.csv: line 9: organization: at most 200 characters, found 5000"
        );
    }
}
