//! Sending one message by SMTP: `smtps://host[:465]` (TLS from the start) or
//! `smtp://host[:587]` with STARTTLS required. lettre speaks SMTP; this module builds the
//! message (a Message-ID of our own, so the touch it logs and the copy in the Sent folder are
//! known as one) and keeps passwords out of every error.

use std::path::Path;

use lettre::Transport;
use lettre::message::{Mailbox, Message, header::ContentType};
use lettre::transport::smtp::SmtpTransport;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};

/// Where to send: the host, the port, and whether TLS starts at once (smtps) or by STARTTLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpUrl {
    pub implicit_tls: bool,
    pub host: String,
    pub port: u16,
}

impl SmtpUrl {
    /// `smtps://host[:465]` or `smtp://host[:587]`; anything else is a one-line error.
    pub fn parse(text: &str) -> Result<SmtpUrl, String> {
        let bad = |why: &str| {
            format!("smtp: expected smtps://host[:port] or smtp://host[:port], found {text:?}{why}")
        };
        let (implicit_tls, rest) = if let Some(r) = text.strip_prefix("smtps://") {
            (true, r)
        } else if let Some(r) = text.strip_prefix("smtp://") {
            (false, r)
        } else {
            return Err(bad(""));
        };
        let rest = rest.trim_end_matches('/');
        if rest.contains(['/', '@', '?', '#']) || rest.is_empty() {
            return Err(bad(" (a host and port only)"));
        }
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (
                h,
                p.parse::<u16>()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| bad(" (the port is a number)"))?,
            ),
            None => (rest, if implicit_tls { 465 } else { 587 }),
        };
        Ok(SmtpUrl {
            implicit_tls,
            host: host.to_string(),
            port,
        })
    }

    pub fn server(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// A message to send: plain text, one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub from: String,
    pub from_name: Option<String>,
    pub to: String,
    pub to_name: Option<String>,
    pub subject: String,
    pub body: String,
}

/// Why a message was not sent. Never carries a password.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("{0}")]
    Address(String),
    #[error("{server} did not take the message: {detail}")]
    Server { server: String, detail: String },
    #[error("cannot read the certificate {path}: {detail}")]
    Certificate { path: String, detail: String },
}

/// A Message-ID of our own for `from`'s domain: 128 random bits, so it is unique.
pub fn new_message_id(from: &str) -> String {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    let _ = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let domain = from
        .rsplit_once('@')
        .map(|(_, d)| d)
        .unwrap_or("followup.invalid");
    format!("{hex}.followup@{domain}")
}

/// Sends `out` through `url`, signing in with `user` and `password` when given; returns the
/// Message-ID it was sent with (without angle brackets).
pub fn send(
    url: &SmtpUrl,
    login: Option<(&str, &str)>,
    ca_file: Option<&Path>,
    out: &Outgoing,
) -> Result<String, SendError> {
    let server = url.server();
    let scrub = |s: String| match login {
        Some((_, p)) if !p.is_empty() => s.replace(p, "[password]"),
        _ => s,
    };
    let mailbox = |name: &Option<String>, addr: &str, what: &str| -> Result<Mailbox, SendError> {
        let a = addr
            .parse()
            .map_err(|e| SendError::Address(format!("{what}: {addr:?} is not an address: {e}")))?;
        Ok(Mailbox::new(name.clone(), a))
    };
    let id = new_message_id(&out.from);
    let message = Message::builder()
        .from(mailbox(&out.from_name, &out.from, "from")?)
        .to(mailbox(&out.to_name, &out.to, "to")?)
        .subject(out.subject.clone())
        .message_id(Some(format!("<{id}>")))
        .header(ContentType::TEXT_PLAIN)
        .body(out.body.clone())
        .map_err(|e| SendError::Address(format!("the message: {e}")))?;
    let mut tls = TlsParameters::builder(url.host.clone());
    if let Some(path) = ca_file {
        let pem = std::fs::read(path).map_err(|e| SendError::Certificate {
            path: path.display().to_string(),
            detail: e.to_string(),
        })?;
        let cert = Certificate::from_pem(&pem).map_err(|e| SendError::Certificate {
            path: path.display().to_string(),
            detail: e.to_string(),
        })?;
        tls = tls.add_root_certificate(cert);
    }
    let tls = tls.build_rustls().map_err(|e| SendError::Server {
        server: server.clone(),
        detail: e.to_string(),
    })?;
    let mut builder = SmtpTransport::builder_dangerous(url.host.clone())
        .port(url.port)
        .timeout(Some(std::time::Duration::from_secs(30)))
        .tls(if url.implicit_tls {
            Tls::Wrapper(tls)
        } else {
            Tls::Required(tls)
        });
    if let Some((user, password)) = login {
        builder = builder.credentials(Credentials::new(user.to_string(), password.to_string()));
    }
    builder
        .build()
        .send(&message)
        .map_err(|e| SendError::Server {
            server: server.clone(),
            detail: scrub(e.to_string()),
        })?;
    Ok(id)
}
