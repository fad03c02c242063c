//! Contacts: the list, searched by name, company or tier.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use serde::Deserialize;

use super::render;
use crate::{WebError, WebState};

struct ContactRow {
    id: i64,
    name: String,
    organization: String,
    title: String,
    tier: String,
}

#[derive(Template)]
#[template(path = "contacts.html")]
struct ContactsPage {
    nav: &'static str,
    q: String,
    contacts: Vec<ContactRow>,
}

#[derive(Deserialize)]
pub struct Search {
    q: Option<String>,
}

pub async fn contacts(
    State(s): State<WebState>,
    Query(search): Query<Search>,
) -> Result<Html<String>, WebError> {
    let q = search.q.unwrap_or_default();
    let needle = q.trim().to_lowercase();
    let all = s.with(|app, cx| app.contacts(cx))?;
    let contacts = all
        .into_iter()
        .filter(|c| {
            needle.is_empty()
                || c.name.to_lowercase().contains(&needle)
                || c.organization
                    .as_ref()
                    .is_some_and(|o| o.name.to_lowercase().contains(&needle))
                || c.tier.is_some_and(|t| t.as_str() == needle)
        })
        .map(|c| ContactRow {
            id: c.id.0,
            name: c.name,
            organization: c.organization.map(|o| o.name).unwrap_or_default(),
            title: c.title.unwrap_or_default(),
            tier: c.tier.map(|t| t.to_string()).unwrap_or_default(),
        })
        .collect();
    render(&ContactsPage {
        nav: "contacts",
        q,
        contacts,
    })
}
