//! The pages and their form actions. Every form works without JavaScript (POST, then a
//! redirect or a page); with htmx, done and snooze swap the one item in place.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use followup_app::drafts::mailto;
use followup_app::import::{ImportOptions, ImportReport};
use followup_app::input::{clearable_word, day as parse_day, opt_day, opt_word, past_day, word};
use followup_app::{AppError, ContactView, Ctx, EditContact, Field, Logged, NewTouch, PromiseView};
use followup_core::agenda::AgendaItem;
use followup_core::model::{Channel, Job, Stage, Tier, Touch, TouchKind};
use jiff::civil::Date;
use serde::Deserialize;

use crate::notice::{self, Notice, NoticeQuery};
use crate::uploads::Upload;
use crate::{WebError, WebState};

pub(crate) fn render(t: &impl Template) -> Result<Html<String>, WebError> {
    t.render()
        .map(Html)
        .map_err(|e| WebError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("template: {e}")))
}

fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

pub(crate) fn day(d: Date, today: Date) -> String {
    followup_core::plan::day_label(d, today)
}

/// An agenda item as a page shows it.
pub struct ItemView {
    pub id: i64,
    pub when: String,
    pub overdue_days: i64,
    pub action: String,
    pub who: String,
    pub contact_id: i64,
    pub jobs: Vec<(i64, String)>,
    pub channel: String,
    pub why: String,
    /// The rules behind the why, each a link to its explanation.
    pub rules: Vec<String>,
    pub notes: Vec<String>,
}

impl ItemView {
    pub fn new(a: &AgendaItem, today: Date) -> ItemView {
        let when = if a.overdue_days > 0 {
            format!("{} ({} d overdue)", day(a.due, today), a.overdue_days)
        } else if a.due == today {
            format!("{} (today)", day(a.due, today))
        } else {
            day(a.due, today)
        };
        let p = followup_core::present::item(a, today);
        ItemView {
            id: a.id,
            when,
            overdue_days: a.overdue_days,
            action: p.label.to_string(),
            who: p.who.clone(),
            contact_id: a.contact.as_ref().map(|c| c.id.0).unwrap_or(0),
            jobs: a
                .jobs
                .iter()
                .map(|j| j.id.0)
                .zip(p.jobs.iter().cloned())
                .collect(),
            channel: a.channel.to_string(),
            why: p.why.clone(),
            rules: a
                .reason
                .as_ref()
                .map(|r| r.rules().iter().map(|r| r.to_string()).collect())
                .unwrap_or_default(),
            notes: p.notes,
        }
    }
}

#[derive(Template)]
#[template(path = "today.html")]
struct TodayPage {
    nav: &'static str,
    today: String,
    items: Vec<ItemView>,
    notice: Option<String>,
    /// 1-based page, and how many items there are in all.
    page: usize,
    total: usize,
    more: bool,
}

/// Items on one page of Today: a coach's two weeks can hold thousands.
const PER_PAGE: usize = 100;

#[derive(Template)]
#[template(path = "item_fragment.html")]
struct ItemFragment {
    item: Option<ItemView>,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "rules.html")]
struct RulesPage {
    nav: &'static str,
    rules: Vec<(String, &'static str)>,
    clarifications: Vec<(String, &'static str)>,
}

/// What each rule says: the page a why's rule tag links to.
pub async fn rules() -> Result<Html<String>, WebError> {
    use followup_core::plan::Rule;
    use followup_core::why::rule_text;
    let line = |r: Rule| (r.to_string(), rule_text(r));
    render(&RulesPage {
        nav: "",
        rules: (1..=19).map(|n| line(Rule(n))).collect(),
        clarifications: (1..=12).map(|n| line(Rule::clarification(n))).collect(),
    })
}

#[derive(Template)]
#[template(path = "error.html")]
pub(crate) struct ErrorPage {
    pub nav: &'static str,
    pub status: String,
    pub message: String,
}

fn today_page(
    app: &followup_app::App,
    cx: &followup_app::Ctx,
    notice: Option<&Notice>,
    page: usize,
) -> Result<String, WebError> {
    let notice = notice.map(|n| n.sentence(app, cx));
    let today = cx.today;
    let items = app.agenda(cx, None)?;
    let total = items.len();
    let start = (page - 1) * PER_PAGE;
    Ok(render(&TodayPage {
        nav: "today",
        today: day(today, today),
        items: items
            .iter()
            .skip(start)
            .take(PER_PAGE)
            .map(|a| ItemView::new(a, today))
            .collect(),
        notice,
        page,
        total,
        more: start + PER_PAGE < total,
    })?
    .0)
}

pub async fn today(
    State(s): State<WebState>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let page = q.page.unwrap_or(1).max(1);
    let html = match Notice::from_query(&q) {
        Some(notice) => s
            .with_web(|app, cx| today_page(app, cx, Some(&notice), page))?
            .into(),
        None if page > 1 => s
            .with_web(|app, cx| today_page(app, cx, None, page))?
            .into(),
        None => s.cached(crate::View::TodayPage, |app, cx| {
            today_page(app, cx, None, 1)
        })?,
    };
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
}

fn back_to_today(n: &Notice) -> Response {
    Redirect::to(&format!("/?{}", n.query())).into_response()
}

fn logged_line(l: &Logged, today: Date) -> Vec<String> {
    l.next.iter().map(|a| notice::item_line(a, today)).collect()
}

#[derive(Template)]
#[template(path = "done_confirm_fragment.html")]
struct DoneConfirmFragment {
    id: i64,
    item: Option<ItemView>,
    warnings: Vec<String>,
}

#[derive(Template)]
#[template(path = "done_confirm.html")]
struct DoneConfirmPage {
    nav: &'static str,
    id: i64,
    item: Option<ItemView>,
    warnings: Vec<String>,
}

/// True when a form body says `confirm=yes` (the "Record anyway" button).
fn confirmed(body: &[u8]) -> bool {
    body.split(|b| *b == b'&')
        .any(|pair| pair == b"confirm=yes")
}

/// C12: Done asks before it records a touch that comes too soon after the last message
/// (F15); "Record anyway" posts again with `confirm=yes`.
pub async fn done(
    State(s): State<WebState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, WebError> {
    if !confirmed(&body) {
        let ask = s.with(|app, cx| {
            let warnings = app.gap_check(cx, id)?;
            if warnings.is_empty() {
                return Ok(None);
            }
            let today = cx.today;
            let item = notice::find_item(app, cx, id).map(|a| ItemView::new(&a, today));
            Ok(Some((warnings, item)))
        })?;
        if let Some((warnings, item)) = ask {
            let warnings: Vec<String> = warnings.into_iter().map(|w| w.message).collect();
            if is_htmx(&headers) {
                return Ok(render(&DoneConfirmFragment { id, item, warnings })?.into_response());
            }
            return Ok(render(&DoneConfirmPage {
                nav: "today",
                id,
                item,
                warnings,
            })?
            .into_response());
        }
    }
    let (msg, key, item) = s.with(|app, cx| {
        let today = cx.today;
        let (msg, key) = match app.done(cx, id, None, None)? {
            followup_app::Done::Logged(l) => {
                let next = l.next.first();
                (
                    notice::done(Some(l.touch.kind), next, today),
                    Notice::Done {
                        kind: Some(l.touch.kind),
                        next: next.map(|a| a.id),
                    },
                )
            }
            followup_app::Done::Closed(j) => (notice::closed(&j), Notice::Closed { job: j.id.0 }),
        };
        let item = app
            .agenda(cx, None)?
            .into_iter()
            .find(|a| a.id == id)
            .map(|a| ItemView::new(&a, today));
        Ok((msg, key, item))
    })?;
    if is_htmx(&headers) {
        return Ok(render(&ItemFragment {
            item,
            notice: Some(msg),
        })?
        .into_response());
    }
    Ok(back_to_today(&key))
}

#[derive(Deserialize)]
pub struct SnoozeForm {
    until: String,
}

pub async fn snooze(
    State(s): State<WebState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(f): Form<SnoozeForm>,
) -> Result<Response, WebError> {
    let (a, today) = s.with(|app, cx| {
        Ok((
            app.snooze(cx, id, parse_day(cx, Field::Until, &f.until)?)?,
            cx.today,
        ))
    })?;
    if is_htmx(&headers) {
        return Ok(render(&ItemFragment {
            item: None,
            notice: Some(notice::snoozed(&a, today)),
        })?
        .into_response());
    }
    Ok(back_to_today(&Notice::Snoozed { item: a.id }))
}

#[derive(Template)]
#[template(path = "draft.html")]
struct DraftPage {
    nav: &'static str,
    action: String,
    to: String,
    channel: String,
    subject: String,
    body: String,
    warnings: Vec<String>,
    mailto: String,
    /// The draft says the placeholder: Settings sets the name.
    no_name: bool,
}

pub async fn draft(
    State(s): State<WebState>,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let d = s.with(|app, cx| app.draft_checked(cx, id, false))?;
    render(&DraftPage {
        no_name: d.warnings.iter().any(|w| w.rule == "me"),
        nav: "today",
        action: d.template.clone(),
        mailto: if d.to.contains('@') {
            mailto(&d.to, &d.subject, &d.body)
        } else {
            String::new()
        },
        to: if d.to.is_empty() {
            "(no address recorded)".into()
        } else {
            d.to.clone()
        },
        channel: d.channel.clone(),
        subject: d.subject.clone(),
        body: d.body.clone(),
        warnings: d.warnings.iter().map(|w| w.message.clone()).collect(),
    })
}

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

struct ContactRow {
    id: i64,
    name: String,
    organization: String,
    title: String,
    tier: String,
}

#[derive(Template)]
#[template(path = "contacts.html")]
struct ContactsPage {
    nav: &'static str,
    q: String,
    contacts: Vec<ContactRow>,
}

#[derive(Deserialize)]
pub struct Search {
    q: Option<String>,
}

pub async fn contacts(
    State(s): State<WebState>,
    Query(search): Query<Search>,
) -> Result<Html<String>, WebError> {
    let q = search.q.unwrap_or_default();
    let needle = q.trim().to_lowercase();
    let all = s.with(|app, cx| app.contacts(cx))?;
    let contacts = all
        .into_iter()
        .filter(|c| {
            needle.is_empty()
                || c.name.to_lowercase().contains(&needle)
                || c.organization
                    .as_ref()
                    .is_some_and(|o| o.name.to_lowercase().contains(&needle))
                || c.tier.is_some_and(|t| t.as_str() == needle)
        })
        .map(|c| ContactRow {
            id: c.id.0,
            name: c.name,
            organization: c.organization.map(|o| o.name).unwrap_or_default(),
            title: c.title.unwrap_or_default(),
            tier: c.tier.map(|t| t.to_string()).unwrap_or_default(),
        })
        .collect();
    render(&ContactsPage {
        nav: "contacts",
        q,
        contacts,
    })
}

struct TouchRow {
    date: String,
    kind: String,
    direction: String,
    about: String,
    note: String,
}

fn touch_rows(ts: &[Touch], about: impl Fn(&Touch) -> String, today: Date) -> Vec<TouchRow> {
    ts.iter()
        .map(|t| TouchRow {
            date: day(t.date, today),
            kind: t.kind.to_string(),
            direction: t.direction.to_string(),
            about: about(t),
            note: t.note.clone().unwrap_or_default(),
        })
        .collect()
}

/// A promise as the contact and job pages list it: its state (C9), and the sentence.
pub struct PromiseLine {
    pub state: String,
    pub text: String,
}

fn promise_lines(ps: &[PromiseView], today: Date) -> Vec<PromiseLine> {
    use followup_core::promises::PromiseState;
    ps.iter()
        .map(|p| {
            let what = followup_core::present::promise(&p.promise, today);
            let how = match p.state {
                PromiseState::Pending => String::new(),
                _ => format!(
                    "; {}",
                    followup_core::present::promise_state(
                        &p.promise,
                        p.state,
                        p.kept_by,
                        p.replaced_by,
                        today
                    )
                ),
            };
            PromiseLine {
                state: p.state.to_string(),
                text: format!("{what} (said {}){how}", day(p.made_on, today)),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "contact.html")]
struct ContactPage {
    nav: &'static str,
    id: i64,
    name: String,
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
        timeline: touch_rows(&v.timeline, about, today),
        promises: promise_lines(&v.promises, today),
        next: v.next.iter().map(|a| ItemView::new(a, today)).collect(),
        notice,
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
    render(&contact_page(v, today, notice))
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

#[derive(Template)]
#[template(path = "job.html")]
struct JobPage {
    nav: &'static str,
    name: String,
    fields: Vec<(String, String)>,
    contacts: Vec<(i64, String)>,
    timeline: Vec<TouchRow>,
    promises: Vec<PromiseLine>,
    next: Vec<ItemView>,
}

pub async fn job(State(s): State<WebState>, Path(id): Path<i64>) -> Result<Html<String>, WebError> {
    let (v, today) = s.with(|app, cx| Ok((app.job_view(cx, &id.to_string())?, cx.today)))?;
    let j = &v.job;
    let mut fields = vec![
        ("Stage".to_string(), j.stage.to_string()),
        ("Posting".to_string(), j.url.clone().unwrap_or_default()),
        (
            "Applied".to_string(),
            j.applied.map(|d| d.to_string()).unwrap_or_default(),
        ),
        (
            "Response time".to_string(),
            j.response_time.map(|w| w.to_string()).unwrap_or_default(),
        ),
    ];
    fields.retain(|(_, v)| !v.is_empty());
    let contacts = &v.contacts;
    let about = |t: &Touch| {
        t.contacts
            .iter()
            .filter_map(|id| contacts.iter().find(|c| c.id == *id))
            .map(|c| c.name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    render(&JobPage {
        nav: "pipeline",
        name: format!("{}: {}", j.organization.name, j.title),
        fields,
        contacts: v
            .contacts
            .iter()
            .map(|c| (c.id.0, c.name.clone()))
            .collect(),
        timeline: touch_rows(&v.timeline, about, today),
        promises: promise_lines(&v.promises, today),
        next: v.next.iter().map(|a| ItemView::new(a, today)).collect(),
    })
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

pub(crate) fn some(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
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

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    nav: &'static str,
    report: Option<ImportReport>,
    /// The previewed upload's token, for the confirmation.
    token: String,
}

pub async fn import_form() -> Result<Html<String>, WebError> {
    render(&ImportPage {
        nav: "import",
        report: None,
        token: String::new(),
    })
}

pub(crate) fn import_bytes(
    s: &WebState,
    kind: &str,
    name: &str,
    tier: &str,
    data: &[u8],
    dry_run: bool,
) -> Result<ImportReport, WebError> {
    run_import(s, kind, name, tier, data, dry_run)
}

fn run_import(
    s: &WebState,
    kind: &str,
    name: &str,
    tier: &str,
    data: &[u8],
    dry_run: bool,
) -> Result<ImportReport, WebError> {
    let vcard = match kind {
        "linkedin" => false,
        "vcard" => true,
        other => {
            return Err(WebError::bad(format!(
                "kind: expected linkedin or vcard, found {other:?}"
            )));
        }
    };
    let tier = match tier {
        "" => None,
        t => Some(
            t.parse::<Tier>()
                .map_err(|e| WebError::bad(format!("tier: {e}")))?,
        ),
    };
    // Parsing a large file is blocking work too: inside `with`, off the async workers.
    s.with(|app, cx| {
        let (people, skipped) = if vcard {
            followup_app::import::vcard::parse(name, data)?
        } else {
            followup_app::import::linkedin::parse(name, data)?
        };
        app.import_people(
            cx,
            name,
            people,
            skipped,
            &ImportOptions { tier, dry_run },
            &mut |_, _| {},
        )
    })
}

fn upload_error(e: axum::extract::multipart::MultipartError) -> WebError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        WebError::too_large("the upload")
    } else {
        WebError::bad(format!("upload: {}", e.body_text()))
    }
}

pub async fn import_preview(
    State(s): State<WebState>,
    mut form: Multipart,
) -> Result<Html<String>, WebError> {
    let mut upload = Upload {
        kind: String::new(),
        name: String::new(),
        tier: String::new(),
        data: Default::default(),
    };
    while let Some(field) = form.next_field().await.map_err(upload_error)? {
        match field.name().unwrap_or("") {
            "kind" => upload.kind = field.text().await.map_err(upload_error)?,
            "tier" => upload.tier = field.text().await.map_err(upload_error)?,
            "file" => {
                upload.name = field.file_name().unwrap_or("upload").to_string();
                upload.data = field.bytes().await.map_err(upload_error)?;
            }
            _ => {}
        }
    }
    let u = &upload;
    let report = run_import(&s, &u.kind, &u.name, &u.tier, &u.data, true)?;
    let token = s.uploads().keep(upload, std::time::Instant::now())?;
    render(&ImportPage {
        nav: "import",
        report: Some(report),
        token,
    })
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    token: String,
}

pub async fn import_confirm(
    State(s): State<WebState>,
    Form(f): Form<ConfirmForm>,
) -> Result<Html<String>, WebError> {
    let u = s.uploads().get(&f.token, std::time::Instant::now())?;
    let report = run_import(&s, &u.kind, &u.name, &u.tier, &u.data, false)?;
    s.uploads().forget(&f.token);
    render(&ImportPage {
        nav: "import",
        report: Some(report),
        token: String::new(),
    })
}
