//! The API's account routes (team servers only): who am I, my API tokens, and for an admin
//! the accounts. None of them opens a job search; on a one-person book they answer 404.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use followup_app::{Account, AccountId, AppError, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiResult, ok};
use crate::extract::{ApiJson, ApiPath};
use crate::{WebError, WebState, auth, blocking};

/// An account as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct AccountBody {
    id: i64,
    email: String,
    #[schema(value_type = super::schemas::RoleWord, inline)]
    role: String,
    disabled: bool,
    /// False until the person chose a password (an invitation not yet used).
    has_password: bool,
    /// The workspace a client owns (`/api/v1/workspaces/{workspace}/...`); none for others.
    workspace: Option<i64>,
    /// What others read where this account did something ("logged by Sam Lee (coach)");
    /// none: the email.
    name: Option<String>,
}

impl From<&Account> for AccountBody {
    fn from(a: &Account) -> AccountBody {
        AccountBody {
            id: a.id.0,
            email: a.email.clone(),
            role: a.role.as_str().into(),
            disabled: a.disabled,
            has_password: a.has_password,
            workspace: a.workspace.map(|w| w.0),
            name: a.name.clone(),
        }
    }
}

/// A token as listed (the value is shown once, when made, and not kept).
#[derive(Serialize, ToSchema)]
pub struct TokenBody {
    id: i64,
    name: String,
    /// When it was made (RFC 3339).
    created: String,
}

/// A new token: the value, shown this once.
#[derive(Serialize, ToSchema)]
pub struct NewTokenBody {
    name: String,
    /// Send as `Authorization: Bearer TOKEN`.
    token: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// What the token is for (1 to 80 characters).
    name: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccountRequest {
    email: String,
    /// Default client.
    #[schema(value_type = Option<super::schemas::RoleWord>, inline)]
    role: Option<String>,
    /// At least 10 characters; without one, the answer carries an invitation link.
    password: Option<String>,
    /// What others will read where they act (at most 80 characters); default: the email.
    name: Option<String>,
}

/// A new account, and the invitation link when no password was given.
#[derive(Serialize, ToSchema)]
pub struct AddedBody {
    account: AccountBody,
    invitation: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountPatch {
    /// true stops the account (its sessions and tokens stop working); false lets it back.
    disabled: Option<bool>,
    /// true signs the account out everywhere and answers a link to choose a new password.
    reset_password: Option<bool>,
    /// A new display name; empty clears it (the email shows).
    name: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnAccountPatch {
    /// What others read where you act (at most 80 characters); empty: your email.
    name: String,
}

/// The account signed in, or why there is none.
pub(super) fn me() -> Result<Account, WebError> {
    match auth::current() {
        Some(s) => s.account.ok_or_else(|| {
            WebError::new(StatusCode::UNAUTHORIZED, "sign in first").into_json()
        }),
        None => Err(WebError::new(
            StatusCode::NOT_FOUND,
            "this book has no accounts: it is one person's (a team server has accounts; docs/TEAM.md)",
        )
        .into_json()),
    }
}

pub(super) fn json(e: AppError) -> WebError {
    WebError::from(e).into_json()
}

/// The account signed in.
#[utoipa::path(get, path = "/api/v1/account", security(("bearer" = [])),
    responses((status = "4XX", description = "refused", body = super::ApiError), (status = 200, description = "the account", body = AccountBody)))]
pub(super) async fn account() -> ApiResult {
    ok(AccountBody::from(&me()?))
}

/// Names the signed-in account.
#[utoipa::path(patch, path = "/api/v1/account", security(("bearer" = [])),
    request_body(content = OwnAccountPatch, content_type = "application/json"),
    responses((status = "4XX", description = "refused", body = super::ApiError), (status = 200, description = "the account", body = AccountBody)))]
pub(super) async fn rename_account(
    State(s): State<WebState>,
    ApiJson(b): ApiJson<OwnAccountPatch>,
) -> ApiResult {
    let a = me()?;
    let renamed = blocking(|| s.app.set_name(Some(&a), &a, &b.name)).map_err(json)?;
    ok(AccountBody::from(&renamed))
}

/// The signed-in account's API tokens.
#[utoipa::path(get, path = "/api/v1/account/tokens", security(("bearer" = [])),
    responses((status = "4XX", description = "refused", body = super::ApiError), (status = 200, description = "tokens, by id", body = [TokenBody])))]
pub(super) async fn tokens(State(s): State<WebState>) -> ApiResult {
    let a = me()?;
    let list = blocking(|| s.app.tokens(&a)).map_err(json)?;
    ok(list
        .into_iter()
        .map(|t| TokenBody {
            id: t.id,
            name: t.label,
            created: t.created.to_string(),
        })
        .collect::<Vec<_>>())
}

/// Makes an API token for the signed-in account; its value is in this answer only.
#[utoipa::path(post, path = "/api/v1/account/tokens", security(("bearer" = [])),
    request_body(content = TokenRequest, content_type = "application/json"),
    responses((status = "4XX", description = "refused", body = super::ApiError), (status = 201, description = "the token", body = NewTokenBody)))]
pub(super) async fn create_token(
    State(s): State<WebState>,
    ApiJson(b): ApiJson<TokenRequest>,
) -> ApiResult {
    let a = me()?;
    let t =
        blocking(|| s.app.create_token(&a, &b.name, followup_app::clock::now())).map_err(json)?;
    Ok((
        StatusCode::CREATED,
        axum::Json(NewTokenBody {
            name: b.name.trim().to_string(),
            token: t.0,
        }),
    )
        .into_response())
}

/// Revokes one of the signed-in account's tokens.
#[utoipa::path(delete, path = "/api/v1/account/tokens/{id}", security(("bearer" = [])),
    params(("id" = i64, Path, description = "the token's id, from the list")),
    responses((status = "4XX", description = "refused", body = super::ApiError), (status = 204, description = "revoked")))]
pub(super) async fn revoke_token(
    State(s): State<WebState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult {
    let a = me()?;
    blocking(|| s.app.revoke_token(&a, id)).map_err(json)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Every account (admins only; no job search is shown).
#[utoipa::path(get, path = "/api/v1/accounts", security(("bearer" = [])),
    responses((status = "4XX", description = "refused", body = super::ApiError), (status = 200, description = "accounts, by id", body = [AccountBody])))]
pub(super) async fn accounts(State(s): State<WebState>) -> ApiResult {
    let a = me()?;
    let all = blocking(|| s.app.accounts(Some(&a))).map_err(json)?;
    ok(all.iter().map(AccountBody::from).collect::<Vec<_>>())
}

/// Adds an account (admins only).
#[utoipa::path(post, path = "/api/v1/accounts", security(("bearer" = [])),
    request_body(content = NewAccountRequest, content_type = "application/json"),
    responses((status = "4XX", description = "refused", body = super::ApiError), (status = 201, description = "the account", body = AddedBody)))]
pub(super) async fn add_account(
    State(s): State<WebState>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<NewAccountRequest>,
) -> ApiResult {
    let a = me()?;
    let role = match b.role.as_deref() {
        None => Role::Client,
        Some(r) => Role::parse(r).ok_or_else(|| {
            WebError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("role: {r:?} is not admin, coach or client"),
            )
            .into_json()
        })?,
    };
    let added = blocking(|| {
        // The name is checked first, so a bad one adds no account.
        if let Some(n) = &b.name {
            followup_app::accounts::display_name(n)?;
        }
        let mut added = s.app.add_user(
            Some(&a),
            &b.email,
            role,
            b.password.as_deref(),
            followup_app::clock::now(),
        )?;
        if let Some(n) = &b.name {
            added.account = s.app.set_name(Some(&a), &added.account, n)?;
        }
        Ok::<_, AppError>(added)
    })
    .map_err(json)?;
    let body = AddedBody {
        account: AccountBody::from(&added.account),
        invitation: added
            .invitation
            .map(|c| crate::accounts::invitation_link(&s, &headers, &c)),
    };
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}

/// Disables, enables, renames or resets an account (admins only).
#[utoipa::path(patch, path = "/api/v1/accounts/{id}", security(("bearer" = [])),
    params(("id" = i64, Path, description = "the account's id")),
    request_body(content = AccountPatch, content_type = "application/json"),
    responses((status = "4XX", description = "refused", body = super::ApiError), (status = 200, description = "the account, and a link when reset", body = AddedBody)))]
pub(super) async fn change_account(
    State(s): State<WebState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<AccountPatch>,
) -> ApiResult {
    let admin = me()?;
    let now = followup_app::clock::now();
    let (account, link) = blocking(|| -> Result<_, AppError> {
        if admin.role != Role::Admin {
            return Err(AppError::Forbidden("only an admin can do that".into()));
        }
        let target = s
            .app
            .account(AccountId(id))?
            .ok_or_else(|| AppError::NotFound {
                what: "account",
                query: id.to_string(),
                hint: String::new(),
            })?;
        if b.disabled.is_none() && b.reset_password != Some(true) && b.name.is_none() {
            return Err(AppError::NothingToChange { what: "account" });
        }
        if let Some(n) = &b.name {
            followup_app::accounts::display_name(n)?;
        }
        if let Some(d) = b.disabled {
            s.app.set_disabled(Some(&admin), &target, d)?;
        }
        if let Some(n) = &b.name {
            s.app.set_name(Some(&admin), &target, n)?;
        }
        let code = match b.reset_password {
            Some(true) => s.app.reset_password(Some(&admin), &target, None, now)?,
            _ => None,
        };
        Ok((s.app.account(target.id)?.unwrap_or(target), code))
    })
    .map_err(json)?;
    ok(AddedBody {
        account: AccountBody::from(&account),
        invitation: link.map(|c| crate::accounts::invitation_link(&s, &headers, &c)),
    })
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantRequest {
    /// The coach's email.
    coach: String,
    /// view or edit.
    scope: String,
    /// The last day it holds (a date or a phrase); none: until revoked.
    until: Option<String>,
}

/// The grants a client gave (their own workspace's).
#[utoipa::path(get, path = "/api/v1/account/grants", security(("bearer" = [])),
    responses((status = "4XX", description = "refused", body = super::ApiError), (status = 200, description = "grants, by coach: [{coach, scope, until, live}]")))]
pub(super) async fn grants(State(s): State<WebState>) -> ApiResult {
    let a = me()?;
    let list = blocking(|| {
        let today = crate::accounts::today_of(&s, &a)?;
        s.app.grants_given(&a, today)
    })
    .map_err(json)?;
    ok(list)
}

/// Lets a coach into the signed-in client's job search, replacing a grant given before.
#[utoipa::path(put, path = "/api/v1/account/grants", security(("bearer" = [])),
    request_body(content = GrantRequest, description = "{\"coach\": \"coach@example.com\", \"scope\": \"view\", \"until\": \"2027-03-31\"}", content_type = "application/json"),
    responses((status = "4XX", description = "refused", body = super::ApiError), (status = 200, description = "the grant: {coach, scope, until, live}")))]
pub(super) async fn set_grant(
    State(s): State<WebState>,
    ApiJson(b): ApiJson<GrantRequest>,
) -> ApiResult {
    let a = me()?;
    let g = blocking(|| {
        let today = crate::accounts::today_of(&s, &a)?;
        let until = b.until.as_deref();
        s.app.grant_from_text(
            &a,
            &b.coach,
            &b.scope,
            until,
            today,
            followup_app::clock::now(),
        )
    })
    .map_err(json)?;
    ok(g)
}

/// Ends a coach's access to the signed-in client's job search.
#[utoipa::path(delete, path = "/api/v1/account/grants/{coach}", security(("bearer" = [])),
    params(("coach" = String, Path, description = "the coach's email")),
    responses((status = "4XX", description = "refused", body = super::ApiError), (status = 204, description = "revoked")))]
pub(super) async fn revoke_grant(
    State(s): State<WebState>,
    ApiPath(coach): ApiPath<String>,
) -> ApiResult {
    let a = me()?;
    blocking(|| s.app.revoke_grant(&a, &coach)).map_err(json)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Who came into the signed-in client's job search, newest day first.
#[utoipa::path(get, path = "/api/v1/account/visits", security(("bearer" = [])),
    responses((status = "4XX", description = "refused", body = super::ApiError), (status = 200, description = "[{who, role, day, requests}]")))]
pub(super) async fn visits(State(s): State<WebState>) -> ApiResult {
    let a = me()?;
    ok(blocking(|| s.app.visits(&a)).map_err(json)?)
}
