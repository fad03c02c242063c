//! Rules: what each rule says, the page a why's rule tag links to.

use askama::Template;
use axum::response::Html;

use super::render;
use crate::WebError;

#[derive(Template)]
#[template(path = "rules.html")]
struct RulesPage {
    nav: &'static str,
    rules: Vec<(String, &'static str)>,
    clarifications: Vec<(String, &'static str)>,
}

/// What each rule says: the page a why's rule tag links to.
pub async fn rules() -> Result<Html<String>, WebError> {
    use followup_core::plan::Rule;
    use followup_core::why::rule_text;
    let line = |r: Rule| (r.to_string(), rule_text(r));
    render(&RulesPage {
        nav: "",
        rules: (1..=19).map(|n| line(Rule(n))).collect(),
        clarifications: (1..=12).map(|n| line(Rule::clarification(n))).collect(),
    })
}
