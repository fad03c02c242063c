//! Settings: you, the calendar address, the policy and the templates. (Moving to
//! `settings.rs` on another branch; kept here as it was.)

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::render;
use crate::notice::{Notice, NoticeQuery};
use crate::{WebError, WebState};

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    nav: &'static str,
    /// The feed's address, once one was made.
    feed: Option<String>,
    config: String,
    policy: String,
    templates: Vec<(String, String)>,
    notice: Option<String>,
    me: MeForm,
    /// The config's `[me]`, shown as each field's placeholder: an empty field uses it.
    me_default: MeForm,
}

/// The identity form of Settings as shown: what the person set here (empty: the config's
/// applies).
#[derive(Default)]
pub struct MeForm {
    name: String,
    signature: String,
    phone: String,
}

/// The identity form as posted: a field left out is left alone.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MePost {
    name: Option<String>,
    signature: Option<String>,
    phone: Option<String>,
}

/// Keeps the name, signature and phone drafts sign with; an empty field forgets what was set
/// here, so the config's `[me]` applies again.
pub async fn set_me(
    State(s): State<WebState>,
    Form(f): Form<MePost>,
) -> Result<Response, WebError> {
    s.with(|app, cx| {
        app.set_identity(
            cx,
            followup_app::identity::IdentityChange {
                name: f.name,
                signature: f.signature,
                phone: f.phone,
            },
        )
    })?;
    Ok(Redirect::to(&format!("/settings?{}#me", Notice::Saved.query())).into_response())
}

pub async fn settings(
    State(s): State<WebState>,
    headers: HeaderMap,
    Query(q): Query<NoticeQuery>,
) -> Result<Html<String>, WebError> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1:7878")
        .to_string();
    let (token, config, policy, templates, me_form, me_default, notice) = s.with(|app, cx| {
        // Reading only: the address is made by the form's POST, never by looking.
        let token = app.existing_calendar_token(cx)?;
        let config = app
            .config
            .source
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "the config file (none yet: docs/CONFIG.md)".into());
        let policy = serde_json::to_string_pretty(&*cx.policy).unwrap_or_default();
        let templates = app
            .templates()?
            .into_iter()
            .map(|t| {
                (
                    t.name,
                    t.path
                        .map(|p| p.display().to_string())
                        .unwrap_or_else(|| "built in".into()),
                )
            })
            .collect();
        let me = app.identity(cx)?;
        let here = |v: &Option<String>, from: Option<followup_app::identity::Source>| {
            v.clone()
                .filter(|_| from == Some(followup_app::identity::Source::Settings))
                .unwrap_or_default()
        };
        let me_form = MeForm {
            name: here(&me.name, me.sources.name),
            signature: here(&me.signature, me.sources.signature),
            phone: here(&me.phone, me.sources.phone),
        };
        let cfg = &app.config.me;
        let me_default = MeForm {
            name: cfg.name.clone().unwrap_or_default(),
            signature: cfg.signature.clone().unwrap_or_default(),
            phone: cfg.phone.clone().unwrap_or_default(),
        };
        let notice = Notice::from_query(&q).map(|n| n.sentence(app, cx));
        Ok((
            token, config, policy, templates, me_form, me_default, notice,
        ))
    })?;
    render(&SettingsPage {
        nav: "settings",
        feed: token.map(|t| format!("http://{host}/calendar/{t}.ics")),
        config,
        policy,
        templates,
        notice,
        me: me_form,
        me_default,
    })
}

pub async fn rotate_token(State(s): State<WebState>) -> Result<Response, WebError> {
    s.with(|app, cx| app.rotate_calendar_token(cx))?;
    Ok(Redirect::to("/settings").into_response())
}
