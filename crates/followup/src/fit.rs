//! Text fitted to a terminal: display widths, truncation with an ellipsis, word wrapping.
//! Pure functions; output.rs decides when to use them (a terminal, not a pipe).

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The ellipsis that ends a cut cell: one column wide.
pub const ELLIPSIS: char = '…';

/// The columns `s` takes on a terminal (a CJK character two, a combining accent none).
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` in at most `max` columns. When it does not fit, it is cut and ends in "…": after the
/// last whole word that fits, so no word is cut; only a first word wider than the room (an
/// email address) is cut inside, at a character boundary, never inside a UTF-8 sequence.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let room = max - 1;
    let mut end = 0;
    let mut used = 0;
    for (i, c) in s.char_indices() {
        let w = c.width().unwrap_or(0);
        if used + w > room {
            break;
        }
        used += w;
        end = i + c.len_utf8();
    }
    let mut cut = &s[..end];
    let mid_word = !s[end..].starts_with(char::is_whitespace);
    if mid_word
        && let Some(space) = cut.rfind(char::is_whitespace)
        && !cut[..space].trim().is_empty()
    {
        cut = &cut[..space];
    }
    let cut = cut.trim_end_matches(|c: char| c.is_whitespace() || ",;:(-".contains(c));
    format!("{cut}{ELLIPSIS}")
}

/// `text` broken into lines at most `max` columns wide, at spaces only: a word is never split.
/// The first line starts at column 0 with the text's own leading spaces; the others are
/// indented by `indent` spaces. A word wider than a line gets a line of its own, whole (a
/// URL stays one piece to copy). The spaces between words are kept as written ("a  b"),
/// except where a line breaks. A newline in the text starts a new line.
pub fn wrap(text: &str, max: usize, indent: usize) -> Vec<String> {
    let pad = " ".repeat(indent);
    let mut lines = Vec::new();
    for (n, para) in text.split('\n').enumerate() {
        let mut line = if n == 0 { String::new() } else { pad.clone() };
        let mut line_w = width(&line);
        let mut fresh = true; // nothing but indentation on the line yet
        let mut rest = para;
        while !rest.is_empty() {
            let gap_len = rest.len() - rest.trim_start_matches(' ').len();
            let (gap, after) = rest.split_at(gap_len);
            let word_len = after.find(' ').unwrap_or(after.len());
            let (word, after) = after.split_at(word_len);
            rest = after;
            if word.is_empty() {
                // Trailing spaces: kept only on a line of their own making.
                break;
            }
            let gap = if fresh && n == 0 && lines.is_empty() {
                gap
            } else if fresh {
                ""
            } else {
                gap
            };
            let need = width(gap) + width(word);
            if !fresh && line_w + need > max {
                lines.push(std::mem::replace(&mut line, pad.clone()));
                line_w = indent;
                line.push_str(word);
                line_w += width(word);
            } else {
                line.push_str(gap);
                line.push_str(word);
                line_w += need;
            }
            fresh = false;
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_keeps_what_fits_and_cuts_at_a_space() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("exactly10!", 10), "exactly10!");
        let t = truncate("keep in touch with a critical contact every 30 days", 24);
        assert_eq!(t, "keep in touch with a…");
        assert!(width(&t) <= 24);
        // No space near the end: cut at a character, never inside one.
        let t = truncate("maya.patel@starkindustries.example", 16);
        assert_eq!(t, "maya.patel@star…");
        assert_eq!(truncate("Talent Partner", 12), "Talent…");
        let t = truncate("Zoë Ångström-Øvergård", 8);
        assert_eq!(t, "Zoë…");
        let t = truncate("Ångström-Øvergård", 8);
        assert_eq!(t, "Ångströ…");
        // Wide characters count two columns.
        let t = truncate("山田太郎さんへの連絡", 7);
        assert!(width(&t) <= 7, "{t}");
        assert_eq!(truncate("anything", 0), "");
        assert_eq!(truncate("ab", 1), "…");
    }

    #[test]
    fn wrap_breaks_at_spaces_only_and_indents() {
        let lines = wrap("Next: Tue 22 Dec  keep in touch  Dana Reyes  email", 24, 6);
        assert_eq!(
            lines,
            vec![
                "Next: Tue 22 Dec  keep",
                "      in touch  Dana",
                "      Reyes  email"
            ]
        );
        for l in &lines {
            assert!(width(l) <= 24);
        }
        // A word longer than a line is kept whole, on its own line.
        let lines = wrap("see https://example.com/a/very/long/path ok", 20, 2);
        assert_eq!(
            lines,
            vec!["see", "  https://example.com/a/very/long/path", "  ok"]
        );
        assert_eq!(wrap("  indented", 40, 4), vec!["  indented"]);
        assert_eq!(wrap("a\nb", 40, 2), vec!["a", "  b"]);
    }
}
