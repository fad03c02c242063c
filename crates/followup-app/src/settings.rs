//! The owner's settings that are not part of the search's story (the calendar feed's secret),
//! and the plain reads of the whole log: is there anything, what changed, the events.

use followup_store::Recorded;

use crate::error::{AppError, Result};
use crate::{App, Ctx};

impl App {
    /// True when nothing was ever recorded.
    pub fn is_empty(&self, cx: &Ctx) -> Result<bool> {
        Ok(self.store.read(cx.owner)?.is_empty()?)
    }

    /// Changes whenever the owner's data may have changed (here or in another process).
    pub fn data_version(&self, cx: &Ctx) -> Result<u64> {
        Ok(self.store.version(cx.owner)?)
    }

    /// The calendar token if one was made; never makes one, so that looking writes nothing.
    pub fn existing_calendar_token(&self, cx: &Ctx) -> Result<Option<String>> {
        Ok(self.store.read(cx.owner)?.setting("calendar_token")?)
    }

    /// Replaces the calendar token: the old feed URL stops working.
    pub fn rotate_calendar_token(&self, cx: &Ctx) -> Result<String> {
        let t = random_token()?;
        self.change(cx, |w| Ok(w.tx.set_setting("calendar_token", &t)?))?;
        Ok(t)
    }

    /// True when `token` is the calendar token, compared in constant time.
    pub fn calendar_token_matches(&self, cx: &Ctx, token: &str) -> Result<bool> {
        let Some(t) = self.existing_calendar_token(cx)? else {
            return Ok(false);
        };
        let (a, b) = (t.as_bytes(), token.as_bytes());
        let mut diff = a.len() ^ b.len();
        for (i, x) in a.iter().enumerate() {
            diff |= usize::from(x ^ b.get(i).copied().unwrap_or(0));
        }
        Ok(diff == 0)
    }

    /// The event log.
    pub fn events(&self, cx: &Ctx) -> Result<Vec<Recorded>> {
        Ok(self.store.read(cx.owner)?.events()?)
    }
}

/// 128 random bits as 32 hex digits, from the operating system.
pub(crate) fn random_token() -> Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| AppError::Refused(format!("no random source (/dev/urandom): {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
