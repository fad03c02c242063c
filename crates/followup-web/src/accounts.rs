//! Signing in and out, invitations, and the account page (API tokens; an admin's list of
//! people). Pages only: the API's account routes are in `api/accounts.rs`. On a one-person
//! book there are no accounts and these pages say so.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use followup_app::accounts::{MIN_PASSWORD, Secret};
use followup_app::{Account, AppError, Role, SecretKind};
use serde::Deserialize;

use crate::auth::{self, SESSION_COOKIE};
use crate::pages::render;
use crate::{WebError, WebState, blocking};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    message: Option<String>,
    email: String,
    next: String,
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// Only a path on this server: `next` never sends anyone elsewhere.
fn local(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/"
    }
}

pub async fn login_form(
    State(s): State<WebState>,
    Query(q): Query<LoginQuery>,
) -> Result<Response, WebError> {
    // A one-person book has nobody to sign in.
    if !blocking(|| s.team_mode())? {
        return Ok(Redirect::to("/").into_response());
    }
    Ok(render(&LoginPage {
        message: None,
        email: String::new(),
        next: local(&q.next).to_string(),
    })?
    .into_response())
}

fn signed_in_response(s: &WebState, headers: &HeaderMap, session: &Secret, to: &str) -> Response {
    let mut res = Redirect::to(local(to)).into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        auth::session_cookie(&session.0, auth::is_https(s, headers)),
    );
    res
}

pub async fn login(
    State(s): State<WebState>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, WebError> {
    let key = f.email.trim().to_lowercase();
    let again = |status: StatusCode, message: String| -> Result<Response, WebError> {
        let page = render(&LoginPage {
            message: Some(message),
            email: f.email.clone(),
            next: local(&f.next).to_string(),
        })?;
        Ok((status, page).into_response())
    };
    if let Err(minutes) = s.attempts().check(&key) {
        return again(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Too many wrong passwords for this email. Try again in {minutes} minutes, or ask your admin for a new link."
            ),
        );
    }
    let now = followup_app::clock::now();
    match blocking(|| s.app.sign_in(&f.email, &f.password, now)) {
        Ok((_, session)) => {
            s.attempts().succeeded(&key);
            Ok(signed_in_response(&s, &headers, &session, &f.next))
        }
        Err(AppError::Unauthorized(_)) => {
            s.attempts().failed(&key);
            again(StatusCode::UNAUTHORIZED, "Wrong email or password.".into())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn logout(State(s): State<WebState>, headers: HeaderMap) -> Result<Response, WebError> {
    if let Some(v) = auth::cookie(&headers, SESSION_COOKIE) {
        blocking(|| s.app.sign_out(&v))?;
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, auth::cleared_cookie());
    Ok(res)
}

#[derive(Template)]
#[template(path = "invite.html")]
struct InvitePage {
    message: Option<String>,
    email: String,
    code: String,
    min: usize,
}

fn invite_page(s: &WebState, code: &str, message: Option<String>) -> Result<InvitePage, WebError> {
    let holder = blocking(|| {
        s.app
            .holder(SecretKind::Invitation, code, followup_app::clock::now())
    })?;
    Ok(InvitePage {
        message,
        email: holder.map(|a| a.email).unwrap_or_default(),
        code: code.chars().filter(char::is_ascii_hexdigit).collect(),
        min: MIN_PASSWORD,
    })
}

pub async fn invite_form(
    State(s): State<WebState>,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let page = invite_page(&s, &code, None)?;
    if page.email.is_empty() {
        return Err(WebError::new(
            StatusCode::NOT_FOUND,
            "this invitation link is used, expired or mistyped; ask your admin for a new one",
        ));
    }
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
}

pub async fn accept_invite(
    State(s): State<WebState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    Form(f): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let now = followup_app::clock::now();
    match blocking(|| s.app.accept_invitation(&code, &f.password, now)) {
        Ok((_, session)) => Ok(signed_in_response(&s, &headers, &session, "/")),
        Err(e @ AppError::Invalid { .. }) => {
            let page = invite_page(&s, &code, Some(e.render(|f| f.label().to_string())))?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---- the account page -------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    nav: &'static str,
    notice: Option<String>,
    message: Option<String>,
    account: Account,
    /// (id, name, made on)
    tokens: Vec<(i64, String, String)>,
    new_token: Option<String>,
    people: Vec<Account>,
    invitation: Option<String>,
    /// A client's grants to coaches.
    grants: Vec<followup_app::grants::GrantView>,
    /// Who came into a client's search.
    visits: Vec<followup_app::grants::VisitView>,
    /// A coach's (or admin's) shared searches: (workspace, owner's email, scope).
    shared: Vec<(i64, String, &'static str)>,
    /// A refusal of the grant form.
    grant_message: Option<String>,
}

#[derive(Default)]
struct Extra {
    notice: Option<String>,
    message: Option<String>,
    new_token: Option<String>,
    invitation: Option<String>,
    grant_message: Option<String>,
}

/// The day it is for `account`: the pinned day, else their own search's, else this server's.
pub(crate) fn today_of(s: &WebState, account: &Account) -> Result<jiff::civil::Date, AppError> {
    match (s.today, account.workspace) {
        (Some(d), _) => Ok(d),
        (None, Some(w)) => s.app.today_for(w),
        (None, None) => Ok(followup_app::clock::system_today()),
    }
}

fn account_page_for(s: &WebState, extra: Extra) -> Result<Html<String>, WebError> {
    let account = auth::signed_in()?;
    let (tokens, people, grants, visits, shared) = blocking(|| -> Result<_, AppError> {
        let today = today_of(s, &account)?;
        let tokens = s.app.tokens(&account)?;
        let people = if account.role == Role::Admin {
            s.app.accounts(Some(&account))?
        } else {
            vec![]
        };
        let (grants, visits) = if account.workspace.is_some() {
            (
                s.app.grants_given(&account, today)?,
                s.app.visits(&account)?,
            )
        } else {
            (vec![], vec![])
        };
        let mut shared = Vec::new();
        for (w, scope) in s.app.grants_held(&account, today)? {
            let owner = s
                .app
                .directory()?
                .workspace_owner(w)?
                .map(|id| s.app.account_by_id(id))
                .transpose()?
                .map(|a| a.email)
                .unwrap_or_default();
            shared.push((w.0, owner, scope.as_str()));
        }
        Ok((tokens, people, grants, visits, shared))
    })?;
    render(&AccountPage {
        nav: "",
        notice: extra.notice,
        message: extra.message,
        tokens: tokens
            .into_iter()
            .map(|t| (t.id, t.label, t.created.strftime("%Y-%m-%d").to_string()))
            .collect(),
        account,
        new_token: extra.new_token,
        people,
        invitation: extra.invitation,
        grants,
        visits,
        shared,
        grant_message: extra.grant_message,
    })
}

#[derive(Deserialize)]
pub struct GrantForm {
    #[serde(default)]
    coach: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    until: String,
}

/// A client lets a coach in (or changes how far).
pub async fn grant(
    State(s): State<WebState>,
    Form(f): Form<GrantForm>,
) -> Result<Response, WebError> {
    let account = auth::signed_in()?;
    let done = blocking(|| {
        let today = today_of(&s, &account)?;
        let until = Some(f.until.as_str());
        s.app.grant_from_text(
            &account,
            &f.coach,
            &f.scope,
            until,
            today,
            followup_app::clock::now(),
        )
    });
    let extra = match done {
        Ok(g) => Extra {
            notice: Some(format!(
                "{} may now {} your job search{}.",
                g.coach,
                if g.scope == "edit" {
                    "see and change"
                } else {
                    "see (not change)"
                },
                g.until
                    .map(|d| format!(" through {d}"))
                    .unwrap_or_else(|| ", until you revoke it".into())
            )),
            ..Extra::default()
        },
        Err(e) if e.is_bad_input() && !matches!(e, AppError::Forbidden(_)) => Extra {
            grant_message: Some(e.render(|f| f.label().to_string())),
            ..Extra::default()
        },
        Err(e) => return Err(e.into()),
    };
    Ok(account_page_for(&s, extra)?.into_response())
}

#[derive(Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    coach: String,
}

/// A client ends a coach's access.
pub async fn revoke_grant(
    State(s): State<WebState>,
    Form(f): Form<RevokeForm>,
) -> Result<Html<String>, WebError> {
    let account = auth::signed_in()?;
    blocking(|| s.app.revoke_grant(&account, &f.coach))?;
    account_page_for(
        &s,
        Extra {
            notice: Some(format!("{} can no longer open your job search.", f.coach)),
            ..Extra::default()
        },
    )
}

/// The account page showing a secret (a new token, an invitation link) this once: never
/// stored by a cache, and not a redirect, since the secret is nowhere to redirect to.
fn secret_page(s: &WebState, extra: Extra) -> Result<Response, WebError> {
    let mut res = account_page_for(s, extra)?.into_response();
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

/// The account page; on a one-person book, why there is none.
pub async fn account_page(State(s): State<WebState>) -> Result<Html<String>, WebError> {
    if auth::current().is_none() {
        return Err(WebError::new(
            StatusCode::NOT_FOUND,
            "this book has no accounts: it is one person's, served on this computer only (a team server has accounts; docs/TEAM.md)",
        ));
    }
    account_page_for(&s, Extra::default())
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    label: String,
}

pub async fn create_token(
    State(s): State<WebState>,
    Form(f): Form<TokenForm>,
) -> Result<Response, WebError> {
    let account = auth::signed_in()?;
    let made = blocking(|| {
        s.app
            .create_token(&account, &f.label, followup_app::clock::now())
    });
    let extra = match made {
        Ok(secret) => Extra {
            new_token: Some(secret.0),
            ..Extra::default()
        },
        Err(e @ AppError::Invalid { .. }) => Extra {
            message: Some(e.render(|f| f.label().to_string())),
            ..Extra::default()
        },
        Err(e) => return Err(e.into()),
    };
    secret_page(&s, extra)
}

pub async fn revoke_token(
    State(s): State<WebState>,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let account = auth::signed_in()?;
    blocking(|| s.app.revoke_token(&account, id))?;
    account_page_for(
        &s,
        Extra {
            notice: Some("Token revoked: it no longer opens anything.".into()),
            ..Extra::default()
        },
    )
}

#[derive(Deserialize)]
pub struct UserForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
pub struct NameForm {
    #[serde(default)]
    name: String,
}

/// Names the signed-in account (the Account page's "Your name").
pub async fn set_name(
    State(s): State<WebState>,
    Form(f): Form<NameForm>,
) -> Result<Html<String>, WebError> {
    let account = auth::signed_in()?;
    let extra = match blocking(|| s.app.set_name(Some(&account), &account, &f.name)) {
        Ok(a) => Extra {
            notice: Some(match a.name {
                Some(n) => format!("Saved: others now read “{n}” where you act."),
                None => format!("Name cleared: others read {} where you act.", a.email),
            }),
            ..Extra::default()
        },
        Err(e @ AppError::Invalid { .. }) => Extra {
            message: Some(e.render(|f| f.label().to_string())),
            ..Extra::default()
        },
        Err(e) => return Err(e.into()),
    };
    account_page_for(&s, extra)
}

/// The link an invitation's code opens, on this server's public address when known.
pub(crate) fn invitation_link(s: &WebState, headers: &HeaderMap, code: &Secret) -> String {
    let base = match &s.public {
        Some(p) => p.base.clone(),
        None => headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(|h| format!("http://{h}"))
            .unwrap_or_default(),
    };
    format!("{base}/invite/{}", code.0)
}

pub async fn add_user(
    State(s): State<WebState>,
    headers: HeaderMap,
    Form(f): Form<UserForm>,
) -> Result<Response, WebError> {
    let account = auth::signed_in()?;
    let Some(role) = Role::parse(&f.role) else {
        return Err(WebError::bad(format!(
            "role {:?}: give admin, coach or client",
            f.role
        )));
    };
    let added = blocking(|| {
        // The name is checked first, so a bad one adds no account.
        followup_app::accounts::display_name(&f.name)?;
        let mut added = s.app.add_user(
            Some(&account),
            &f.email,
            role,
            None,
            followup_app::clock::now(),
        )?;
        if !f.name.trim().is_empty() {
            added.account = s.app.set_name(Some(&account), &added.account, &f.name)?;
        }
        Ok::<_, AppError>(added)
    });
    let extra = match added {
        Ok(a) => Extra {
            notice: Some(format!("Added {} as {}.", a.account.email, role.as_str())),
            invitation: a.invitation.map(|c| invitation_link(&s, &headers, &c)),
            ..Extra::default()
        },
        Err(e @ AppError::Invalid { .. }) => Extra {
            message: Some(e.render(|f| f.label().to_string())),
            ..Extra::default()
        },
        Err(e) => return Err(e.into()),
    };
    secret_page(&s, extra)
}

#[derive(Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    change: String,
}

pub async fn change_user(
    State(s): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<ChangeForm>,
) -> Result<Response, WebError> {
    let admin = auth::signed_in()?;
    let target = blocking(|| s.app.account(followup_app::AccountId(id)))?
        .ok_or_else(|| WebError::not_found("account"))?;
    let now = followup_app::clock::now();
    let extra = blocking(|| -> Result<Extra, AppError> {
        Ok(match f.change.as_str() {
            "disable" => {
                s.app.set_disabled(Some(&admin), &target, true)?;
                Extra {
                    notice: Some(format!(
                        "{} is disabled: signed out everywhere, and cannot sign in.",
                        target.email
                    )),
                    ..Extra::default()
                }
            }
            "enable" => {
                s.app.set_disabled(Some(&admin), &target, false)?;
                Extra {
                    notice: Some(format!("{} can sign in again.", target.email)),
                    ..Extra::default()
                }
            }
            "reset" => {
                let code = s.app.reset_password(Some(&admin), &target, None, now)?;
                Extra {
                    notice: Some(format!(
                        "{} is signed out everywhere; send them the link to choose a new password.",
                        target.email
                    )),
                    invitation: code.map(|c| invitation_link(&s, &headers, &c)),
                    ..Extra::default()
                }
            }
            other => {
                return Err(followup_app::error::refused(format!(
                    "change {other:?}: give disable, enable or reset"
                )));
            }
        })
    })?;
    secret_page(&s, extra)
}
