//! The team server's directory: accounts, the workspace each client owns, and the secrets
//! that let a person in (web sessions, API tokens, one-time invitations). A separate trait
//! from [`Store`](crate::Store) because it is not owned by anyone: a login looks up an email
//! before anybody is known, and an admin lists accounts without seeing any job search.
//!
//! It keeps only what it is given: passwords and secrets arrive already hashed (argon2id and
//! SHA-256, by followup-app), times arrive as parameters (nothing here reads the clock), and
//! who may open which workspace is decided by the app from what this returns.

use std::collections::BTreeMap;
use std::sync::Mutex;

use followup_core::model::OwnerId;
use jiff::Timestamp;

use crate::{Result, StoreError};

/// An account's number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountId(pub i64);

impl std::fmt::Display for AccountId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// What an account is for. A client owns one workspace (their job search); a coach works in
/// the workspaces clients grant them (the next step); an admin manages accounts and sees no
/// client's data without a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Admin,
    Coach,
    Client,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Coach, Role::Client];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Coach => "coach",
            Role::Client => "client",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// One person who can sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    /// Lower case, as typed otherwise; unique.
    pub email: String,
    pub role: Role,
    /// A disabled account cannot sign in, and its sessions and tokens stop working.
    pub disabled: bool,
    /// The workspace the account owns: every client has one, admins and coaches none.
    pub workspace: Option<OwnerId>,
    /// False until a password is set (an invited account).
    pub has_password: bool,
    /// What people call them ("Sam Lee"), where a person reads who did something; none shows
    /// the email.
    pub name: Option<String>,
}

impl Account {
    /// The name, or the email when none was given.
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.email)
    }
}

/// The kinds of secret a person holds. Each is stored as a hash of a random value the person
/// was shown once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SecretKind {
    /// A browser's sign-in (the session cookie).
    Session,
    /// An API bearer token, named by its holder.
    Token,
    /// A one-time link that lets an invited person choose their password.
    Invitation,
}

impl SecretKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SecretKind::Session => "session",
            SecretKind::Token => "token",
            SecretKind::Invitation => "invitation",
        }
    }

    pub fn parse(text: &str) -> Option<SecretKind> {
        [
            SecretKind::Session,
            SecretKind::Token,
            SecretKind::Invitation,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

/// A secret as its holder's list shows it (never the value, which is not kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretInfo {
    pub id: i64,
    pub kind: SecretKind,
    pub label: String,
    pub created: Timestamp,
    pub expires: Option<Timestamp>,
}

/// A new secret to keep.
#[derive(Debug, Clone)]
pub struct NewSecret<'a> {
    pub kind: SecretKind,
    /// The hash of the value (the value itself is never given to the directory).
    pub hash: &'a str,
    pub account: AccountId,
    pub label: &'a str,
    pub created: Timestamp,
    pub expires: Option<Timestamp>,
}

/// How far a grant lets a coach into a client's workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GrantScope {
    /// Read everything; change nothing.
    View,
    /// Work in it as the client would; every change is recorded as the coach's.
    Edit,
}

impl GrantScope {
    pub fn as_str(self) -> &'static str {
        match self {
            GrantScope::View => "view",
            GrantScope::Edit => "edit",
        }
    }

    pub fn parse(text: &str) -> Option<GrantScope> {
        [GrantScope::View, GrantScope::Edit]
            .into_iter()
            .find(|g| g.as_str() == text)
    }
}

/// A client's grant to a coach: live until revoked, and (with `until`) through that day only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub workspace: OwnerId,
    pub coach: AccountId,
    pub scope: GrantScope,
    /// The last day it holds (in the client's calendar), if it ends by itself.
    pub until: Option<jiff::civil::Date>,
    pub granted: Timestamp,
}

/// Someone other than the owner in a workspace on one day: the client's "who looked".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    pub account: AccountId,
    pub day: jiff::civil::Date,
    pub first: Timestamp,
    pub last: Timestamp,
    pub requests: i64,
}

/// A coach's private note on one client's workspace: kept under the coach's account, so it
/// is never in the client's workspace, export or API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoachNote {
    pub workspace: OwnerId,
    pub text: String,
    /// When it was last written.
    pub updated: Timestamp,
}

/// What [`Directory::secret_holder_async`] answers with: the account a secret opens and the
/// version of its own workspace, as [`Directory::secret_holder_with_version`] does.
pub type HolderFuture = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<Option<(Account, Option<u64>)>>> + Send>,
>;

/// Accounts, workspaces and secrets: what a team server keeps outside every job search.
pub trait Directory: Send + Sync {
    /// True once any account exists: the server then asks everyone to sign in, and may listen
    /// beyond loopback.
    fn has_accounts(&self) -> Result<bool>;
    /// Adds an account (email already lower case); a client gets a new, empty workspace it
    /// owns. An email already taken is a [`StoreError::Conflict`].
    fn add_account(&self, email: &str, role: Role, password_hash: Option<&str>) -> Result<Account>;
    fn account(&self, id: AccountId) -> Result<Option<Account>>;
    fn account_by_email(&self, email: &str) -> Result<Option<Account>>;
    /// Every account, by id.
    fn accounts(&self) -> Result<Vec<Account>>;
    /// The stored argon2id hash, if a password was set.
    fn password_hash(&self, id: AccountId) -> Result<Option<String>>;
    fn set_password(&self, id: AccountId, hash: &str) -> Result<()>;
    fn set_disabled(&self, id: AccountId, disabled: bool) -> Result<()>;
    /// Sets (or, with `None`, clears) the display name.
    fn set_name(&self, id: AccountId, name: Option<&str>) -> Result<()>;
    /// The account owning a workspace.
    fn workspace_owner(&self, workspace: OwnerId) -> Result<Option<AccountId>>;
    /// The accounts owning any of `workspaces`, by id (one read for a whole caseload).
    fn workspace_accounts(&self, workspaces: &[OwnerId]) -> Result<Vec<Account>>;

    /// Keeps a secret; returns its id.
    fn add_secret(&self, secret: &NewSecret<'_>) -> Result<i64>;
    /// The account a live secret of `kind` with this hash belongs to: not revoked, not expired
    /// at `now`. (Whether the account is disabled is the caller's to check.) One read: every
    /// request on a team server asks.
    fn secret_holder(
        &self,
        kind: SecretKind,
        hash: &str,
        now: Timestamp,
    ) -> Result<Option<Account>>;
    /// [`Directory::secret_holder`], with the data version of the holder's own workspace
    /// read in the same round trip when the backend can (most requests work in the signed-in
    /// person's own workspace, and need both). The default reads no version.
    fn secret_holder_with_version(
        &self,
        kind: SecretKind,
        hash: &str,
        now: Timestamp,
    ) -> Result<Option<(Account, Option<u64>)>> {
        Ok(self.secret_holder(kind, hash, now)?.map(|a| (a, None)))
    }
    /// [`Directory::secret_holder_with_version`] as a future that holds no thread while it
    /// waits, for a server whose requests share a few threads; `None` (the default) where
    /// the backend answers from a file or memory in place, and the caller asks the blocking
    /// way. The same rows must give the same answer (PostgreSQL's test holds its two equal
    /// for every state a secret can be in).
    fn secret_holder_async(
        &self,
        kind: SecretKind,
        hash: &str,
        now: Timestamp,
    ) -> Option<HolderFuture> {
        let _ = (kind, hash, now);
        None
    }
    /// The live secrets of one kind an account holds, by id.
    fn secrets(&self, account: AccountId, kind: SecretKind) -> Result<Vec<SecretInfo>>;
    /// Revokes one secret of the account's; false when it had none with that id.
    fn revoke_secret(&self, account: AccountId, id: i64) -> Result<bool>;
    /// Revokes a secret by its hash (a sign-out, a used invitation).
    fn revoke_secret_hash(&self, kind: SecretKind, hash: &str) -> Result<()>;
    /// Revokes every secret of `kind` the account holds (a password reset ends its sessions).
    fn revoke_all(&self, account: AccountId, kind: SecretKind) -> Result<()>;

    /// Grants `coach` access to `workspace`, replacing a live grant between them.
    fn set_grant(&self, grant: &Grant) -> Result<()>;
    /// Ends the live grant between them; false when there was none.
    fn revoke_grant(&self, workspace: OwnerId, coach: AccountId) -> Result<bool>;
    /// The live (not revoked) grants of a workspace, by coach; expired ones included (the
    /// app compares `until` with the day).
    fn grants_of(&self, workspace: OwnerId) -> Result<Vec<Grant>>;
    /// The live grants a coach holds, by workspace.
    fn grants_to(&self, coach: AccountId) -> Result<Vec<Grant>>;
    /// Counts a request of `account` in `workspace` at `at` on `day`.
    fn record_visit(
        &self,
        workspace: OwnerId,
        account: AccountId,
        day: jiff::civil::Date,
        at: Timestamp,
    ) -> Result<()>;
    /// Who came into a workspace, newest day first, at most `limit` rows.
    fn visits(&self, workspace: OwnerId, limit: usize) -> Result<Vec<Visit>>;

    /// A coach's own text of a template (`name` is one of the drafts' names), used when they
    /// draft in any client's search; none when they keep none.
    fn coach_template(&self, coach: AccountId, name: &str) -> Result<Option<String>>;
    /// Keeps (or, with `None`, forgets) a coach's own template.
    fn set_coach_template(&self, coach: AccountId, name: &str, text: Option<&str>) -> Result<()>;
    /// Keeps `coach`'s private note on `workspace` (replacing the one before); an empty
    /// `text` removes it. Whether the coach may write it is the app's to decide.
    fn set_coach_note(
        &self,
        coach: AccountId,
        workspace: OwnerId,
        text: &str,
        at: Timestamp,
    ) -> Result<()>;
    /// `coach`'s note on `workspace`, if any.
    fn coach_note(&self, coach: AccountId, workspace: OwnerId) -> Result<Option<CoachNote>>;
    /// Every note `coach` keeps, by workspace.
    fn coach_notes(&self, coach: AccountId) -> Result<Vec<CoachNote>>;
}

/// The reference directory: plain maps. What the contract means when a backend disagrees.
/// Workspaces are numbered from 2: owner 1 is the single person of a one-file book.
#[derive(Debug, Default)]
pub struct MemoryDirectory {
    inner: Mutex<MemoryData>,
}

#[derive(Debug, Default)]
struct MemoryData {
    accounts: BTreeMap<AccountId, (Account, Option<String>)>,
    secrets: BTreeMap<i64, (NewSecretOwned, bool)>,
    grants: BTreeMap<(OwnerId, AccountId), Grant>,
    visits: BTreeMap<(OwnerId, jiff::civil::Date, AccountId), Visit>,
    coach_templates: BTreeMap<(AccountId, String), String>,
    notes: BTreeMap<(AccountId, OwnerId), CoachNote>,
}

#[derive(Debug, Clone)]
struct NewSecretOwned {
    kind: SecretKind,
    hash: String,
    account: AccountId,
    label: String,
    created: Timestamp,
    expires: Option<Timestamp>,
}

impl MemoryDirectory {
    pub fn new() -> MemoryDirectory {
        MemoryDirectory::default()
    }

    fn data(&self) -> std::sync::MutexGuard<'_, MemoryData> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn missing(id: AccountId) -> StoreError {
    StoreError::Missing {
        what: "account",
        id: id.to_string(),
    }
}

impl Directory for MemoryDirectory {
    fn has_accounts(&self) -> Result<bool> {
        Ok(!self.data().accounts.is_empty())
    }

    fn add_account(&self, email: &str, role: Role, password_hash: Option<&str>) -> Result<Account> {
        let mut d = self.data();
        if d.accounts.values().any(|(a, _)| a.email == email) {
            return Err(StoreError::Conflict {
                what: "account",
                detail: format!("{email} already has an account"),
            });
        }
        let id = AccountId(d.accounts.keys().last().map_or(1, |k| k.0 + 1));
        let workspace = (role == Role::Client).then(|| {
            let taken = d.accounts.values().filter_map(|(a, _)| a.workspace);
            OwnerId(taken.map(|w| w.0).max().unwrap_or(1) + 1)
        });
        let account = Account {
            id,
            email: email.to_string(),
            role,
            disabled: false,
            workspace,
            has_password: password_hash.is_some(),
            name: None,
        };
        d.accounts
            .insert(id, (account.clone(), password_hash.map(str::to_string)));
        Ok(account)
    }

    fn account(&self, id: AccountId) -> Result<Option<Account>> {
        Ok(self.data().accounts.get(&id).map(|(a, _)| a.clone()))
    }

    fn account_by_email(&self, email: &str) -> Result<Option<Account>> {
        Ok(self
            .data()
            .accounts
            .values()
            .find(|(a, _)| a.email == email)
            .map(|(a, _)| a.clone()))
    }

    fn accounts(&self) -> Result<Vec<Account>> {
        Ok(self
            .data()
            .accounts
            .values()
            .map(|(a, _)| a.clone())
            .collect())
    }

    fn password_hash(&self, id: AccountId) -> Result<Option<String>> {
        Ok(self.data().accounts.get(&id).and_then(|(_, h)| h.clone()))
    }

    fn set_password(&self, id: AccountId, hash: &str) -> Result<()> {
        let mut d = self.data();
        let (a, h) = d.accounts.get_mut(&id).ok_or_else(|| missing(id))?;
        a.has_password = true;
        *h = Some(hash.to_string());
        Ok(())
    }

    fn set_disabled(&self, id: AccountId, disabled: bool) -> Result<()> {
        let mut d = self.data();
        d.accounts
            .get_mut(&id)
            .ok_or_else(|| missing(id))?
            .0
            .disabled = disabled;
        Ok(())
    }

    fn set_name(&self, id: AccountId, name: Option<&str>) -> Result<()> {
        let mut d = self.data();
        d.accounts.get_mut(&id).ok_or_else(|| missing(id))?.0.name = name.map(str::to_string);
        Ok(())
    }

    fn workspace_owner(&self, workspace: OwnerId) -> Result<Option<AccountId>> {
        Ok(self
            .data()
            .accounts
            .values()
            .find(|(a, _)| a.workspace == Some(workspace))
            .map(|(a, _)| a.id))
    }

    fn workspace_accounts(&self, workspaces: &[OwnerId]) -> Result<Vec<Account>> {
        Ok(self
            .data()
            .accounts
            .values()
            .filter(|(a, _)| a.workspace.is_some_and(|w| workspaces.contains(&w)))
            .map(|(a, _)| a.clone())
            .collect())
    }

    fn add_secret(&self, s: &NewSecret<'_>) -> Result<i64> {
        let mut d = self.data();
        if !d.accounts.contains_key(&s.account) {
            return Err(missing(s.account));
        }
        if d.secrets.values().any(|(x, _)| x.hash == s.hash) {
            return Err(StoreError::Conflict {
                what: "secret",
                detail: "the same secret twice".into(),
            });
        }
        let id = d.secrets.keys().last().map_or(1, |k| k + 1);
        let owned = NewSecretOwned {
            kind: s.kind,
            hash: s.hash.to_string(),
            account: s.account,
            label: s.label.to_string(),
            created: s.created,
            expires: s.expires,
        };
        d.secrets.insert(id, (owned, false));
        Ok(id)
    }

    fn secret_holder(
        &self,
        kind: SecretKind,
        hash: &str,
        now: Timestamp,
    ) -> Result<Option<Account>> {
        let d = self.data();
        Ok(d.secrets
            .values()
            .find(|(s, revoked)| {
                !revoked && s.kind == kind && s.hash == hash && s.expires.is_none_or(|e| now < e)
            })
            .and_then(|(s, _)| d.accounts.get(&s.account))
            .map(|(a, _)| a.clone()))
    }

    fn secrets(&self, account: AccountId, kind: SecretKind) -> Result<Vec<SecretInfo>> {
        Ok(self
            .data()
            .secrets
            .iter()
            .filter(|(_, (s, revoked))| !revoked && s.account == account && s.kind == kind)
            .map(|(id, (s, _))| SecretInfo {
                id: *id,
                kind: s.kind,
                label: s.label.clone(),
                created: s.created,
                expires: s.expires,
            })
            .collect())
    }

    fn revoke_secret(&self, account: AccountId, id: i64) -> Result<bool> {
        let mut d = self.data();
        Ok(match d.secrets.get_mut(&id) {
            Some((s, revoked)) if s.account == account && !*revoked => {
                *revoked = true;
                true
            }
            _ => false,
        })
    }

    fn revoke_secret_hash(&self, kind: SecretKind, hash: &str) -> Result<()> {
        let mut d = self.data();
        for (s, revoked) in d.secrets.values_mut() {
            if s.kind == kind && s.hash == hash {
                *revoked = true;
            }
        }
        Ok(())
    }

    fn revoke_all(&self, account: AccountId, kind: SecretKind) -> Result<()> {
        let mut d = self.data();
        for (s, revoked) in d.secrets.values_mut() {
            if s.kind == kind && s.account == account {
                *revoked = true;
            }
        }
        Ok(())
    }

    fn set_grant(&self, grant: &Grant) -> Result<()> {
        let mut d = self.data();
        for id in [grant.coach] {
            if !d.accounts.contains_key(&id) {
                return Err(missing(id));
            }
        }
        d.grants
            .insert((grant.workspace, grant.coach), grant.clone());
        Ok(())
    }

    fn revoke_grant(&self, workspace: OwnerId, coach: AccountId) -> Result<bool> {
        Ok(self.data().grants.remove(&(workspace, coach)).is_some())
    }

    fn grants_of(&self, workspace: OwnerId) -> Result<Vec<Grant>> {
        Ok(self
            .data()
            .grants
            .values()
            .filter(|g| g.workspace == workspace)
            .cloned()
            .collect())
    }

    fn grants_to(&self, coach: AccountId) -> Result<Vec<Grant>> {
        let mut v: Vec<Grant> = self
            .data()
            .grants
            .values()
            .filter(|g| g.coach == coach)
            .cloned()
            .collect();
        v.sort_by_key(|g| g.workspace);
        Ok(v)
    }

    fn record_visit(
        &self,
        workspace: OwnerId,
        account: AccountId,
        day: jiff::civil::Date,
        at: Timestamp,
    ) -> Result<()> {
        let mut d = self.data();
        let v = d.visits.entry((workspace, day, account)).or_insert(Visit {
            account,
            day,
            first: at,
            last: at,
            requests: 0,
        });
        v.last = v.last.max(at);
        v.first = v.first.min(at);
        v.requests += 1;
        Ok(())
    }

    fn visits(&self, workspace: OwnerId, limit: usize) -> Result<Vec<Visit>> {
        let d = self.data();
        let mut v: Vec<Visit> = d
            .visits
            .iter()
            .filter(|((w, _, _), _)| *w == workspace)
            .map(|(_, v)| v.clone())
            .collect();
        v.sort_by(|a, b| b.day.cmp(&a.day).then(a.account.cmp(&b.account)));
        v.truncate(limit);
        Ok(v)
    }
    fn coach_template(&self, coach: AccountId, name: &str) -> Result<Option<String>> {
        Ok(self
            .data()
            .coach_templates
            .get(&(coach, name.to_string()))
            .cloned())
    }

    fn set_coach_template(&self, coach: AccountId, name: &str, text: Option<&str>) -> Result<()> {
        let mut d = self.data();
        if !d.accounts.contains_key(&coach) {
            return Err(missing(coach));
        }
        match text {
            Some(t) => d
                .coach_templates
                .insert((coach, name.to_string()), t.to_string()),
            None => d.coach_templates.remove(&(coach, name.to_string())),
        };
        Ok(())
    }

    fn set_coach_note(
        &self,
        coach: AccountId,
        workspace: OwnerId,
        text: &str,
        at: Timestamp,
    ) -> Result<()> {
        let mut d = self.data();
        if !d.accounts.contains_key(&coach) {
            return Err(missing(coach));
        }
        if text.is_empty() {
            d.notes.remove(&(coach, workspace));
        } else {
            d.notes.insert(
                (coach, workspace),
                CoachNote {
                    workspace,
                    text: text.to_string(),
                    updated: at,
                },
            );
        }
        Ok(())
    }

    fn coach_note(&self, coach: AccountId, workspace: OwnerId) -> Result<Option<CoachNote>> {
        Ok(self.data().notes.get(&(coach, workspace)).cloned())
    }

    fn coach_notes(&self, coach: AccountId) -> Result<Vec<CoachNote>> {
        Ok(self
            .data()
            .notes
            .range((coach, OwnerId(i64::MIN))..=(coach, OwnerId(i64::MAX)))
            .map(|(_, n)| n.clone())
            .collect())
    }
}

/// The directory contract as one function over any backend (as [`crate::conformance::run`]
/// is for stores): panics naming the backend and the rule on the first violation. `make`
/// gives a fresh, empty directory.
pub fn conformance(name: &str, make: &dyn Fn() -> Box<dyn Directory>) {
    let t0 = Timestamp::from_second(1_800_000_000).expect("a valid time");
    let later = Timestamp::from_second(1_800_086_400).expect("a valid time");
    let fail = |rule: &str, detail: String| panic!("{name}: {rule}: {detail}");

    // Accounts: emails unique, clients get distinct workspaces, others none.
    let d = make();
    assert!(
        !d.has_accounts().unwrap(),
        "{name}: a fresh directory has no accounts"
    );
    let admin = d
        .add_account("admin@example.com", Role::Admin, Some("h1"))
        .unwrap();
    let a = d
        .add_account("ana@example.com", Role::Client, None)
        .unwrap();
    let b = d
        .add_account("ben@example.com", Role::Client, Some("h2"))
        .unwrap();
    let coach = d
        .add_account("sam@example.com", Role::Coach, Some("h3"))
        .unwrap();
    if !d.has_accounts().unwrap() {
        fail("accounts", "has_accounts is false after adding".into());
    }
    if admin.workspace.is_some() || coach.workspace.is_some() {
        fail(
            "workspaces",
            "an admin or coach was given a workspace".into(),
        );
    }
    let (wa, wb) = (a.workspace.unwrap(), b.workspace.unwrap());
    if wa == wb || wa == OwnerId(1) || wb == OwnerId(1) {
        fail(
            "workspaces",
            format!("clients share or take owner 1: {wa:?} {wb:?}"),
        );
    }
    if d.workspace_owner(wa).unwrap() != Some(a.id)
        || d.workspace_owner(OwnerId(999)).unwrap().is_some()
    {
        fail(
            "workspaces",
            "workspace_owner does not name the client".into(),
        );
    }
    let owners: Vec<String> = d
        .workspace_accounts(&[wb, OwnerId(999), wa])
        .unwrap()
        .into_iter()
        .map(|x| x.email)
        .collect();
    if owners != [a.email.clone(), b.email.clone()]
        || !d.workspace_accounts(&[]).unwrap().is_empty()
    {
        fail(
            "workspaces",
            format!("workspace_accounts gives {owners:?}, not the two clients by id"),
        );
    }
    match d.add_account("ana@example.com", Role::Coach, None) {
        Err(StoreError::Conflict { .. }) => {}
        other => fail("emails are unique", format!("{other:?}")),
    }
    if a.has_password || !b.has_password {
        fail(
            "passwords",
            "has_password does not follow the hash given".into(),
        );
    }
    if a.name.is_some() || a.label() != "ana@example.com" {
        fail(
            "names",
            "a new account has a name, or its label is not the email".into(),
        );
    }
    d.set_name(a.id, Some("Ana Silva")).unwrap();
    if d.account(a.id).unwrap().unwrap().label() != "Ana Silva" {
        fail("names", "set_name did not keep the name".into());
    }
    d.set_name(a.id, None).unwrap();
    if d.account(a.id).unwrap().unwrap().name.is_some() {
        fail("names", "set_name(None) did not clear it".into());
    }
    if !matches!(
        d.set_name(AccountId(999), Some("x")),
        Err(StoreError::Missing { .. })
    ) {
        fail("names", "set_name of no account did not say so".into());
    }
    // A coach's templates are theirs alone, kept and forgotten by name.
    d.set_coach_template(coach.id, "follow-up", Some("Hi {{ dear }}"))
        .unwrap();
    if d.coach_template(coach.id, "follow-up").unwrap().as_deref() != Some("Hi {{ dear }}")
        || d.coach_template(coach.id, "retry").unwrap().is_some()
        || d.coach_template(admin.id, "follow-up").unwrap().is_some()
    {
        fail("coach templates", "kept under the wrong key".into());
    }
    d.set_coach_template(coach.id, "follow-up", Some("Hello"))
        .unwrap();
    if d.coach_template(coach.id, "follow-up").unwrap().as_deref() != Some("Hello") {
        fail(
            "coach templates",
            "a second text did not replace the first".into(),
        );
    }
    d.set_coach_template(coach.id, "follow-up", None).unwrap();
    if d.coach_template(coach.id, "follow-up").unwrap().is_some() {
        fail("coach templates", "None did not forget it".into());
    }
    if !matches!(
        d.set_coach_template(AccountId(999), "retry", Some("x")),
        Err(StoreError::Missing { .. })
    ) {
        fail(
            "coach templates",
            "a template of no account was kept".into(),
        );
    }
    d.set_password(a.id, "new").unwrap();
    if d.password_hash(a.id).unwrap().as_deref() != Some("new")
        || !d.account(a.id).unwrap().unwrap().has_password
    {
        fail("passwords", "set_password did not keep the hash".into());
    }
    d.set_disabled(b.id, true).unwrap();
    if !d
        .account_by_email("ben@example.com")
        .unwrap()
        .unwrap()
        .disabled
    {
        fail("disable", "the account is not disabled".into());
    }
    let all: Vec<_> = d.accounts().unwrap().into_iter().map(|x| x.id).collect();
    if all != vec![admin.id, a.id, b.id, coach.id] {
        fail("accounts", format!("not listed by id: {all:?}"));
    }

    // Secrets: found by kind and hash while live; expiry, revocation and kind all count.
    let s = |kind, hash, expires| NewSecret {
        kind,
        hash,
        account: a.id,
        label: "laptop",
        created: t0,
        expires,
    };
    let sid = d
        .add_secret(&s(SecretKind::Session, "x1", Some(later)))
        .unwrap();
    let tid = d.add_secret(&s(SecretKind::Token, "x2", None)).unwrap();
    let holder = |k, h, now| {
        let plain = d.secret_holder(k, h, now).unwrap();
        let with = d.secret_holder_with_version(k, h, now).unwrap();
        if with.as_ref().map(|(a, _)| a) != plain.as_ref() {
            fail(
                "secrets",
                "secret_holder_with_version opens another account than secret_holder".into(),
            );
        }
        plain.map(|a| a.id)
    };
    if holder(SecretKind::Session, "x1", t0) != Some(a.id) {
        fail("secrets", "a live session is not found".into());
    }
    // The account comes whole with its secret, as it is now.
    let opened = |d: &dyn Directory| d.secret_holder(SecretKind::Token, "x2", t0).unwrap();
    if opened(&*d).as_ref() != d.account(a.id).unwrap().as_ref() {
        fail(
            "secrets",
            "the account a secret opens is not the account as stored".into(),
        );
    }
    d.set_disabled(a.id, true).unwrap();
    if !opened(&*d).is_some_and(|x| x.disabled) {
        fail(
            "secrets",
            "the account a secret opens does not say it is disabled".into(),
        );
    }
    d.set_disabled(a.id, false).unwrap();
    if holder(SecretKind::Session, "x1", later).is_some() {
        fail("secrets", "an expired session still opens".into());
    }
    if holder(SecretKind::Token, "x1", t0).is_some() {
        fail("secrets", "a session's hash opens as a token".into());
    }
    let listed = d.secrets(a.id, SecretKind::Token).unwrap();
    if listed.len() != 1 || listed[0].id != tid || listed[0].label != "laptop" {
        fail("secrets", format!("the token list is {listed:?}"));
    }
    if d.revoke_secret(b.id, tid).unwrap() {
        fail(
            "secrets",
            "another account revoked a token it does not hold".into(),
        );
    }
    if !d.revoke_secret(a.id, tid).unwrap() || holder(SecretKind::Token, "x2", t0).is_some() {
        fail("secrets", "a revoked token still opens".into());
    }
    d.revoke_secret_hash(SecretKind::Session, "x1").unwrap();
    if holder(SecretKind::Session, "x1", t0).is_some() {
        fail("secrets", "a signed-out session still opens".into());
    }
    d.add_secret(&s(SecretKind::Session, "x3", None)).unwrap();
    d.revoke_all(a.id, SecretKind::Session).unwrap();
    if holder(SecretKind::Session, "x3", t0).is_some() || sid == tid {
        fail("secrets", "revoke_all left a session open".into());
    }
    if d.add_secret(&s(SecretKind::Token, "x2", None)).is_ok() {
        fail("secrets", "the same hash was kept twice".into());
    }

    // Grants: one live grant per (workspace, coach), replaced by a new one, gone when revoked.
    let day = jiff::civil::date(2026, 12, 31);
    let g = |scope, until| Grant {
        workspace: wa,
        coach: coach.id,
        scope,
        until,
        granted: t0,
    };
    d.set_grant(&g(GrantScope::View, None)).unwrap();
    d.set_grant(&g(GrantScope::Edit, Some(day))).unwrap();
    d.set_grant(&Grant {
        workspace: wb,
        ..g(GrantScope::View, None)
    })
    .unwrap();
    let of_a = d.grants_of(wa).unwrap();
    if of_a != vec![g(GrantScope::Edit, Some(day))] {
        fail(
            "grants",
            format!("a new grant does not replace the old: {of_a:?}"),
        );
    }
    let to = d.grants_to(coach.id).unwrap();
    if to.iter().map(|g| g.workspace).collect::<Vec<_>>() != vec![wa, wb] {
        fail("grants", format!("a coach's grants, by workspace: {to:?}"));
    }
    if !d.revoke_grant(wa, coach.id).unwrap() || d.revoke_grant(wa, coach.id).unwrap() {
        fail("grants", "revoking twice".into());
    }
    if !d.grants_of(wa).unwrap().is_empty() || d.grants_to(coach.id).unwrap().len() != 1 {
        fail("grants", "a revoked grant is still there".into());
    }

    // Visits: one row per account and day, counted.
    let day1 = jiff::civil::date(2026, 12, 1);
    let day2 = jiff::civil::date(2026, 12, 2);
    d.record_visit(wa, coach.id, day1, t0).unwrap();
    d.record_visit(wa, coach.id, day1, later).unwrap();
    d.record_visit(wa, coach.id, day2, later).unwrap();
    d.record_visit(wb, admin.id, day2, later).unwrap();
    let v = d.visits(wa, 10).unwrap();
    if v.len() != 2
        || v[0].day != day2
        || v[1].requests != 2
        || v[1].first != t0
        || v[1].last != later
    {
        fail("visits", format!("{v:?}"));
    }
    if d.visits(wa, 1).unwrap().len() != 1 {
        fail("visits", "the limit is not kept".into());
    }

    // Coach notes: one per (coach, workspace), replaced, removed by an empty text, and each
    // coach sees only their own.
    let other = d.add_account("kim@example.com", Role::Coach, None).unwrap();
    d.set_coach_note(coach.id, wb, "call on Monday", t0)
        .unwrap();
    d.set_coach_note(coach.id, wa, "first", t0).unwrap();
    d.set_coach_note(coach.id, wa, "ünïcode, second", later)
        .unwrap();
    d.set_coach_note(other.id, wa, "kim's own", t0).unwrap();
    let note = d.coach_note(coach.id, wa).unwrap();
    let want = CoachNote {
        workspace: wa,
        text: "ünïcode, second".into(),
        updated: later,
    };
    if note.as_ref() != Some(&want) {
        fail(
            "notes",
            format!("a new note does not replace the old: {note:?}"),
        );
    }
    let mine: Vec<_> = d
        .coach_notes(coach.id)
        .unwrap()
        .into_iter()
        .map(|n| (n.workspace, n.text))
        .collect();
    if mine
        != vec![
            (wa, "ünïcode, second".to_string()),
            (wb, "call on Monday".to_string()),
        ]
    {
        fail("notes", format!("a coach's notes, by workspace: {mine:?}"));
    }
    if d.coach_note(other.id, wb).unwrap().is_some()
        || d.coach_notes(other.id).unwrap().len() != 1
        || !d.coach_notes(a.id).unwrap().is_empty()
    {
        fail(
            "notes",
            "a note shows to someone who did not write it".into(),
        );
    }
    d.set_coach_note(coach.id, wa, "", later).unwrap();
    if d.coach_note(coach.id, wa).unwrap().is_some() || d.coach_notes(coach.id).unwrap().len() != 1
    {
        fail("notes", "an empty note is not removed".into());
    }
    if d.coach_note(other.id, wa)
        .unwrap()
        .map(|n| n.text)
        .as_deref()
        != Some("kim's own")
    {
        fail(
            "notes",
            "removing one coach's note removed another's".into(),
        );
    }
    if d.set_coach_note(AccountId(9_999), wa, "x", t0).is_ok() {
        fail("notes", "a note by an account that does not exist".into());
    }
}
