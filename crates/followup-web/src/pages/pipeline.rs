//! Pipeline: open jobs by stage, "Move to" any stage, closed jobs folded away.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use followup_app::Field;
use followup_app::input::word;
use followup_core::model::{Job, Stage};
use serde::Deserialize;

use super::render;
use crate::{WebError, WebState};

struct JobCard {
    id: i64,
    organization: String,
    title: String,
    stage: String,
}

struct Column {
    stage: String,
    jobs: Vec<JobCard>,
}

#[derive(Template)]
#[template(path = "pipeline.html")]
struct PipelinePage {
    nav: &'static str,
    columns: Vec<Column>,
    closed: Vec<JobCard>,
    stages: Vec<String>,
    open: usize,
    minimum: usize,
}

fn card(j: &Job) -> JobCard {
    JobCard {
        id: j.id.0,
        organization: j.organization.name.clone(),
        title: j.title.clone(),
        stage: j.stage.to_string(),
    }
}

pub async fn pipeline(State(s): State<WebState>) -> Result<Html<String>, WebError> {
    let (jobs, minimum) = s.with(|app, cx| Ok((app.jobs(cx)?, cx.policy.pipeline_minimum)))?;
    let open_stages: Vec<Stage> = Stage::ALL.iter().copied().filter(|s| s.is_open()).collect();
    let columns = open_stages
        .iter()
        .map(|st| Column {
            stage: st.to_string(),
            jobs: jobs.iter().filter(|j| j.stage == *st).map(card).collect(),
        })
        .collect();
    render(&PipelinePage {
        nav: "pipeline",
        columns,
        closed: jobs
            .iter()
            .filter(|j| !j.stage.is_open())
            .map(card)
            .collect(),
        stages: Stage::ALL.iter().map(|s| s.to_string()).collect(),
        open: jobs.iter().filter(|j| j.stage.is_open()).count(),
        minimum: minimum as usize,
    })
}

#[derive(Deserialize)]
pub struct StageForm {
    stage: String,
}

pub async fn move_job(
    State(s): State<WebState>,
    Path(id): Path<i64>,
    Form(f): Form<StageForm>,
) -> Result<Response, WebError> {
    s.with(|app, cx| {
        let stage: Stage = word(Field::Stage, &f.stage)?;
        if stage.is_open() {
            app.set_stage(cx, &id.to_string(), stage)
        } else {
            app.close_job(cx, &id.to_string(), stage)
        }
    })?;
    Ok(Redirect::to("/pipeline").into_response())
}
