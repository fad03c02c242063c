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
pub struct FieldError {
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
    pub(crate) name: String,
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
    /// A contact already here to give these details to instead of adding one (a merge).
    merge_into: Option<i64>,
}

impl NewContactForm {
    /// The form filled with a contact as it is, for editing.
    pub(crate) fn of(c: &followup_core::Contact) -> NewContactForm {
        let text = |s: &Option<String>| Some(s.clone().unwrap_or_default());
        NewContactForm {
            name: c.name.clone(),
            email: Some(c.emails.join(", ")),
            phone: Some(c.phones.join(", ")),
            company: Some(
                c.organization
                    .as_ref()
                    .map(|o| o.name.clone())
                    .unwrap_or_default(),
            ),
            title: text(&c.title),
            tier: Some(c.tier.map(|t| t.to_string()).unwrap_or_default()),
            prefers: Some(c.prefers.map(|p| p.to_string()).unwrap_or_default()),
            linkedin: text(&c.linkedin),
            birthday: Some(c.birthday.map(|d| d.to_string()).unwrap_or_default()),
            notes: text(&c.notes),
            confirm: None,
            merge_into: None,
        }
    }

    /// The change the edit form asks for: every field as shown ("" clears it).
    pub(crate) fn edit(&self, cx: &Ctx) -> Result<followup_app::EditContact, AppError> {
        use followup_app::input::{clearable_day, clearable_word};
        let text = |v: &Option<String>| Some(v.clone().unwrap_or_default());
        Ok(followup_app::EditContact {
            name: Some(self.name.clone()),
            emails: Some(list(&self.email)),
            phones: Some(list(&self.phone)),
            company: text(&self.company),
            title: text(&self.title),
            tier: clearable_word(Field::Tier, Some(self.tier.as_deref().unwrap_or("")))?,
            prefers: clearable_word(Field::Prefers, Some(self.prefers.as_deref().unwrap_or("")))?,
            linkedin: text(&self.linkedin),
            birthday: clearable_day(
                cx,
                Field::Birthday,
                Some(self.birthday.as_deref().unwrap_or("")),
            )?,
            notes: text(&self.notes),
            ..followup_app::EditContact::default()
        })
    }
}

/// A field of several values typed as one: "a@x.example, b@y.example".
fn list(v: &Option<String>) -> Vec<String> {
    v.as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Where the contact form posts and what it says: adding one, or editing one.
pub(crate) struct ContactFormMode {
    pub action: String,
    pub heading: String,
    /// The contact being edited.
    pub editing: Option<i64>,
}

impl ContactFormMode {
    fn adding() -> ContactFormMode {
        ContactFormMode {
            action: "/contacts".into(),
            heading: "Add a contact".into(),
            editing: None,
        }
    }
}

#[derive(Template)]
#[template(path = "contact_new.html")]
struct ContactNewPage {
    nav: &'static str,
    mode: ContactFormMode,
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

pub(crate) fn contact_page(
    s: &WebState,
    mode: ContactFormMode,
    f: NewContactForm,
    errors: Vec<FieldError>,
    message: Option<String>,
    similar: Vec<(i64, String, String)>,
) -> Result<Html<String>, WebError> {
    let organizations = s.with(|app, cx| app.organizations(cx))?;
    render(&ContactNewPage {
        nav: "contacts",
        mode,
        f,
        errors,
        message,
        similar,
        organizations,
    })
}

pub async fn contact_form(State(s): State<WebState>) -> Result<Html<String>, WebError> {
    contact_page(
        &s,
        ContactFormMode::adding(),
        NewContactForm::default(),
        Vec::new(),
        None,
        Vec::new(),
    )
}

fn new_contact(cx: &Ctx, f: &NewContactForm) -> Result<NewContact, AppError> {
    Ok(NewContact {
        name: f.name.clone(),
        emails: list(&f.email),
        phones: list(&f.phone),
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
    /// The details went to a contact already here.
    Merged(i64),
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
        if let Some(into) = typed.merge_into {
            return Ok(Added::Merged(
                app.add_to_contact(cx, n, &into.to_string())?.id.0,
            ));
        }
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
        Ok(Added::Merged(id)) => {
            Ok(Redirect::to(&format!("/contacts/{id}?notice=saved")).into_response())
        }
        Ok(Added::Similar(similar)) => {
            Ok(
                contact_page(&s, ContactFormMode::adding(), f, Vec::new(), None, similar)?
                    .into_response(),
            )
        }
        Err(e) => {
            let (errors, message) = refusal_of(e)?;
            let page = contact_page(
                &s,
                ContactFormMode::adding(),
                f,
                errors,
                message,
                Vec::new(),
            )?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// A `WebError` made from a use case's refusal carries the field; this recovers it.
pub(crate) fn refusal_of(e: WebError) -> Result<(Vec<FieldError>, Option<String>), WebError> {
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

impl NewJobForm {
    /// True once the person saw the close organizations and keeps the one typed, or chose one.
    pub(crate) fn confirm_given(&self) -> bool {
        self.confirm.as_deref() == Some("yes") || some(self.use_organization.clone()).is_some()
    }

    /// The form filled with a job as it is, for editing.
    pub(crate) fn of(j: &followup_core::Job) -> NewJobForm {
        NewJobForm {
            organization: j.organization.name.clone(),
            role: j.title.clone(),
            contact: None,
            applied: None,
            response_time: Some(j.response_time.map(|w| w.to_string()).unwrap_or_default()),
            url: Some(j.url.clone().unwrap_or_default()),
            stage: Some(j.stage.to_string()),
            notes: Some(j.notes.clone().unwrap_or_default()),
            confirm: None,
            use_organization: None,
        }
    }

    /// The change the edit form asks for: every field as shown ("" clears).
    pub(crate) fn edit(&self) -> Result<followup_app::EditJob, AppError> {
        let response_time = followup_app::input::clearable_wait(
            Field::ResponseTime,
            self.response_time.as_deref(),
        )?;
        Ok(followup_app::EditJob {
            organization: Some(
                some(self.use_organization.clone()).unwrap_or_else(|| self.organization.clone()),
            ),
            title: Some(self.role.clone()),
            add_contacts: some(self.contact.clone()).into_iter().collect(),
            response_time,
            url: Some(self.url.clone().unwrap_or_default()),
            stage: opt_word(Field::Stage, some(self.stage.clone()).as_deref())?,
            notes: Some(self.notes.clone().unwrap_or_default()),
        })
    }
}

#[derive(Template)]
#[template(path = "job_new.html")]
struct JobNewPage {
    nav: &'static str,
    /// Where the form posts, its heading, and the job being edited.
    action: String,
    heading: String,
    editing: Option<i64>,
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
    job_page_for(s, None, f, errors, message, close)
}

/// The job form, adding one (`editing` None) or editing one.
pub(crate) fn job_page_for(
    s: &WebState,
    editing: Option<i64>,
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
    let (action, heading) = match editing {
        Some(id) => (
            format!("/jobs/{id}/edit"),
            format!("Edit {}: {}", f.organization, f.role),
        ),
        None => ("/jobs".to_string(), "Add a job".to_string()),
    };
    render(&JobNewPage {
        nav: "pipeline",
        action,
        heading,
        editing,
        f,
        errors,
        message,
        close,
        organizations,
        contacts,
        // An edit may close a job or reopen one; a new one starts open.
        stages: Stage::ALL
            .iter()
            .filter(|s| editing.is_some() || s.is_open())
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
