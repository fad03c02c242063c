//! The holiday calendars a person imported, kept beside the config in `holidays/` as the days
//! they hold (`NAME.days`: one ISO date a line), not as the `.ics` they came in.
//!
//! Why not keep the `.ics`: every command loads the config, and re-reading a 100 MB calendar
//! on each one cost 1.3 s and 430 MB; a file of days is read in microseconds. Why files and
//! not a table: holidays are policy, like the rest of the config, and one config may serve
//! several databases.
//!
//! A kept file is written whole or not at all (a temporary file in the same folder, synced,
//! then renamed over the old one, and the folder synced), so a kill mid-import leaves the old
//! file or the new one, never a cut one. A file that cannot be read anyway (edited by hand,
//! a disk error) is skipped with a one-line warning: one bad calendar must not stop every
//! command.

use std::collections::BTreeSet;
use std::io::Write;
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

/// The kept file's name for a calendar read from `source`: its file name's stem, in letters,
/// digits, `-`, `_` and `.` only, so a name can never leave the folder.
pub fn kept_name(source: &str) -> String {
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
    let safe = safe.trim_start_matches(['_', '.']).to_string();
    if safe.is_empty() || source == "-" {
        format!("holidays.{SUFFIX}")
    } else {
        format!("{safe}.{SUFFIX}")
    }
}

/// Keeps `days` in `dir/name` atomically: the old file or the new one, never a cut one.
pub fn store(dir: &Path, name: &str, source: &str, days: &[Date]) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let mut text = format!(
        "# followup: the holidays of {}, {} days (written by `followup import holidays`)\n",
        source.replace('\n', " "),
        days.len()
    );
    for d in days {
        text.push_str(&d.to_string());
        text.push('\n');
    }
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        // The rename itself is durable only once the folder is.
        std::fs::File::open(dir)?.sync_all()
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    // Leftovers of killed imports (other process ids) are removed on the next one.
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let n = e.file_name().to_string_lossy().to_string();
            if n.starts_with('.') && n.ends_with(".tmp") && e.path() != tmp {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    written.map(|_| path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn stored_days_load_back_and_broken_files_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let days = [d("2026-07-03"), d("2026-12-25")];
        let kept = store(dir.path(), "us.days", "us.ics", &days).unwrap();
        assert_eq!(kept, dir.path().join("us.days"));
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
    fn kept_names_stay_in_the_folder() {
        assert_eq!(kept_name("../../etc/US Holidays.ics"), "US_Holidays.days");
        assert_eq!(kept_name("-"), "holidays.days");
        assert_eq!(kept_name(".ics"), "ics.days");
    }
}
