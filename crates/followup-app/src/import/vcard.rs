//! vCard 2.1, 3.0 and 4.0 (Google, Apple, Outlook, Nextcloud exports) through `calcard`:
//! names, emails, phones, organization, title, birthdays with or without a year, anniversaries
//! in the standard `ANNIVERSARY` and the vendor forms `X-ANNIVERSARY`, `X-ABDATE` (Apple,
//! Google: labelled anniversary), `X-MS-ANNIVERSARY` (Outlook). Photos are ignored.
//!
//! A date without a year is stored in 1604, the leap year Apple uses for "year unknown", so a
//! birthday on 29 February keeps its day; the agenda finds each year's day (F14).

use calcard::vcard::{VCard, VCardProperty, VCardValue};
use calcard::{Entry, Parser};
use jiff::civil::Date;

use super::{Incoming, utf8};
use crate::AppError;

/// The year a date without one is stored in.
pub const NO_YEAR: i16 = 1604;

/// People in the file, and the places of the cards skipped (no name, email or phone).
pub fn parse(source: &str, bytes: &[u8]) -> Result<(Vec<Incoming>, Vec<String>), AppError> {
    let raw = utf8(source, bytes)?;
    // iPhone exports end lines in CR CR LF; some tools use bare CR.
    let text = raw
        .replace("\r\r\n", "\n")
        .replace("\r\n", "\n")
        .replace('\r', "\n");
    let starts: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim().eq_ignore_ascii_case("BEGIN:VCARD"))
        .map(|(i, _)| i + 1)
        .collect();
    if starts.is_empty() {
        return Err(AppError::BadFile(format!(
            "{source}: line 1: no BEGIN:VCARD: is this a vCard (.vcf) file?"
        )));
    }
    // calcard forgives a missing END:VCARD; a truncated file must not import half a card.
    let mut open: Option<(usize, usize)> = None;
    let mut n = 0;
    for (i, l) in text.lines().enumerate() {
        let l = l.trim();
        if l.eq_ignore_ascii_case("BEGIN:VCARD") {
            if let Some((card, line)) = open {
                return Err(AppError::BadFile(format!(
                    "{source}: card {card} (line {line}): BEGIN:VCARD without END:VCARD before line {}",
                    i + 1
                )));
            }
            n += 1;
            open = Some((n, i + 1));
        } else if l.eq_ignore_ascii_case("END:VCARD") {
            open = None;
        }
    }
    if let Some((card, line)) = open {
        return Err(AppError::BadFile(format!(
            "{source}: card {card} (line {line}): BEGIN:VCARD without END:VCARD (the file ends early)"
        )));
    }
    let line_of = |needle: &str, from: usize| -> usize {
        let needle = needle.trim();
        text.lines()
            .enumerate()
            .skip(from.saturating_sub(1))
            .find(|(_, l)| !needle.is_empty() && l.contains(needle))
            .map(|(i, _)| i + 1)
            .unwrap_or(from)
    };
    let all_lines: Vec<&str> = text.lines().collect();
    let mut parser = Parser::new(&text);
    let mut people = Vec::new();
    let mut skipped = Vec::new();
    let mut card = 0usize;
    loop {
        let start = starts.get(card).copied().unwrap_or(0);
        match parser.entry() {
            Entry::VCard(v) => {
                card += 1;
                let place = format!("card {card} (line {start})");
                let raw = raw_values(&raw_lines(&all_lines, start));
                match person(&v, &place, &raw) {
                    Ok(Some(p)) => people.push(p),
                    Ok(None) => skipped.push(format!("{place}: no name, email or phone")),
                    Err(msg) => return Err(AppError::BadFile(format!("{source}: {place}: {msg}"))),
                }
            }
            Entry::Eof => break,
            Entry::InvalidLine(l) => {
                let line = line_of(&l, start.max(1));
                let shown: String = l.chars().take(60).collect();
                return Err(AppError::BadFile(format!(
                    "{source}: card {} (line {}): line {line} is not a vCard property: {shown:?}",
                    card + 1,
                    start.max(1)
                )));
            }
            Entry::UnterminatedComponent(_) => {
                return Err(AppError::BadFile(format!(
                    "{source}: card {} (line {}): BEGIN:VCARD without END:VCARD (the file ends early)",
                    card + 1,
                    start.max(1)
                )));
            }
            Entry::ICalendar(_) | Entry::UnexpectedComponentEnd { .. } => {
                return Err(AppError::BadFile(format!(
                    "{source}: card {} (line {}): expected a vCard, found calendar data",
                    card + 1,
                    start.max(1)
                )));
            }
            // TooManyComponents, and whatever a later calcard adds.
            _ => {
                return Err(AppError::BadFile(format!(
                    "{source}: card {} (line {}): not a vCard this importer can read",
                    card + 1,
                    start.max(1)
                )));
            }
        }
    }
    Ok((people, skipped))
}

fn text_of(v: &VCardValue) -> Option<String> {
    match v {
        VCardValue::Text(t) => Some(t.clone()),
        VCardValue::Component(parts) => Some(parts.join(" ")),
        VCardValue::Integer(i) => Some(i.to_string()),
        _ => None,
    }
    .map(|s| s.trim().to_string())
    .filter(|s| !s.is_empty())
}

fn first_text(values: &[VCardValue]) -> Option<String> {
    values.iter().find_map(text_of)
}

/// A vCard date: a parsed partial date, or text like `1988-02-29`, `19880229`, `--0229`.
fn date_of(values: &[VCardValue]) -> Result<Option<Date>, String> {
    for v in values {
        match v {
            VCardValue::PartialDateTime(p) => {
                let (Some(m), Some(d)) = (p.month, p.day) else {
                    continue;
                };
                let y = p.year.map(|y| y as i16).unwrap_or(NO_YEAR);
                return Date::new(y, m as i8, d as i8)
                    .map(Some)
                    .map_err(|_| format!("{y:04}-{m:02}-{d:02} is not a day in the calendar"));
            }
            VCardValue::Text(t) => return text_date(t).map(Some),
            _ => {}
        }
    }
    Ok(None)
}

fn text_date(t: &str) -> Result<Date, String> {
    let t = t.trim();
    let day_part = t.split('T').next().unwrap_or(t);
    let digits: String = day_part.chars().filter(|c| c.is_ascii_digit()).collect();
    let no_year = day_part.starts_with("--");
    let (y, m, d) = match (no_year, digits.len()) {
        (true, 4) => (NO_YEAR, &digits[0..2], &digits[2..4]),
        (false, 8) => (
            digits[0..4].parse::<i16>().map_err(|_| bad_date(t))?,
            &digits[4..6],
            &digits[6..8],
        ),
        _ => return Err(bad_date(t)),
    };
    let m: i8 = m.parse().map_err(|_| bad_date(t))?;
    let d: i8 = d.parse().map_err(|_| bad_date(t))?;
    Date::new(y, m, d).map_err(|_| format!("{t:?} is not a day in the calendar"))
}

fn bad_date(t: &str) -> String {
    format!("expected a date like 1988-02-29 or --02-29, found {t:?}")
}

/// The card's content lines from `start`, unfolded, with the line each begins on.
fn raw_lines(lines: &[&str], start: usize) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    // Indexing the file's lines once keeps a big export linear (each card reads its own).
    for (i, l) in lines.iter().enumerate().skip(start.saturating_sub(1)) {
        if (l.starts_with(' ') || l.starts_with('\t')) && !out.is_empty() {
            out.last_mut().expect("checked").1.push_str(&l[1..]);
            continue;
        }
        out.push((i + 1, l.to_string()));
        if l.trim().eq_ignore_ascii_case("END:VCARD") {
            break;
        }
    }
    out
}

/// A card's raw property values by upper-case name (`BDAY`, `X-ABDATE` for `item1.X-ABDATE`),
/// in order, each with its line. Built once per card: looking each date up by scanning the
/// card made a card of thousands of dates quadratic (a fuzz-target timeout, see fuzz/README.md).
type RawValues = std::collections::BTreeMap<String, Vec<(usize, String)>>;

fn raw_values(raw: &[(usize, String)]) -> RawValues {
    let mut out = RawValues::new();
    for (n, l) in raw {
        let Some((head, value)) = l.split_once(':') else {
            continue;
        };
        let prop = head.split(';').next().unwrap_or(head);
        let prop = prop.rsplit('.').next().unwrap_or(prop);
        out.entry(prop.to_ascii_uppercase())
            .or_default()
            .push((*n, value.trim().to_string()));
    }
    out
}

/// The `nth` raw value of a property: its line and text.
fn raw_value(raw: &RawValues, name: &str, nth: usize) -> Option<(usize, String)> {
    raw.get(&name.to_ascii_uppercase())?.get(nth).cloned()
}

/// A date property, read from its raw text (calcard drops an impossible day silently);
/// calcard's reading is used only for forms ours does not know.
fn checked_date(
    values: &[VCardValue],
    raw: &RawValues,
    name: &str,
    nth: usize,
) -> Result<Option<Date>, String> {
    let Some((line, text)) = raw_value(raw, name, nth) else {
        return date_of(values);
    };
    match text_date(&text) {
        Ok(d) => Ok(Some(d)),
        Err(mine) => match date_of(values) {
            Ok(Some(d)) if values.iter().any(|v| matches!(v, VCardValue::PartialDateTime(p) if p.day.is_some() && p.month.is_some())) => Ok(Some(d)),
            _ => Err(format!("line {line}: {mine}")),
        },
    }
}

fn person(v: &VCard, place: &str, raw: &RawValues) -> Result<Option<Incoming>, String> {
    // A card with nobody in it is skipped before its dates are judged.
    let has_someone = v.entries.iter().any(|e| {
        matches!(
            e.name,
            VCardProperty::Fn
                | VCardProperty::N
                | VCardProperty::Email
                | VCardProperty::Tel
                | VCardProperty::Org
        ) && e.values.iter().any(|x| text_of(x).is_some())
    });
    if !has_someone {
        return Ok(None);
    }
    let mut seen: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    let mut nth = |name: &str| {
        let n = seen.entry(name.to_ascii_uppercase()).or_insert(0);
        *n += 1;
        *n - 1
    };
    let mut p = Incoming {
        place: place.to_string(),
        ..Incoming::default()
    };
    let mut n_name = None;
    // Apple and Google label a generic X-ABDATE with X-ABLABEL in the same group. Indexed once:
    // searching the card per date was quadratic too.
    let mut labels: std::collections::BTreeMap<&String, Option<String>> =
        std::collections::BTreeMap::new();
    for e in &v.entries {
        if let (Some(g), VCardProperty::Other(n)) = (&e.group, &e.name)
            && n.eq_ignore_ascii_case("X-ABLABEL")
        {
            labels.entry(g).or_insert_with(|| first_text(&e.values));
        }
    }
    let label_of = |group: &Option<String>| -> Option<String> {
        labels.get(group.as_ref()?).cloned().flatten()
    };
    for e in &v.entries {
        let err = |m: String| format!("{}: {m}", prop_name(&e.name));
        match &e.name {
            VCardProperty::Fn if p.name.is_empty() => {
                p.name = first_text(&e.values).unwrap_or_default();
            }
            VCardProperty::N => {
                // family; given; additional; prefix; suffix
                let parts: Vec<String> = e
                    .values
                    .iter()
                    .map(|v| text_of(v).unwrap_or_default())
                    .collect();
                let given = parts.get(1).cloned().unwrap_or_default();
                let family = parts.first().cloned().unwrap_or_default();
                let full = format!("{given} {family}").trim().to_string();
                if !full.is_empty() {
                    n_name = Some(full);
                }
            }
            VCardProperty::Email => {
                if let Some(t) = first_text(&e.values) {
                    let t = t.trim_start_matches("mailto:").to_string();
                    if !p.emails.iter().any(|x| x.eq_ignore_ascii_case(&t)) {
                        p.emails.push(t);
                    }
                }
            }
            VCardProperty::Tel => {
                if let Some(t) = first_text(&e.values) {
                    let t = t.trim_start_matches("tel:").to_string();
                    if !p.phones.contains(&t) {
                        p.phones.push(t);
                    }
                }
            }
            VCardProperty::Org if p.organization.is_none() => {
                p.organization = e
                    .values
                    .iter()
                    .find_map(text_of)
                    .map(|o| o.trim_end_matches(';').trim().to_string())
                    .filter(|o| !o.is_empty());
            }
            VCardProperty::Title if p.title.is_none() => {
                p.title = first_text(&e.values);
            }
            VCardProperty::Bday => {
                let d = checked_date(&e.values, raw, "BDAY", nth("BDAY")).map_err(err)?;
                p.birthday = p.birthday.or(d);
            }
            VCardProperty::Anniversary => {
                let d =
                    checked_date(&e.values, raw, "ANNIVERSARY", nth("ANNIVERSARY")).map_err(err)?;
                p.personal_anniversary = p.personal_anniversary.or(d);
            }
            VCardProperty::Note if p.notes.is_none() => {
                p.notes = first_text(&e.values);
            }
            VCardProperty::Url => {
                if let Some(u) = first_text(&e.values)
                    && u.to_lowercase().contains("linkedin.com")
                    && p.linkedin.is_none()
                {
                    p.linkedin = Some(u);
                }
            }
            VCardProperty::Other(name) => {
                let upper = name.to_ascii_uppercase();
                match upper.as_str() {
                    "X-ANNIVERSARY" | "X-MS-ANNIVERSARY" => {
                        let d = checked_date(&e.values, raw, &upper, nth(&upper)).map_err(err)?;
                        p.personal_anniversary = p.personal_anniversary.or(d);
                    }
                    "X-ABDATE" => {
                        let d = checked_date(&e.values, raw, &upper, nth(&upper)).map_err(err)?;
                        let label = label_of(&e.group).unwrap_or_default().to_lowercase();
                        if label.is_empty() || label.contains("anniversary") {
                            p.personal_anniversary = p.personal_anniversary.or(d);
                        }
                    }
                    "X-SOCIALPROFILE" => {
                        if let Some(u) = first_text(&e.values)
                            && u.to_lowercase().contains("linkedin")
                            && p.linkedin.is_none()
                        {
                            p.linkedin = Some(u);
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    if p.name.is_empty() {
        p.name = n_name
            .or_else(|| p.organization.clone())
            .or_else(|| p.emails.first().cloned())
            .or_else(|| p.phones.first().cloned())
            .unwrap_or_default();
    }
    Ok((!p.name.is_empty()).then_some(p))
}

fn prop_name(p: &VCardProperty) -> String {
    match p {
        VCardProperty::Other(s) => s.clone(),
        other => format!("{other:?}").to_uppercase(),
    }
}

#[cfg(test)]
mod tests {
    //! Every file under ../shared/fixtures/vcard/, one test per folder: each imports (with how
    //! many people and skipped cards) or is refused with a message naming file, card and line.

    use super::*;

    fn read(rel: &str) -> Result<(Vec<Incoming>, Vec<String>), AppError> {
        let path = format!(
            "{}/../../../shared/fixtures/vcard/{rel}",
            env!("CARGO_MANIFEST_DIR")
        );
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        parse(rel, &bytes)
    }

    fn counts(rel: &str) -> (usize, usize) {
        let (p, s) = read(rel).unwrap_or_else(|e| panic!("{rel} should import: {e}"));
        (p.len(), s.len())
    }

    fn d(y: i16, m: i8, day: i8) -> Option<Date> {
        Some(Date::new(y, m, day).unwrap())
    }

    #[test]
    fn calcard_folder() {
        assert_eq!(counts("calcard/vcard/005.vcf"), (5, 0));
        assert_eq!(counts("calcard/vcard/009.vcf"), (10, 0));
        assert_eq!(counts("calcard/vcard/010.vcf"), (1, 0));
        assert_eq!(
            counts("calcard/vcard/053.vcf"),
            (0, 1),
            "a card with only birthdays"
        );
        assert_eq!(counts("calcard/vcard/060.vcf"), (1, 0));
        assert_eq!(
            counts("calcard/vcard/063.vcf"),
            (0, 3),
            "cards with no one in them"
        );
        assert_eq!(counts("calcard/vcard/077.vcf"), (1, 0));
        // Nextcloud: X-ANNIVERSARY, two emails, an organization.
        let (p, _) = read("calcard/vcard/051.vcf").unwrap();
        assert_eq!(p[0].emails.len(), 2);
        assert_eq!(p[0].birthday, d(2019, 2, 10));
        assert_eq!(p[0].personal_anniversary, d(2019, 2, 20));
        assert_eq!(p[0].organization.as_deref(), Some("Firma"));
        // Quoted-printable, non-Latin names.
        let (p, _) = read("calcard/vcard/009.vcf").unwrap();
        assert_eq!(p[0].name, "Mäx Mustermann");
    }

    #[test]
    fn ez_vcard_folder() {
        for f in [
            "John_Doe_BLACK_BERRY.vcf",
            "John_Doe_EVOLUTION.vcf",
            "John_Doe_IPHONE.vcf",
            "John_Doe_LOTUS_NOTES.vcf",
            "John_Doe_MAC_ADDRESS_BOOK.vcf",
            "fullcontact.vcf",
            "gmail-single2.vcf",
            "issue114.vcf",
            "outlook-2003.vcf",
            "rfc6350-example.vcf",
            "thunderbird-MoreFunctionsForAddressBook-extension.vcf",
        ] {
            assert_eq!(counts(&format!("ez-vcard/{f}")), (1, 0), "{f}");
        }
        assert_eq!(counts("ez-vcard/gmail-list.vcf"), (3, 0));
        // Android: quoted-printable, and cards that are only an email address.
        let (p, s) = read("ez-vcard/John_Doe_ANDROID.vcf").unwrap();
        assert_eq!((p.len(), s.len()), (6, 0));
        assert_eq!(p[0].name, "john.doe@company.com");
        // Gmail: X-ABDATE labelled anniversary.
        let (p, _) = read("ez-vcard/John_Doe_GMAIL.vcf").unwrap();
        assert_eq!(p[0].personal_anniversary, d(1975, 3, 1));
        assert_eq!(p[0].birthday, d(1980, 3, 22));
        // Outlook: X-MS-ANNIVERSARY.
        let (p, _) = read("ez-vcard/John_Doe_MS_OUTLOOK.vcf").unwrap();
        assert_eq!(p[0].personal_anniversary, d(2011, 1, 13));
        let (p, _) = read("ez-vcard/outlook-2007.vcf").unwrap();
        assert_eq!(p[0].personal_anniversary, d(2012, 8, 1));
        // RFC 6350: a birthday without a year (--0203) keeps its day.
        let (p, _) = read("ez-vcard/rfc6350-example.vcf").unwrap();
        assert_eq!(p[0].birthday, d(NO_YEAR, 2, 3));
        assert_eq!(p[0].personal_anniversary, d(2009, 8, 8));
    }

    #[test]
    fn ical_rs_folder() {
        let e = read("ical-rs/property_error.vcf").unwrap_err().to_string();
        assert!(e.starts_with("ical-rs/property_error.vcf: line 1"), "{e}");
        assert_eq!(counts("ical-rs/vcard_input.vcf"), (1, 0));
        assert_eq!(counts("ical-rs/vcard_lowercase.vcf"), (1, 0));
        let (p, _) = read("ical-rs/vcard_lowercase.vcf").unwrap();
        assert_eq!(p[0].name, "Alice Foobar");
    }

    #[test]
    fn py_vobject_folder() {
        assert_eq!(counts("py-vobject/radicale-1587.vcf"), (1, 0));
    }

    #[test]
    fn sabre_vobject_folder() {
        assert_eq!(counts("sabre-vobject/issue153.vcf"), (1, 0));
        // Only a large photo: nobody to import, and the photo is ignored.
        assert_eq!(counts("sabre-vobject/issue64.vcf"), (0, 1));
    }

    #[test]
    fn vcard4_crate_folder() {
        let (p, s) = read("vcard4-crate/apple_macos12_photo.vcf").unwrap();
        assert_eq!((p.len(), s.len()), (1, 0));
        assert_eq!(p[0].emails, vec!["janedoe@gmail.com".to_string()]);
    }

    #[test]
    fn broken_cards_name_file_card_and_line() {
        let e = parse(
            "x.vcf",
            b"BEGIN:VCARD\nVERSION:3.0\nFN:Ann\nEND:VCARD\nBEGIN:VCARD\nFN:Bob\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("x.vcf: card 2 (line 5)"), "{e}");
        let e = parse(
            "x.vcf",
            b"BEGIN:VCARD\nFN:Ann\nBDAY:2026-02-31\nEND:VCARD\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("card 1 (line 1)") && e.contains("BDAY"), "{e}");
        let e = parse("x.vcf", b"BEGIN:VCARD\nFN:J\xf6rg\nEND:VCARD\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2") && e.contains("UTF-8"), "{e}");
    }

    #[test]
    fn a_card_of_many_dates_is_read_in_one_pass() {
        // Found by the fuzz target's time limit: each date searched the whole card again.
        let mut card = String::from("BEGIN:VCARD\nFN:Ann\n");
        for i in 0..3000 {
            card.push_str(&format!(
                "item{i}.X-ABDATE:--0301\nitem{i}.X-ABLABEL:other\n"
            ));
        }
        card.push_str("wed.X-ABDATE:2001-05-06\nwed.X-ABLABEL:Anniversary\n");
        card.push_str("BDAY:--0229\nBDAY:--0230\nEND:VCARD\n");
        let e = parse("x.vcf", card.as_bytes()).unwrap_err().to_string();
        assert!(e.contains("BDAY") && e.contains("line 6006"), "{e}");
        let card = card.replace("BDAY:--0230\n", "");
        let (p, _) = parse("x.vcf", card.as_bytes()).unwrap();
        assert_eq!(p[0].birthday, d(NO_YEAR, 2, 29));
        assert_eq!(p[0].personal_anniversary, d(2001, 5, 6));
    }
}
