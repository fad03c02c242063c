//! Holiday calendars: the checks an imported one passes, its name, and the days kept in
//! `holidays/` beside the config by earlier versions (or by hand) as `NAME.days` (one ISO date a
//! line) or `NAME.ics`.
//!
//! `import holidays` keeps a calendar's days in the database now (the `holidays-kept` event,
//! written in the same transaction as the replan it causes, so a kill leaves both or neither,
//! and an export carries them). The `.ics` is read once, at import: re-reading a 100 MB
//! calendar on every command cost 1.3 s and 430 MB. A file in the folder that cannot be read is
//! skipped with a one-line warning: one bad calendar must not stop every command.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use followup_core::BusinessCalendar;
use jiff::civil::Date;

/// The suffix of a kept calendar.
const SUFFIX: &str = "days";

/// The fewest business days a year may keep: a "holiday calendar" marking nearly every day is
/// a wrong file, and would push follow-ups decades away.
pub const MIN_BUSINESS_DAYS: usize = 100;

/// The days of every calendar kept in `dir`, and a warning for each file skipped.
pub fn load(dir: &Path) -> (BTreeSet<Date>, Vec<String>) {
    let mut days = BTreeSet::new();
    let mut warnings = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (days, warnings);
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            // Temporary files of an import in progress (or killed) start with a dot.
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    for f in &files {
        let ext = f
            .extension()
            .map(|x| x.to_string_lossy().to_ascii_lowercase());
        let read = match ext.as_deref() {
            Some(SUFFIX) => read_days(f),
            // Kept by an older followup, before days were stored: read it unless its days are
            // already kept beside it.
            Some("ics") if !f.with_extension(SUFFIX).exists() => read_ics(f),
            _ => continue,
        };
        match read {
            Ok(d) => days.extend(d),
            Err(why) => warnings.push(format!(
                "{}: {why}; skipped (import it again, or delete it)",
                f.display()
            )),
        }
    }
    (days, warnings)
}

fn read_days(f: &Path) -> Result<Vec<Date>, String> {
    let text = std::fs::read_to_string(f).map_err(|e| format!("cannot read: {e}"))?;
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let l = l.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let d: Date = l
            .parse()
            .map_err(|_| format!("line {}: expected a date like 2026-07-03", i + 1))?;
        if !followup_core::dates::in_range(d) {
            return Err(format!("line {}: {d} is outside 1900-2200", i + 1));
        }
        out.push(d);
    }
    if !text.ends_with('\n') {
        return Err("the file is cut short".into());
    }
    Ok(out)
}

fn read_ics(f: &Path) -> Result<Vec<Date>, String> {
    let text = std::fs::read_to_string(f).map_err(|e| format!("cannot read: {e}"))?;
    let shown = f.display().to_string();
    let days = crate::ics::holidays_from_ics(&shown, &text).map_err(|e| {
        let m = e.to_string();
        m.strip_prefix(&format!("{shown}: "))
            .map(str::to_string)
            .unwrap_or(m)
    })?;
    Ok(days
        .into_iter()
        .filter(|d| followup_core::dates::in_range(*d))
        .collect())
}

/// Refuses days that leave some year with fewer than [`MIN_BUSINESS_DAYS`] business days,
/// counted with the weekend and holidays already in force.
pub fn check_enough_business_days(days: &[Date], cal: &BusinessCalendar) -> Result<(), String> {
    let mut all = cal.clone();
    all.holidays.extend(days.iter().copied());
    let years: BTreeSet<i16> = days.iter().map(|d| d.year()).collect();
    for y in years {
        let Ok(first) = Date::new(y, 1, 1) else {
            continue;
        };
        let business = first
            .series(jiff::Span::new().days(1))
            .take_while(|d| d.year() == y)
            .filter(|d| all.is_business_day(*d))
            .count();
        if business < MIN_BUSINESS_DAYS {
            return Err(format!(
                "it leaves {business} business days in {y} (at least {MIN_BUSINESS_DAYS} a year); is this a holiday calendar?"
            ));
        }
    }
    Ok(())
}

/// The name a calendar read from `source` is kept under: its file name's stem, in letters,
/// digits, `-` and `_` only ("US_Holidays" for `~/Downloads/US Holidays.ics`).
pub fn source_name(source: &str) -> String {
    let stem = Path::new(source)
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let safe: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    let safe = safe.trim_matches('_').to_string();
    if safe.is_empty() || source == "-" {
        "holidays".to_string()
    } else {
        safe
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn kept_days_load_and_broken_files_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let days = [d("2026-07-03"), d("2026-12-25")];
        std::fs::write(dir.path().join("us.days"), "# us\n2026-07-03\n2026-12-25\n").unwrap();
        std::fs::write(dir.path().join("cut.days"), "2026-01-01\n2026-0").unwrap();
        std::fs::write(dir.path().join(".us.days.999.tmp"), "2026-0").unwrap();
        let (loaded, warnings) = load(dir.path());
        assert_eq!(loaded.into_iter().collect::<Vec<_>>(), days.to_vec());
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("cut.days: line 2"), "{warnings:?}");
    }

    #[test]
    fn a_calendar_of_every_day_is_refused() {
        let cal = BusinessCalendar::default();
        let every: Vec<Date> = d("2027-01-01")
            .series(jiff::Span::new().days(1))
            .take(365)
            .collect();
        let e = check_enough_business_days(&every, &cal).unwrap_err();
        assert!(e.contains("leaves 0 business days in 2027"), "{e}");
        assert!(check_enough_business_days(&[d("2027-07-05")], &cal).is_ok());
    }

    #[test]
    fn source_names_are_plain() {
        assert_eq!(source_name("../../etc/US Holidays.ics"), "US_Holidays");
        assert_eq!(source_name("-"), "holidays");
        assert_eq!(source_name(".ics"), "ics");
    }
}
