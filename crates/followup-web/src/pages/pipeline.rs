//! Pipeline: open jobs by stage as cards (the point of contact, the next follow-up and its
//! day, how long the job has been in its stage), "Move to" any stage, closed jobs folded
//! away. With JavaScript a card can be dragged to another column, which posts the same Move
//! form; with htmx the board is swapped in place with a sentence saying what moved.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use followup_app::input::word;
use followup_app::{App, Ctx, Field, JobCard, SinceBy, StageSince};
use followup_core::model::{Job, Stage};
use jiff::civil::Date;
use serde::Deserialize;

use super::{ItemView, day, is_htmx, render};
use crate::notice::{self, Notice, NoticeQuery};
use crate::{WebError, WebState};

/// An open job's card.
struct CardView {
    id: i64,
    organization: String,
    title: String,
    stage: String,
    contact: Option<(i64, String)>,
    next: Option<ItemView>,
    /// "12 days", "today": how long in this stage, when the records tell.
    in_stage: Option<String>,
    /// What dates the stage: "since the interview on Wed 3 Jun".
    since: Option<String>,
}

/// A closed job's line.
struct ClosedRow {
    id: i64,
    organization: String,
    title: String,
    stage: String,
}

struct Column {
    stage: String,
    jobs: Vec<CardView>,
}

#[derive(Template)]
#[template(path = "pipeline.html")]
struct PipelinePage {
    nav: &'static str,
    columns: Vec<Column>,
    closed: Vec<ClosedRow>,
    stages: Vec<String>,
    open: usize,
    minimum: usize,
    notice: Option<String>,
    /// The Undo of the move the notice reports.
    undo: Option<(String, String)>,
    /// A move that was refused, said where the notice goes.
    problem: Option<String>,
}

/// How long a job has been in its stage: "1 day", "12 days".
pub(super) fn in_stage_days(s: StageSince, today: Date) -> String {
    match (today - s.on).get_days() {
        1 => "1 day".to_string(),
        n => format!("{n} days"),
    }
}

/// What dates the stage, in words.
pub(super) fn since_words(s: StageSince, today: Date) -> String {
    let on = day(s.on, today);
    match s.by {
        SinceBy::Touch(kind) => format!("since the {kind} on {on}"),
        SinceBy::AppliedDay => format!("since you applied on {on}"),
        SinceBy::Added => format!("since it was added on {on}"),
    }
}

fn card(c: JobCard, today: Date) -> CardView {
    let in_stage = c.since.map(|s| in_stage_days(s, today));
    CardView {
        id: c.job.id.0,
        organization: c.job.organization.name.clone(),
        title: c.job.title.clone(),
        stage: c.job.stage.to_string(),
        contact: c.contact.map(|r| (r.id.0, r.name)),
        next: c.next.map(|a| ItemView::new(&a, today)),
        in_stage,
        since: c.since.map(|s| since_words(s, today)),
    }
}

fn closed_row(j: &Job) -> ClosedRow {
    ClosedRow {
        id: j.id.0,
        organization: j.organization.name.clone(),
        title: j.title.clone(),
        stage: j.stage.to_string(),
    }
}

fn pipeline_page(
    app: &App,
    cx: &Ctx,
    notice: Option<String>,
    problem: Option<String>,
    undo: Option<(String, String)>,
) -> Result<Html<String>, WebError> {
    let today = cx.today;
    let cards = app.job_cards(cx)?;
    let closed: Vec<ClosedRow> = app
        .jobs(cx)?
        .iter()
        .filter(|j| !j.stage.is_open())
        .map(closed_row)
        .collect();
    let open = cards.len();
    let mut columns: Vec<Column> = Stage::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|st| Column {
            stage: st.to_string(),
            jobs: Vec::new(),
        })
        .collect();
    for c in cards {
        let stage = c.job.stage.to_string();
        if let Some(col) = columns.iter_mut().find(|col| col.stage == stage) {
            col.jobs.push(card(c, today));
        }
    }
    render(&PipelinePage {
        nav: "pipeline",
        columns,
        closed,
        stages: Stage::ALL.iter().map(|s| s.to_string()).collect(),
        open,
        minimum: cx.policy.pipeline_minimum as usize,
        notice,
        undo,
        problem,
    })
}

pub async fn pipeline(
    State(s): State<WebState>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let html: axum::body::Bytes = match (Notice::from_query(&q), q.undo("/pipeline")) {
        // The board as the data stands: built once per change and day, shared by every
        // request until the next (it reads every open job's next step: the costliest page
        // a reader asks for).
        (None, None) => s.cached(crate::View::PipelinePage, |app, cx| {
            Ok(pipeline_page(app, cx, None, None, None)?.0)
        })?,
        // After a person's own change: its sentence and undo, never cached.
        (notice, undo) => s
            .with_web(|app, cx| {
                let notice = notice.map(|n| n.sentence(app, cx));
                pipeline_page(app, cx, notice, None, undo)
            })?
            .0
            .into(),
    };
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
}

#[derive(Deserialize)]
pub struct StageForm {
    stage: String,
}

/// Moves a job (a closed stage closes it). A plain form redirects to the pipeline with a
/// notice; htmx gets the board with the sentence, or with the refusal where it would be.
pub async fn move_job(
    State(s): State<WebState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(f): Form<StageForm>,
) -> Result<Response, WebError> {
    let moved = s.with(|app, cx| {
        let stage: Stage = word(Field::Stage, &f.stage)?;
        let from = app.job_view(cx, &id.to_string())?.job.stage;
        let job = if stage.is_open() {
            app.set_stage(cx, &id.to_string(), stage)
        } else {
            app.close_job(cx, &id.to_string(), stage)
        }?;
        Ok((job, followup_app::Undo::Stage(job_id(id), from)))
    });
    if !is_htmx(&headers) {
        let (_, undo) = moved?;
        return Ok(Redirect::to(&format!(
            "/pipeline?{}",
            notice::with_undo(&Notice::Moved { job: id }, &undo)
        ))
        .into_response());
    }
    match moved {
        Ok((job, undo)) => Ok(s
            .with_web(|app, cx| {
                let undo = Some((undo.to_string(), "/pipeline".to_string()));
                pipeline_page(app, cx, Some(notice::moved(&job)), None, undo)
            })?
            .into_response()),
        Err(e) if e.status == axum::http::StatusCode::UNPROCESSABLE_ENTITY => {
            let status = e.status;
            let page = s.with_web(|app, cx| pipeline_page(app, cx, None, Some(e.message), None))?;
            Ok((status, page).into_response())
        }
        Err(e) => Err(e),
    }
}

fn job_id(id: i64) -> followup_core::JobId {
    followup_core::JobId(id)
}
