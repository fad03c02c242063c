//! Who may open which workspace: its owner, and the coaches the owner granted (`view` or
//! `edit`, until a day or until revoked). Decided here once for every door (the web's gate,
//! the API, the command line); an admin is no exception: without a grant, no search.
//!
//! Also the client's view of it: the grants they gave, and who came in and when.

use followup_core::model::OwnerId;
use followup_store::{Account, AccountId, Grant, GrantScope, Role, Visit};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::error::{AppError, Field, Result, invalid, refused};
use crate::{Actor, App, Ctx};

/// What an account may do in a workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Their own job search: everything.
    Owner,
    /// A coach's grant: read, or work in it too.
    Granted(GrantScope),
}

impl Access {
    /// True when changes are allowed.
    pub fn may_change(self) -> bool {
        matches!(self, Access::Owner | Access::Granted(GrantScope::Edit))
    }
}

/// A grant as its client lists it: with the coach's email, and whether it still holds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GrantView {
    pub coach: String,
    pub scope: &'static str,
    pub until: Option<Date>,
    /// False once `until` has passed.
    pub live: bool,
}

/// A visit as the client sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VisitView {
    pub who: String,
    pub role: &'static str,
    pub day: Date,
    pub requests: i64,
}

fn holds(g: &Grant, today: Date) -> bool {
    g.until.is_none_or(|u| today <= u)
}

impl App {
    /// What `account` may do in `workspace` on `today`: [`AppError::Forbidden`] when nothing.
    pub fn access(&self, account: &Account, workspace: OwnerId, today: Date) -> Result<Access> {
        if account.workspace == Some(workspace) {
            return Ok(Access::Owner);
        }
        let grant = self
            .directory()?
            .grants_of(workspace)?
            .into_iter()
            .find(|g| g.coach == account.id);
        match grant {
            Some(g) if holds(&g, today) => Ok(Access::Granted(g.scope)),
            Some(g) => Err(AppError::Forbidden(format!(
                "your access to workspace {} ended on {}; ask its owner to grant it again",
                workspace.0,
                g.until.map(|d| d.to_string()).unwrap_or_default()
            ))),
            None => Err(AppError::Forbidden(format!(
                "workspace {} is not yours, and nobody granted you access to it",
                workspace.0
            ))),
        }
    }

    /// The context of `account` working in `workspace` on `today`, once [`App::access`] lets it.
    pub fn ctx_as(&self, account: &Account, workspace: OwnerId, today: Date) -> Result<Ctx> {
        let actor = match self.access(account, workspace, today)? {
            Access::Owner => Actor::Owner,
            Access::Granted(_) => Actor::Account(account.id.0),
        };
        self.ctx_for(workspace, actor, today)
    }

    /// `client` grants `coach_email` access to their own workspace (replacing a grant they
    /// gave before). `until` is the last day it holds.
    pub fn grant(
        &self,
        client: &Account,
        coach_email: &str,
        scope: GrantScope,
        until: Option<Date>,
        today: Date,
        now: Timestamp,
    ) -> Result<GrantView> {
        let workspace = self.own_workspace(client)?;
        let coach = self.account_named(coach_email)?;
        if coach.id == client.id {
            return Err(invalid(Field::Email, "that is you; grant someone else"));
        }
        if coach.role == Role::Client {
            return Err(invalid(
                Field::Email,
                format!(
                    "{} is a client; grant a coach (or an admin) instead",
                    coach.email
                ),
            ));
        }
        if until.is_some_and(|u| u < today) {
            return Err(invalid(
                Field::Until,
                "that day has passed; give today or later",
            ));
        }
        self.directory()?.set_grant(&Grant {
            workspace,
            coach: coach.id,
            scope,
            until,
            granted: now,
        })?;
        Ok(GrantView {
            coach: coach.email,
            scope: scope.as_str(),
            until,
            live: true,
        })
    }

    /// [`App::grant`] from what a form or a request body typed: `scope` a word (view, edit),
    /// `until` a date or a phrase ("" or none: until revoked).
    pub fn grant_from_text(
        &self,
        client: &Account,
        coach_email: &str,
        scope: &str,
        until: Option<&str>,
        today: Date,
        now: Timestamp,
    ) -> Result<GrantView> {
        let scope = GrantScope::parse(scope.trim())
            .ok_or_else(|| invalid(Field::Scope, format!("{scope:?}: give view or edit")))?;
        let cx = self.ctx_for(self.own_workspace(client)?, Actor::Owner, today)?;
        let until = until
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(|u| crate::input::day(&cx, Field::Until, u))
            .transpose()?;
        self.grant(client, coach_email, scope, until, today, now)
    }

    /// `client` ends the grant they gave `coach_email`.
    pub fn revoke_grant(&self, client: &Account, coach_email: &str) -> Result<()> {
        let workspace = self.own_workspace(client)?;
        let coach = self.account_named(coach_email)?;
        if !self.directory()?.revoke_grant(workspace, coach.id)? {
            return Err(refused(format!(
                "{} has no access to your job search to revoke",
                coach.email
            )));
        }
        Ok(())
    }

    /// The grants a client gave, by coach.
    pub fn grants_given(&self, client: &Account, today: Date) -> Result<Vec<GrantView>> {
        let workspace = self.own_workspace(client)?;
        let dir = self.directory()?;
        dir.grants_of(workspace)?
            .into_iter()
            .map(|g| {
                let coach = dir.account(g.coach)?.map(|a| a.email).unwrap_or_default();
                Ok(GrantView {
                    coach,
                    scope: g.scope.as_str(),
                    live: holds(&g, today),
                    until: g.until,
                })
            })
            .collect()
    }

    /// The workspaces a coach may open today, with how far, by workspace.
    pub fn grants_held(&self, coach: &Account, today: Date) -> Result<Vec<(OwnerId, GrantScope)>> {
        Ok(self
            .directory()?
            .grants_to(coach.id)?
            .into_iter()
            .filter(|g| holds(g, today))
            .map(|g| (g.workspace, g.scope))
            .collect())
    }

    /// Counts a request of someone other than the owner in `workspace` (the client's list of
    /// who came in).
    pub fn record_visit(
        &self,
        account: &Account,
        workspace: OwnerId,
        today: Date,
        now: Timestamp,
    ) -> Result<()> {
        Ok(self
            .directory()?
            .record_visit(workspace, account.id, today, now)?)
    }

    /// Who came into the client's workspace, newest day first (the last 100 days with visits).
    pub fn visits(&self, client: &Account) -> Result<Vec<VisitView>> {
        let workspace = self.own_workspace(client)?;
        let dir = self.directory()?;
        dir.visits(workspace, 100)?
            .into_iter()
            .map(|v: Visit| {
                let who = dir.account(v.account)?;
                Ok(VisitView {
                    who: who.as_ref().map(|a| a.email.clone()).unwrap_or_default(),
                    role: who.map(|a| a.role.as_str()).unwrap_or(""),
                    day: v.day,
                    requests: v.requests,
                })
            })
            .collect()
    }

    /// An account by id, or not found.
    /// The client who owns a workspace, if any account does.
    pub fn workspace_holder(&self, workspace: OwnerId) -> Result<Option<Account>> {
        let dir = self.directory()?;
        match dir.workspace_owner(workspace)? {
            Some(id) => Ok(dir.account(id)?),
            None => Ok(None),
        }
    }

    pub fn account_by_id(&self, id: AccountId) -> Result<Account> {
        self.directory()?
            .account(id)?
            .ok_or_else(|| AppError::NotFound {
                what: "account",
                query: id.to_string(),
                hint: String::new(),
            })
    }
}
