//! Templates: each default template ships inside the binary (`templates/*.txt`); a file of the same name
//! in the templates folder replaces it. A template's first line may be `Subject: ...`; the rest
//! is the body. The placeholders are the fields of `followup_core::draft::DraftContext`
//! (docs/DRAFTS.md). A placeholder that does not exist is an error naming the file and line.

use std::path::{Path, PathBuf};

use followup_core::draft::DraftContext;
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use crate::AppError;

/// The default templates, by name.
pub const DEFAULTS: &[(&str, &str)] = &[
    ("thank-you", include_str!("../../templates/thank-you.txt")),
    ("follow-up", include_str!("../../templates/follow-up.txt")),
    ("decide", include_str!("../../templates/decide.txt")),
    ("retry", include_str!("../../templates/retry.txt")),
    ("value-add", include_str!("../../templates/value-add.txt")),
    (
        "rejection-reply",
        include_str!("../../templates/rejection-reply.txt"),
    ),
    (
        "move-on-review",
        include_str!("../../templates/move-on-review.txt"),
    ),
    (
        "keep-in-touch",
        include_str!("../../templates/keep-in-touch.txt"),
    ),
    ("occasion", include_str!("../../templates/occasion.txt")),
    ("outreach", include_str!("../../templates/outreach.txt")),
    ("voicemail", include_str!("../../templates/voicemail.txt")),
];

/// A template as found: the person's file, or the default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Template {
    pub name: String,
    /// The person's file, when it replaces the default.
    pub path: Option<PathBuf>,
    /// True when it is the owner's own, kept in Settings (over any file and the default).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub stored: bool,
    /// True when it is the coach's own (a coach drafting in a client's search), over the
    /// client's and everything under it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub coach: bool,
    #[serde(skip)]
    pub text: String,
}

/// The names of every template, in the order `templates list` shows them.
pub fn names() -> impl Iterator<Item = &'static str> {
    DEFAULTS.iter().map(|(n, _)| *n)
}

/// The default text of a template.
pub fn default_text(name: &str) -> Option<&'static str> {
    DEFAULTS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Finds a template: `dir/NAME.txt` when it exists, else the default.
pub fn load(name: &str, dir: Option<&Path>) -> Result<Template, AppError> {
    let default = default_text(name).ok_or_else(|| {
        crate::error::invalid(
            crate::Field::Template,
            format!(
                "expected one of {}, found {name:?}",
                names().collect::<Vec<_>>().join(", ")
            ),
        )
    })?;
    if let Some(dir) = dir {
        let path = dir.join(format!("{name}.txt"));
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                return Ok(Template {
                    name: name.to_string(),
                    path: Some(path),
                    stored: false,
                    coach: false,
                    text,
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(AppError::BadFile(format!(
                    "template {}: cannot read: {e}",
                    path.display()
                )));
            }
        }
    }
    Ok(Template {
        name: name.to_string(),
        path: None,
        stored: false,
        coach: false,
        text: default.to_string(),
    })
}

/// Renders a template with the context into a subject and a body.
pub fn render(t: &Template, ctx: &DraftContext) -> Result<(String, String), AppError> {
    let shown = match (&t.path, t.stored) {
        _ if t.coach => format!("{} (the coach's own)", t.name),
        (Some(p), _) => p.display().to_string(),
        (None, true) => format!("{} (yours, in Settings)", t.name),
        (None, false) => format!("{} (built in)", t.name),
    };
    let fail = |e: minijinja::Error| {
        let line = e.line().unwrap_or(0);
        let text = t
            .text
            .lines()
            .nth(line.saturating_sub(1))
            .unwrap_or("")
            .trim();
        let what = e
            .detail()
            .map(str::to_string)
            .unwrap_or_else(|| e.kind().to_string());
        AppError::BadFile(format!(
            "template {shown}, line {line}: {what}, in `{text}` (placeholders: docs/DRAFTS.md)"
        ))
    };
    let env = environment(t).map_err(fail)?;
    let out = env
        .get_template(&t.name)
        .map_err(fail)?
        .render(minijinja::Value::from(minijinja::value::Serde(ctx)))
        .map_err(fail)?;
    Ok(split(&tidy(&out)))
}

/// The environment a template renders in, with the template added (a syntax error fails here).
fn environment(t: &Template) -> Result<Environment<'_>, minijinja::Error> {
    let mut env = Environment::new();
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            // Block tags keep their line's newline and `tidy` folds the blank lines they leave,
            // so a person editing a template never has to think about whitespace control.
            .lstrip_blocks(true)
            .build()?,
    );
    // A misspelt placeholder must fail loudly, never render as nothing.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_template(&t.name, &t.text)?;
    Ok(env)
}

/// Names a template may use that are not placeholders: minijinja's own.
const GLOBALS: &[&str] = &[
    "loop",
    "range",
    "namespace",
    "dict",
    "debug",
    "true",
    "false",
    "none",
];

/// Checks a template as typed before it is kept, the way a draft reads it: the syntax, every
/// placeholder in every branch (a name `DraftContext` does not have is refused even where no
/// draft today takes that branch), and a render on an empty and on a filled context. The
/// error names the line: `Template: line 3: unknown placeholder contact.first_nmae, in ...`.
pub fn check(name: &str, text: &str) -> Result<(), AppError> {
    let t = Template {
        name: name.to_string(),
        path: None,
        stored: true,
        coach: false,
        text: text.to_string(),
    };
    let at = |line: usize| {
        let shown = text
            .lines()
            .nth(line.saturating_sub(1))
            .unwrap_or("")
            .trim();
        let shown: String = shown.chars().take(80).collect();
        format!("line {line}, in `{shown}`")
    };
    let bad = |e: minijinja::Error| {
        let what = e
            .detail()
            .map(str::to_string)
            .unwrap_or_else(|| e.kind().to_string());
        crate::error::invalid(
            crate::Field::Template,
            format!(
                "{what}; {} (placeholders: docs/DRAFTS.md)",
                at(e.line().unwrap_or(0))
            ),
        )
    };
    let env = environment(&t).map_err(bad)?;
    let tmpl = env.get_template(name).map_err(bad)?;
    let filled = filled(serde_json::to_value(DraftContext::default()).expect("serializable"));
    let mut used: Vec<String> = tmpl.undeclared_variables(true).into_iter().collect();
    used.sort();
    for var in used {
        let mut parts = var.split('.');
        let head = parts.next().unwrap_or("");
        if GLOBALS.contains(&head) {
            continue;
        }
        let mut here = &filled;
        for part in std::iter::once(head).chain(parts) {
            match here {
                serde_json::Value::Object(m) => match m.get(part) {
                    Some(v) => here = v,
                    None => {
                        let line = text
                            .lines()
                            .position(|l| l.contains(part))
                            .map(|i| i + 1)
                            .unwrap_or(0);
                        return Err(crate::error::invalid(
                            crate::Field::Template,
                            format!(
                                "unknown placeholder {var}; {} (placeholders: docs/DRAFTS.md)",
                                at(line)
                            ),
                        ));
                    }
                },
                // An item of a list, or a method on a value: the render below tries it.
                _ => break,
            }
        }
    }
    for ctx in [
        serde_json::to_value(DraftContext::default()).expect("serializable"),
        filled,
    ] {
        tmpl.render(minijinja::Value::from(minijinja::value::Serde(&ctx)))
            .map_err(bad)?;
    }
    Ok(())
}

/// A context with every text, flag and number set, so a check renders the branches an
/// empty one skips.
fn filled(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(_) => Value::String("x".into()),
        Value::Bool(_) => Value::Bool(true),
        Value::Number(_) => Value::from(1),
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, v)| (k, filled(v))).collect()),
        other => other,
    }
}

/// Collapses runs of blank lines and trailing spaces that conditional blocks leave behind.
fn tidy(text: &str) -> String {
    let mut out = String::new();
    let mut blank = 0;
    for line in text.trim().lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn split(text: &str) -> (String, String) {
    match text.strip_prefix("Subject:") {
        Some(rest) => {
            let (subject, body) = rest.split_once('\n').unwrap_or((rest, ""));
            (subject.trim().to_string(), body.trim().to_string() + "\n")
        }
        None => (String::new(), text.trim().to_string() + "\n"),
    }
}

/// Percent-encodes all but RFC 3986's unreserved characters; a newline becomes CRLF.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b'\n' => out.push_str("%0D%0A"),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `mailto:` link for a draft (RFC 6068: subject and body percent-encoded).
pub fn mailto(to: &str, subject: &str, body: &str) -> String {
    let enc = percent_encode;
    format!(
        "mailto:{}?subject={}&body={}",
        enc(to).replace("%40", "@"),
        enc(subject),
        enc(body)
    )
}

// ---- the use cases ----------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_placeholder_names_file_and_line() {
        let t = Template {
            name: "follow-up".into(),
            path: Some("/home/me/follow-up.txt".into()),
            stored: false,
            coach: false,
            text: "Subject: hi\n\nDear {{ contact.first_nmae }},\n".into(),
        };
        let e = render(&t, &DraftContext::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("/home/me/follow-up.txt"), "{e}");
        assert!(e.contains("line 3"), "{e}");
        assert!(e.contains("first_nmae"), "{e}");
    }

    #[test]
    fn every_default_passes_the_check() {
        for (name, text) in DEFAULTS {
            check(name, text).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn a_broken_template_is_refused_with_its_line() {
        let e = check(
            "follow-up",
            "Subject: hi\n\nDear {{ contact.first_nmae }},\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("template: unknown placeholder contact.first_nmae; line 3"),
            "{e}"
        );
        let e = check("follow-up", "Subject: hi\n{% if met %}\nDear {{ dear }\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3"), "{e}");
        // A misspelling in a branch the empty context does not take.
        let e = check("follow-up", "{% if met %}{{ met_onn }}{% endif %}\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("met_onn"), "{e}");
        assert!(!e.contains('\n'), "{e}");
    }

    #[test]
    fn every_default_renders_on_an_empty_context() {
        for name in names() {
            let t = load(name, None).unwrap();
            let (_, body) = render(&t, &DraftContext::default()).unwrap();
            assert!(!body.trim().is_empty(), "{name}");
        }
    }

    #[test]
    fn mailto_encodes() {
        assert_eq!(
            mailto("dana@northwind.example", "Hi there", "a&b\nc"),
            "mailto:dana@northwind.example?subject=Hi%20there&body=a%26b%0D%0Ac"
        );
    }
}
