//! LinkedIn's `Connections.csv`, in its real layout: a `Notes:` preamble of varying wording,
//! then the header `First Name,Last Name,URL,Email Address,Company,Position,Connected On`, dates
//! as `21 Nov 2026`, hidden members as `,,,,,,date`. The header row is searched for, never
//! assumed at a fixed line; a UTF-8 BOM and CRLF are fine.

use jiff::civil::Date;

use super::{Incoming, utf8};
use crate::AppError;

const NEEDED: [&str; 3] = ["First Name", "Last Name", "URL"];

/// People in the file, and the places of the entries skipped (hidden members).
pub fn parse(source: &str, bytes: &[u8]) -> Result<(Vec<Incoming>, Vec<String>), AppError> {
    // The csv crate counts a CRLF file's lines one short; LinkedIn writes CRLF, and errors
    // must name the line a person sees in an editor.
    let text = utf8(source, bytes)?.replace("\r\n", "\n");
    let bad = |line: u64, msg: String| AppError::BadFile(format!("{source}: line {line}: {msg}"));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut header: Option<Vec<String>> = None;
    let mut people = Vec::new();
    let mut skipped = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            bad(line, format!("unreadable CSV: {e}"))
        })?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let cells: Vec<&str> = record.iter().map(str::trim).collect();
        let Some(cols) = &header else {
            if NEEDED.iter().all(|n| cells.contains(n)) {
                header = Some(cells.iter().map(|c| c.to_string()).collect());
            }
            continue;
        };
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        let get = |name: &str| -> &str {
            cols.iter()
                .position(|c| c == name)
                .and_then(|i| cells.get(i).copied())
                .unwrap_or("")
        };
        if cells.len() != cols.len() {
            return Err(bad(
                line,
                format!(
                    "expected {} fields like the header, found {}",
                    cols.len(),
                    cells.len()
                ),
            ));
        }
        let connected = get("Connected On");
        if !connected.is_empty() {
            parse_connected(connected).map_err(|m| bad(line, format!("Connected On: {m}")))?;
        }
        let name = format!("{} {}", get("First Name"), get("Last Name"))
            .trim()
            .to_string();
        let url = get("URL");
        if name.is_empty() && url.is_empty() {
            skipped.push(format!("line {line}: a member who hides their profile"));
            continue;
        }
        let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
        people.push(Incoming {
            place: format!("line {line}"),
            name: if name.is_empty() {
                url.to_string()
            } else {
                name
            },
            emails: some(get("Email Address")).into_iter().collect(),
            organization: some(get("Company")),
            title: some(get("Position")),
            linkedin: some(url),
            ..Incoming::default()
        });
    }
    if header.is_none() {
        return Err(AppError::BadFile(format!(
            "{source}: no header row with {}: is this LinkedIn's Connections.csv?",
            NEEDED.join(", ")
        )));
    }
    Ok((people, skipped))
}

/// `21 Nov 2026` (LinkedIn's form), also `2026-11-21`.
fn parse_connected(s: &str) -> Result<Date, String> {
    if let Ok(d) = s.parse::<Date>() {
        return Ok(d);
    }
    let parts: Vec<&str> = s.split_whitespace().collect();
    let [d, m, y] = parts.as_slice() else {
        return Err(format!("expected a date like 21 Nov 2026, found {s:?}"));
    };
    const M: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let month = M
        .iter()
        .position(|x| m.to_lowercase().starts_with(x))
        .ok_or_else(|| format!("expected a date like 21 Nov 2026, found {s:?}"))?;
    let day: i8 = d
        .parse()
        .map_err(|_| format!("expected a day number, found {d:?}"))?;
    let year: i16 = y
        .parse()
        .map_err(|_| format!("expected a year, found {y:?}"))?;
    Date::new(year, month as i8 + 1, day).map_err(|_| format!("{s} is not a day in the calendar"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &[u8] =
        include_bytes!("../../../../../shared/fixtures/linkedin/Connections.csv");

    #[test]
    fn the_real_export_reads() {
        let (people, skipped) = parse("Connections.csv", FIXTURE).unwrap();
        assert!(!people.is_empty());
        assert!(!skipped.is_empty(), "hidden members are counted");
        let aiyana = people
            .iter()
            .find(|p| p.name.starts_with("Aiyana"))
            .unwrap();
        assert_eq!(aiyana.name, "Aiyana Oduya-Lindqvist 🌱");
        let priya = people.iter().find(|p| p.name.starts_with("Priya")).unwrap();
        assert_eq!(priya.organization.as_deref(), Some("Woodgrove Bank, N.A."));
        assert_eq!(priya.title.as_deref(), Some("\"Staff\" Software Engineer"));
        let tobias = people
            .iter()
            .find(|p| p.name.starts_with("Tobias"))
            .unwrap();
        assert_eq!(
            tobias.emails,
            vec!["tobias.vennholt@example.com".to_string()]
        );
    }

    #[test]
    fn bom_crlf_and_a_different_preamble() {
        let text = "\u{feff}Notes:\r\n\"Something else entirely, with a comma\"\r\n\r\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\r\nAda,Lovelace,https://www.linkedin.com/in/ada,,Analytical,Engineer,01 Dec 2025\r\n";
        let (people, skipped) = parse("c.csv", text.as_bytes()).unwrap();
        assert_eq!(people.len(), 1);
        assert!(skipped.is_empty());
        assert_eq!(people[0].name, "Ada Lovelace");
    }

    #[test]
    fn bad_input_names_the_line() {
        let e = parse("c.csv", b"Notes:\nnothing here\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no header row"), "{e}");
        let e = parse(
            "c.csv",
            b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\nA,B,u,,C,P,31 Feb 2026\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("line 2") && e.contains("31 Feb 2026"), "{e}");
        let e = parse("c.csv", b"First Name,Last Name,URL\nJ\xf6rg,B,u\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2") && e.contains("UTF-8"), "{e}");
    }
}
