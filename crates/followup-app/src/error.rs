//! What a use case can refuse or fail with, typed: a refused value names its [`Field`] and the
//! problem, and each front end says the field its own way (`--on` on the command line, "Date"
//! on a form, `on` in the API). Nothing here knows a flag or a label.

use followup_store::StoreError;

/// An input a use case takes. The front ends map each to their own name for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    // A contact.
    Name,
    Email,
    Phone,
    Company,
    Title,
    Tier,
    Prefers,
    Linkedin,
    Birthday,
    WorkAnniversary,
    PersonalAnniversary,
    Notes,
    // A job.
    Organization,
    JobTitle,
    Contacts,
    Applied,
    ResponseTime,
    Url,
    Stage,
    Outcome,
    // A touch.
    Kind,
    With,
    Job,
    On,
    Direction,
    TheyDecideBy,
    IWillFollowUp,
    TheyWillActBy,
    TheyWillAct,
    AnswerBy,
    PoorFit,
    Note,
    NextStep,
    Interview,
    TheyPrefer,
    DirectContact,
    Message,
    // The agenda and the rest.
    Item,
    Until,
    Signature,
    /// The owner's time zone (an IANA name): the day "today" is for them.
    TimeZone,
    /// A policy parameter set in Settings, by its key in the config's `[policy]`
    /// (`grace`, `cadence.critical`); see `policy_settings::PARAMS`.
    Policy(&'static str),
    Template,
    Alarm,
    Table,
    Database,
    File,
    // Accounts.
    Password,
    /// A token's name.
    Label,
    Role,
    /// A grant's reach: view or edit.
    Scope,
    /// The order of a list (a coach's caseload).
    Sort,
}

impl Field {
    /// The name in JSON bodies and in the API's messages: snake case.
    pub fn key(self) -> &'static str {
        use Field::*;
        match self {
            Name => "name",
            Email => "email",
            Phone => "phone",
            Company => "company",
            Title => "title",
            Tier => "tier",
            Prefers => "prefers",
            Linkedin => "linkedin",
            Birthday => "birthday",
            WorkAnniversary => "work_anniversary",
            PersonalAnniversary => "personal_anniversary",
            Notes => "notes",
            Organization => "organization",
            JobTitle => "title",
            Contacts => "contacts",
            Applied => "applied",
            ResponseTime => "response_time",
            Url => "url",
            Stage => "stage",
            Outcome => "outcome",
            Kind => "kind",
            With => "with",
            Job => "job",
            On => "on",
            Direction => "direction",
            TheyDecideBy => "they_decide_by",
            IWillFollowUp => "i_will_follow_up",
            TheyWillActBy => "they_will_act_by",
            TheyWillAct => "they_will_act",
            AnswerBy => "answer_by",
            PoorFit => "poor_fit",
            Note => "note",
            NextStep => "next_step",
            Interview => "interview questions",
            TheyPrefer => "preferred_channel",
            DirectContact => "direct_contact",
            Message => "message",
            Item => "item",
            Until => "until",
            Signature => "signature",
            TimeZone => "time_zone",
            Policy(key) => key,
            Template => "template",
            Alarm => "alarm",
            Table => "table",
            Database => "database",
            File => "file",
            Password => "password",
            Label => "name",
            Role => "role",
            Scope => "scope",
            Sort => "sort",
        }
    }

    /// The name on a form, as a person reads it.
    pub fn label(self) -> &'static str {
        use Field::*;
        match self {
            Name => "Name",
            Email => "Email",
            Phone => "Phone",
            Company => "Company",
            Title => "Title",
            Tier => "Tier",
            Prefers => "Prefers",
            Linkedin => "LinkedIn",
            Birthday => "Birthday",
            WorkAnniversary => "Work anniversary",
            PersonalAnniversary => "Personal anniversary",
            Notes => "Notes",
            Organization => "Organization",
            JobTitle => "Role",
            Contacts => "Contacts",
            Applied => "Applied on",
            ResponseTime => "Response time",
            Url => "Link",
            Stage => "Stage",
            Outcome => "Outcome",
            Kind => "What happened",
            With => "With",
            Job => "Job",
            On => "Date",
            Direction => "Direction",
            TheyDecideBy => "They decide by",
            IWillFollowUp => "I will follow up on",
            TheyWillActBy => "They will act by",
            TheyWillAct => "They will act",
            AnswerBy => "Answer due by",
            PoorFit => "Poor fit",
            Note => "Note",
            NextStep => "Next step",
            Interview => "Interview questions",
            TheyPrefer => "They prefer",
            DirectContact => "Direct contact",
            Message => "Message",
            Item => "Item",
            Until => "Until",
            Signature => "Signature",
            TimeZone => "Time zone",
            Policy(key) => crate::policy_settings::label(key),
            Template => "Template",
            Alarm => "Alarm",
            Table => "Table",
            Database => "Database",
            File => "File",
            Password => "Password",
            Label => "Name",
            Role => "Role",
            Scope => "Access",
            Sort => "Sort",
        }
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

/// What a use case can refuse or fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A value that cannot be taken: which field, and what is wrong with it. Exit code 2.
    #[error("{field}: {problem}")]
    Invalid { field: Field, problem: String },
    /// A request that cannot be carried out as a whole (nothing to change, an item that is
    /// done another way), in words that name no field. Exit code 2.
    #[error("{0}")]
    Refused(String),
    /// A change that changes nothing (an edit with no field given). Exit code 2; a form
    /// takes it as "saved, nothing new".
    #[error("{what}: nothing to change; give at least one field to change")]
    NothingToChange { what: &'static str },
    /// A file that cannot be taken, with its name and the place in it. Exit code 2.
    #[error("{0}")]
    BadFile(String),
    /// A name that matches several records. Exit code 2.
    #[error("{what} {query:?} is ambiguous: {candidates}; use the id")]
    Ambiguous {
        what: &'static str,
        query: String,
        candidates: String,
    },
    /// A name or id that matches nothing. Exit code 2.
    #[error("no {what} matches {query:?}{hint}")]
    NotFound {
        what: &'static str,
        query: String,
        hint: String,
    },
    /// Not signed in, or signed in with something that does not open an account (a wrong
    /// password, a revoked token). A 401; exit code 2.
    #[error("{0}")]
    Unauthorized(String),
    /// Signed in, and not allowed this (another client's workspace, an admin's task). A 403;
    /// exit code 2.
    #[error("{0}")]
    Forbidden(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AppError {
    /// True for errors caused by what the person typed or gave (exit code 2, a 4xx).
    pub fn is_bad_input(&self) -> bool {
        match self {
            AppError::Invalid { .. }
            | AppError::Refused(_)
            | AppError::NothingToChange { .. }
            | AppError::BadFile(_)
            | AppError::Ambiguous { .. }
            | AppError::NotFound { .. }
            | AppError::Unauthorized(_)
            | AppError::Forbidden(_) => true,
            AppError::Store(StoreError::Newer { .. } | StoreError::NoDatabase { .. }) => true,
            AppError::Store(_) => false,
        }
    }

    /// True when another writer held the database past the wait: nothing was wrong with the
    /// request, and the same request shortly after will do.
    pub fn is_busy(&self) -> bool {
        matches!(self, AppError::Store(StoreError::Busy { .. }))
    }

    /// True when the database could not be reached (a server down or restarting, a network
    /// gone): nothing was wrong with the request either, but the cause is the operator's to
    /// see, not the person's.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, AppError::Store(StoreError::Open { .. }))
    }

    /// True when the store failed in a way no request can mend and whose words are the
    /// store's own (a row it cannot read, the database's refusal, the driver's failure, a
    /// database missing or made by a newer followup, with its path): a front end facing
    /// strangers logs them and says less. The CLI's user is the one who can mend them.
    pub fn is_internal(&self) -> bool {
        matches!(
            self,
            AppError::Store(
                StoreError::Conflict { .. }
                    | StoreError::Corrupt { .. }
                    | StoreError::Backend(_)
                    | StoreError::Newer { .. }
                    | StoreError::NoDatabase { .. }
            )
        )
    }

    /// The message with the field named by `name` (a flag, a label, a JSON key).
    pub fn render(&self, name: impl Fn(Field) -> String) -> String {
        match self {
            AppError::Invalid { field, problem } => format!("{}: {problem}", name(*field)),
            other => other.to_string(),
        }
    }
}

/// A refused value of `field`.
pub fn invalid(field: Field, problem: impl Into<String>) -> AppError {
    AppError::Invalid {
        field,
        problem: problem.into(),
    }
}

/// A refused request.
pub fn refused(msg: impl Into<String>) -> AppError {
    AppError::Refused(msg.into())
}

/// Result with an app error.
pub type Result<T> = std::result::Result<T, AppError>;
