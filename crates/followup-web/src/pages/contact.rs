//! A contact: details, tier and channel editable, jobs, timeline, promises, next items.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use followup_app::input::{clearable_word, opt_word};
use followup_app::{AppError, ContactView, EditContact, Field};
use followup_core::model::{Channel, Tier, Touch};
use jiff::civil::Date;
use serde::Deserialize;

use super::timeline::{PromiseLine, TouchRow, promise_lines, touch_rows};
use super::{ItemView, day, render};
use crate::notice::{Notice, NoticeQuery};
use crate::{WebError, WebState};

#[derive(Template)]
#[template(path = "contact.html")]
struct ContactPage {
    nav: &'static str,
    id: i64,
    /// This page's path, where the timeline's Correct form returns.
    here: String,
    undo: Option<(String, String)>,
    name: String,
    /// Their title and organization, under the name.
    subtitle: String,
    fields: Vec<(String, String)>,
    tier: String,
    prefers: String,
    tiers: Vec<String>,
    channels: Vec<String>,
    jobs: Vec<(i64, String)>,
    timeline: Vec<TouchRow>,
    promises: Vec<PromiseLine>,
    next: Vec<ItemView>,
    notice: Option<String>,
    /// "Mail to x@y bounced on Fri 4 Dec": addresses to check.
    bounced: Vec<String>,
}

fn contact_page(v: ContactView, today: Date, notice: Option<String>) -> ContactPage {
    let c = &v.contact;
    let mut fields = vec![
        ("Emails".to_string(), c.emails.join(", ")),
        ("Phones".to_string(), c.phones.join(", ")),
        (
            "Organization".to_string(),
            c.organization
                .as_ref()
                .map(|o| o.name.clone())
                .unwrap_or_default(),
        ),
        ("Title".to_string(), c.title.clone().unwrap_or_default()),
        (
            "LinkedIn".to_string(),
            c.linkedin.clone().unwrap_or_default(),
        ),
        (
            "Birthday".to_string(),
            c.birthday.map(|d| d.to_string()).unwrap_or_default(),
        ),
        ("Notes".to_string(), c.notes.clone().unwrap_or_default()),
    ];
    fields.retain(|(_, v)| !v.is_empty());
    let jobs = &v.jobs;
    let about = |t: &Touch| {
        t.job
            .and_then(|id| jobs.iter().find(|j| j.id == id))
            .map(|j| format!("{}: {}", j.organization.name, j.title))
            .unwrap_or_default()
    };
    ContactPage {
        nav: "contacts",
        id: c.id.0,
        name: c.name.clone(),
        subtitle: match (&c.title, &c.organization) {
            (Some(t), Some(o)) => format!("{t} at {}", o.name),
            (Some(t), None) => t.clone(),
            (None, Some(o)) => o.name.clone(),
            (None, None) => String::new(),
        },
        fields,
        tier: c
            .tier
            .map(|t| t.to_string())
            .unwrap_or_else(|| "none".into()),
        prefers: c
            .prefers
            .map(|t| t.to_string())
            .unwrap_or_else(|| "email".into()),
        tiers: Tier::ALL
            .iter()
            .map(|t| t.to_string())
            .chain(["none".to_string()])
            .collect(),
        channels: Channel::ALL.iter().map(|t| t.to_string()).collect(),
        jobs: v
            .jobs
            .iter()
            .map(|j| {
                (
                    j.id.0,
                    format!("{}: {} ({})", j.organization.name, j.title, j.stage),
                )
            })
            .collect(),
        timeline: touch_rows(&v.timeline, &v.actors, about, today),
        promises: promise_lines(&v.promises, today),
        next: v.next.iter().map(|a| ItemView::new(a, today)).collect(),
        notice,
        bounced: v
            .bounced
            .iter()
            .map(|b| format!("Mail to {} bounced on {}", b.address, day(b.day, today)))
            .collect(),
        here: String::new(),
        undo: None,
    }
}

pub async fn contact(
    State(s): State<WebState>,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> Result<Html<String>, WebError> {
    let (v, today, notice) = s.with(|app, cx| {
        let v = app.contact_view(cx, &id.to_string())?;
        let notice = Notice::from_query(&q).map(|n| n.sentence(app, cx));
        Ok((v, cx.today, notice))
    })?;
    let here = format!("/contacts/{id}");
    let mut page = contact_page(v, today, notice);
    page.undo = q.undo(&here);
    page.here = here;
    render(&page)
}

#[derive(Deserialize)]
pub struct ContactForm {
    tier: Option<String>,
    prefers: Option<String>,
}

pub async fn edit_contact(
    State(s): State<WebState>,
    Path(id): Path<i64>,
    Form(f): Form<ContactForm>,
) -> Result<Response, WebError> {
    let n = s.with(|app, cx| {
        let edit = EditContact {
            tier: clearable_word(Field::Tier, f.tier.as_deref())?,
            prefers: match f.prefers.as_deref().map(str::trim) {
                Some("") => Some(None),
                other => opt_word(Field::Prefers, other)?.map(Some),
            },
            ..EditContact::default()
        };
        match app.edit_contact(cx, &id.to_string(), edit) {
            Ok(_) => Ok(Notice::Saved),
            // Saving what is already there is not an error for a form.
            Err(AppError::NothingToChange { .. }) => Ok(Notice::Unchanged),
            Err(e) => Err(e),
        }
    })?;
    Ok(Redirect::to(&format!("/contacts/{id}?{}", n.query())).into_response())
}
