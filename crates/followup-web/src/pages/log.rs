//! Log a touch: the form, and on submit the next date and any warning.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::Html;
use followup_app::input::{opt_day, opt_word, past_day, word};
use followup_app::{AppError, Ctx, Field, Logged, NewTouch};
use followup_core::model::TouchKind;
use jiff::civil::Date;
use serde::Deserialize;

use super::{day, render, some};
use crate::notice;
use crate::{WebError, WebState};

fn logged_line(l: &Logged, today: Date) -> Vec<String> {
    l.next.iter().map(|a| notice::item_line(a, today)).collect()
}

struct LogResult {
    kind: String,
    date: String,
    next: Vec<String>,
    warnings: Vec<String>,
}

#[derive(Template)]
#[template(path = "log.html")]
struct LogPage {
    nav: &'static str,
    kinds: Vec<String>,
    contact_names: Vec<String>,
    jobs: Vec<(i64, String)>,
    result: Option<LogResult>,
}

fn log_page(s: &WebState, result: Option<LogResult>) -> Result<Html<String>, WebError> {
    let (contacts, jobs) = s.with(|app, cx| Ok((app.contacts(cx)?, app.jobs(cx)?)))?;
    render(&LogPage {
        nav: "log",
        kinds: TouchKind::ALL.iter().map(|k| k.to_string()).collect(),
        contact_names: contacts.into_iter().map(|c| c.name).collect(),
        jobs: jobs
            .iter()
            .filter(|j| j.stage.is_open())
            .map(|j| (j.id.0, format!("{}: {}", j.organization.name, j.title)))
            .collect(),
        result,
    })
}

pub async fn log_form(State(s): State<WebState>) -> Result<Html<String>, WebError> {
    log_page(&s, None)
}

#[derive(Deserialize)]
pub struct LogForm {
    kind: String,
    with: String,
    job: Option<String>,
    on: Option<String>,
    note: Option<String>,
    they_decide_by: Option<String>,
    i_will_follow_up: Option<String>,
    answer_by: Option<String>,
    next_step: Option<String>,
    all_hear_back: Option<String>,
    may_follow_up: Option<String>,
    they_prefer: Option<String>,
    direct_contact: Option<String>,
    on_linkedin: Option<String>,
    poor_fit: Option<String>,
}

fn yes_no(s: Option<String>) -> Option<bool> {
    match some(s)?.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

pub(crate) fn new_touch(cx: &Ctx, f: LogForm) -> Result<NewTouch, AppError> {
    let interview = f.kind == "interview";
    let offer = f.kind == "offer";
    let date = |field: Field, v: Option<String>| opt_day(cx, field, some(v).as_deref());
    Ok(NewTouch {
        kind: word(Field::Kind, &f.kind)?,
        with: f
            .with
            .split(',')
            .map(|w| w.trim().to_string())
            .filter(|w| !w.is_empty())
            .collect(),
        job: some(f.job),
        on: some(f.on)
            .map(|d| past_day(cx, Field::On, &d))
            .transpose()?,
        note: some(f.note),
        they_decide_by: date(Field::TheyDecideBy, f.they_decide_by)?,
        i_will_follow_up: date(Field::IWillFollowUp, f.i_will_follow_up)?,
        // A field that does not go with this kind is ignored, not read: it is on the form
        // whatever the kind.
        answer_by: date(Field::AnswerBy, f.answer_by.filter(|_| offer))?,
        // The interview questions only go with an interview; elsewhere they are blank.
        next_step: some(f.next_step).filter(|_| interview),
        all_hear_back: yes_no(f.all_hear_back).filter(|_| interview),
        may_follow_up: yes_no(f.may_follow_up).filter(|_| interview),
        preferred_channel: opt_word(
            Field::TheyPrefer,
            some(f.they_prefer.filter(|_| interview)).as_deref(),
        )?,
        direct_contact: some(f.direct_contact).filter(|_| interview),
        on_linkedin: yes_no(f.on_linkedin).filter(|_| interview),
        poor_fit: interview && f.poor_fit.as_deref() == Some("yes"),
        ..NewTouch::default()
    })
}

pub async fn log_touch(
    State(s): State<WebState>,
    Form(f): Form<LogForm>,
) -> Result<Html<String>, WebError> {
    let (logged, today) = s.with(|app, cx| Ok((app.log(cx, new_touch(cx, f)?)?, cx.today)))?;
    let result = LogResult {
        kind: logged.touch.kind.to_string(),
        date: day(logged.touch.date, today),
        next: logged_line(&logged, today),
        warnings: logged.warnings.iter().map(|w| w.message.clone()).collect(),
    };
    log_page(&s, Some(result))
}
