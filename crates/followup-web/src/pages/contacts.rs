//! Contacts: the list with each one's tier, last touch and next follow-up; searched by name
//! or company, filtered by tier, sorted by name, tier, last touch or next follow-up, a
//! hundred a page.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use followup_app::ContactLine;
use followup_core::model::{Contact, Tier};
use jiff::civil::Date;
use serde::Deserialize;

use super::{ItemView, day, render};
use crate::notice::{Notice, NoticeQuery};
use crate::{WebError, WebState};

/// Contacts on one page: a coach's book holds a hundred thousand.
const PER_PAGE: usize = 100;

struct ContactRow {
    id: i64,
    name: String,
    organization: String,
    title: String,
    tier: String,
    /// "Thu 19 Nov, reply", or empty when nothing was logged with them.
    last: String,
    next: Option<ItemView>,
}

/// A sortable column heading: its label, the link that sorts by it, and whether it is the
/// current order.
struct SortLink {
    key: &'static str,
    label: &'static str,
    href: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "contacts.html")]
struct ContactsPage {
    nav: &'static str,
    notice: Option<String>,
    undo: Option<(String, String)>,
    q: String,
    tier: String,
    tiers: Vec<&'static str>,
    sorts: Vec<SortLink>,
    contacts: Vec<ContactRow>,
    /// How many match, on every page.
    matching: usize,
    page: usize,
    prev: Option<String>,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct Search {
    q: Option<String>,
    tier: Option<String>,
    sort: Option<String>,
    page: Option<usize>,
}

/// The orders the list knows, with the words of their headings.
const SORTS: [(&str, &str); 4] = [
    ("name", "Name"),
    ("tier", "Tier"),
    ("last", "Last touch"),
    ("next", "Next follow-up"),
];

/// `tier=` values besides the tiers: any tier, or none set.
const ANY: &str = "any";
const NONE: &str = "none";

fn href(q: &str, tier: &str, sort: &str, page: usize) -> String {
    let mut parts = Vec::new();
    if !q.is_empty() {
        parts.push(format!("q={}", crate::encode_query(q)));
    }
    if tier != ANY {
        parts.push(format!("tier={}", crate::encode_query(tier)));
    }
    if sort != "name" {
        parts.push(format!("sort={sort}"));
    }
    if page > 1 {
        parts.push(format!("page={page}"));
    }
    if parts.is_empty() {
        "/contacts".to_string()
    } else {
        format!("/contacts?{}", parts.join("&"))
    }
}

fn tier_rank(c: &Contact) -> usize {
    match c.tier {
        Some(Tier::Critical) => 0,
        Some(Tier::Regular) => 1,
        Some(Tier::Casual) => 2,
        None => 3,
    }
}

fn row(l: ContactLine, today: Date) -> ContactRow {
    let c = l.contact;
    ContactRow {
        id: c.id.0,
        name: c.name,
        organization: c.organization.map(|o| o.name).unwrap_or_default(),
        title: c.title.unwrap_or_default(),
        tier: c.tier.map(|t| t.to_string()).unwrap_or_default(),
        last: l
            .last_touch
            .map(|(d, k)| format!("{}, {k}", day(d, today)))
            .unwrap_or_default(),
        next: l.next.map(|a| ItemView::new(&a, today)),
    }
}

pub async fn contacts(
    State(s): State<WebState>,
    Query(search): Query<Search>,
    Query(nq): Query<NoticeQuery>,
) -> Result<Html<String>, WebError> {
    let notice = s.with(|app, cx| Ok(Notice::from_query(&nq).map(|n| n.sentence(app, cx))))?;
    let undo = nq.undo("/contacts");
    let q = search.q.unwrap_or_default();
    let needle = q.trim().to_lowercase();
    let tier = search
        .tier
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| ANY.to_string());
    let want_tier: Option<Option<Tier>> = match tier.as_str() {
        ANY => None,
        NONE => Some(None),
        t => Some(Some(t.parse::<Tier>().map_err(|_| {
            WebError::bad(format!(
                "tier: expected any, critical, regular, casual or none, found {t:?}"
            ))
        })?)),
    };
    let sort = match search.sort.as_deref().map(str::trim) {
        None | Some("") => "name",
        Some(s) => SORTS
            .iter()
            .map(|(k, _)| *k)
            .find(|k| *k == s)
            .ok_or_else(|| {
                WebError::bad(format!(
                    "sort: expected name, tier, last or next, found {s:?}"
                ))
            })?,
    };
    let page = search.page.unwrap_or(1).max(1);
    let (rows, matching, today) = s.with(|app, cx| {
        let mut found: Vec<Contact> = app
            .contacts(cx)?
            .into_iter()
            .filter(|c| {
                needle.is_empty()
                    || c.name.to_lowercase().contains(&needle)
                    || c.organization
                        .as_ref()
                        .is_some_and(|o| o.name.to_lowercase().contains(&needle))
                    // Typing a tier into the search still finds its contacts.
                    || c.tier.is_some_and(|t| t.as_str() == needle)
            })
            .filter(|c| want_tier.is_none_or(|t| c.tier == t))
            .collect();
        let matching = found.len();
        let start = (page - 1) * PER_PAGE;
        let by_name = |a: &Contact, b: &Contact| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then(a.id.cmp(&b.id))
        };
        let lines = match sort {
            // Orders the records give: sort, then read the extras for one page only.
            "name" | "tier" => {
                if sort == "tier" {
                    found.sort_by(|a, b| tier_rank(a).cmp(&tier_rank(b)).then(by_name(a, b)));
                } else {
                    found.sort_by(by_name);
                }
                let page: Vec<Contact> = found.into_iter().skip(start).take(PER_PAGE).collect();
                app.contact_lines(cx, page)?
            }
            // Orders by the extras: read them for every match.
            _ => {
                let mut all = app.contact_lines(cx, found)?;
                if sort == "last" {
                    // Longest since the last touch first: who is waiting longest to hear
                    // from you; never touched before everything.
                    all.sort_by(|a, b| {
                        a.last_touch
                            .map(|t| t.0)
                            .cmp(&b.last_touch.map(|t| t.0))
                            .then(by_name(&a.contact, &b.contact))
                    });
                } else {
                    // The soonest follow-up first; nothing planned last.
                    all.sort_by(|a, b| {
                        let due = |l: &ContactLine| l.next.as_ref().map(|n| n.due);
                        match (due(a), due(b)) {
                            (Some(x), Some(y)) => x.cmp(&y),
                            (Some(_), None) => std::cmp::Ordering::Less,
                            (None, Some(_)) => std::cmp::Ordering::Greater,
                            (None, None) => std::cmp::Ordering::Equal,
                        }
                        .then(by_name(&a.contact, &b.contact))
                    });
                }
                all.into_iter().skip(start).take(PER_PAGE).collect()
            }
        };
        Ok((lines, matching, cx.today))
    })?;
    let contacts: Vec<ContactRow> = rows.into_iter().map(|l| row(l, today)).collect();
    let more = page * PER_PAGE < matching;
    render(&ContactsPage {
        nav: "contacts",
        notice,
        undo,
        sorts: SORTS
            .iter()
            .map(|(key, label)| SortLink {
                key,
                label,
                href: href(&q, &tier, key, 1),
                current: *key == sort,
            })
            .collect(),
        prev: (page > 1).then(|| href(&q, &tier, sort, page - 1)),
        next: more.then(|| href(&q, &tier, sort, page + 1)),
        q,
        tier,

        tiers: vec![ANY, "critical", "regular", "casual", NONE],
        contacts,
        matching,
        page,
    })
}
