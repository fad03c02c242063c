//! [`Directory`] on PostgreSQL: accounts and secrets in two tables outside row-level
//! security (migrations 2, 3 and 5), each call one statement in its own transaction.

use followup_core::model::OwnerId;
use followup_store::{
    Account, AccountId, CoachNote, Directory, Grant, GrantScope, HolderFuture, NewSecret, Result,
    Role, SecretInfo, SecretKind, StoreError, Visit,
};
use jiff::Timestamp;
use postgres::Row;

use crate::PgStore;
use crate::lookup::HOLDER_WITH_VERSION;

const ACCOUNT: &str =
    "SELECT id, email, role, disabled, workspace, password_hash IS NOT NULL, name FROM accounts";

fn account(row: &Row) -> Result<Account> {
    let role: String = row.get(2);
    Ok(Account {
        id: AccountId(row.get(0)),
        email: row.get(1),
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt {
            table: "accounts",
            id: row.get::<_, i64>(0).to_string(),
            detail: format!("role {role:?}"),
        })?,
        disabled: row.get(3),
        workspace: row.get::<_, Option<i64>>(4).map(OwnerId),
        has_password: row.get(5),
        name: row.get(6),
    })
}

/// A row of [`HOLDER_WITH_VERSION`], however it was asked.
pub(crate) fn holder_with_version(row: Option<&Row>) -> Result<Option<(Account, Option<u64>)>> {
    row.map(|r| Ok((account(r)?, r.get::<_, Option<i64>>(7).map(|v| v as u64))))
        .transpose()
}

fn time(secs: i64) -> Result<Timestamp> {
    Timestamp::from_second(secs).map_err(|e| StoreError::Corrupt {
        table: "secrets",
        id: secs.to_string(),
        detail: e.to_string(),
    })
}

impl Directory for PgStore {
    fn has_accounts(&self) -> Result<bool> {
        let rows = self
            .pool
            .get()?
            .query("SELECT EXISTS (SELECT 1 FROM accounts)", &[])?;
        Ok(rows[0].get(0))
    }

    fn add_account(&self, email: &str, role: Role, password_hash: Option<&str>) -> Result<Account> {
        let sql = "INSERT INTO accounts (email, role, password_hash, workspace)
             VALUES ($1, $2, $3, CASE WHEN $2 = 'client' THEN nextval('workspace_ids') END)
             RETURNING id, email, role, disabled, workspace, password_hash IS NOT NULL, name";
        let rows = self
            .pool
            .get()?
            .query(sql, &[&email, &role.as_str(), &password_hash])
            .map_err(|e| match e {
                StoreError::Conflict { .. } => StoreError::Conflict {
                    what: "account",
                    detail: format!("{email} already has an account"),
                },
                e => e,
            })?;
        account(&rows[0])
    }

    fn account(&self, id: AccountId) -> Result<Option<Account>> {
        let rows = self
            .pool
            .get()?
            .query(&format!("{ACCOUNT} WHERE id = $1"), &[&id.0])?;
        rows.first().map(account).transpose()
    }

    fn account_by_email(&self, email: &str) -> Result<Option<Account>> {
        let rows = self
            .pool
            .get()?
            .query(&format!("{ACCOUNT} WHERE email = $1"), &[&email])?;
        rows.first().map(account).transpose()
    }

    fn accounts(&self) -> Result<Vec<Account>> {
        let rows = self
            .pool
            .get()?
            .query(&format!("{ACCOUNT} ORDER BY id"), &[])?;
        rows.iter().map(account).collect()
    }

    fn password_hash(&self, id: AccountId) -> Result<Option<String>> {
        let rows = self
            .pool
            .get()?
            .query("SELECT password_hash FROM accounts WHERE id = $1", &[&id.0])?;
        Ok(rows.first().and_then(|r| r.get(0)))
    }

    fn set_password(&self, id: AccountId, hash: &str) -> Result<()> {
        let n = self.pool.get()?.execute(
            "UPDATE accounts SET password_hash = $2 WHERE id = $1",
            &[&id.0, &hash],
        )?;
        found(n, id)
    }

    fn set_disabled(&self, id: AccountId, disabled: bool) -> Result<()> {
        let n = self.pool.get()?.execute(
            "UPDATE accounts SET disabled = $2 WHERE id = $1",
            &[&id.0, &disabled],
        )?;
        found(n, id)
    }

    fn set_name(&self, id: AccountId, name: Option<&str>) -> Result<()> {
        let n = self.pool.get()?.execute(
            "UPDATE accounts SET name = $2 WHERE id = $1",
            &[&id.0, &name],
        )?;
        found(n, id)
    }

    fn workspace_owner(&self, workspace: OwnerId) -> Result<Option<AccountId>> {
        let rows = self.pool.get()?.query(
            "SELECT id FROM accounts WHERE workspace = $1",
            &[&workspace.0],
        )?;
        Ok(rows.first().map(|r| AccountId(r.get(0))))
    }

    fn workspace_accounts(&self, workspaces: &[OwnerId]) -> Result<Vec<Account>> {
        let ids: Vec<i64> = workspaces.iter().map(|w| w.0).collect();
        let rows = self.pool.get()?.query(
            &format!("{ACCOUNT} WHERE workspace = ANY($1) ORDER BY id"),
            &[&ids],
        )?;
        rows.iter().map(account).collect()
    }

    fn add_secret(&self, s: &NewSecret<'_>) -> Result<i64> {
        let rows = self.pool.get()?.query(
            "INSERT INTO secrets (kind, hash, account, label, created, expires)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            &[
                &s.kind.as_str(),
                &s.hash,
                &s.account.0,
                &s.label,
                &s.created.as_second(),
                &s.expires.map(|e| e.as_second()),
            ],
        );
        match rows {
            Ok(rows) => Ok(rows[0].get(0)),
            // The account's foreign key, or the hash's uniqueness.
            Err(StoreError::Conflict { detail, .. }) if detail.contains("secrets_account_fkey") => {
                Err(StoreError::Missing {
                    what: "account",
                    id: s.account.to_string(),
                })
            }
            Err(e) => Err(e),
        }
    }

    fn secret_holder(
        &self,
        kind: SecretKind,
        hash: &str,
        now: Timestamp,
    ) -> Result<Option<Account>> {
        // One query for both: the version beside it is one indexed read.
        Ok(self
            .secret_holder_with_version(kind, hash, now)?
            .map(|(a, _)| a))
    }

    fn secret_holder_with_version(
        &self,
        kind: SecretKind,
        hash: &str,
        now: Timestamp,
    ) -> Result<Option<(Account, Option<u64>)>> {
        let rows = self.pool.get()?.query(
            HOLDER_WITH_VERSION,
            &[&hash, &kind.as_str(), &now.as_second()],
        )?;
        holder_with_version(rows.first())
    }

    fn secret_holder_async(
        &self,
        kind: SecretKind,
        hash: &str,
        now: Timestamp,
    ) -> Option<HolderFuture> {
        Some(Box::pin(self.lookup.clone().holder(
            kind,
            hash.to_string(),
            now,
        )))
    }

    fn secrets(&self, account: AccountId, kind: SecretKind) -> Result<Vec<SecretInfo>> {
        let rows = self.pool.get()?.query(
            "SELECT id, label, created, expires FROM secrets
             WHERE account = $1 AND kind = $2 AND NOT revoked ORDER BY id",
            &[&account.0, &kind.as_str()],
        )?;
        rows.iter()
            .map(|r| {
                Ok(SecretInfo {
                    id: r.get(0),
                    kind,
                    label: r.get(1),
                    created: time(r.get(2))?,
                    expires: r.get::<_, Option<i64>>(3).map(time).transpose()?,
                })
            })
            .collect()
    }

    fn revoke_secret(&self, account: AccountId, id: i64) -> Result<bool> {
        let n = self.pool.get()?.execute(
            "UPDATE secrets SET revoked = true WHERE id = $1 AND account = $2 AND NOT revoked",
            &[&id, &account.0],
        )?;
        Ok(n == 1)
    }

    fn revoke_secret_hash(&self, kind: SecretKind, hash: &str) -> Result<()> {
        self.pool.get()?.execute(
            "UPDATE secrets SET revoked = true WHERE hash = $1 AND kind = $2",
            &[&hash, &kind.as_str()],
        )?;
        Ok(())
    }

    fn revoke_all(&self, account: AccountId, kind: SecretKind) -> Result<()> {
        self.pool.get()?.execute(
            "UPDATE secrets SET revoked = true WHERE account = $1 AND kind = $2",
            &[&account.0, &kind.as_str()],
        )?;
        Ok(())
    }

    fn set_grant(&self, g: &Grant) -> Result<()> {
        let until = g.until.map(|d| d.to_string());
        let done = self.pool.get()?.execute(
            "INSERT INTO grants (workspace, coach, scope, until, granted) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (workspace, coach) DO UPDATE
             SET scope = EXCLUDED.scope, until = EXCLUDED.until, granted = EXCLUDED.granted",
            &[&g.workspace.0, &g.coach.0, &g.scope.as_str(), &until, &g.granted.as_second()],
        );
        match done {
            Ok(_) => Ok(()),
            Err(StoreError::Conflict { .. }) => Err(StoreError::Missing {
                what: "account",
                id: g.coach.to_string(),
            }),
            Err(e) => Err(e),
        }
    }

    fn revoke_grant(&self, workspace: OwnerId, coach: AccountId) -> Result<bool> {
        let n = self.pool.get()?.execute(
            "DELETE FROM grants WHERE workspace = $1 AND coach = $2",
            &[&workspace.0, &coach.0],
        )?;
        Ok(n == 1)
    }

    fn grants_of(&self, workspace: OwnerId) -> Result<Vec<Grant>> {
        let rows = self.pool.get()?.query(
            "SELECT workspace, coach, scope, until, granted FROM grants WHERE workspace = $1 ORDER BY coach",
            &[&workspace.0],
        )?;
        rows.iter().map(grant).collect()
    }

    fn grants_to(&self, coach: AccountId) -> Result<Vec<Grant>> {
        let rows = self.pool.get()?.query(
            "SELECT workspace, coach, scope, until, granted FROM grants WHERE coach = $1 ORDER BY workspace",
            &[&coach.0],
        )?;
        rows.iter().map(grant).collect()
    }

    fn record_visit(
        &self,
        workspace: OwnerId,
        account: AccountId,
        day: jiff::civil::Date,
        at: Timestamp,
    ) -> Result<()> {
        self.pool.get()?.execute(
            "INSERT INTO visits (workspace, day, account, first, last, requests) VALUES ($1, $2, $3, $4, $4, 1)
             ON CONFLICT (workspace, day, account) DO UPDATE
             SET first = LEAST(visits.first, EXCLUDED.first), last = GREATEST(visits.last, EXCLUDED.last),
                 requests = visits.requests + 1",
            &[&workspace.0, &day.to_string(), &account.0, &at.as_second()],
        )?;
        Ok(())
    }

    fn visits(&self, workspace: OwnerId, limit: usize) -> Result<Vec<Visit>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self.pool.get()?.query(
            "SELECT account, day, first, last, requests FROM visits WHERE workspace = $1
             ORDER BY day DESC, account LIMIT $2",
            &[&workspace.0, &limit],
        )?;
        rows.iter()
            .map(|r| {
                Ok(Visit {
                    account: AccountId(r.get(0)),
                    day: civil(r.get(1))?,
                    first: time(r.get(2))?,
                    last: time(r.get(3))?,
                    requests: r.get(4),
                })
            })
            .collect()
    }
    fn coach_template(&self, coach: AccountId, name: &str) -> Result<Option<String>> {
        let rows = self.pool.get()?.query(
            "SELECT text FROM coach_templates WHERE coach = $1 AND name = $2",
            &[&coach.0, &name],
        )?;
        Ok(rows.first().map(|r| r.get(0)))
    }

    fn set_coach_template(&self, coach: AccountId, name: &str, text: Option<&str>) -> Result<()> {
        let mut conn = self.pool.get()?;
        match text {
            Some(t) => {
                conn.execute(
                    "INSERT INTO coach_templates (coach, name, text) VALUES ($1, $2, $3)
                     ON CONFLICT (coach, name) DO UPDATE SET text = excluded.text",
                    &[&coach.0, &name, &t],
                )
                .map_err(|e| match e {
                    // The foreign key: no such account.
                    StoreError::Conflict { .. } => StoreError::Missing {
                        what: "account",
                        id: coach.to_string(),
                    },
                    e => e,
                })?;
            }
            None => {
                conn.execute(
                    "DELETE FROM coach_templates WHERE coach = $1 AND name = $2",
                    &[&coach.0, &name],
                )?;
            }
        }
        Ok(())
    }

    fn set_coach_note(
        &self,
        coach: AccountId,
        workspace: OwnerId,
        text: &str,
        at: Timestamp,
    ) -> Result<()> {
        let done = if text.is_empty() {
            self.pool.get()?.execute(
                "DELETE FROM coach_notes WHERE coach = $1 AND workspace = $2",
                &[&coach.0, &workspace.0],
            )
        } else {
            self.pool.get()?.execute(
                "INSERT INTO coach_notes (coach, workspace, text, updated) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (coach, workspace) DO UPDATE
                 SET text = EXCLUDED.text, updated = EXCLUDED.updated",
                &[&coach.0, &workspace.0, &text, &at.as_second()],
            )
        };
        match done {
            Ok(_) => Ok(()),
            // The coach's foreign key.
            Err(StoreError::Conflict { .. }) => Err(StoreError::Missing {
                what: "account",
                id: coach.to_string(),
            }),
            Err(e) => Err(e),
        }
    }

    fn coach_note(&self, coach: AccountId, workspace: OwnerId) -> Result<Option<CoachNote>> {
        let rows = self.pool.get()?.query(
            "SELECT workspace, text, updated FROM coach_notes WHERE coach = $1 AND workspace = $2",
            &[&coach.0, &workspace.0],
        )?;
        rows.first().map(note).transpose()
    }

    fn coach_notes(&self, coach: AccountId) -> Result<Vec<CoachNote>> {
        let rows = self.pool.get()?.query(
            "SELECT workspace, text, updated FROM coach_notes WHERE coach = $1 ORDER BY workspace",
            &[&coach.0],
        )?;
        rows.iter().map(note).collect()
    }
}

fn note(r: &Row) -> Result<CoachNote> {
    Ok(CoachNote {
        workspace: OwnerId(r.get(0)),
        text: r.get(1),
        updated: time(r.get(2))?,
    })
}

fn found(n: u64, id: AccountId) -> Result<()> {
    if n == 0 {
        return Err(StoreError::Missing {
            what: "account",
            id: id.to_string(),
        });
    }
    Ok(())
}

fn civil(text: String) -> Result<jiff::civil::Date> {
    text.parse().map_err(|_| StoreError::Corrupt {
        table: "grants",
        id: text.clone(),
        detail: "not a date".into(),
    })
}

fn grant(r: &Row) -> Result<Grant> {
    let scope: String = r.get(2);
    Ok(Grant {
        workspace: OwnerId(r.get(0)),
        coach: AccountId(r.get(1)),
        scope: GrantScope::parse(&scope).ok_or_else(|| StoreError::Corrupt {
            table: "grants",
            id: r.get::<_, i64>(0).to_string(),
            detail: format!("scope {scope:?}"),
        })?,
        until: r.get::<_, Option<String>>(3).map(civil).transpose()?,
        granted: time(r.get(4))?,
    })
}
