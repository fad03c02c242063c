//! The pages that take things back: edit a contact or a job in full, delete either (after a
//! confirmation page), merge two contacts, correct or retract a touch, undo, and the trash.
//! Every change redirects to a page whose notice carries an Undo button where one applies;
//! each works without JavaScript. A refused form comes back as typed, the message beside the
//! field.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use followup_app::input::{opt_word, past_day};
use followup_app::{AppError, Field, Removal, Undo};
use followup_core::model::{ContactId, JobId, TouchId, TouchKind};
use serde::Deserialize;

use crate::forms::{
    ContactFormMode, FieldError, NewContactForm, NewJobForm, contact_page, job_page_for, refusal_of,
};
use crate::notice::{Banner, Notice, NoticeQuery, with_undo};
use crate::pages::{day, render, some};
use crate::{WebError, WebState};

/// A path to return to after a form: only one of this site's own pages.
fn local(back: Option<&str>, default: &str) -> String {
    match back {
        Some(b) if b.starts_with('/') && !b.starts_with("//") && !b.contains('\\') => b.into(),
        _ => default.into(),
    }
}

/// `path?query`, or `path&query` when it has one already.
fn with_query(path: &str, q: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}{q}")
}

// ---- contacts -------------------------------------------------------------------------------

pub async fn edit_contact_form(
    State(s): State<WebState>,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let c = s.with(|app, cx| Ok(app.contact_view(cx, &id.to_string())?.contact))?;
    contact_page(
        &s,
        editing_contact(id, &c.name),
        NewContactForm::of(&c),
        Vec::new(),
        None,
        Vec::new(),
    )
}

fn editing_contact(id: i64, name: &str) -> ContactFormMode {
    ContactFormMode {
        action: format!("/contacts/{id}/edit"),
        heading: format!("Edit {name}"),
        editing: Some(id),
    }
}

pub async fn save_contact(
    State(s): State<WebState>,
    Path(id): Path<i64>,
    Form(f): Form<NewContactForm>,
) -> Result<Response, WebError> {
    let typed = f.clone();
    let result = s.with(|app, cx| {
        let e = typed.edit(cx)?;
        match app.edit_contact(cx, &id.to_string(), e) {
            Ok(_) => Ok(Notice::Saved),
            Err(AppError::NothingToChange { .. }) => Ok(Notice::Unchanged),
            Err(e) => Err(e),
        }
    });
    match result {
        Ok(n) => Ok(Redirect::to(&format!("/contacts/{id}?{}", n.query())).into_response()),
        Err(e) => {
            let (errors, message) = refusal_of(e)?;
            let name = f.name.clone();
            let page = contact_page(
                &s,
                editing_contact(id, &name),
                f,
                errors,
                message,
                Vec::new(),
            )?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "confirm_delete.html")]
struct ConfirmDelete {
    nav: &'static str,
    title: String,
    /// What goes with it, in a sentence.
    consequence: String,
    action: String,
    cancel: String,
}

pub async fn delete_contact_confirm(
    State(s): State<WebState>,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let v = s.with(|app, cx| app.contact_view(cx, &id.to_string()))?;
    let alone = v
        .timeline
        .iter()
        .filter(|t| t.job.is_none() && t.contacts.iter().all(|c| c.0 == id))
        .count();
    let consequence = format!(
        "{} leaves your contacts, the agenda and the calendar{}. Touches shared with others or logged for a job stay. Undo, or Restore on the Recently deleted page, brings everything back.",
        v.contact.name,
        match alone {
            0 => String::new(),
            1 => ", with the 1 touch logged with nobody else".into(),
            n => format!(", with the {n} touches logged with nobody else"),
        }
    );
    render(&ConfirmDelete {
        nav: "contacts",
        title: format!("Delete {}?", v.contact.name),
        consequence,
        action: format!("/contacts/{id}/delete"),
        cancel: format!("/contacts/{id}"),
    })
}

pub async fn delete_contact(
    State(s): State<WebState>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let c = s.with(|app, cx| app.delete_contact(cx, &id.to_string()))?;
    let q = with_undo(&Notice::Deleted, &Undo::RestoreContact(c.id));
    Ok(Redirect::to(&format!("/contacts?{q}")).into_response())
}

#[derive(Deserialize)]
pub struct MergeForm {
    into: String,
}

pub async fn merge_contact(
    State(s): State<WebState>,
    Path(id): Path<i64>,
    Form(f): Form<MergeForm>,
) -> Result<Response, WebError> {
    let m = s.with(|app, cx| {
        if f.into.trim().is_empty() {
            return Err(followup_app::error::invalid(
                Field::Contacts,
                "name the contact to keep",
            ));
        }
        app.merge_contacts(cx, &id.to_string(), &f.into)
    })?;
    Ok(Redirect::to(&format!(
        "/contacts/{}?{}",
        m.contact.id,
        Notice::Merged.query()
    ))
    .into_response())
}

// ---- jobs -----------------------------------------------------------------------------------

pub async fn edit_job_form(
    State(s): State<WebState>,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let j = s.with(|app, cx| Ok(app.job_view(cx, &id.to_string())?.job))?;
    job_page_for(
        &s,
        Some(id),
        NewJobForm::of(&j),
        Vec::new(),
        None,
        Vec::new(),
    )
}

pub async fn save_job(
    State(s): State<WebState>,
    Path(id): Path<i64>,
    Form(f): Form<NewJobForm>,
) -> Result<Response, WebError> {
    let typed = f.clone();
    let result = s.with(|app, cx| {
        let e = typed.edit()?;
        // A new organization whose name is close to one here is offered first, as on add.
        let current = app.job_view(cx, &id.to_string())?.job.organization.name;
        if let Some(org) = &e.organization
            && !org.trim().eq_ignore_ascii_case(&current)
            && !typed.confirm_given()
        {
            let close = app.close_organizations(cx, org)?;
            if !close.is_empty() {
                return Ok(Err(close));
            }
        }
        match app.edit_job(cx, &id.to_string(), e) {
            Ok(_) => Ok(Ok(Notice::Saved)),
            Err(AppError::NothingToChange { .. }) => Ok(Ok(Notice::Unchanged)),
            Err(e) => Err(e),
        }
    });
    match result {
        Ok(Ok(n)) => Ok(Redirect::to(&format!("/jobs/{id}?{}", n.query())).into_response()),
        Ok(Err(close)) => {
            Ok(job_page_for(&s, Some(id), f, Vec::new(), None, close)?.into_response())
        }
        Err(e) => {
            let (errors, message) = refusal_of(e)?;
            let page = job_page_for(&s, Some(id), f, errors, message, Vec::new())?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

pub async fn delete_job_confirm(
    State(s): State<WebState>,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let v = s.with(|app, cx| app.job_view(cx, &id.to_string()))?;
    let name = format!("{}: {}", v.job.organization.name, v.job.title);
    let touches = match v.timeline.len() {
        0 => String::new(),
        1 => " with the 1 touch logged for it".into(),
        n => format!(" with the {n} touches logged for it"),
    };
    render(&ConfirmDelete {
        nav: "pipeline",
        title: format!("Delete {name}?"),
        consequence: format!(
            "It leaves the pipeline, the agenda and the calendar{touches}. This is for a job added by mistake: one that ended is closed instead (Move it to rejected, withdrawn or no-response), which keeps its story. Undo, or Restore on the Recently deleted page, brings everything back."
        ),
        action: format!("/jobs/{id}/delete"),
        cancel: format!("/jobs/{id}"),
    })
}

pub async fn delete_job(
    State(s): State<WebState>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let j = s.with(|app, cx| app.delete_job(cx, &id.to_string()))?;
    let q = with_undo(&Notice::Deleted, &Undo::RestoreJob(j.id));
    Ok(Redirect::to(&format!("/pipeline?{q}")).into_response())
}

// ---- touches --------------------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
pub struct TouchForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    with: String,
    #[serde(default)]
    job: String,
    note: Option<String>,
    /// The page to return to.
    back: Option<String>,
}

#[derive(Template)]
#[template(path = "touch_edit.html")]
struct TouchEditPage {
    nav: &'static str,
    id: i64,
    f: TouchForm,
    back: String,
    kinds: Vec<&'static str>,
    jobs: Vec<(i64, String)>,
    contact_names: Vec<String>,
    errors: Vec<FieldError>,
    message: Option<String>,
    /// What and when it was, in words ("application of Tue 2 Jun").
    logged: String,
}

impl TouchEditPage {
    fn error(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.message.as_str())
    }
}

/// The form field a touch edit's refusal belongs beside.
fn touch_field(f: Field) -> &'static str {
    match f {
        Field::Kind => "kind",
        Field::On => "on",
        Field::With => "with",
        Field::Job => "job",
        Field::Note => "note",
        _ => "",
    }
}

#[derive(Deserialize)]
pub struct Back {
    back: Option<String>,
}

pub async fn edit_touch_form(
    State(s): State<WebState>,
    Path(id): Path<i64>,
    Query(b): Query<Back>,
) -> Result<Html<String>, WebError> {
    let (t, contacts) =
        s.with(|app, cx| Ok((app.touch_by_id(cx, TouchId(id))?, app.contacts(cx)?)))?;
    // Each person by name, or by id where two share the name (a name must find one).
    let with = t
        .contacts
        .iter()
        .map(|c| {
            let named: Vec<_> = contacts.iter().filter(|x| x.id == *c).collect();
            match named.first() {
                Some(x)
                    if contacts
                        .iter()
                        .filter(|y| y.name.eq_ignore_ascii_case(&x.name))
                        .count()
                        == 1 =>
                {
                    x.name.clone()
                }
                _ => format!("#{c}"),
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let f = TouchForm {
        kind: t.kind.to_string(),
        on: t.date.to_string(),
        with,
        job: t.job.map(|j| j.to_string()).unwrap_or_default(),
        note: t.note.clone(),
        back: b.back,
    };
    touch_page(&s, id, f, Vec::new(), None, StatusCode::OK)
}

fn touch_page(
    s: &WebState,
    id: i64,
    f: TouchForm,
    errors: Vec<FieldError>,
    message: Option<String>,
    status: StatusCode,
) -> Result<Html<String>, WebError> {
    let _ = status;
    let (jobs, contact_names, logged) = s.with(|app, cx| {
        let logged = app
            .touch_by_id(cx, TouchId(id))
            .map(|t| format!("{} of {}", t.kind, day(t.date, cx.today)))
            .unwrap_or_default();
        Ok((
            app.jobs(cx)?
                .into_iter()
                .map(|j| (j.id.0, format!("{}: {}", j.organization.name, j.title)))
                .collect(),
            app.contacts(cx)?.into_iter().map(|c| c.name).collect(),
            logged,
        ))
    })?;
    let back = local(f.back.as_deref(), "/");
    render(&TouchEditPage {
        nav: "",
        id,
        back,
        f,
        kinds: TouchKind::ALL.iter().map(|k| k.as_str()).collect(),
        jobs,
        contact_names,
        errors,
        message,
        logged,
    })
}

pub async fn save_touch(
    State(s): State<WebState>,
    Path(id): Path<i64>,
    Form(f): Form<TouchForm>,
) -> Result<Response, WebError> {
    let typed = f.clone();
    let back = local(f.back.as_deref(), "/");
    let result = s.with(|app, cx| {
        let e = followup_app::EditTouch {
            kind: opt_word(Field::Kind, some(Some(typed.kind.clone())).as_deref())?,
            on: some(Some(typed.on.clone()))
                .map(|d| past_day(cx, Field::On, &d))
                .transpose()?,
            with: Some(
                typed
                    .with
                    .split(',')
                    .map(str::trim)
                    .filter(|w| !w.is_empty())
                    .map(|w| w.trim_start_matches('#').to_string())
                    .collect(),
            ),
            job: Some(some(Some(typed.job.clone()))),
            note: Some(typed.note.clone().unwrap_or_default()),
            message: None,
        };
        match app.edit_touch(cx, TouchId(id), e) {
            Ok(_) => Ok(Notice::Corrected),
            Err(AppError::NothingToChange { .. }) => Ok(Notice::Unchanged),
            Err(e) => Err(e),
        }
    });
    match result {
        Ok(n) => Ok(Redirect::to(&with_query(&back, &n.query())).into_response()),
        Err(e) => {
            let (errors, message) = match (&e.field, e.status) {
                (Some((field, problem)), StatusCode::UNPROCESSABLE_ENTITY)
                    if !touch_field(*field).is_empty() =>
                {
                    (
                        vec![FieldError {
                            name: touch_field(*field),
                            message: format!("{}: {problem}", field.label()),
                        }],
                        None,
                    )
                }
                (_, StatusCode::UNPROCESSABLE_ENTITY | StatusCode::NOT_FOUND) => {
                    (Vec::new(), Some(e.message.clone()))
                }
                _ => return Err(e),
            };
            let page = touch_page(&s, id, f, errors, message, StatusCode::UNPROCESSABLE_ENTITY)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct RetractForm {
    back: Option<String>,
}

pub async fn retract_touch(
    State(s): State<WebState>,
    Path(id): Path<i64>,
    Form(f): Form<RetractForm>,
) -> Result<Response, WebError> {
    let t = s.with(|app, cx| app.retract_touch(cx, TouchId(id)))?;
    let back = local(f.back.as_deref(), "/");
    let q = with_undo(&Notice::Retracted, &Undo::RestoreTouch(t.id));
    Ok(Redirect::to(&with_query(&back, &q)).into_response())
}

// ---- undo and the trash ---------------------------------------------------------------------

#[derive(Deserialize)]
pub struct UndoForm {
    #[serde(default)]
    undo: String,
    back: Option<String>,
}

pub async fn undo(
    State(s): State<WebState>,
    Form(f): Form<UndoForm>,
) -> Result<Response, WebError> {
    let u: Undo = f.undo.parse().map_err(|e: followup_app::undo::BadUndo| {
        WebError::new(StatusCode::UNPROCESSABLE_ENTITY, format!("Undo: {e}"))
    })?;
    s.with(|app, cx| app.undo(cx, &u))?;
    // A restored record's own page is where its owner wants to be.
    let back = match u {
        Undo::RestoreContact(ContactId(c)) => format!("/contacts/{c}"),
        Undo::RestoreJob(JobId(j)) => format!("/jobs/{j}"),
        _ => local(f.back.as_deref(), "/"),
    };
    Ok(Redirect::to(&with_query(&back, &Notice::Undone.query())).into_response())
}

struct TrashRow {
    what: String,
    why: String,
    /// The undo token that restores it, when it can come back on its own.
    restore: Option<String>,
}

#[derive(Template)]
#[template(path = "trash.html")]
struct TrashPage {
    nav: &'static str,
    rows: Vec<TrashRow>,
    banner: Option<Banner>,
}

pub async fn trash(
    State(s): State<WebState>,
    Query(q): Query<NoticeQuery>,
) -> Result<Html<String>, WebError> {
    let (t, banner, today) =
        s.with(|app, cx| Ok((app.trash(cx)?, Banner::of(&q, app, cx, "/trash"), cx.today)))?;
    let mut rows = Vec::new();
    for (c, why) in t.contacts {
        let (why, restore) = match why {
            Removal::MergedInto(into) => (format!("merged into contact #{into}"), None),
            _ => (
                "deleted".to_string(),
                Some(Undo::RestoreContact(c.id).to_string()),
            ),
        };
        rows.push(TrashRow {
            what: format!("Contact: {}", c.name),
            why,
            restore,
        });
    }
    for (j, _) in t.jobs {
        rows.push(TrashRow {
            what: format!("Job: {}: {}", j.organization.name, j.title),
            why: "deleted".into(),
            restore: Some(Undo::RestoreJob(j.id).to_string()),
        });
    }
    for (x, why) in t.touches {
        let (why, restore) = match why {
            Removal::Retracted => (
                "retracted".to_string(),
                Some(Undo::RestoreTouch(x.id).to_string()),
            ),
            Removal::WithContact(c) => (format!("went with deleted contact #{c}"), None),
            Removal::WithJob(j) => (format!("went with deleted job #{j}"), None),
            other => (other.to_text(), None),
        };
        rows.push(TrashRow {
            what: format!("Touch #{}: {} of {}", x.id, x.kind, day(x.date, today)),
            why,
            restore,
        });
    }
    render(&TrashPage {
        nav: "",
        rows,
        banner,
    })
}
