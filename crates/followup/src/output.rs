//! Text and JSON output. In a pipe: plain text, full width, no colour, as it always was. On a
//! terminal (or with `--color always`): fitted to the width (tables cut with "…", prose
//! wrapped at spaces), and coloured unless NO_COLOR or `--color never`. JSON never changes.
//! [`Term`] says which, decided once in main.

use std::io::Write;

use std::borrow::Cow;

use followup_app::agenda::{AgendaRow, AgendaStream};
use followup_app::{ContactView, Done, JobView, Logged, PromiseView};
use followup_core::agenda::AgendaItem;
use followup_core::model::{Contact, Job, Touch};
use followup_store::Recorded;

use crate::fit;
use jiff::civil::Date;
use serde::Serialize;

type Out = anyhow::Result<()>;

/// How text output looks, decided once from the flags and where stdout goes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Term {
    /// ANSI colour on stdout.
    pub color: bool,
    /// ANSI colour on stderr (warnings and errors).
    pub err_color: bool,
    /// The terminal layout and its width: `None` is the pipe layout, unchanged.
    pub width: Option<usize>,
    /// Cut table cells to fit the width (`--wide` says no).
    pub truncate: bool,
}

/// Where the `--color` flag and stdout's nature lead.
pub fn decide(color: crate::cli::ColorWhen, wide: bool) -> Term {
    use crate::cli::ColorWhen;
    use std::io::IsTerminal;
    let out_tty = std::io::stdout().is_terminal();
    let err_tty = std::io::stderr().is_terminal();
    // https://no-color.org: present and not empty; a dumb terminal has no colours either.
    let env_allows = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var_os("TERM").is_none_or(|t| t != "dumb");
    let (color_out, color_err) = match color {
        ColorWhen::Always => (true, true),
        ColorWhen::Never => (false, false),
        ColorWhen::Auto => (out_tty && env_allows, err_tty && env_allows),
    };
    let width = if out_tty {
        Some(
            terminal_size::terminal_size_of(std::io::stdout())
                .map(|(w, _)| usize::from(w.0))
                .filter(|w| *w > 0)
                .unwrap_or_else(columns),
        )
    } else if color == ColorWhen::Always {
        Some(columns())
    } else {
        None
    };
    Term {
        color: color_out,
        err_color: color_err,
        width,
        truncate: width.is_some() && !wide,
    }
}

/// `COLUMNS` when it is a number, else 80.
fn columns() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|w| *w > 0)
        .unwrap_or(80)
}

static TERM: std::sync::OnceLock<Term> = std::sync::OnceLock::new();

/// Set once, by main, before anything is printed.
pub fn set_term(t: Term) {
    let _ = TERM.set(t);
}

/// The output's look; the pipe layout until main sets it.
pub fn term() -> Term {
    TERM.get().copied().unwrap_or_default()
}

/// ANSI styles, written around text and never counted in its width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    Plain,
    Bold,
    /// Overdue, errors.
    Red,
    /// Due today, warnings, a promise missed.
    Yellow,
    Dim,
}

impl Paint {
    fn code(self) -> &'static [u8] {
        match self {
            Paint::Plain => b"",
            Paint::Bold => b"\x1b[1m",
            Paint::Red => b"\x1b[1;31m",
            Paint::Yellow => b"\x1b[33m",
            Paint::Dim => b"\x1b[2m",
        }
    }
}

const RESET: &[u8] = b"\x1b[0m";

/// Writes `text` (through [`Safe`]) in `paint` when `on`; the escape codes go around it.
fn painted<W: Write>(out: &mut Safe<W>, text: &str, paint: Paint, on: bool) -> std::io::Result<()> {
    if on && paint != Paint::Plain {
        out.0.write_all(paint.code())?;
        out.write_all(text.as_bytes())?;
        out.0.write_all(RESET)
    } else {
        out.write_all(text.as_bytes())
    }
}

/// `label` ("warning:", "error:") for stderr, coloured when stderr is.
pub fn err_label(label: &str, paint: Paint) -> String {
    if term().err_color {
        let code = std::str::from_utf8(paint.code()).unwrap_or("");
        format!("{code}{label}\x1b[0m")
    } else {
        label.to_string()
    }
}

/// `println!` that returns the error instead of panicking, so `followup agenda | head` ends
/// quietly (main treats a closed pipe as success).
/// Text goes through [`Safe`]: a name recorded before names were checked cannot rewrite the
/// terminal it is printed on.
macro_rules! outln {
    () => { writeln!($crate::output::Safe(std::io::stdout()))? };
    ($($arg:tt)*) => { writeln!($crate::output::Safe(std::io::stdout()), $($arg)*)? };
}

/// A writer that shows control characters (but newline and tab) as `\u{..}` instead of
/// passing them to the terminal. Formatting hands it whole `str` pieces, so a character is
/// never split across two writes.
pub struct Safe<W: Write>(pub W);

impl<W: Write> Write for Safe<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // Printable ASCII and newlines, the usual case, in one pass the compiler vectorizes
        // (the agenda writes thousands of lines through here).
        let ascii = buf.iter().fold(true, |ok, b| {
            ok & ((0x20..0x7f).contains(b) | (*b == b'\n'))
        });
        let clean = ascii
            || buf
                .iter()
                .all(|b| (*b >= 0x20 && *b != 0x7f) || *b == b'\n' || *b == b'\t')
                && !buf
                    .windows(2)
                    .any(|w| w[0] == 0xc2 && (0x80..=0x9f).contains(&w[1]));
        if clean {
            return self.0.write(buf);
        }
        let text = String::from_utf8_lossy(buf);
        self.0
            .write_all(followup_core::text::escape_controls(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Standard output for text, buffered: a long agenda is one write, not one per line.
fn stdout() -> Safe<std::io::BufWriter<std::io::StdoutLock<'static>>> {
    Safe(std::io::BufWriter::with_capacity(
        1 << 16,
        std::io::stdout().lock(),
    ))
}

pub fn print_json<T: Serialize + ?Sized>(v: &T) -> Out {
    // JSON escapes control characters itself.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

pub fn day(d: Date, today: Date) -> String {
    followup_core::plan::day_label(d, today)
}

/// Left-aligned columns, two spaces apart; the last column is not padded. On a terminal the
/// columns in `shrink` (in that order, down to their least width) are cut to fit.
fn table(header: &[&str], rows: &[Vec<String>], shrink: &[Shrink]) -> Out {
    table_painted(header, rows, &|_, _| Paint::Plain, shrink)
}

/// A column that may be cut to fit the terminal: its index and the least width it keeps.
type Shrink = (usize, usize);

/// [`table`], with a paint for each cell (row index, column index) on a colour terminal.
fn table_painted(
    header: &[&str],
    rows: &[Vec<String>],
    paint: &dyn Fn(usize, usize) -> Paint,
    shrink: &[Shrink],
) -> Out {
    let t = term();
    let Some(max) = t.width else {
        return plain_table(header, rows);
    };
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| cell(c)).collect())
        .collect();
    let widths = fit_widths(&header, &rows, shrink, max, t.truncate);
    let mut out = stdout();
    write_row(&mut out, &header, &widths, &|_| Paint::Bold, t)?;
    for (n, r) in rows.iter().enumerate() {
        write_row(&mut out, r, &widths, &|i| paint(n, i), t)?;
    }
    out.flush()?;
    Ok(())
}

/// A cell's text for a terminal row: control characters shown escaped, on one line.
fn cell(s: &str) -> String {
    followup_core::text::escape_controls(s).replace(['\n', '\t'], " ")
}

/// Each column's width: the widest cell, then the `shrink` columns cut (when `truncate`)
/// until the row fits in `max`: first down to their least widths, then to 4 columns each.
fn fit_widths(
    header: &[String],
    rows: &[Vec<String>],
    shrink: &[Shrink],
    max: usize,
    truncate: bool,
) -> Vec<usize> {
    let mut widths: Vec<usize> = header.iter().map(|h| fit::width(h)).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(fit::width(c));
        }
    }
    shrink_widths(widths, shrink, max, truncate)
}

/// [`fit_widths`] from the columns' full widths: the `shrink` columns cut (when `truncate`)
/// until the row fits in `max`.
fn shrink_widths(
    mut widths: Vec<usize>,
    shrink: &[Shrink],
    max: usize,
    truncate: bool,
) -> Vec<usize> {
    if !truncate {
        return widths;
    }
    let total = |w: &[usize]| w.iter().sum::<usize>() + 2 * w.len().saturating_sub(1);
    for floor in [None, Some(4)] {
        for &(col, least) in shrink {
            let over = total(&widths).saturating_sub(max);
            if over == 0 {
                return widths;
            }
            let least = floor.map_or(least, |f| f.min(least));
            let give = over.min(widths[col].saturating_sub(least));
            widths[col] -= give;
        }
    }
    widths
}

/// One row of a fitted table: cells cut to their width (when `truncate`), padded, painted.
fn write_row<W: Write>(
    out: &mut Safe<W>,
    cells: &[String],
    widths: &[usize],
    paint: &dyn Fn(usize) -> Paint,
    t: Term,
) -> Out {
    let last = cells.len().saturating_sub(1);
    for (i, c) in cells.iter().enumerate() {
        let text = if t.truncate {
            fit::truncate(c, widths[i])
        } else {
            c.clone()
        };
        let text = if i == last { text.trim_end() } else { &text };
        painted(out, text, paint(i), t.color)?;
        if i != last {
            let pad = widths[i].saturating_sub(fit::width(text)) + 2;
            out.write_all(" ".repeat(pad).as_bytes())?;
        }
    }
    out.write_all(b"\n")?;
    Ok(())
}

/// The pipe layout: every cell in full, columns as wide as their widest cell.
fn plain_table(header: &[&str], rows: &[Vec<String>]) -> Out {
    let mut out = stdout();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    // Written cell by cell into one buffer: a coach's agenda is thousands of lines.
    let mut line = |cells: &mut dyn Iterator<Item = &str>| -> Out {
        let mut cells = cells.peekable();
        let mut i = 0;
        while let Some(c) = cells.next() {
            if cells.peek().is_none() {
                out.write_all(c.trim_end().as_bytes())?;
            } else {
                out.write_all(c.as_bytes())?;
                let pad = widths[i] - c.chars().count() + 2;
                out.write_all(
                    &b"                                                                "
                        [..pad.min(64)],
                )?;
                for _ in 64..pad {
                    out.write_all(b" ")?;
                }
            }
            i += 1;
        }
        out.write_all(b"\n")?;
        Ok(())
    };
    line(&mut header.iter().copied())?;
    for r in rows {
        line(&mut r.iter().map(String::as_str))?;
    }
    out.flush()?;
    Ok(())
}

/// Prose on a terminal: `text` wrapped at spaces to the width, later lines indented by
/// `indent`; in a pipe, one line as it always was. `marks` are parts to paint where they
/// appear (a date overdue, a promise missed).
fn prose(text: &str, indent: usize, marks: &[(&str, Paint)]) -> Out {
    let t = term();
    let mut out = stdout();
    let Some(max) = t.width else {
        writeln!(out, "{text}")?;
        out.flush()?;
        return Ok(());
    };
    let text = followup_core::text::escape_controls(text);
    let indent = if indent * 2 > max { 4 } else { indent };
    for line in fit::wrap(&text, max, indent) {
        let mut rest = line.as_str();
        if t.color {
            for (mark, paint) in marks {
                if mark.is_empty() {
                    continue;
                }
                if let Some(at) = rest.find(mark) {
                    out.write_all(&rest.as_bytes()[..at])?;
                    painted(&mut out, mark, *paint, true)?;
                    rest = &rest[at + mark.len()..];
                }
            }
        }
        out.write_all(rest.as_bytes())?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

/// A section heading ("Timeline:"), bold on a colour terminal.
fn heading(text: &str) -> Out {
    let mut out = stdout();
    painted(&mut out, text, Paint::Bold, term().color)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

/// The paint of an item's due date: red overdue, yellow today.
fn due_paint(a: &AgendaItem, today: Date) -> Paint {
    if a.overdue_days > 0 {
        Paint::Red
    } else if a.due == today {
        Paint::Yellow
    } else {
        Paint::Plain
    }
}

fn when(a: &AgendaItem, today: Date) -> String {
    if a.overdue_days > 0 {
        format!("{} ({} d overdue)", day(a.due, today), a.overdue_days)
    } else if a.due == today {
        format!("{} (today)", day(a.due, today))
    } else {
        day(a.due, today)
    }
}

/// One agenda line's cells, borrowed from the row where they can be.
struct Cells<'a> {
    id: i64,
    due: Date,
    overdue_days: i64,
    label: &'static str,
    who: Cow<'a, str>,
    channel: &'static str,
    why: Cow<'a, str>,
    pipeline: bool,
}

impl<'a> Cells<'a> {
    fn of(row: &AgendaRow<'a>, today: Date) -> anyhow::Result<Cells<'a>> {
        Ok(match *row {
            AgendaRow::Line {
                id,
                due,
                overdue_days,
                line,
            } => {
                let w = words(line, id)?;
                Cells {
                    id,
                    due,
                    overdue_days,
                    label: followup_core::why::action_label(line.head.action),
                    who: Cow::Borrowed(w.who),
                    channel: line.head.channel.as_str(),
                    why: Cow::Borrowed(w.why),
                    pipeline: line.head.action == followup_core::Action::Pipeline,
                }
            }
            AgendaRow::Item(a) => {
                let p = followup_core::present::item(a, today);
                Cells {
                    id: a.id,
                    due: a.due,
                    overdue_days: a.overdue_days,
                    label: p.label,
                    who: Cow::Owned(p.who_and_jobs()),
                    channel: a.channel.as_str(),
                    why: Cow::Owned(p.why_line()),
                    pipeline: a.action == followup_core::Action::Pipeline,
                }
            }
        })
    }

    fn when_into(&self, out: &mut String, today: Date) {
        when_into(out, self.due, self.overdue_days, today)
    }

    /// The paint of the due date: red overdue, yellow today.
    fn due_paint(&self, today: Date) -> Paint {
        if self.overdue_days > 0 {
            Paint::Red
        } else if self.due == today {
            Paint::Yellow
        } else {
            Paint::Plain
        }
    }

    /// The six cells as text.
    fn texts(&self, today: Date) -> [String; 6] {
        let mut when = String::new();
        self.when_into(&mut when, today);
        [
            self.id.to_string(),
            when,
            self.label.to_string(),
            self.who.to_string(),
            self.channel.to_string(),
            self.why.to_string(),
        ]
    }
}

/// A kept line's words; unreadable ones are a damaged database, said with the item's number.
fn words<'a>(
    line: &followup_core::line::Line<'a>,
    id: i64,
) -> anyhow::Result<followup_core::line::Words<'a>> {
    line.words().ok_or_else(|| {
        anyhow::anyhow!("plan item {id}'s agenda line is unreadable; `followup replan` rewrites it")
    })
}

/// The due column: `Wed 7 Oct (60 d overdue)`, `Sun 6 Dec (today)`, `Mon 7 Dec`, appended
/// to `out` ([`when`] for a whole item).
fn when_into(out: &mut String, due: Date, overdue_days: i64, today: Date) {
    followup_core::plan::push_day_label(out, due, today);
    if overdue_days > 0 {
        out.push_str(" (");
        followup_core::plan::push_number(out, overdue_days);
        out.push_str(" d overdue)");
    } else if due == today {
        out.push_str(" (today)");
    }
}

/// An agenda row's notes, as of `today`.
fn row_notes(row: &AgendaRow<'_>, today: Date) -> anyhow::Result<Vec<String>> {
    Ok(match row {
        AgendaRow::Line { line, id, .. } => line.notes(&words(line, *id)?, today),
        AgendaRow::Item(a) => followup_core::present::item(a, today).notes,
    })
}

fn has_notes(row: &AgendaRow<'_>, today: Date) -> bool {
    match row {
        AgendaRow::Line { line, .. } => line.has_notes(),
        AgendaRow::Item(a) => !followup_core::present::item(a, today).notes.is_empty(),
    }
}

const AGENDA_HEADER: [&str; 6] = ["ID", "DUE", "ACTION", "WHO", "CHANNEL", "WHY"];

/// The agenda table's measure: how many lines, whether any has notes, each column's width.
struct Measure {
    /// The pipe layout (full cells, widths from the lines' heads) or a terminal's.
    pipe: bool,
    today: Date,
    rows: usize,
    notes: bool,
    widths: [usize; 6],
    when: String,
    /// The due column's width for the last due date seen: rows come by due date.
    when_width: Option<(Date, usize)>,
}

impl Measure {
    fn new(pipe: bool, today: Date) -> Measure {
        Measure {
            pipe,
            today,
            rows: 0,
            notes: false,
            widths: AGENDA_HEADER.map(|h| h.len()),
            when: String::new(),
            when_width: None,
        }
    }

    fn widen(&mut self, cells: [usize; 5]) {
        for (w, n) in self.widths.iter_mut().zip(cells) {
            *w = (*w).max(n);
        }
    }

    /// The due column's width on `due`.
    fn when_len(&mut self, due: Date, overdue_days: i64) -> usize {
        match self.when_width {
            Some((d, n)) if d == due => n,
            _ => {
                self.when.clear();
                when_into(&mut self.when, due, overdue_days, self.today);
                self.when_width = Some((due, self.when.len()));
                self.when.len()
            }
        }
    }

    /// A day's firm lines at once, from the store's extent (the pipe layout only).
    fn day(&mut self, e: &followup_core::line::Extent) {
        self.rows += e.rows as usize;
        self.notes |= e.notes;
        let overdue = followup_core::agenda::days_between(e.due, self.today).max(0);
        let cells = [
            digits(e.id_max),
            self.when_len(e.due, overdue),
            e.actions()
                .map(|a| followup_core::why::action_label(a).len())
                .max()
                .unwrap_or(0),
            e.who_max as usize,
            e.channels().map(|c| c.as_str().len()).max().unwrap_or(0),
        ];
        self.widen(cells);
    }

    /// One line.
    fn row(&mut self, row: AgendaRow<'_>) -> Out {
        let today = self.today;
        self.rows += 1;
        self.notes = self.notes || has_notes(&row, today);
        if let (
            true,
            AgendaRow::Line {
                line, overdue_days, ..
            },
        ) = (self.pipe, row)
        {
            // The pipe layout from the line's head alone: its words are not read here.
            let h = &line.head;
            let cells = [
                digits(h.id),
                self.when_len(h.due, overdue_days),
                followup_core::why::action_label(h.action).len(),
                h.who_chars as usize,
                h.channel.as_str().len(),
            ];
            self.widen(cells);
            return Ok(());
        }
        let c = Cells::of(&row, today)?;
        if self.pipe {
            // The pipe layout: every cell in full; the last column is never padded.
            self.when.clear();
            c.when_into(&mut self.when, today);
            let cells = [
                digits(c.id),
                self.when.len(),
                c.label.len(),
                c.who.chars().count(),
                c.channel.len(),
            ];
            // The cached due width is of another row's text now.
            self.when_width = None;
            self.widen(cells);
        } else {
            for (w, text) in self.widths.iter_mut().zip(c.texts(today)) {
                *w = (*w).max(fit::width(&cell(&text)));
            }
        }
        Ok(())
    }
}

/// The agenda, written as it is read (issue 17): the columns are measured (in a pipe from the
/// store's per-day extents and the few loose lines, else by a first walk over the window), a
/// walk writes the lines, and another the notes when there are any; no walk holds more than
/// the line it is on. `--json` is one walk, element by element, the same bytes as
/// the whole array pretty-printed.
pub fn agenda(stream: &AgendaStream<'_>, json: bool) -> Out {
    let today = stream.today();
    if json {
        return agenda_json(stream);
    }
    let t = term();
    // The columns' widths, and whether there is anything at all: in a pipe from the store's
    // per-day extents and the few loose lines when it keeps them, else by a first walk.
    let m = std::cell::RefCell::new(Measure::new(t.width.is_none(), today));
    let measured = t.width.is_none()
        && stream.measure(&mut |e| m.borrow_mut().day(e), &mut |row| {
            m.borrow_mut().row(row)
        })?;
    if !measured {
        stream.each(false, &mut |row| m.borrow_mut().row(row))?;
    }
    let Measure {
        rows,
        notes,
        widths,
        ..
    } = m.into_inner();
    if rows == 0 {
        outln!("Nothing due. `followup agenda --until \"in 4 weeks\"` looks further ahead.");
        return Ok(());
    }
    match t.width {
        None => agenda_plain(stream, &widths)?,
        Some(max) if t.truncate && !fits_one_line(&widths, max) => {
            agenda_stacked(stream, &widths, max, t)?
        }
        Some(max) => {
            let header = AGENDA_HEADER.map(String::from);
            let widths = shrink_widths(
                widths.to_vec(),
                &[(5, WHY_LEAST), (3, WHO_LEAST)],
                max,
                t.truncate,
            );
            let mut out = stdout();
            write_row(&mut out, &header, &widths, &|_| Paint::Bold, t)?;
            stream.each(false, &mut |row| -> Out {
                let c = Cells::of(&row, today)?;
                let paint = c.due_paint(today);
                let cells = c.texts(today).map(|x| cell(&x));
                write_row(
                    &mut out,
                    &cells,
                    &widths,
                    &|i| if i <= 1 { paint } else { Paint::Plain },
                    t,
                )
            })?;
            out.flush()?;
        }
    }
    if notes {
        outln!();
        stream.each(false, &mut |row| -> Out {
            for n in row_notes(&row, today)? {
                let lead = format!("  {}: ", row.id());
                prose(&format!("{lead}{n}"), lead.len(), &[])?;
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// How many digits a number takes.
fn digits(n: i64) -> usize {
    let mut m = n.unsigned_abs();
    let mut d = 1 + usize::from(n < 0);
    while m >= 10 {
        m /= 10;
        d += 1;
    }
    d
}

/// Spaces for padding, without a loop for the usual few.
fn pad(line: &mut Vec<u8>, n: usize) {
    const SPACES: &[u8] = b"                                                                ";
    let mut n = n;
    while n > 0 {
        let k = n.min(SPACES.len());
        line.extend_from_slice(&SPACES[..k]);
        n -= k;
    }
}

/// The agenda in a pipe: every cell in full, columns as wide as their widest cell, each line
/// built in one buffer and written through [`Safe`] at once.
fn agenda_plain(stream: &AgendaStream<'_>, widths: &[usize; 6]) -> Out {
    let today = stream.today();
    let mut out = stdout();
    let mut line: Vec<u8> = Vec::with_capacity(256);
    for (i, h) in AGENDA_HEADER.iter().enumerate() {
        line.extend_from_slice(h.as_bytes());
        if i < 5 {
            pad(&mut line, widths[i] - h.len() + 2);
        }
    }
    line.push(b'\n');
    out.write_all(&line)?;
    // The due column, padded, for the last due date seen: rows come by due date.
    let mut when: Option<(Date, i64, Vec<u8>)> = None;
    let mut text = String::new();
    stream.each(false, &mut |row| -> Out {
        let c = Cells::of(&row, today)?;
        line.clear();
        push_digits(&mut line, c.id);
        pad(&mut line, widths[0] - digits(c.id) + 2);
        match &when {
            Some((d, o, w)) if *d == c.due && *o == c.overdue_days => line.extend_from_slice(w),
            _ => {
                text.clear();
                c.when_into(&mut text, today);
                let mut w = text.clone().into_bytes();
                pad(&mut w, widths[1] - text.len() + 2);
                line.extend_from_slice(&w);
                when = Some((c.due, c.overdue_days, w));
            }
        }
        line.extend_from_slice(c.label.as_bytes());
        pad(&mut line, widths[2] - c.label.len() + 2);
        line.extend_from_slice(c.who.as_bytes());
        let who_chars = match row {
            AgendaRow::Line { line: l, .. } => l.head.who_chars as usize,
            AgendaRow::Item(_) => c.who.chars().count(),
        };
        pad(&mut line, widths[3] - who_chars + 2);
        line.extend_from_slice(c.channel.as_bytes());
        pad(&mut line, widths[4] - c.channel.len() + 2);
        line.extend_from_slice(c.why.trim_end().as_bytes());
        line.push(b'\n');
        out.write_all(&line)?;
        Ok(())
    })?;
    out.flush()?;
    Ok(())
}

/// A decimal number's digits appended to `out`.
fn push_digits(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut m = n.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// `--json`: the array pretty-printed as serde_json prints a whole one, an element at a time.
fn agenda_json(stream: &AgendaStream<'_>) -> Out {
    use serde::ser::{SerializeSeq, Serializer};
    // JSON escapes control characters itself.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    {
        let mut ser = serde_json::Serializer::pretty(&mut out);
        let mut seq = ser.serialize_seq(None)?;
        stream.each(true, &mut |row| -> Out {
            match row {
                AgendaRow::Item(a) => seq.serialize_element(a)?,
                AgendaRow::Line { id, .. } => {
                    anyhow::bail!("agenda item {id} came without its whole record")
                }
            }
            Ok(())
        })?;
        seq.end()?;
    }
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

/// The least room for the why and for whom, on one agenda line; with less, the why goes on a
/// line of its own under each item.
const WHY_LEAST: usize = 50;
const WHO_LEAST: usize = 24;

/// True when the agenda fits on one line an item, the why and who cut to no less than
/// [`WHY_LEAST`] and [`WHO_LEAST`]; `widths` are the columns' full widths on a terminal.
fn fits_one_line(widths: &[usize; 6], max: usize) -> bool {
    let mut widths = *widths;
    widths[3] = widths[3].min(WHO_LEAST);
    widths[5] = widths[5].min(WHY_LEAST);
    widths.iter().sum::<usize>() + 2 * (widths.len() - 1) <= max
}

/// The agenda on a narrow terminal: ID, due, action and whom on one line, then the channel
/// and the why under it, each cut with "…" to the width.
fn agenda_stacked(stream: &AgendaStream<'_>, full: &[usize; 6], max: usize, t: Term) -> Out {
    let today = stream.today();
    let header: Vec<String> = ["ID", "DUE", "ACTION", "WHO"]
        .iter()
        .map(|h| h.to_string())
        .collect();
    let widths = shrink_widths(full[..4].to_vec(), &[(3, 12), (2, 10)], max, true);
    let indent = widths[0] + 2;
    let room = max.saturating_sub(indent);
    let mut out = stdout();
    write_row(&mut out, &header, &widths, &|_| Paint::Bold, t)?;
    stream.each(false, &mut |row| -> Out {
        let c = Cells::of(&row, today)?;
        let paint = c.due_paint(today);
        let [id, when, label, who, channel, why] = c.texts(today);
        let first = [cell(&id), cell(&when), cell(&label), cell(&who)];
        write_row(
            &mut out,
            &first,
            &widths,
            &|i| if i <= 1 { paint } else { Paint::Plain },
            t,
        )?;
        let why = if c.pipeline {
            cell(&why)
        } else {
            format!("by {}: {}", cell(&channel), cell(&why))
        };
        out.write_all(" ".repeat(indent).as_bytes())?;
        out.write_all(fit::truncate(&why, room).as_bytes())?;
        out.write_all(b"\n")?;
        Ok(())
    })?;
    out.flush()?;
    Ok(())
}

fn next_lines(next: &[AgendaItem], today: Date) -> Out {
    for a in next {
        let p = followup_core::present::item(a, today);
        let when = when(a, today);
        let marks = [(when.as_str(), due_paint(a, today))];
        if term().width.is_some() {
            // On a terminal: the what on one line, the why wrapped under it.
            prose(
                &format!(
                    "Next: {when}  {}  {}  {}  [item\u{a0}{}]",
                    p.label,
                    p.who_and_jobs(),
                    a.channel,
                    a.id
                ),
                6,
                &marks,
            )?;
            prose(&format!("      {}", p.why_line()), 6, &[])?;
        } else {
            outln!(
                "Next: {}  {}  {}  {}  {}  [item {}]",
                when,
                p.label,
                p.who_and_jobs(),
                a.channel,
                p.why_line(),
                a.id
            );
        }
        for n in p.notes {
            prose(&format!("      {n}"), 6, &[])?;
        }
    }
    Ok(())
}

pub fn created_contact(c: &Contact, json: bool) -> Out {
    if json {
        return print_json(c);
    }
    outln!("Added contact #{} {}{}", c.id, c.name, contact_suffix(c));
    Ok(())
}

pub fn edited_contact(c: &Contact, json: bool) -> Out {
    if json {
        return print_json(c);
    }
    outln!("Updated contact #{} {}{}", c.id, c.name, contact_suffix(c));
    Ok(())
}

fn contact_suffix(c: &Contact) -> String {
    let mut parts = Vec::new();
    if let Some(o) = &c.organization {
        parts.push(o.name.clone());
    }
    if let Some(t) = &c.title {
        parts.push(t.clone());
    }
    if let Some(t) = c.tier {
        parts.push(t.to_string());
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

pub fn contacts(list: &[Contact], json: bool) -> Out {
    if json {
        return print_json(list);
    }
    if list.is_empty() {
        outln!("No contacts yet. Add one with `followup contact add NAME`.");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|c| {
            vec![
                c.id.to_string(),
                c.name.clone(),
                c.organization
                    .as_ref()
                    .map(|o| o.name.clone())
                    .unwrap_or_default(),
                c.title.clone().unwrap_or_default(),
                c.tier.map(|t| t.to_string()).unwrap_or_default(),
                c.emails.first().cloned().unwrap_or_default(),
            ]
        })
        .collect();
    table(
        &["ID", "NAME", "ORGANIZATION", "TITLE", "TIER", "EMAIL"],
        &rows,
        &[(3, 12), (2, 12), (5, 20), (1, 14)],
    )
}

/// The timeline: in a pipe one line a touch as it always was; on a terminal in aligned
/// columns, the names and the note wrapped under their own column.
fn timeline(
    touches: &[Touch],
    actors: &std::collections::BTreeMap<i64, followup_app::actors::TouchActors>,
    today: Date,
    names: &dyn Fn(&Touch) -> String,
) -> Out {
    // Who logged it, when not the owner (a coach on the team server), after the names.
    let with_actor = |t: &Touch| match actors.get(&t.id.0) {
        Some(a) => format!("{}  ({})", names(t), a.sentence())
            .trim_start()
            .to_string(),
        None => names(t),
    };
    let names: &dyn Fn(&Touch) -> String = &with_actor;
    if term().width.is_none() {
        for t in touches {
            outln!("{}", touch_line(t, today, names));
        }
        return Ok(());
    }
    let days: Vec<String> = touches.iter().map(|t| day(t.date, today)).collect();
    let dw = days.iter().map(|d| fit::width(d)).max().unwrap_or(0);
    let kw = touches
        .iter()
        .map(|t| t.kind.as_str().len())
        .max()
        .unwrap_or(0);
    let rw = touches
        .iter()
        .map(|t| t.direction.as_str().len())
        .max()
        .unwrap_or(0);
    // The id first: `touch edit` and `touch retract` take it.
    let iw = touches
        .iter()
        .map(|t| t.id.to_string().len() + 1)
        .max()
        .unwrap_or(0);
    for (t, d) in touches.iter().zip(&days) {
        let lead = format!(
            "  {:>iw$}  {d:<dw$}  {:<kw$}  {:<rw$}  ",
            format!("#{}", t.id),
            t.kind.as_str(),
            t.direction.as_str()
        );
        let mut rest = names(t);
        if t.poor_fit {
            rest.push_str("  [poor fit]");
        }
        if let Some(n) = &t.note {
            rest.push_str(&format!("  \"{n}\""));
        }
        let rest = rest.trim_start();
        let line = format!("{lead}{rest}");
        prose(line.trim_end(), fit::width(&lead), &[])?;
    }
    Ok(())
}

fn touch_line(t: &Touch, today: Date, names: &dyn Fn(&Touch) -> String) -> String {
    let mut s = format!(
        "  #{:<3} {}  {:<11} {:<8}  {}",
        t.id,
        day(t.date, today),
        t.kind.as_str(),
        t.direction.as_str(),
        names(t)
    );
    if t.poor_fit {
        s.push_str("  [poor fit]");
    }
    if let Some(n) = &t.note {
        s.push_str(&format!("  \"{n}\""));
    }
    s
}

/// Where a promise stands (C9), in the words every page uses.
fn promise_state(p: &PromiseView, today: Date) -> String {
    followup_core::present::promise_state(&p.promise, p.state, p.kept_by, p.replaced_by, today)
}

/// The promises, each with where it stands; a missed one yellow on a colour terminal.
fn promises(list: &[PromiseView], today: Date) -> Out {
    if list.is_empty() {
        return Ok(());
    }
    heading("Promises:")?;
    for p in list {
        let state = format!("[{}]", promise_state(p, today));
        let paint = if p.state == followup_core::promises::PromiseState::Missed {
            Paint::Yellow
        } else {
            Paint::Plain
        };
        prose(&promise_line(p, today), 4, &[(&state, paint)])?;
    }
    Ok(())
}

fn promise_line(p: &PromiseView, today: Date) -> String {
    format!(
        "  [{}] {} (said {}{})",
        promise_state(p, today),
        followup_core::present::promise(&p.promise, today),
        day(p.made_on, today),
        p.job.map(|j| format!(", job #{j}")).unwrap_or_default()
    )
}

pub fn identity(me: &followup_app::identity::Identity, json: bool) -> Out {
    if json {
        return print_json(me);
    }
    use followup_app::identity::Source;
    let from = |s: Option<Source>| match s {
        Some(Source::Settings) => "  (set here: `followup me`, Settings)",
        Some(Source::Config) => "  (the config's [me])",
        None => "",
    };
    let name = me.name.clone().unwrap_or_else(|| {
        format!(
            "not set: drafts say {}",
            followup_app::identity::PLACEHOLDER
        )
    });
    outln!("name       {name}{}", from(me.sources.name));
    let signature = me
        .signature
        .clone()
        .unwrap_or_else(|| "(the name)".into())
        .replace('\n', "\n           ");
    outln!("signature  {signature}{}", from(me.sources.signature));
    outln!(
        "phone      {}{}",
        me.phone.clone().unwrap_or_else(|| "(none)".into()),
        from(me.sources.phone)
    );
    outln!(
        "time zone  {}{}",
        me.time_zone
            .clone()
            .unwrap_or_else(|| "(this computer's)".into()),
        from(me.sources.time_zone)
    );
    Ok(())
}

pub fn contact_view(v: &ContactView, today: Date, json: bool) -> Out {
    if json {
        return print_json(v);
    }
    let c = &v.contact;
    prose(
        &format!("#{} {}{}", c.id, c.name, contact_suffix(c)),
        4,
        &[],
    )?;
    let field = |k: &str, val: String| -> Out {
        if !val.is_empty() {
            prose(&format!("  {k:<21}{val}"), 23, &[])?;
        }
        Ok(())
    };
    field("email", c.emails.join(", "))?;
    field("phone", c.phones.join(", "))?;
    field(
        "prefers",
        c.prefers.map(|p| p.to_string()).unwrap_or_default(),
    )?;
    field("linkedin", c.linkedin.clone().unwrap_or_default())?;
    field(
        "birthday",
        c.birthday.map(|d| d.to_string()).unwrap_or_default(),
    )?;
    field(
        "work anniversary",
        c.work_anniversary
            .map(|d| d.to_string())
            .unwrap_or_default(),
    )?;
    field(
        "personal anniversary",
        c.personal_anniversary
            .map(|d| d.to_string())
            .unwrap_or_default(),
    )?;
    field("notes", c.notes.clone().unwrap_or_default())?;
    field("added", c.added_on.to_string())?;
    for b in &v.bounced {
        field(
            "bounced",
            format!(
                "mail to {} bounced on {}: check the address",
                b.address, b.day
            ),
        )?;
    }
    if !v.jobs.is_empty() {
        heading("Jobs:")?;
        for j in &v.jobs {
            prose(
                &format!(
                    "  #{} {}: {} ({})",
                    j.id, j.organization.name, j.title, j.stage
                ),
                4,
                &[],
            )?;
        }
    }
    heading("Timeline:")?;
    if v.timeline.is_empty() {
        outln!("  nothing logged yet");
    }
    let jobs = &v.jobs;
    let label = |t: &Touch| {
        t.job
            .and_then(|id| jobs.iter().find(|j| j.id == id))
            .map(|j| format!("{}: {}", j.organization.name, j.title))
            .unwrap_or_default()
    };
    timeline(&v.timeline, &v.actors, today, &label)?;
    promises(&v.promises, today)?;
    if v.next.is_empty() {
        outln!("Next: nothing planned (a casual contact gets occasions only, F13)");
    }
    next_lines(&v.next, today)?;
    Ok(())
}

pub fn created_job(j: &Job, json: bool) -> Out {
    if json {
        return print_json(j);
    }
    outln!(
        "Added job #{} {}: {} ({})",
        j.id,
        j.organization.name,
        j.title,
        j.stage
    );
    Ok(())
}

pub fn job_edited(j: &Job, json: bool) -> Out {
    if json {
        return print_json(j);
    }
    outln!(
        "Updated job #{} {}: {} ({})",
        j.id,
        j.organization.name,
        j.title,
        j.stage
    );
    Ok(())
}

pub fn job_changed(j: &Job, json: bool) -> Out {
    if json {
        return print_json(j);
    }
    outln!(
        "Job #{} {}: {} is now {}",
        j.id,
        j.organization.name,
        j.title,
        j.stage
    );
    Ok(())
}

pub fn jobs(list: &[Job], json: bool) -> Out {
    if json {
        return print_json(list);
    }
    if list.is_empty() {
        outln!("No jobs yet. Add one with `followup job add ORGANIZATION TITLE`.");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|j| {
            vec![
                j.id.to_string(),
                j.organization.name.clone(),
                j.title.clone(),
                j.stage.to_string(),
                j.applied.map(|d| d.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    // Closed jobs dimmed on a colour terminal: the open ones are the search.
    let paint = |n: usize, _: usize| {
        if list[n].stage.is_open() {
            Paint::Plain
        } else {
            Paint::Dim
        }
    };
    table_painted(
        &["ID", "ORGANIZATION", "TITLE", "STAGE", "APPLIED"],
        &rows,
        &paint,
        &[(2, 16), (1, 12)],
    )
}

pub fn job_view(v: &JobView, today: Date, json: bool) -> Out {
    if json {
        return print_json(v);
    }
    let j = &v.job;
    prose(
        &format!(
            "#{} {}: {} ({})",
            j.id, j.organization.name, j.title, j.stage
        ),
        4,
        &[],
    )?;
    if let Some(u) = &j.url {
        prose(&format!("  posting        {u}"), 17, &[])?;
    }
    if let Some(d) = j.applied {
        outln!("  applied        {d}");
    }
    if let Some(t) = j.response_time {
        outln!("  response time  {t}");
    }
    if let Some(n) = &j.notes {
        prose(&format!("  notes          {n}"), 17, &[])?;
    }
    if !v.contacts.is_empty() {
        heading("Contacts:")?;
        for c in &v.contacts {
            prose(
                &format!("  #{} {}{}", c.id, c.name, contact_suffix(c)),
                4,
                &[],
            )?;
        }
    }
    heading("Timeline:")?;
    if v.timeline.is_empty() {
        outln!("  nothing logged yet");
    }
    let contacts = &v.contacts;
    let label = |t: &Touch| {
        t.contacts
            .iter()
            .filter_map(|id| contacts.iter().find(|c| c.id == *id))
            .map(|c| c.name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    timeline(&v.timeline, &v.actors, today, &label)?;
    promises(&v.promises, today)?;
    next_lines(&v.next, today)?;
    Ok(())
}

pub fn logged(l: &Logged, today: Date, json: bool) -> Out {
    if json {
        return print_json(l);
    }
    let t = &l.touch;
    outln!(
        "Logged {} #{} on {}{}",
        t.kind,
        t.id,
        day(t.date, today),
        t.job.map(|j| format!(" (job #{j})")).unwrap_or_default()
    );
    for s in &l.stage_changes {
        outln!("Job #{} moved from {} to {}", s.job, s.from, s.to);
    }
    for p in &t.promises {
        if p.whose == followup_core::Whose::Mine
            && let Some(d) = p.date
        {
            outln!("Promise recorded: you will follow up on {}", day(d, today));
        }
    }
    next_lines(&l.next, today)?;
    warnings(&l.warnings);
    Ok(())
}

pub fn warnings(ws: &[followup_core::plan::Warning]) {
    let mut err = Safe(std::io::stderr().lock());
    for w in ws {
        let _ = warning_label(&mut err);
        let _ = writeln!(err, " {}", w.message);
    }
}

/// "warning:" on stderr, yellow when stderr has colour.
fn warning_label<W: Write>(err: &mut Safe<W>) -> std::io::Result<()> {
    painted(err, "warning:", Paint::Yellow, term().err_color)
}

pub fn snoozed(a: &AgendaItem, today: Date, json: bool) -> Out {
    if json {
        return print_json(a);
    }
    let p = followup_core::present::item(a, today);
    outln!(
        "Snoozed item {}: {} comes back on {}",
        a.id,
        p.title,
        day(a.due, today)
    );
    Ok(())
}

pub fn done(d: &Done, today: Date, json: bool) -> Out {
    match d {
        Done::Logged(l) => logged(l, today, json),
        Done::Closed { job: j, .. } => job_changed(j, json),
    }
}

pub fn events(list: &[Recorded], json: bool) -> Out {
    if json {
        let v: Vec<serde_json::Value> = list
            .iter()
            .map(|r| {
                let mut v = serde_json::json!({
                    "seq": r.seq,
                    "recorded_on": r.recorded_on,
                    "event": r.event,
                });
                // Only on a team server, where someone other than the owner recorded it.
                if let Some(a) = r.actor {
                    v["actor"] = serde_json::json!(a.0);
                }
                v
            })
            .collect();
        return print_json(&v);
    }
    for r in list {
        let body = serde_json::to_string(&r.event)?;
        match r.actor {
            Some(a) => outln!("{:>6}  {}  {body}  (by account {a})", r.seq, r.recorded_on),
            None => outln!("{:>6}  {}  {body}", r.seq, r.recorded_on),
        }
    }
    Ok(())
}

pub fn draft(d: &followup_app::drafts::Draft, open: bool, json: bool) -> Out {
    if json {
        return print_json(d);
    }
    let call = d.template == "voicemail";
    if d.to.is_empty() && call {
        outln!(
            "To: (no phone number recorded: `followup contact edit WHO --phone NUMBER` adds one)"
        );
    } else if d.to.is_empty() {
        outln!("To: (no address recorded: `followup contact edit` adds one)");
    } else {
        outln!("To: {}", d.to);
    }
    if d.channel != "email" && !call {
        outln!(
            "Channel: {} (their preference{})",
            d.channel,
            if d.channel == "phone" {
                "; `--voicemail` gives a call script"
            } else {
                ""
            }
        );
    }
    if !d.subject.is_empty() {
        outln!("Subject: {}", d.subject);
    }
    outln!();
    write!(Safe(std::io::stdout()), "{}", d.body)?;
    std::io::stdout().flush()?;
    {
        let mut err = Safe(std::io::stderr().lock());
        for w in &d.warnings {
            let at = w.line.map(|l| format!(" (line {l})")).unwrap_or_default();
            warning_label(&mut err)?;
            writeln!(err, " {}{at}", w.message)?;
        }
    }
    if open {
        // A call script opens the dialer; a message the mail client.
        let link = if call {
            format!("tel:{}", d.to.replace([' ', '-', '(', ')'], ""))
        } else {
            followup_app::drafts::mailto(&d.to, &d.subject, &d.body)
        };
        let opened = ["xdg-open", "open"].iter().any(|cmd| {
            std::process::Command::new(cmd)
                .arg(&link)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        });
        if !opened {
            outln!();
            outln!(
                "No {} could be started; open this link:",
                if call { "dialer" } else { "mail client" }
            );
            outln!("{link}");
        }
    }
    Ok(())
}

pub fn templates(list: &[followup_app::drafts::Template], json: bool) -> Out {
    if json {
        return print_json(list);
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|t| {
            vec![
                t.name.clone(),
                match (&t.path, t.stored) {
                    (_, true) => "yours, kept in the database (Settings, `templates set`)".into(),
                    (Some(p), false) => p.display().to_string(),
                    (None, false) => "built in".into(),
                },
            ]
        })
        .collect();
    table(&["TEMPLATE", "SOURCE"], &rows, &[])
}

pub fn policy(params: &[followup_app::policy_settings::ParamView], json: bool) -> Out {
    if json {
        return print_json(params);
    }
    let rows: Vec<Vec<String>> = params
        .iter()
        .map(|p| {
            vec![
                p.key.to_string(),
                p.rule.to_string(),
                if p.overridden {
                    format!("{} (yours)", p.value)
                } else {
                    p.value.clone()
                },
                p.default.clone(),
                p.label.to_string(),
            ]
        })
        .collect();
    table(
        &["KEY", "RULE", "VALUE", "DEFAULT", "WHAT"],
        &rows,
        &[(4, 8)],
    )
}

pub fn lint(ws: &[followup_core::draft::LintWarning], json: bool) -> Out {
    if json {
        return print_json(ws);
    }
    if ws.is_empty() {
        outln!("No warnings: short, calm, and nothing asked twice.");
    }
    for w in ws {
        let at = w.line.map(|l| format!("line {l}: ")).unwrap_or_default();
        outln!("{at}{}", w.message);
    }
    Ok(())
}

/// A progress line on a terminal for long imports; nothing in a pipe.
pub fn progress() -> impl FnMut(usize, usize) {
    use std::io::IsTerminal;
    let tty = std::io::stderr().is_terminal();
    move |done: usize, total: usize| {
        if !tty || total < 500 {
            return;
        }
        let width = 30;
        let filled = done * width / total.max(1);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r[{}{}] {done}/{total}",
            "#".repeat(filled),
            " ".repeat(width - filled)
        );
        if done == total {
            let _ = writeln!(err);
        }
    }
}

pub fn import_report(r: &followup_app::import::ImportReport, json: bool) -> Out {
    if json {
        return print_json(r);
    }
    let verb = if r.dry_run {
        "Would import"
    } else {
        "Imported"
    };
    outln!(
        "{verb} {}: {} created, {} updated, {} unchanged, {} skipped.",
        r.source,
        r.created,
        r.updated,
        r.unchanged,
        r.skipped
    );
    for n in &r.notes {
        outln!("  skipped {n}");
    }
    for n in &r.left_out {
        outln!("  {n}");
    }
    if r.dry_run {
        outln!("Nothing was written (--dry-run).");
    } else if r.created > 0 {
        outln!("Set tiers in bulk with `followup contact tier critical NAME...` (F13).");
    }
    Ok(())
}

/// The records a new contact may duplicate, in one line: "Priya Shah (#3, priya@acme.example)".
pub fn similar(list: &[Contact]) -> String {
    list.iter()
        .map(|c| match c.emails.first() {
            Some(e) => format!("{} (#{}, {e})", c.name, c.id),
            None => format!("{} (#{})", c.name, c.id),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn merged(m: &followup_app::Merged, json: bool) -> Out {
    if json {
        return print_json(m);
    }
    let count =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    outln!(
        "Merged #{} {} into #{} {}: {} and {} now name #{}",
        m.from.id,
        m.from.name,
        m.contact.id,
        m.contact.name,
        count(m.touches, "touch", "touches"),
        count(m.jobs, "job", "jobs"),
        m.contact.id
    );
    Ok(())
}

/// A delete or a retract: what went, and the command that brings it back.
pub fn removed<T: Serialize>(what: &str, undo: &str, record: &T, json: bool) -> Out {
    if json {
        return print_json(record);
    }
    outln!("{what}. Undo: `{undo}`");
    Ok(())
}

pub fn touch_changed(verb: &str, t: &Touch, today: Date, json: bool) -> Out {
    if json {
        return print_json(t);
    }
    outln!(
        "{verb} touch #{}: {} ({}) {}",
        t.id,
        t.kind,
        t.direction,
        day(t.date, today)
    );
    Ok(())
}

pub fn trash(t: &followup_store::Trash, json: bool) -> Out {
    use followup_store::Removal;
    if json {
        #[derive(Serialize)]
        struct Item<'a, T: Serialize> {
            record: &'a T,
            why: String,
        }
        let value = serde_json::json!({
            "contacts": t.contacts.iter().map(|(c, w)| Item { record: c, why: w.to_text() }).collect::<Vec<_>>(),
            "jobs": t.jobs.iter().map(|(j, w)| Item { record: j, why: w.to_text() }).collect::<Vec<_>>(),
            "touches": t.touches.iter().map(|(x, w)| Item { record: x, why: w.to_text() }).collect::<Vec<_>>(),
        });
        return print_json(&value);
    }
    if t.contacts.is_empty() && t.jobs.is_empty() && t.touches.is_empty() {
        outln!("Nothing deleted, retracted or merged away.");
        return Ok(());
    }
    for (c, why) in &t.contacts {
        match why {
            Removal::MergedInto(into) => {
                outln!("contact #{} {}: merged into #{into}", c.id, c.name)
            }
            _ => outln!(
                "contact #{} {}: deleted; `followup contact restore {}`",
                c.id,
                c.name,
                c.id
            ),
        }
    }
    for (j, _) in &t.jobs {
        outln!(
            "job #{} {}: {}: deleted; `followup job restore {}`",
            j.id,
            j.organization.name,
            j.title,
            j.id
        );
    }
    for (x, why) in &t.touches {
        let how = match why {
            Removal::Retracted => format!("retracted; `followup touch restore {}`", x.id),
            Removal::WithContact(c) => format!("went with contact #{c}"),
            Removal::WithJob(j) => format!("went with job #{j}"),
            _ => why.to_text(),
        };
        outln!("touch #{} {} of {}: {how}", x.id, x.kind, x.date);
    }
    Ok(())
}
