//! Settings: who you are (name, signature, phone, time zone), your region's holidays, the
//! policy's parameters as fields, your own templates, and the calendar feed. Every form posts
//! and redirects; a refused one comes back with everything as typed and the message beside the
//! field, and nothing is kept. What is kept here is per owner, in the store's settings, over
//! the config file (docs/CONFIG.md).

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use followup_app::ics::HolidayCalendar;
use followup_app::identity::{IdentityChange, Source};
use followup_app::policy_settings::PolicyChange;
use followup_app::{AppError, Field};
use serde::Deserialize;

use crate::notice::{Notice, NoticeQuery};
use crate::pages::render;
use crate::{WebError, WebState};

// ---- the page -------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    nav: &'static str,
    notice: Option<String>,
    me: MeForm,
    /// The config's `[me]`, shown as each field's placeholder: an empty field uses it.
    me_default: MeForm,
    /// Refused fields of the "You" form: (form name, message).
    me_errors: Vec<(&'static str, String)>,
    /// This computer's time zone, the one used while none is set.
    system_zone: String,
    holidays: Vec<HolidayCalendar>,
    holiday_error: Option<String>,
    params: Vec<ParamRow>,
    /// A refusal of the policy form as a whole.
    policy_message: Option<String>,
    /// The config file, or where one would be.
    config: String,
    templates: Vec<TemplateRow>,
    /// The feed's address, once one was made.
    feed: Option<String>,
    /// The host the browser used, and whether it names this computer only.
    host: String,
    loopback: bool,
    /// On a team server, who is signed in (the account page has their tokens and sign-out).
    signed_in: Option<String>,
    /// `[mail]`, when set up: the mailbox, and how the last background sync went.
    mail: Option<MailSection>,
}

/// Settings' mail section.
struct MailSection {
    /// `user at server`.
    mailbox: String,
    every_minutes: u32,
    last: Option<followup_app::mail::MailStatus>,
    /// Messages read so far, per meaning ("2 replies, 1 sent").
    read: String,
    /// `[mail] digest_at`, when the daily digest is sent.
    digest_at: Option<String>,
    /// The newest delivery attempts of the digest.
    deliveries: Vec<followup_app::digest::Delivery>,
    /// Mail can be sent (a "Send a test" button).
    can_send: bool,
}

impl SettingsPage {
    fn me_error(&self, name: &str) -> Option<&str> {
        self.me_errors
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, m)| m.as_str())
    }
}

/// The identity form as shown: what the person set here (empty: the config's applies).
#[derive(Default, Clone)]
pub struct MeForm {
    name: String,
    signature: String,
    phone: String,
    time_zone: String,
}

/// One policy parameter as the form shows it.
struct ParamRow {
    key: &'static str,
    /// The key as an HTML id (`cadence-critical`).
    id: String,
    label: &'static str,
    rule: &'static str,
    hint: &'static str,
    /// The value in force, or as typed when the form was refused.
    value: String,
    default: String,
    rules_default: String,
    overridden: bool,
    error: Option<String>,
}

struct TemplateRow {
    name: String,
    source: String,
}

/// What a refused form brings back to the page.
#[derive(Default)]
struct Refused {
    me: Option<MeForm>,
    me_errors: Vec<(&'static str, String)>,
    policy: Option<BTreeMap<String, String>>,
    policy_errors: Vec<(&'static str, String)>,
    policy_message: Option<String>,
    holiday_error: Option<String>,
}

/// The host the browser used: the feed's address names it, so it is the one the browser
/// reached (the edge answers only this server's own names).
fn host_of(headers: &HeaderMap) -> String {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1:7878")
        .to_string()
}

/// True when `host` names this computer only: `127.x.x.x`, `localhost`, `[::1]`.
fn is_loopback(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host),
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn settings_page(
    s: &WebState,
    host: String,
    notice: Option<Notice>,
    refused: Refused,
) -> Result<Html<String>, WebError> {
    let page = s.with(|app, cx| {
        // Reading only: the address is made by the form's POST, never by looking.
        let token = app.existing_calendar_token(cx)?;
        let me = app.identity(cx)?;
        let here = |v: &Option<String>, from: Option<Source>| {
            v.clone()
                .filter(|_| from == Some(Source::Settings))
                .unwrap_or_default()
        };
        let me_form = refused.me.clone().unwrap_or_else(|| MeForm {
            name: here(&me.name, me.sources.name),
            signature: here(&me.signature, me.sources.signature),
            phone: here(&me.phone, me.sources.phone),
            time_zone: here(&me.time_zone, me.sources.time_zone),
        });
        let cfg = &app.config.me;
        let me_default = MeForm {
            name: cfg.name.clone().unwrap_or_default(),
            signature: cfg.signature.clone().unwrap_or_default(),
            phone: cfg.phone.clone().unwrap_or_default(),
            time_zone: cfg.time_zone.clone().unwrap_or_default(),
        };
        let params = app
            .policy_params(cx)?
            .into_iter()
            .map(|p| ParamRow {
                key: p.key,
                id: p.key.replace('.', "-"),
                label: p.label,
                rule: p.rule,
                hint: p.hint,
                value: refused
                    .policy
                    .as_ref()
                    .and_then(|typed| typed.get(p.key).cloned())
                    .unwrap_or(p.value),
                default: p.default,
                rules_default: p.rules_default,
                overridden: p.overridden,
                error: refused
                    .policy_errors
                    .iter()
                    .find(|(k, _)| *k == p.key)
                    .map(|(_, m)| m.clone()),
            })
            .collect();
        let config = app
            .config
            .source
            .as_ref()
            .map(|p| p.display().to_string())
            .or_else(|| {
                followup_app::config::default_path()
                    .map(|p| format!("{} (not there yet)", p.display()))
            })
            .unwrap_or_else(|| "no config file".into());
        let templates = app
            .templates(cx)?
            .into_iter()
            .map(|t| TemplateRow {
                source: template_source(&t),
                name: t.name,
            })
            .collect();
        let loopback = is_loopback(&host);
        Ok(SettingsPage {
            signed_in: crate::auth::current()
                .and_then(|s| s.account)
                .map(|a| a.email),
            nav: "settings",
            notice: notice.map(|n| n.sentence(app, cx)),
            me: me_form,
            me_default,
            me_errors: refused.me_errors,
            system_zone: jiff::tz::TimeZone::system()
                .iana_name()
                .unwrap_or("unknown")
                .to_string(),
            holidays: app.holiday_calendars(cx)?,
            holiday_error: refused.holiday_error,
            params,
            policy_message: refused.policy_message,
            config,
            templates,
            feed: token.map(|t| feed_url(s, &host, cx, &t)),
            host,
            loopback,
            mail: match &app.config.mail {
                None => None,
                Some(m) => Some(MailSection {
                    mailbox: format!("{} at {}", m.user, m.imap),
                    every_minutes: m.every_minutes.max(1),
                    last: app.mail_status(cx)?.map(|mut l| {
                        l.at = when(&l.at);
                        l
                    }),
                    read: app
                        .mail_counts(cx)?
                        .iter()
                        .map(|(m, n)| format!("{n} {}", m.as_str()))
                        .collect::<Vec<_>>()
                        .join(", "),
                    digest_at: m.digest_at.clone(),
                    deliveries: app
                        .deliveries(cx)?
                        .into_iter()
                        .take(5)
                        .map(|mut d| {
                            d.at = when(&d.at);
                            d
                        })
                        .collect(),
                    can_send: s.mailer.is_some(),
                }),
            },
        })
    })?;
    render(&page)
}

/// An instant as a person reads it on Settings: "Sun 6 Dec, 07:30" in this server's zone.
fn when(at: &str) -> String {
    match at.parse::<jiff::Timestamp>() {
        Ok(t) => t
            .to_zoned(jiff::tz::TimeZone::system())
            .strftime("%a %-d %b, %H:%M")
            .to_string(),
        Err(_) => at.to_string(),
    }
}

fn template_source(t: &followup_app::drafts::Template) -> String {
    match (&t.path, t.stored) {
        _ if t.coach => "yours as a coach, used in every search you draft in".into(),
        (_, true) => "yours, kept here".into(),
        (Some(p), false) => format!("your file {}", p.display()),
        (None, false) => "built in".into(),
    }
}

fn refused_page(s: &WebState, headers: &HeaderMap, refused: Refused) -> Result<Response, WebError> {
    let page = settings_page(s, host_of(headers), None, refused)?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

fn saved(section: &str) -> Response {
    Redirect::to(&format!("/settings?{}#{section}", Notice::Saved.query())).into_response()
}

pub async fn settings(
    State(s): State<WebState>,
    headers: HeaderMap,
    Query(q): Query<NoticeQuery>,
) -> Result<Html<String>, WebError> {
    settings_page(
        &s,
        host_of(&headers),
        Notice::from_query(&q),
        Refused::default(),
    )
}

// ---- you ------------------------------------------------------------------------------------

/// The identity form as posted: a field left out is left alone.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MePost {
    name: Option<String>,
    signature: Option<String>,
    phone: Option<String>,
    time_zone: Option<String>,
}

/// The "You" form's name of a field.
fn me_name(f: Field) -> Option<&'static str> {
    match f {
        Field::Name => Some("name"),
        Field::Signature => Some("signature"),
        Field::Phone => Some("phone"),
        Field::TimeZone => Some("time_zone"),
        _ => None,
    }
}

/// Keeps the name, signature, phone and time zone; an empty field forgets what was set here,
/// so the config's `[me]` (or this computer's time zone) applies again.
pub async fn set_me(
    State(s): State<WebState>,
    headers: HeaderMap,
    Form(f): Form<MePost>,
) -> Result<Response, WebError> {
    let typed = MeForm {
        name: f.name.clone().unwrap_or_default(),
        signature: f.signature.clone().unwrap_or_default(),
        phone: f.phone.clone().unwrap_or_default(),
        time_zone: f.time_zone.clone().unwrap_or_default(),
    };
    let result = s.with(|app, cx| {
        app.set_identity(
            cx,
            IdentityChange {
                name: f.name,
                signature: f.signature,
                phone: f.phone,
                time_zone: f.time_zone,
            },
        )
    });
    match result {
        Ok(_) => Ok(saved("me")),
        Err(WebError {
            field: Some((field, problem)),
            status: StatusCode::UNPROCESSABLE_ENTITY,
            ..
        }) if me_name(field).is_some() => refused_page(
            &s,
            &headers,
            Refused {
                me: Some(typed),
                me_errors: vec![(
                    me_name(field).unwrap_or(""),
                    format!("{}: {problem}", field.label()),
                )],
                ..Refused::default()
            },
        ),
        Err(e) => Err(e),
    }
}

// ---- the policy -----------------------------------------------------------------------------

/// Saves the policy form: every field as typed; a value equal to the default (or empty)
/// keeps no override. Any refused field refuses the form, each message beside its field.
pub async fn set_policy(
    State(s): State<WebState>,
    headers: HeaderMap,
    Form(values): Form<BTreeMap<String, String>>,
) -> Result<Response, WebError> {
    let change = PolicyChange {
        values: values.clone(),
        reset: Vec::new(),
    };
    let result = s.with(|app, cx| {
        let problems = app.policy_problems(&change);
        if !problems.is_empty() {
            return Ok(Err(problems));
        }
        match app.set_policy(cx, change) {
            Ok(_) | Err(AppError::NothingToChange { .. }) => Ok(Ok(())),
            Err(e) if e.is_bad_input() => Ok(Err(vec![e])),
            Err(e) => Err(e),
        }
    })?;
    match result {
        Ok(()) => Ok(saved("policy")),
        Err(problems) => {
            let mut refused = Refused {
                policy: Some(values),
                ..Refused::default()
            };
            for p in problems {
                match p {
                    AppError::Invalid {
                        field: Field::Policy(key),
                        problem,
                    } => refused
                        .policy_errors
                        .push((key, format!("{}: {problem}", Field::Policy(key).label()))),
                    other => refused.policy_message = Some(other.render(|f| f.label().to_string())),
                }
            }
            refused_page(&s, &headers, refused)
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetForm {
    /// A parameter's key, or `*` for every one.
    key: String,
}

/// Drops one override, or all of them: the config's value (or RULES.md's) applies again.
pub async fn reset_policy(
    State(s): State<WebState>,
    Form(f): Form<ResetForm>,
) -> Result<Response, WebError> {
    s.with(|app, cx| {
        app.set_policy(
            cx,
            PolicyChange {
                values: BTreeMap::new(),
                reset: vec![f.key],
            },
        )
    })?;
    Ok(saved("policy"))
}

// ---- holidays -------------------------------------------------------------------------------

/// Keeps an uploaded holiday calendar (`.ics`): its days join the policy's holidays (F16) and
/// everything is replanned.
pub async fn add_holidays(
    State(s): State<WebState>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Result<Response, WebError> {
    let mut file: Option<(String, axum::body::Bytes)> = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| WebError::bad(format!("upload: {}", e.body_text())))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("holidays.ics").to_string();
            let data = field
                .bytes()
                .await
                .map_err(|e| WebError::bad(format!("upload: {}", e.body_text())))?;
            file = Some((name, data));
        }
    }
    let Some((name, data)) = file.filter(|(_, d)| !d.is_empty()) else {
        return refused_page(
            &s,
            &headers,
            Refused {
                holiday_error: Some("File: choose a calendar file (.ics) first".into()),
                ..Refused::default()
            },
        );
    };
    let Ok(text) = String::from_utf8(data.to_vec()) else {
        return refused_page(
            &s,
            &headers,
            Refused {
                holiday_error: Some(format!(
                    "{name}: not a text file; expected an .ics calendar"
                )),
                ..Refused::default()
            },
        );
    };
    match s.with(|app, cx| app.import_holidays(cx, &name, &text)) {
        Ok(_) => Ok(saved("holidays")),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => refused_page(
            &s,
            &headers,
            Refused {
                holiday_error: Some(e.message),
                ..Refused::default()
            },
        ),
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoveHolidays {
    name: String,
}

pub async fn remove_holidays(
    State(s): State<WebState>,
    Form(f): Form<RemoveHolidays>,
) -> Result<Response, WebError> {
    s.with(|app, cx| app.remove_holidays(cx, &f.name))?;
    Ok(saved("holidays"))
}

// ---- templates ------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "settings_template.html")]
struct TemplatePage {
    nav: &'static str,
    notice: Option<String>,
    name: String,
    source: String,
    /// The text is the viewer's own (Reset forgets it).
    stored: bool,
    /// The viewer is a coach in a client's search: what they save is theirs, for every client.
    coach: bool,
    /// The text in force, or as typed when refused.
    text: String,
    /// The text it replaces when it is the owner's own (the file's or the built-in one).
    under: Option<String>,
    error: Option<String>,
}

fn template_page(
    s: &WebState,
    name: &str,
    notice: Option<Notice>,
    typed: Option<String>,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    let page = s.with(|app, cx| {
        let t = app.template(cx, name)?;
        // Whether the text is the viewer's own, which Reset forgets: a coach's templates
        // are theirs, not the client's.
        let coach = cx.actor.account().is_some();
        let own = if coach { t.coach } else { t.stored };
        let under = if own {
            Some(app.template_under(cx, name)?.text)
        } else {
            None
        };
        Ok(TemplatePage {
            nav: "settings",
            notice: notice.map(|n| n.sentence(app, cx)),
            name: t.name.clone(),
            source: template_source(&t),
            stored: own,
            coach,
            text: typed.unwrap_or(t.text),
            under,
            error,
        })
    })?;
    render(&page)
}

/// A template's name from the path, refused as not found when it is none of ours.
fn known_template(name: &str) -> Result<(), WebError> {
    if followup_app::drafts::names().any(|n| n == name) {
        Ok(())
    } else {
        Err(WebError::not_found("template"))
    }
}

pub async fn template(
    State(s): State<WebState>,
    Path(name): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Html<String>, WebError> {
    known_template(&name)?;
    template_page(&s, &name, Notice::from_query(&q), None, None)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateForm {
    #[serde(default)]
    text: String,
}

/// Keeps the text as the owner's own template after checking it as a draft reads it; a
/// broken one comes back as typed with the line and the reason beside the text.
pub async fn set_template(
    State(s): State<WebState>,
    Path(name): Path<String>,
    Form(f): Form<TemplateForm>,
) -> Result<Response, WebError> {
    known_template(&name)?;
    match s.with(|app, cx| app.set_template(cx, &name, &f.text)) {
        Ok(_) => Ok(Redirect::to(&format!(
            "/settings/templates/{name}?{}",
            Notice::Saved.query()
        ))
        .into_response()),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let page = template_page(&s, &name, None, Some(f.text), Some(e.message))?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn reset_template(
    State(s): State<WebState>,
    Path(name): Path<String>,
) -> Result<Response, WebError> {
    known_template(&name)?;
    s.with(|app, cx| app.reset_template(cx, &name))?;
    Ok(Redirect::to(&format!(
        "/settings/templates/{name}?{}",
        Notice::Saved.query()
    ))
    .into_response())
}

// ---- the calendar feed ----------------------------------------------------------------------

/// Settings' "Send a test": a test of the digest's delivery, recorded like any.
pub async fn digest_test(State(s): State<WebState>) -> Result<Response, WebError> {
    let Some(mailer) = s.mailer.clone() else {
        return Err(WebError::new(
            StatusCode::CONFLICT,
            "mail is not set up: add [mail] with smtp to the config (docs/MAIL.md)",
        ));
    };
    s.with(|app, cx| app.send_digest(cx, mailer.as_ref(), "", true, followup_app::clock::now()))?;
    Ok(Redirect::to("/settings#mail").into_response())
}

pub async fn rotate_token(State(s): State<WebState>) -> Result<Response, WebError> {
    s.with(|app, cx| app.rotate_calendar_token(cx))?;
    Ok(Redirect::to("/settings#calendar").into_response())
}

/// The feed's address: on a team server under the workspace (`/w/{id}/calendar/...`), since
/// a phone subscribing to it cannot sign in and the path says whose calendar it is. Behind a
/// proxy (`--public-url https://...`) it is the public address, https and all: the server
/// itself only ever sees plain http.
fn feed_url(s: &WebState, host: &str, cx: &followup_app::Ctx, token: &str) -> String {
    let base = match &s.public {
        Some(p) if p.host.eq_ignore_ascii_case(host) => p.base.clone(),
        _ => format!("http://{host}"),
    };
    let signed_in = crate::auth::current().is_some_and(|s| s.account.is_some());
    if signed_in {
        format!("{base}/w/{}/calendar/{token}.ics", cx.owner.0)
    } else {
        format!("{base}/calendar/{token}.ics")
    }
}

pub async fn calendar_feed(
    State(s): State<WebState>,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let token = file.strip_suffix(".ics").unwrap_or("");
    let ics = if s.with(|app, cx| app.calendar_token_matches(cx, token))? {
        // A year of items with a draft each: built once per data version, like Today.
        Some(s.cached(crate::View::CalendarFeed, |app, cx| {
            Ok(app.calendar(cx, &followup_app::ics::IcsOptions::default())?)
        })?)
    } else {
        None
    };
    match ics {
        Some(text) => Ok((
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            text,
        )
            .into_response()),
        None => Err(WebError::not_found("calendar")),
    }
}

#[cfg(test)]
mod tests {
    use super::is_loopback;

    #[test]
    fn loopback_hosts_are_told_apart() {
        for h in [
            "127.0.0.1:7878",
            "localhost:7878",
            "[::1]:7878",
            "127.0.0.1",
            "LOCALHOST",
        ] {
            assert!(is_loopback(h), "{h}");
        }
        for h in [
            "192.168.1.20:7878",
            "followup.example:443",
            "[fe80::1]:7878",
        ] {
            assert!(!is_loopback(h), "{h}");
        }
    }
}
