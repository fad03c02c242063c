//! What a text field may hold, the same at every door (command line, web form, API body,
//! each importer).
//!
//! Names, titles and other one-line fields hold no control characters at all and at most
//! [`LINE_MAX`] characters; notes and messages may hold newlines and tabs and at most
//! [`NOTE_MAX`] bytes. A person typing gets a refusal naming the field ([`check_line`],
//! [`check_note`]); a third-party file gets its control characters removed ([`scrub_line`],
//! [`scrub_note`]), because refusing a whole export for one stray byte helps nobody, while an
//! over-long value is refused there too (no real name is 50 MB).
//!
//! Why it matters: a name holding ESC or BEL rewrites the terminal it is printed on, and one of
//! 50 MB turns `contact list` into a gigabyte of output.

/// The most characters a one-line field (a name, a title, a company) may hold.
pub const LINE_MAX: usize = 200;
/// The most bytes a note or a message may hold (64 KiB).
pub const NOTE_MAX: usize = 64 * 1024;

/// A text field that cannot be kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadText {
    #[error("{field}: control characters are not allowed (found {found})")]
    Control { field: String, found: String },
    #[error("{field}: at most {max} characters, found {found}")]
    TooLong {
        field: String,
        max: usize,
        found: usize,
    },
    #[error("{field}: at most {max} bytes (64 KiB), found {found}")]
    NoteTooLong {
        field: String,
        max: usize,
        found: usize,
    },
}

impl BadText {
    /// What is wrong, without the field's name: each front end names the field its own way.
    pub fn problem(&self) -> String {
        match self {
            BadText::Control { found, .. } => {
                format!("control characters are not allowed (found {found})")
            }
            BadText::TooLong { max, found, .. } => {
                format!("at most {max} characters, found {found}")
            }
            BadText::NoteTooLong { max, found, .. } => {
                format!("at most {max} bytes (64 KiB), found {found}")
            }
        }
    }
}

/// True for characters no field keeps: C0 and C1 controls and DEL (tab and newline are
/// judged by the caller).
fn is_control(c: char) -> bool {
    c.is_control()
}

fn describe(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

/// A one-line field as typed: trimmed; refused when it holds a control character or is longer
/// than [`LINE_MAX`] characters.
pub fn check_line(field: &str, s: &str) -> Result<String, BadText> {
    let t = s.trim();
    if let Some(c) = t.chars().find(|c| is_control(*c)) {
        return Err(BadText::Control {
            field: field.to_string(),
            found: describe(c),
        });
    }
    let n = t.chars().count();
    if n > LINE_MAX {
        return Err(BadText::TooLong {
            field: field.to_string(),
            max: LINE_MAX,
            found: n,
        });
    }
    Ok(t.to_string())
}

/// A note or message as typed: line ends made `\n`, trimmed at the end; refused when it holds
/// a control character other than newline and tab, or more than [`NOTE_MAX`] bytes.
pub fn check_note(field: &str, s: &str) -> Result<String, BadText> {
    let t = s.replace("\r\n", "\n").replace('\r', "\n");
    let t = t.trim_end();
    if let Some(c) = t
        .chars()
        .find(|c| *c != '\n' && *c != '\t' && is_control(*c))
    {
        return Err(BadText::Control {
            field: field.to_string(),
            found: describe(c),
        });
    }
    if t.len() > NOTE_MAX {
        return Err(BadText::NoteTooLong {
            field: field.to_string(),
            max: NOTE_MAX,
            found: t.len(),
        });
    }
    Ok(t.to_string())
}

/// A one-line field from a file: control characters removed (tabs and line breaks become a
/// space), trimmed; refused only when longer than [`LINE_MAX`] characters.
pub fn scrub_line(field: &str, s: &str) -> Result<String, BadText> {
    let cleaned: String = s
        .chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' => Some(' '),
            c if is_control(c) => None,
            c => Some(c),
        })
        .collect();
    check_line(field, &cleaned)
}

/// A note from a file: control characters other than newline and tab removed; refused only
/// when longer than [`NOTE_MAX`] bytes.
pub fn scrub_note(field: &str, s: &str) -> Result<String, BadText> {
    let t = s.replace("\r\n", "\n").replace('\r', "\n");
    let cleaned: String = t
        .chars()
        .filter(|c| *c == '\n' || *c == '\t' || !is_control(*c))
        .collect();
    check_note(field, &cleaned)
}

/// Text made safe to print on a terminal: every control character but newline and tab is
/// shown as `\u{..}` instead of being obeyed (clear screen, window title, hidden text).
pub fn escape_controls(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && c != '\t' && is_control(c)) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c != '\n' && c != '\t' && is_control(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A value as a spreadsheet should read it from CSV: a cell starting with `=`, `+`, `-`, `@`,
/// tab or carriage return would be run as a formula (OWASP's "CSV injection"), so it gets a
/// leading `'`, which spreadsheets show as text and do not display.
pub fn csv_cell(s: &str) -> std::borrow::Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => std::borrow::Cow::Owned(format!("'{s}")),
        _ => std::borrow::Cow::Borrowed(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_refuse_controls_and_length() {
        assert_eq!(check_line("NAME", "  Dana Reyes ").unwrap(), "Dana Reyes");
        let e = check_line("NAME", "Dana\u{1b}[2J").unwrap_err().to_string();
        assert_eq!(e, "NAME: control characters are not allowed (found U+001B)");
        assert!(check_line("NAME", "a\tb").is_err());
        assert!(check_line("NAME", "caf\u{9b}").is_err(), "C1 controls too");
        assert!(
            check_line("NAME", &"é".repeat(200)).is_ok(),
            "characters, not bytes"
        );
        let e = check_line("NAME", &"x".repeat(201))
            .unwrap_err()
            .to_string();
        assert_eq!(e, "NAME: at most 200 characters, found 201");
    }

    #[test]
    fn notes_keep_lines_and_tabs() {
        assert_eq!(check_note("--note", "a\r\nb\tc\r").unwrap(), "a\nb\tc");
        assert!(check_note("--note", "bell\u{7}").is_err());
        assert!(check_note("--note", &"x".repeat(NOTE_MAX)).is_ok());
        assert!(check_note("--note", &"x".repeat(NOTE_MAX + 1)).is_err());
    }

    #[test]
    fn files_are_scrubbed() {
        assert_eq!(
            scrub_line("First Name", "Ann\u{1b}]0;pwned\u{7}\tLee").unwrap(),
            "Ann]0;pwned Lee"
        );
        assert_eq!(scrub_note("Notes", "a\u{0}b\r\nc").unwrap(), "ab\nc");
        assert!(scrub_line("Company", &"x".repeat(300)).is_err());
    }

    #[test]
    fn terminals_see_escapes() {
        assert_eq!(escape_controls("plain\nline"), "plain\nline");
        assert_eq!(escape_controls("a\u{1b}[2Jb\r"), "a\\u{1b}[2Jb\\u{d}");
    }

    #[test]
    fn formulas_become_text() {
        for s in ["=HYPERLINK(\"x\")", "+1 555", "-2", "@SUM(A1)", "\tx"] {
            assert!(csv_cell(s).starts_with('\''), "{s}");
        }
        assert_eq!(csv_cell("Dana"), "Dana");
        assert_eq!(csv_cell(""), "");
    }
}
