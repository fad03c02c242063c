//! Imported files held between the dry run and the confirmation, under a random token, so
//! that Confirm posts the token instead of the file again: whatever previewed can be
//! confirmed, byte for byte.

use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::StatusCode;

use crate::WebError;

/// How long a preview can wait for its confirmation.
pub const TTL: Duration = Duration::from_secs(30 * 60);

/// Uploads held at once: each can be 8 MiB, and one person previews a file or two.
pub const KEEP: usize = 4;

/// A file as it was previewed, and how to import it.
#[derive(Clone)]
pub struct Upload {
    pub kind: String,
    pub name: String,
    pub tier: String,
    pub data: Bytes,
}

#[derive(Default)]
pub struct Uploads {
    held: Vec<(String, Instant, Upload)>,
}

impl Uploads {
    /// Holds `upload`, dropping expired ones and then the oldest beyond `KEEP`; returns its token.
    pub fn keep(&mut self, upload: Upload, now: Instant) -> Result<String, WebError> {
        self.expire(now);
        while self.held.len() >= KEEP {
            self.held.remove(0);
        }
        let token = random_token()?;
        self.held.push((token.clone(), now, upload));
        Ok(token)
    }

    /// The upload under `token`, while it lasts.
    pub fn get(&mut self, token: &str, now: Instant) -> Result<Upload, WebError> {
        self.expire(now);
        self.held
            .iter()
            .find(|(t, _, _)| same(t, token))
            .map(|(_, _, u)| u.clone())
            .ok_or_else(|| {
                WebError::new(
                    StatusCode::GONE,
                    format!(
                        "import: this preview is no longer held (previews last {} minutes and the last {KEEP} are kept); upload the file again",
                        TTL.as_secs() / 60
                    ),
                )
            })
    }

    /// Drops the upload under `token`: it was imported.
    pub fn forget(&mut self, token: &str) {
        self.held.retain(|(t, _, _)| !same(t, token));
    }

    fn expire(&mut self, now: Instant) {
        self.held
            .retain(|(_, at, _)| now.saturating_duration_since(*at) < TTL);
    }
}

/// Compares in constant time: the token is the only thing between a page and the file.
fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut diff = a.len() ^ b.len();
    for (i, x) in a.iter().enumerate() {
        diff |= usize::from(x ^ b.get(i).copied().unwrap_or(0));
    }
    diff == 0
}

/// 128 bits from the operating system's random source, as hex.
fn random_token() -> Result<String, WebError> {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| {
            WebError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("/dev/urandom: no random source for the import token: {e}"),
            )
        })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(name: &str) -> Upload {
        Upload {
            kind: "vcard".into(),
            name: name.into(),
            tier: String::new(),
            data: Bytes::from_static(b"BEGIN:VCARD"),
        }
    }

    #[test]
    fn a_token_is_128_random_bits_and_finds_its_upload() {
        let mut u = Uploads::default();
        let now = Instant::now();
        let a = u.keep(upload("a.vcf"), now).unwrap();
        let b = u.keep(upload("b.vcf"), now).unwrap();
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert_eq!(u.get(&a, now).unwrap().name, "a.vcf");
        assert_eq!(u.get(&b, now).unwrap().name, "b.vcf");
        let e = u.get("0123", now).err().unwrap();
        assert_eq!(e.status, StatusCode::GONE);
        assert!(e.message.contains("upload the file again"), "{}", e.message);
    }

    #[test]
    fn uploads_expire_after_30_minutes_and_only_the_last_few_are_kept() {
        let mut u = Uploads::default();
        let now = Instant::now();
        let old = u.keep(upload("old.vcf"), now).unwrap();
        let later = now + TTL - Duration::from_secs(1);
        assert!(u.get(&old, later).is_ok());
        assert!(u.get(&old, now + TTL).is_err(), "expired");
        let tokens: Vec<String> = (0..KEEP + 1)
            .map(|i| u.keep(upload(&format!("{i}.vcf")), now).unwrap())
            .collect();
        assert!(u.get(&tokens[0], now).is_err(), "the oldest made room");
        for t in &tokens[1..] {
            assert!(u.get(t, now).is_ok());
        }
        u.forget(&tokens[1]);
        assert!(u.get(&tokens[1], now).is_err(), "imported, then forgotten");
    }
}
