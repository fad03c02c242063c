//! The forms that add a contact and a job. A refused form comes back with every field as
//! typed and the message beside the field, in the form's words; a contact that may already
//! be here, or an organization close to one already here, is offered before anything is
//! added.

use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use followup_app::input::{opt_day, opt_word, past_day};
use followup_app::{AppError, Ctx, Field, NewContact, NewJob};
use followup_core::{Stage, Tier};
use serde::Deserialize;

use crate::pages::{render, some};
use crate::{WebError, WebState};

/// A refused field: the form's name for it and the message shown beside it.
pub(crate) struct FieldError {
    pub name: &'static str,
    pub message: String,
}

/// The form field a use case's `Field` came from, on these forms.
fn form_name(f: Field) -> &'static str {
    match f {
        Field::Name => "name",
        Field::Email => "email",
        Field::Phone => "phone",
        Field::Company => "company",
        Field::Title => "title",
        Field::Tier => "tier",
        Field::Prefers => "prefers",
        Field::Linkedin => "linkedin",
        Field::Birthday => "birthday",
        Field::Notes => "notes",
        Field::Organization => "organization",
        Field::JobTitle => "role",
        Field::Contacts => "contact",
        Field::Applied => "applied",
        Field::ResponseTime => "response_time",
        Field::Url => "url",
        Field::Stage => "stage",
        _ => "",
    }
}

/// Splits a use case's refusal into a field's message (shown beside it) or the form's.
fn refusal(e: AppError) -> Result<(Vec<FieldError>, Option<String>), WebError> {
    match e {
        AppError::Invalid { field, problem } if !form_name(field).is_empty() => Ok((
            vec![FieldError {
                name: form_name(field),
                message: format!("{}: {problem}", field.label()),
            }],
            None,
        )),
        e if e.is_bad_input() => Ok((Vec::new(), Some(e.render(|f| f.label().to_string())))),
        e => Err(WebError::from(e)),
    }
}

// ---- a contact ------------------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
pub struct NewContactForm {
    #[serde(default)]
    name: String,
    email: Option<String>,
    phone: Option<String>,
    company: Option<String>,
    title: Option<String>,
    tier: Option<String>,
    prefers: Option<String>,
    linkedin: Option<String>,
    birthday: Option<String>,
    notes: Option<String>,
    /// "yes" once the person saw the possible duplicates and still adds.
    confirm: Option<String>,
}

#[derive(Template)]
#[template(path = "contact_new.html")]
struct ContactNewPage {
    nav: &'static str,
    f: NewContactForm,
    errors: Vec<FieldError>,
    message: Option<String>,
    /// Contacts this one may be: (id, name, organization).
    similar: Vec<(i64, String, String)>,
    organizations: Vec<String>,
}

impl ContactNewPage {
    fn error(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.message.as_str())
    }

    fn value<'a>(&self, v: &'a Option<String>) -> &'a str {
        v.as_deref().unwrap_or("")
    }
}

fn contact_page(
    s: &WebState,
    f: NewContactForm,
    errors: Vec<FieldError>,
    message: Option<String>,
    similar: Vec<(i64, String, String)>,
) -> Result<Html<String>, WebError> {
    let organizations = s.with(|app, cx| app.organizations(cx))?;
    render(&ContactNewPage {
        nav: "contacts",
        f,
        errors,
        message,
        similar,
        organizations,
    })
}

pub async fn contact_form(State(s): State<WebState>) -> Result<Html<String>, WebError> {
    contact_page(&s, NewContactForm::default(), Vec::new(), None, Vec::new())
}

fn new_contact(cx: &Ctx, f: &NewContactForm) -> Result<NewContact, AppError> {
    Ok(NewContact {
        name: f.name.clone(),
        emails: some(f.email.clone()).into_iter().collect(),
        phones: some(f.phone.clone()).into_iter().collect(),
        company: some(f.company.clone()),
        title: some(f.title.clone()),
        tier: opt_word::<Tier>(Field::Tier, some(f.tier.clone()).as_deref())?,
        prefers: opt_word(Field::Prefers, some(f.prefers.clone()).as_deref())?,
        linkedin: some(f.linkedin.clone()),
        birthday: opt_day(cx, Field::Birthday, some(f.birthday.clone()).as_deref())?,
        notes: some(f.notes.clone()),
        ..NewContact::default()
    })
}

/// What adding a contact came to.
enum Added {
    Contact(i64),
    Similar(Vec<(i64, String, String)>),
}

pub async fn add_contact(
    State(s): State<WebState>,
    Form(f): Form<NewContactForm>,
) -> Result<Response, WebError> {
    let confirmed = f.confirm.as_deref() == Some("yes");
    let typed = f.clone();
    let result = s.with(|app, cx| {
        let n = new_contact(cx, &typed)?;
        if !confirmed {
            let similar = app.similar_contacts(cx, &n.name, &n.emails)?;
            if !similar.is_empty() {
                return Ok(Added::Similar(
                    similar
                        .into_iter()
                        .map(|c| {
                            let org = c.organization.map(|o| o.name).unwrap_or_default();
                            (c.id.0, c.name, org)
                        })
                        .collect(),
                ));
            }
        }
        Ok(Added::Contact(app.add_contact(cx, n)?.id.0))
    });
    match result {
        Ok(Added::Contact(id)) => {
            Ok(Redirect::to(&format!("/contacts/{id}?notice=added")).into_response())
        }
        Ok(Added::Similar(similar)) => {
            Ok(contact_page(&s, f, Vec::new(), None, similar)?.into_response())
        }
        Err(e) => {
            let (errors, message) = refusal_of(e)?;
            let page = contact_page(&s, f, errors, message, Vec::new())?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// A `WebError` made from a use case's refusal carries the field; this recovers it.
fn refusal_of(e: WebError) -> Result<(Vec<FieldError>, Option<String>), WebError> {
    match (&e.field, e.status) {
        (Some((field, problem)), StatusCode::UNPROCESSABLE_ENTITY)
            if !form_name(*field).is_empty() =>
        {
            refusal(AppError::Invalid {
                field: *field,
                problem: problem.clone(),
            })
        }
        (_, StatusCode::UNPROCESSABLE_ENTITY | StatusCode::NOT_FOUND) => {
            Ok((Vec::new(), Some(e.message)))
        }
        _ => Err(e),
    }
}

// ---- a job ----------------------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
pub struct NewJobForm {
    #[serde(default)]
    organization: String,
    #[serde(default)]
    role: String,
    contact: Option<String>,
    applied: Option<String>,
    response_time: Option<String>,
    url: Option<String>,
    stage: Option<String>,
    notes: Option<String>,
    /// "yes" once the person saw the close organizations and still adds a new one.
    confirm: Option<String>,
    /// An organization chosen from the suggestions instead of the one typed.
    use_organization: Option<String>,
}

#[derive(Template)]
#[template(path = "job_new.html")]
struct JobNewPage {
    nav: &'static str,
    f: NewJobForm,
    errors: Vec<FieldError>,
    message: Option<String>,
    /// Organizations already here that the typed one may be meant as.
    close: Vec<String>,
    organizations: Vec<String>,
    contacts: Vec<(i64, String)>,
    stages: Vec<&'static str>,
}

impl JobNewPage {
    fn error(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.message.as_str())
    }

    fn value<'a>(&self, v: &'a Option<String>) -> &'a str {
        v.as_deref().unwrap_or("")
    }
}

fn job_page(
    s: &WebState,
    f: NewJobForm,
    errors: Vec<FieldError>,
    message: Option<String>,
    close: Vec<String>,
) -> Result<Html<String>, WebError> {
    let (organizations, contacts) = s.with(|app, cx| {
        Ok((
            app.organizations(cx)?,
            app.contacts(cx)?
                .into_iter()
                .map(|c| (c.id.0, c.name))
                .collect(),
        ))
    })?;
    render(&JobNewPage {
        nav: "pipeline",
        f,
        errors,
        message,
        close,
        organizations,
        contacts,
        stages: Stage::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|s| s.as_str())
            .collect(),
    })
}

pub async fn job_form(State(s): State<WebState>) -> Result<Html<String>, WebError> {
    job_page(&s, NewJobForm::default(), Vec::new(), None, Vec::new())
}

fn new_job(cx: &Ctx, f: &NewJobForm) -> Result<NewJob, AppError> {
    Ok(NewJob {
        organization: some(f.use_organization.clone()).unwrap_or_else(|| f.organization.clone()),
        title: f.role.clone(),
        contacts: some(f.contact.clone()).into_iter().collect(),
        applied: some(f.applied.clone())
            .map(|d| past_day(cx, Field::Applied, &d))
            .transpose()?,
        response_time: some(f.response_time.clone())
            .map(|t| {
                t.parse::<followup_core::Wait>()
                    .map_err(|e| followup_app::error::invalid(Field::ResponseTime, e.to_string()))
            })
            .transpose()?,
        url: some(f.url.clone()),
        stage: opt_word(Field::Stage, some(f.stage.clone()).as_deref())?,
        notes: some(f.notes.clone()),
    })
}

enum JobAdded {
    Job(i64),
    Close(Vec<String>),
}

pub async fn add_job(
    State(s): State<WebState>,
    Form(f): Form<NewJobForm>,
) -> Result<Response, WebError> {
    let confirmed =
        f.confirm.as_deref() == Some("yes") || some(f.use_organization.clone()).is_some();
    let typed = f.clone();
    let result = s.with(|app, cx| {
        let n = new_job(cx, &typed)?;
        if !confirmed {
            let close = app.close_organizations(cx, &n.organization)?;
            if !close.is_empty() {
                return Ok(JobAdded::Close(close));
            }
        }
        Ok(JobAdded::Job(app.add_job(cx, n)?.id.0))
    });
    match result {
        Ok(JobAdded::Job(id)) => Ok(Redirect::to(&format!("/jobs/{id}")).into_response()),
        Ok(JobAdded::Close(close)) => Ok(job_page(&s, f, Vec::new(), None, close)?.into_response()),
        Err(e) => {
            let (errors, message) = refusal_of(e)?;
            let page = job_page(&s, f, errors, message, Vec::new())?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
