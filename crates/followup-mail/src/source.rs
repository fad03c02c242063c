//! Where messages come from: a folder of a mailbox, read from a UID on. IMAP is one source;
//! tests also use a source in memory.

/// What a folder is now: its UIDVALIDITY (when it changes, every UID before it means nothing)
/// and the UID the next message will get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FolderState {
    pub uid_validity: u32,
    pub uid_next: u32,
}

/// One message as fetched: its UID in the folder, its raw header, and for messages that may be
/// auto-replies the first bytes of the text (to read a return date); never the whole body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub uid: u32,
    /// The server's arrival time (IMAP INTERNALDATE), when it gave one.
    pub arrived: Option<jiff::Timestamp>,
    pub header: Vec<u8>,
    pub text_start: Vec<u8>,
}

/// Why a source could not be read. Never carries a password.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("cannot reach {server}: {detail}")]
    Connect { server: String, detail: String },
    #[error("{server} refused the sign-in of {user}: {detail}")]
    Login {
        server: String,
        user: String,
        detail: String,
    },
    #[error("{server} has no folder {folder:?}: {detail}")]
    NoFolder {
        server: String,
        folder: String,
        detail: String,
    },
    #[error("{server} answered what followup cannot read: {detail}")]
    Protocol { server: String, detail: String },
}

/// A mailbox read folder by folder.
pub trait MailSource {
    /// Opens `folder` read-only and says what it is now.
    fn open(&mut self, folder: &str) -> Result<FolderState, SourceError>;
    /// Messages of the folder opened last with a UID above `after`, by UID, at most `limit`.
    fn fetch_after(&mut self, after: u32, limit: usize) -> Result<Vec<Fetched>, SourceError>;
}
