//! Accounts on the team server: setting one up, inviting people, signing in and out, API
//! tokens, and who may open which workspace. Every use case takes the time it is (`now`) and
//! the account acting; nothing here reads the clock.
//!
//! Passwords are kept as argon2id hashes. Sessions, API tokens and invitations are random
//! values (128 bits from the operating system) shown to their holder once and kept as SHA-256
//! hashes: a copy of the database opens nobody's account.
//!
//! Who may open which workspace is `grants.rs`.

use std::sync::Arc;

use followup_core::model::OwnerId;
use followup_store::{Account, AccountId, Directory, NewSecret, Role, SecretInfo, SecretKind};
use jiff::{SignedDuration, Timestamp};
use sha2::Digest;

use crate::App;
use crate::error::{AppError, Field, Result, invalid, refused};

/// How long a browser stays signed in.
pub const SESSION_LIFE: SignedDuration = SignedDuration::from_hours(24 * 30);
/// How long an invitation link works.
pub const INVITATION_LIFE: SignedDuration = SignedDuration::from_hours(24 * 7);
/// The shortest password taken (NIST SP 800-63B asks for at least 8; a job search deserves
/// a little more).
pub const MIN_PASSWORD: usize = 10;

/// A secret value shown once (a session cookie, an API token, an invitation's code).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never in a log or a panic message.
        f.write_str("Secret(..)")
    }
}

/// A new account and, when no password was given, the invitation that lets its holder set
/// one.
#[derive(Debug)]
pub struct Added {
    pub account: Account,
    pub invitation: Option<Secret>,
}

/// A normalized email: trimmed, lower case, one `@` with something either side, no spaces.
pub fn email(text: &str) -> Result<String> {
    let e = text.trim().to_lowercase();
    let ok = match e.split_once('@') {
        Some((user, host)) => {
            !user.is_empty() && host.contains('.') && !host.starts_with('.') && !host.ends_with('.')
        }
        None => false,
    };
    if !ok || e.contains(char::is_whitespace) || e.matches('@').count() != 1 || e.len() > 254 {
        return Err(invalid(
            Field::Email,
            format!(
                "{:?} is not an email address (like sam@example.com)",
                text.trim()
            ),
        ));
    }
    Ok(e)
}

fn check_password(password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(invalid(
            Field::Password,
            format!("too short: at least {MIN_PASSWORD} characters"),
        ));
    }
    if password.len() > 1024 {
        return Err(invalid(Field::Password, "too long: at most 1024 bytes"));
    }
    Ok(())
}

fn hash_password(password: &str) -> Result<String> {
    use argon2::password_hash::PasswordHasher;
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| refused(format!("cannot hash the password: {e}")))
}

fn password_matches(password: &str, hash: &str) -> bool {
    use argon2::password_hash::PasswordVerifier;
    use argon2::password_hash::phc::PasswordHash;
    PasswordHash::new(hash).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A valid argon2id hash of nothing anyone knows: an unknown email costs the same time as a
/// wrong password, so timing does not tell which emails have accounts.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("no one's password, ever").unwrap_or_default())
}

/// A fresh random secret and the hash the directory keeps.
fn new_secret() -> Result<(Secret, String)> {
    let value = crate::settings::random_token()?;
    let hash = secret_hash(&value);
    Ok((Secret(value), hash))
}

/// SHA-256 of a secret value, as lower-case hex.
pub fn secret_hash(value: &str) -> String {
    let digest = sha2::Sha256::digest(value.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn unauthorized() -> AppError {
    AppError::Unauthorized("wrong email or password".into())
}

fn not_admin() -> AppError {
    AppError::Forbidden("only an admin can do that".into())
}

/// The longest display name, in characters.
const MAX_NAME: usize = 80;

/// A display name as typed: one line of at most 80 characters; empty means none.
pub fn display_name(text: &str) -> Result<Option<String>> {
    let name = crate::fields::line(Field::Label, text)?;
    let n = name.chars().count();
    if n > MAX_NAME {
        return Err(invalid(
            Field::Label,
            format!("expected at most {MAX_NAME} characters, found {n}"),
        ));
    }
    Ok(Some(name).filter(|n| !n.is_empty()))
}

/// The enabled account a secret opens, if any, with its own workspace's data version when
/// the directory read it beside the account.
pub type Opened = Option<(Account, Option<u64>)>;

impl App {
    /// The directory of accounts, or why there is none (a one-person book).
    pub fn directory(&self) -> Result<&Arc<dyn Directory>> {
        self.directory.as_ref().ok_or_else(|| {
            refused(
                "accounts live on the team server: give --database postgres://USER@HOST:PORT/DB",
            )
        })
    }

    /// True when people must sign in (a team server with accounts).
    pub fn has_accounts(&self) -> Result<bool> {
        match &self.directory {
            Some(d) => Ok(d.has_accounts()?),
            None => Ok(false),
        }
    }

    /// Sets up a team server's first account, an admin. Refused once any account exists.
    pub fn team_init(
        &self,
        admin_email: &str,
        password: Option<&str>,
        now: Timestamp,
    ) -> Result<Added> {
        let dir = self.directory()?;
        if dir.has_accounts()? {
            return Err(refused(
                "this team server already has accounts; add people with `followup user add`",
            ));
        }
        self.add_account(admin_email, Role::Admin, password, now)
    }

    /// Adds an account as `by` (an admin; `None` is the server's operator at the command
    /// line, who holds the database's own credentials). Without a password, the result
    /// carries an invitation for the new person to choose one.
    pub fn add_user(
        &self,
        by: Option<&Account>,
        new_email: &str,
        role: Role,
        password: Option<&str>,
        now: Timestamp,
    ) -> Result<Added> {
        if by.is_some_and(|a| a.role != Role::Admin) {
            return Err(not_admin());
        }
        self.add_account(new_email, role, password, now)
    }

    fn add_account(
        &self,
        text: &str,
        role: Role,
        password: Option<&str>,
        now: Timestamp,
    ) -> Result<Added> {
        let dir = self.directory()?;
        let e = email(text)?;
        if let Some(p) = password {
            check_password(p)?;
        }
        if dir.account_by_email(&e)?.is_some() {
            return Err(invalid(Field::Email, format!("{e} already has an account")));
        }
        let hash = password.map(hash_password).transpose()?;
        let account = dir.add_account(&e, role, hash.as_deref())?;
        let invitation = match password {
            Some(_) => None,
            None => Some(self.invite(&account, now)?),
        };
        Ok(Added {
            account,
            invitation,
        })
    }

    fn invite(&self, account: &Account, now: Timestamp) -> Result<Secret> {
        let dir = self.directory()?;
        let (secret, hash) = new_secret()?;
        dir.add_secret(&NewSecret {
            kind: SecretKind::Invitation,
            hash: &hash,
            account: account.id,
            label: "invitation",
            created: now,
            expires: Some(now + INVITATION_LIFE),
        })?;
        Ok(secret)
    }

    /// The account with this email.
    pub fn account_named(&self, text: &str) -> Result<Account> {
        let e = email(text)?;
        self.directory()?
            .account_by_email(&e)?
            .ok_or_else(|| AppError::NotFound {
                what: "account",
                query: e,
                hint: "; `followup user list` shows every account".into(),
            })
    }

    /// Every account (an admin's list; shows no job search).
    pub fn accounts(&self, by: Option<&Account>) -> Result<Vec<Account>> {
        if by.is_some_and(|a| a.role != Role::Admin) {
            return Err(not_admin());
        }
        Ok(self.directory()?.accounts()?)
    }

    /// Signs in with email and password: a new session, good for [`SESSION_LIFE`].
    /// A wrong email, a wrong password and a disabled account are refused alike.
    pub fn sign_in(&self, text: &str, password: &str, now: Timestamp) -> Result<(Account, Secret)> {
        let dir = self.directory()?;
        let account = email(text)
            .ok()
            .map(|e| dir.account_by_email(&e))
            .transpose()?
            .flatten();
        let hash = match &account {
            Some(a) => dir.password_hash(a.id)?,
            None => None,
        };
        let ok = password_matches(password, hash.as_deref().unwrap_or(decoy_hash()));
        match account {
            Some(a) if ok && hash.is_some() && !a.disabled => {
                let session = self.new_session(&a, now)?;
                Ok((a, session))
            }
            _ => Err(unauthorized()),
        }
    }

    fn new_session(&self, account: &Account, now: Timestamp) -> Result<Secret> {
        let (secret, hash) = new_secret()?;
        self.directory()?.add_secret(&NewSecret {
            kind: SecretKind::Session,
            hash: &hash,
            account: account.id,
            label: "browser",
            created: now,
            expires: Some(now + SESSION_LIFE),
        })?;
        Ok(secret)
    }

    /// The enabled account a live secret of `kind` opens, if any.
    pub fn holder(&self, kind: SecretKind, value: &str, now: Timestamp) -> Result<Option<Account>> {
        Ok(self.holder_with_version(kind, value, now)?.map(|(a, _)| a))
    }

    /// [`App::holder`], with the data version of the holder's own workspace when the
    /// directory read it in the same round trip (a team server's request: see
    /// [`App::ctx_at_known_version`]).
    pub fn holder_with_version(
        &self,
        kind: SecretKind,
        value: &str,
        now: Timestamp,
    ) -> Result<Opened> {
        let Some(dir) = &self.directory else {
            return Ok(None);
        };
        Ok(dir
            .secret_holder_with_version(kind, &secret_hash(value), now)?
            .filter(|(a, _)| !a.disabled))
    }

    /// [`App::holder_with_version`] holding no thread while it waits, where the directory
    /// can ask that way (PostgreSQL: `Directory::secret_holder_async`); `None` where it
    /// cannot, and the caller asks the blocking way.
    pub fn holder_with_version_async(
        &self,
        kind: SecretKind,
        value: &str,
        now: Timestamp,
    ) -> Option<impl Future<Output = Result<Opened>> + Send + 'static + use<>> {
        let asked = self
            .directory
            .as_ref()?
            .secret_holder_async(kind, &secret_hash(value), now)?;
        Some(async move { Ok(asked.await?.filter(|(a, _)| !a.disabled)) })
    }

    /// Ends a browser's session.
    pub fn sign_out(&self, session: &str) -> Result<()> {
        self.directory()?
            .revoke_secret_hash(SecretKind::Session, &secret_hash(session))?;
        Ok(())
    }

    /// Sets the password of an invited account and signs it in; the invitation is used up.
    pub fn accept_invitation(
        &self,
        code: &str,
        password: &str,
        now: Timestamp,
    ) -> Result<(Account, Secret)> {
        let account = self
            .holder(SecretKind::Invitation, code, now)?
            .ok_or_else(|| refused("this invitation link is used, expired or mistyped; ask your admin for a new one"))?;
        check_password(password)?;
        let dir = self.directory()?;
        dir.set_password(account.id, &hash_password(password)?)?;
        dir.revoke_secret_hash(SecretKind::Invitation, &secret_hash(code))?;
        let session = self.new_session(&account, now)?;
        Ok((account, session))
    }

    /// A new API token for `account`, named `label` (where it is used).
    pub fn create_token(&self, account: &Account, label: &str, now: Timestamp) -> Result<Secret> {
        let label = label.trim();
        if label.is_empty() || label.chars().count() > 80 {
            return Err(invalid(
                Field::Label,
                "give the token a name of 1 to 80 characters (where it will be used)",
            ));
        }
        let (secret, hash) = new_secret()?;
        self.directory()?.add_secret(&NewSecret {
            kind: SecretKind::Token,
            hash: &hash,
            account: account.id,
            label,
            created: now,
            expires: None,
        })?;
        Ok(secret)
    }

    /// The account's live API tokens (names and dates; the values are not kept).
    pub fn tokens(&self, account: &Account) -> Result<Vec<SecretInfo>> {
        Ok(self.directory()?.secrets(account.id, SecretKind::Token)?)
    }

    /// Revokes one of the account's API tokens.
    pub fn revoke_token(&self, account: &Account, id: i64) -> Result<()> {
        let dir = self.directory()?;
        let theirs = dir
            .secrets(account.id, SecretKind::Token)?
            .iter()
            .any(|s| s.id == id);
        if !theirs || !dir.revoke_secret(account.id, id)? {
            return Err(AppError::NotFound {
                what: "token",
                query: id.to_string(),
                hint: String::new(),
            });
        }
        Ok(())
    }

    /// Sets (or, without one, invites the person to choose) a new password for `target`, as
    /// an admin (`None`: the operator at the command line). Every session of theirs ends.
    pub fn reset_password(
        &self,
        by: Option<&Account>,
        target: &Account,
        password: Option<&str>,
        now: Timestamp,
    ) -> Result<Option<Secret>> {
        if by.is_some_and(|a| a.role != Role::Admin) {
            return Err(not_admin());
        }
        let dir = self.directory()?;
        dir.revoke_all(target.id, SecretKind::Session)?;
        match password {
            Some(p) => {
                check_password(p)?;
                dir.set_password(target.id, &hash_password(p)?)?;
                Ok(None)
            }
            None => Ok(Some(self.invite(target, now)?)),
        }
    }

    /// Disables (or enables again) `target`, as an admin. A disabled account cannot sign in
    /// and its sessions and tokens stop working at once.
    pub fn set_disabled(
        &self,
        by: Option<&Account>,
        target: &Account,
        disabled: bool,
    ) -> Result<()> {
        if by.is_some_and(|a| a.role != Role::Admin) {
            return Err(not_admin());
        }
        if by.is_some_and(|a| a.id == target.id) && disabled {
            return Err(refused("an admin cannot disable their own account"));
        }
        self.directory()?.set_disabled(target.id, disabled)?;
        Ok(())
    }

    /// Sets what `target` is called where others read who did something ("logged by Sam
    /// Lee (coach)"); empty clears it back to the email. A person names themselves; an admin
    /// (or the operator, `by` = None) anyone.
    pub fn set_name(&self, by: Option<&Account>, target: &Account, name: &str) -> Result<Account> {
        if by.is_some_and(|a| a.id != target.id && a.role != Role::Admin) {
            return Err(AppError::Forbidden(
                "only an admin can name another account".into(),
            ));
        }
        let name = display_name(name)?;
        let dir = self.directory()?;
        dir.set_name(target.id, name.as_deref())?;
        dir.account(target.id)?.ok_or_else(|| AppError::NotFound {
            what: "account",
            query: target.id.to_string(),
            hint: String::new(),
        })
    }

    /// The workspace an account owns, or why it has none.
    pub fn own_workspace(&self, account: &Account) -> Result<OwnerId> {
        account.workspace.ok_or_else(|| {
            AppError::Forbidden(format!(
                "{} is a{} {} account and owns no job search of its own",
                account.email,
                if account.role == Role::Admin { "n" } else { "" },
                account.role.as_str()
            ))
        })
    }

    /// The account by id (for a session already checked).
    pub fn account(&self, id: AccountId) -> Result<Option<Account>> {
        Ok(self.directory()?.account(id)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalized_and_checked() {
        assert_eq!(email("  Sam@Example.COM ").unwrap(), "sam@example.com");
        for bad in [
            "",
            "sam",
            "sam@",
            "@example.com",
            "sam@example",
            "s am@example.com",
            "a@b@c.com",
        ] {
            assert!(email(bad).is_err(), "{bad:?} was taken");
        }
    }

    #[test]
    fn secrets_hash_to_sha256_hex() {
        assert_eq!(
            secret_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(password_matches("correct horse battery", &h));
        assert!(!password_matches("correct horse battery!", &h));
        assert!(!password_matches("anything", "not a hash"));
    }
}
