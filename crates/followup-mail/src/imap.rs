//! A small IMAP4rev1 client: just what [`MailSource`] needs, blocking, over TLS always.
//!
//! - `imaps://host[:993]`: TLS from the first byte.
//! - `imap://host[:143]`: a plain connection that must offer STARTTLS, and is refused before
//!   any sign-in when it does not: a password never goes over an unencrypted connection.
//!
//! TLS is rustls (ring, no OpenSSL), trusting the public roots of webpki-roots, plus one more
//! root certificate when one is given ([`ImapSource::connect_with_ca`]: a server with a
//! private CA, and the tests' Dovecot). Folders are opened with EXAMINE (read-only: a sync
//! changes nothing in the mailbox, not even the \Seen flag, as the fetches are `BODY.PEEK`).
//!
//! Errors name the server (`host:port`) and the user, never the password: not even when a
//! server echoes it back, as it is scrubbed from what a server says about a failed sign-in.
//! Every read and write on the socket times out after [`TIMEOUT`].

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};

use crate::source::{Fetched, FolderState, MailSource, SourceError};

/// How long one connect, read or write may take before the session gives up.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// How much of a message's text is fetched (enough for an auto-reply's return date, or a
/// bounce's failed address).
pub const TEXT_START: usize = 2048;

/// The largest literal a server may send (a header): more is not a mailbox followup reads.
const MAX_LITERAL: usize = 16 << 20;
/// The longest line outside literals (a SEARCH answer of millions of UIDs is one line).
const MAX_LINE: usize = 64 << 20;

/// How the connection is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// `imaps://`: TLS from the start (port 993 by default).
    Tls,
    /// `imap://`: plain, then STARTTLS before anything else (port 143 by default).
    StartTls,
}

/// Where a mailbox is: `imaps://host[:port]` or `imap://host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImapUrl {
    pub security: Security,
    /// A name, an IPv4 address, or an IPv6 address without its brackets.
    pub host: String,
    pub port: u16,
}

/// A URL that is not `imaps://host[:port]` or `imap://host[:port]`. Says what was found, less
/// any user and password written into it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("imap: expected imaps://host[:port] or imap://host[:port], found {found:?}{why}")]
pub struct UrlError {
    found: String,
    why: &'static str,
}

impl ImapUrl {
    pub fn parse(text: &str) -> Result<ImapUrl, UrlError> {
        // Never echo a password written into the URL.
        let shown = match (text.split_once("://"), text.rfind('@')) {
            (Some((scheme, _)), Some(at)) => format!("{scheme}://…{}", &text[at..]),
            (None, Some(at)) => format!("…{}", &text[at..]),
            _ => text.to_owned(),
        };
        let bad = |why: &'static str| UrlError {
            found: shown.clone(),
            why,
        };
        let (scheme, rest) = text.split_once("://").ok_or_else(|| bad(""))?;
        let (security, default_port) = match scheme.to_ascii_lowercase().as_str() {
            "imaps" => (Security::Tls, 993),
            "imap" => (Security::StartTls, 143),
            _ => return Err(bad("")),
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains('@') {
            return Err(bad(
                " (user and password go in their own settings, not the URL)",
            ));
        }
        if rest.contains(['/', '?', '#']) {
            return Err(bad(" (no path: folders are set apart)"));
        }
        let (host, port) = if let Some(v6) = rest.strip_prefix('[') {
            let (host, after) = v6.split_once(']').ok_or_else(|| bad(""))?;
            if host.is_empty()
                || !host
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
            {
                return Err(bad(" (not an IPv6 address)"));
            }
            match after {
                "" => (host, None),
                _ => (host, Some(after.strip_prefix(':').ok_or_else(|| bad(""))?)),
            }
        } else {
            match rest.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (rest, None),
            }
        };
        if host.is_empty() {
            return Err(bad(" (no host)"));
        }
        if !host.contains(':')
            && !host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
        {
            return Err(bad(" (not a host name)"));
        }
        let port = match port {
            None => default_port,
            Some(p) => match p.parse::<u16>() {
                Ok(n) if n > 0 && p.bytes().all(|b| b.is_ascii_digit()) => n,
                _ => return Err(bad(" (a port is a number from 1 to 65535)")),
            },
        };
        Ok(ImapUrl {
            security,
            host: host.to_owned(),
            port,
        })
    }

    /// `host:port`, as errors name the server.
    pub fn server(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

impl std::str::FromStr for ImapUrl {
    type Err = UrlError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ImapUrl::parse(s)
    }
}

impl std::fmt::Display for ImapUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = match self.security {
            Security::Tls => "imaps",
            Security::StartTls => "imap",
        };
        write!(f, "{scheme}://{}", self.server())
    }
}

/// A signed-in IMAP session: a [`MailSource`].
pub struct ImapSource {
    conn: Conn,
    /// The folder EXAMINEd last, while it is open.
    open: Option<String>,
}

impl std::fmt::Debug for ImapSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapSource")
            .field("server", &self.conn.server)
            .field("open", &self.open)
            .finish_non_exhaustive()
    }
}

impl ImapSource {
    /// Connects to `url` and signs in, trusting the public roots only.
    pub fn connect(url: &ImapUrl, user: &str, password: &str) -> Result<ImapSource, SourceError> {
        ImapSource::connect_inner(url, user, password, None)
    }

    /// Connects to `url` and signs in, trusting the public roots and the certificates in the
    /// PEM file `ca_file` (a private CA, or the tests' own).
    pub fn connect_with_ca(
        url: &ImapUrl,
        user: &str,
        password: &str,
        ca_file: &Path,
    ) -> Result<ImapSource, SourceError> {
        ImapSource::connect_inner(url, user, password, Some(ca_file))
    }

    fn connect_inner(
        url: &ImapUrl,
        user: &str,
        password: &str,
        ca_file: Option<&Path>,
    ) -> Result<ImapSource, SourceError> {
        let server = url.server();
        let cannot = |detail: String| SourceError::Connect {
            server: server.clone(),
            detail,
        };
        let config = tls_config(ca_file).map_err(cannot)?;
        let name = ServerName::try_from(url.host.clone())
            .map_err(|_| cannot(format!("{:?} is not a host name TLS can check", url.host)))?;
        let tcp = tcp_connect(url).map_err(cannot)?;
        let stream = match url.security {
            Security::Tls => Stream::Tls(Box::new(
                tls_handshake(tcp, config.clone(), name.clone()).map_err(cannot)?,
            )),
            Security::StartTls => Stream::Plain(tcp),
        };
        let mut conn = Conn {
            stream,
            buf: Vec::new(),
            server: server.clone(),
            tag: 0,
            bye: None,
        };
        let greeting = conn.read_response()?;
        let greeting_word = greeting.word(1).to_ascii_uppercase();
        if !greeting.is_untagged() {
            return Err(conn.protocol(format!(
                "a greeting that is not one: {}",
                greeting.line_text()
            )));
        }
        let preauth = match greeting_word.as_slice() {
            b"OK" => false,
            b"PREAUTH" => true,
            b"BYE" => {
                return Err(cannot(format!(
                    "it said goodbye: {}",
                    greeting.rest_text(2)
                )));
            }
            _ => {
                return Err(conn.protocol(format!(
                    "a greeting that is not one: {}",
                    greeting.line_text()
                )));
            }
        };
        if url.security == Security::StartTls {
            if preauth {
                return Err(cannot(
                    "it signed in before STARTTLS, so the connection cannot be encrypted".into(),
                ));
            }
            let caps = conn.capabilities()?;
            if !caps.iter().any(|c| c == "STARTTLS") {
                return Err(cannot(
                    "it offers no STARTTLS, and followup sends no password over an unencrypted \
                     connection (use imaps://, or a server that offers STARTTLS)"
                        .into(),
                ));
            }
            let done = conn.command(&[Arg::Raw(b"STARTTLS")])?.1;
            if done.status != Status::Ok {
                return Err(cannot(format!("STARTTLS failed: {}", done.text)));
            }
            if !conn.buf.is_empty() {
                return Err(conn.protocol(
                    "bytes after the STARTTLS answer, before TLS (an injection?)".into(),
                ));
            }
            let Stream::Plain(tcp) = std::mem::replace(&mut conn.stream, Stream::Closed) else {
                unreachable!("an imap:// connection is plain until STARTTLS")
            };
            conn.stream = Stream::Tls(Box::new(tls_handshake(tcp, config, name).map_err(cannot)?));
        }
        if !preauth {
            let caps = conn.capabilities()?;
            let login_error = |detail: String| SourceError::Login {
                server: server.clone(),
                user: user.to_owned(),
                detail: scrub(&detail, password),
            };
            let done = if caps.iter().any(|c| c == "LOGINDISABLED") {
                if !caps.iter().any(|c| c == "AUTH=PLAIN") {
                    return Err(login_error(
                        "it offers neither LOGIN nor AUTHENTICATE PLAIN".into(),
                    ));
                }
                let mut plain = Vec::new();
                plain.push(0);
                plain.extend_from_slice(user.as_bytes());
                plain.push(0);
                plain.extend_from_slice(password.as_bytes());
                let answer = base64(&plain, STANDARD, true).into_bytes();
                conn.command(&[Arg::Raw(b"AUTHENTICATE PLAIN"), Arg::Continue(&answer)])?
                    .1
            } else {
                conn.command(&[
                    Arg::Raw(b"LOGIN "),
                    Arg::String(user.as_bytes()),
                    Arg::Raw(b" "),
                    Arg::String(password.as_bytes()),
                ])
                .map_err(|e| match e {
                    SourceError::Protocol { server, detail } => SourceError::Protocol {
                        server,
                        detail: scrub(&detail, password),
                    },
                    other => other,
                })?
                .1
            };
            if done.status != Status::Ok {
                return Err(login_error(done.text));
            }
        }
        Ok(ImapSource { conn, open: None })
    }

    /// Says goodbye (LOGOUT) and closes the connection. Dropping a source closes it too,
    /// without a goodbye.
    pub fn logout(mut self) -> Result<(), SourceError> {
        let done = self.conn.command(&[Arg::Raw(b"LOGOUT")])?.1;
        if let Stream::Tls(tls) = &mut self.conn.stream {
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
        if done.status != Status::Ok {
            return Err(self.conn.protocol(format!("LOGOUT failed: {}", done.text)));
        }
        Ok(())
    }
}

impl MailSource for ImapSource {
    fn open(&mut self, folder: &str) -> Result<FolderState, SourceError> {
        self.open = None;
        let name = quoted(modified_utf7(folder).as_bytes());
        let (untagged, done) = self
            .conn
            .command(&[Arg::Raw(b"EXAMINE "), Arg::Raw(&name)])?;
        match done.status {
            Status::Ok => {}
            Status::No => {
                return Err(SourceError::NoFolder {
                    server: self.conn.server.clone(),
                    folder: folder.to_owned(),
                    detail: done.text,
                });
            }
            Status::Bad => {
                return Err(self
                    .conn
                    .protocol(format!("EXAMINE refused: {}", done.text)));
            }
        }
        let mut uid_validity = None;
        let mut uid_next = None;
        for r in &untagged {
            if r.word(1).eq_ignore_ascii_case(b"OK") {
                match r.code() {
                    Some((code, arg)) if code.eq_ignore_ascii_case("UIDVALIDITY") => {
                        uid_validity = arg.parse::<u32>().ok()
                    }
                    Some((code, arg)) if code.eq_ignore_ascii_case("UIDNEXT") => {
                        uid_next = arg.parse::<u32>().ok()
                    }
                    _ => {}
                }
            }
        }
        let Some(uid_validity) = uid_validity else {
            return Err(self.conn.protocol(format!("no UIDVALIDITY for {folder:?}")));
        };
        let uid_next = match uid_next {
            Some(n) => n,
            None => {
                // Not required of every server in its EXAMINE answer: ask.
                let (untagged, done) = self.conn.command(&[
                    Arg::Raw(b"STATUS "),
                    Arg::Raw(&name),
                    Arg::Raw(b" (UIDNEXT)"),
                ])?;
                let found = untagged
                    .iter()
                    .filter(|r| r.word(1).eq_ignore_ascii_case(b"STATUS"))
                    .find_map(|r| {
                        let last = String::from_utf8_lossy(r.last_text()).to_ascii_uppercase();
                        let at = last.rfind("UIDNEXT ")?;
                        last[at + 8..]
                            .trim_end_matches(|c: char| !c.is_ascii_digit())
                            .parse()
                            .ok()
                    });
                match (done.status, found) {
                    (Status::Ok, Some(n)) => n,
                    _ => {
                        return Err(self
                            .conn
                            .protocol(format!("no UIDNEXT for {folder:?}: {}", done.text)));
                    }
                }
            }
        };
        self.open = Some(folder.to_owned());
        Ok(FolderState {
            uid_validity,
            uid_next,
        })
    }

    fn fetch_after(&mut self, after: u32, limit: usize) -> Result<Vec<Fetched>, SourceError> {
        if self.open.is_none() {
            return Err(self
                .conn
                .protocol("no folder is open (open one first)".into()));
        }
        let Some(first) = after.checked_add(1) else {
            return Ok(Vec::new());
        };
        if limit == 0 {
            return Ok(Vec::new());
        }
        // `n:*` always names the last message, even when its UID is below n: search, filter,
        // and fetch exactly the UIDs wanted.
        let range = format!("UID SEARCH UID {first}:*");
        let (untagged, done) = self.conn.command(&[Arg::Raw(range.as_bytes())])?;
        if done.status != Status::Ok {
            return Err(self
                .conn
                .protocol(format!("UID SEARCH failed: {}", done.text)));
        }
        let mut uids = Vec::new();
        for r in untagged
            .iter()
            .filter(|r| r.word(1).eq_ignore_ascii_case(b"SEARCH"))
        {
            for w in r
                .line()
                .split(|&b| b == b' ')
                .skip(2)
                .filter(|w| !w.is_empty())
            {
                let uid = std::str::from_utf8(w)
                    .ok()
                    .and_then(|w| w.parse::<u32>().ok())
                    .ok_or_else(|| {
                        self.conn.protocol(format!(
                            "a SEARCH answer that is not UIDs: {}",
                            r.line_text()
                        ))
                    })?;
                uids.push(uid);
            }
        }
        uids.retain(|&u| u > after);
        uids.sort_unstable();
        uids.dedup();
        uids.truncate(limit);
        let (Some(&low), Some(&high)) = (uids.first(), uids.last()) else {
            return Ok(Vec::new());
        };
        let fetch = format!(
            "UID FETCH {low}:{high} (UID INTERNALDATE BODY.PEEK[HEADER] BODY.PEEK[TEXT]<0.{TEXT_START}>)"
        );
        let (untagged, done) = self.conn.command(&[Arg::Raw(fetch.as_bytes())])?;
        if done.status != Status::Ok {
            return Err(self
                .conn
                .protocol(format!("UID FETCH failed: {}", done.text)));
        }
        let mut found: std::collections::BTreeMap<u32, Partial> = std::collections::BTreeMap::new();
        for r in untagged
            .iter()
            .filter(|r| r.word(2).eq_ignore_ascii_case(b"FETCH"))
        {
            let items = r.fetch_items().map_err(|e| {
                self.conn.protocol(format!(
                    "a FETCH answer followup cannot read ({e}): {}",
                    r.line_text()
                ))
            })?;
            let mut uid = None;
            let mut part = Partial::default();
            let mut it = items.into_iter();
            while let (Some(key), Some(value)) = (it.next(), it.next()) {
                let Val::Atom(key) = key else {
                    return Err(self.conn.protocol(format!(
                        "a FETCH item that is not a name: {}",
                        r.line_text()
                    )));
                };
                let key = key.to_ascii_uppercase();
                if key == b"UID" {
                    uid = value.atom_str().and_then(|s| s.parse::<u32>().ok());
                } else if key == b"INTERNALDATE" {
                    part.arrived = value
                        .string()
                        .and_then(|s| parse_internal_date(&String::from_utf8_lossy(s)));
                } else if key.starts_with(b"BODY[HEADER]") {
                    part.header = Some(value.string().unwrap_or_default().to_vec());
                } else if key.starts_with(b"BODY[TEXT]") {
                    part.text = Some(value.string().unwrap_or_default().to_vec());
                }
            }
            // A FETCH without a UID is news about flags, not an answer.
            let Some(uid) = uid else { continue };
            let entry = found.entry(uid).or_default();
            entry.arrived = entry.arrived.or(part.arrived);
            if part.header.is_some() {
                entry.header = part.header;
            }
            if part.text.is_some() {
                entry.text = part.text;
            }
        }
        let mut out = Vec::new();
        for uid in uids {
            // Gone between the search and the fetch (expunged): nothing to read.
            let Some(p) = found.remove(&uid) else {
                continue;
            };
            let Some(header) = p.header else {
                return Err(self.conn.protocol(format!("no header for UID {uid}")));
            };
            let mut text_start = p.text.unwrap_or_default();
            text_start.truncate(TEXT_START);
            out.push(Fetched {
                uid,
                arrived: p.arrived,
                header,
                text_start,
            });
        }
        Ok(out)
    }
}

#[derive(Default)]
struct Partial {
    arrived: Option<jiff::Timestamp>,
    header: Option<Vec<u8>>,
    text: Option<Vec<u8>>,
}

/// An IMAP INTERNALDATE, `05-Dec-2026 10:00:00 +0000` (the day may be one digit after a
/// space).
pub(crate) fn parse_internal_date(text: &str) -> Option<jiff::Timestamp> {
    jiff::fmt::strtime::parse("%d-%b-%Y %H:%M:%S %z", text.trim())
        .ok()?
        .to_timestamp()
        .ok()
}

/// Removes `secret` from `text` (what a server says about a failed sign-in).
fn scrub(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        text.to_owned()
    } else {
        text.replace(secret, "(password)")
    }
}

fn tls_config(ca_file: Option<&Path>) -> Result<Arc<rustls::ClientConfig>, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = ca_file {
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| format!("cannot read the CA file {}: {e}", path.display()))?;
        let mut added = 0;
        for cert in certs {
            let cert =
                cert.map_err(|e| format!("cannot read the CA file {}: {e}", path.display()))?;
            roots.add(cert).map_err(|e| {
                format!("a certificate in {} cannot be trusted: {e}", path.display())
            })?;
            added += 1;
        }
        if added == 0 {
            return Err(format!("no certificate in the CA file {}", path.display()));
        }
    }
    // ring, not aws-lc-rs (which rustls 0.23.48 deprecates ring for, as it alone has the
    // post-quantum key exchanges): aws-lc-rs needs cmake and builds for minutes.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

fn tcp_connect(url: &ImapUrl) -> Result<TcpStream, String> {
    let addrs = (url.host.as_str(), url.port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot find {}: {e}", url.host))?;
    let mut last = format!("{} has no address", url.host);
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, TIMEOUT) {
            Ok(tcp) => {
                let set = tcp
                    .set_read_timeout(Some(TIMEOUT))
                    .and_then(|()| tcp.set_write_timeout(Some(TIMEOUT)))
                    .and_then(|()| tcp.set_nodelay(true));
                return set.map(|()| tcp).map_err(|e| e.to_string());
            }
            Err(e) => last = e.to_string(),
        }
    }
    Err(last)
}

type TlsStream = rustls::StreamOwned<rustls::ClientConnection, TcpStream>;

fn tls_handshake(
    mut tcp: TcpStream,
    config: Arc<rustls::ClientConfig>,
    name: ServerName<'static>,
) -> Result<TlsStream, String> {
    let mut conn = rustls::ClientConnection::new(config, name).map_err(|e| format!("TLS: {e}"))?;
    while conn.is_handshaking() {
        conn.complete_io(&mut tcp)
            .map_err(|e| format!("TLS: {e}"))?;
    }
    Ok(rustls::StreamOwned::new(conn, tcp))
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream>),
    Closed,
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
            Stream::Closed => Err(io::ErrorKind::NotConnected.into()),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
            Stream::Closed => Err(io::ErrorKind::NotConnected.into()),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
            Stream::Closed => Err(io::ErrorKind::NotConnected.into()),
        }
    }
}

/// One part of a command.
enum Arg<'a> {
    /// Sent as it is.
    Raw(&'a [u8]),
    /// An IMAP string: quoted when it can be, else a literal (after the server's go-ahead).
    String(&'a [u8]),
    /// Sent on its own line after the server's `+` (an AUTHENTICATE answer).
    Continue(&'a [u8]),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Ok,
    No,
    Bad,
}

/// A tagged answer: how a command ended, and what the server said (with its code).
struct Done {
    status: Status,
    text: String,
}

/// A response: its lines, and between them the literals the lines announced.
struct Response {
    /// The first line, and one more line after each literal.
    lines: Vec<Vec<u8>>,
    literals: Vec<Vec<u8>>,
}

impl Response {
    fn line(&self) -> &[u8] {
        &self.lines[0]
    }
    fn line_text(&self) -> String {
        let mut s = String::from_utf8_lossy(self.line()).into_owned();
        if self.lines.len() > 1 {
            s.push_str(" …");
        }
        s
    }
    fn last_text(&self) -> &[u8] {
        self.lines.last().map(Vec::as_slice).unwrap_or_default()
    }
    fn is_untagged(&self) -> bool {
        self.line().starts_with(b"* ")
    }
    /// The `n`th word of the first line (0 is the tag).
    fn word(&self, n: usize) -> &[u8] {
        self.line().split(|&b| b == b' ').nth(n).unwrap_or_default()
    }
    /// The first line from the `n`th word on.
    fn rest_text(&self, n: usize) -> String {
        let words: Vec<&[u8]> = self.line().splitn(n + 1, |&b| b == b' ').collect();
        String::from_utf8_lossy(words.get(n).copied().unwrap_or_default()).into_owned()
    }
    /// The response code of a status response, `* OK [CODE arg] text`: (CODE, arg).
    fn code(&self) -> Option<(String, String)> {
        let rest = self.rest_text(2);
        let inner = rest.strip_prefix('[')?.split(']').next()?;
        let (code, arg) = inner.split_once(' ').unwrap_or((inner, ""));
        Some((code.to_owned(), arg.to_owned()))
    }
    /// The items of `* n FETCH (...)`, as a flat list of name, value, name, value.
    fn fetch_items(&self) -> Result<Vec<Val>, String> {
        let mut toks = Vec::new();
        for (i, line) in self.lines.iter().enumerate() {
            let line = if i == 0 {
                // Past "* n FETCH ".
                let mut at = 0;
                for _ in 0..3 {
                    at += line[at..]
                        .iter()
                        .position(|&b| b == b' ')
                        .ok_or("too short")?
                        + 1;
                }
                &line[at..]
            } else {
                line.as_slice()
            };
            lex(line, &mut toks)?;
            if let Some(lit) = self.literals.get(i) {
                toks.push(Tok::Str(lit.clone()));
            }
        }
        let mut at = 0;
        match parse_val(&toks, &mut at)? {
            Val::List(items) if at == toks.len() => Ok(items),
            _ => Err("not one list".into()),
        }
    }
}

enum Tok {
    Open,
    Close,
    Atom(Vec<u8>),
    Str(Vec<u8>),
}

enum Val {
    Atom(Vec<u8>),
    Str(Vec<u8>),
    List(Vec<Val>),
}

impl Val {
    fn atom_str(&self) -> Option<&str> {
        match self {
            Val::Atom(a) => std::str::from_utf8(a).ok(),
            _ => None,
        }
    }
    /// A string's bytes; NIL is none.
    fn string(&self) -> Option<&[u8]> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// Splits one line (between literals) into tokens; a `{n}` at its end is left for the
/// literal that follows.
fn lex(line: &[u8], out: &mut Vec<Tok>) -> Result<(), String> {
    let mut i = 0;
    while i < line.len() {
        match line[i] {
            b' ' => i += 1,
            b'(' => {
                out.push(Tok::Open);
                i += 1;
            }
            b')' => {
                out.push(Tok::Close);
                i += 1;
            }
            b'"' => {
                let mut s = Vec::new();
                i += 1;
                loop {
                    match line.get(i) {
                        None => return Err("a quoted string that does not end".into()),
                        Some(b'"') => break,
                        Some(b'\\') => {
                            s.push(*line.get(i + 1).ok_or("a quoted string that does not end")?);
                            i += 2;
                        }
                        Some(&b) => {
                            s.push(b);
                            i += 1;
                        }
                    }
                }
                i += 1;
                out.push(Tok::Str(s));
            }
            b'{' => {
                let end = line[i..]
                    .iter()
                    .position(|&b| b == b'}')
                    .ok_or("a { without }")?
                    + i;
                if end + 1 != line.len() {
                    return Err("a literal that is not at the end of its line".into());
                }
                i = line.len();
            }
            _ => {
                let start = i;
                while i < line.len() && !matches!(line[i], b' ' | b'(' | b')') {
                    if line[i] == b'[' {
                        i += line[i..]
                            .iter()
                            .position(|&b| b == b']')
                            .ok_or("a [ without ]")?;
                    }
                    i += 1;
                }
                out.push(Tok::Atom(line[start..i].to_vec()));
            }
        }
    }
    Ok(())
}

fn parse_val(toks: &[Tok], at: &mut usize) -> Result<Val, String> {
    let tok = toks.get(*at).ok_or("an answer that ends too soon")?;
    *at += 1;
    Ok(match tok {
        Tok::Atom(a) if a.eq_ignore_ascii_case(b"NIL") => Val::Atom(Vec::new()),
        Tok::Atom(a) => Val::Atom(a.clone()),
        Tok::Str(s) => Val::Str(s.clone()),
        Tok::Close => return Err("a ) without (".into()),
        Tok::Open => {
            let mut items = Vec::new();
            loop {
                match toks.get(*at) {
                    None => return Err("a ( without )".into()),
                    Some(Tok::Close) => {
                        *at += 1;
                        break;
                    }
                    Some(_) => items.push(parse_val(toks, at)?),
                }
            }
            Val::List(items)
        }
    })
}

/// The connection, with what has been read and not yet used.
struct Conn {
    stream: Stream,
    buf: Vec<u8>,
    server: String,
    tag: u32,
    /// What the server said last with an untagged BYE (why it is closing).
    bye: Option<String>,
}

impl Conn {
    fn protocol(&self, detail: String) -> SourceError {
        SourceError::Protocol {
            server: self.server.clone(),
            detail,
        }
    }

    fn io_error(&self, e: io::Error) -> SourceError {
        let detail = match (&self.bye, e.kind()) {
            (Some(bye), _) => format!("it closed the connection: {bye}"),
            (None, io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                format!("no answer within {} seconds", TIMEOUT.as_secs())
            }
            (None, io::ErrorKind::UnexpectedEof) => "it closed the connection".into(),
            (None, _) => e.to_string(),
        };
        SourceError::Connect {
            server: self.server.clone(),
            detail,
        }
    }

    fn fill(&mut self) -> Result<(), SourceError> {
        let mut chunk = [0u8; 16 * 1024];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => return Err(self.io_error(io::ErrorKind::UnexpectedEof.into())),
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.io_error(e)),
            }
        }
    }

    /// One line, without its CRLF.
    fn read_line(&mut self) -> Result<Vec<u8>, SourceError> {
        let mut searched = 0;
        loop {
            if let Some(at) = self.buf[searched..].iter().position(|&b| b == b'\n') {
                let end = searched + at;
                let mut line: Vec<u8> = self.buf.drain(..=end).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(line);
            }
            searched = self.buf.len();
            if searched > MAX_LINE {
                return Err(self.protocol(format!("a line longer than {MAX_LINE} bytes")));
            }
            self.fill()?;
        }
    }

    fn read_exact(&mut self, n: usize) -> Result<Vec<u8>, SourceError> {
        while self.buf.len() < n {
            self.fill()?;
        }
        Ok(self.buf.drain(..n).collect())
    }

    /// One response, with its literals.
    fn read_response(&mut self) -> Result<Response, SourceError> {
        let mut lines = Vec::new();
        let mut literals = Vec::new();
        loop {
            let line = self.read_line()?;
            let size = literal_size(&line);
            lines.push(line);
            match size {
                None => break,
                Some(n) if n > MAX_LITERAL => {
                    return Err(
                        self.protocol(format!("a literal of {n} bytes (more than followup reads)"))
                    );
                }
                Some(n) => literals.push(self.read_exact(n)?),
            }
        }
        let r = Response { lines, literals };
        if r.is_untagged() && r.word(1).eq_ignore_ascii_case(b"BYE") {
            self.bye = Some(r.rest_text(2));
        }
        Ok(r)
    }

    fn write_all(&mut self, bytes: &[u8]) -> Result<(), SourceError> {
        self.stream
            .write_all(bytes)
            .and_then(|()| self.stream.flush())
            .map_err(|e| self.io_error(e))
    }

    /// Sends a command and reads to its tagged answer: the untagged responses before it, and
    /// how it ended.
    fn command(&mut self, args: &[Arg]) -> Result<(Vec<Response>, Done), SourceError> {
        self.tag += 1;
        let tag = format!("a{}", self.tag);
        let mut untagged = Vec::new();
        let mut out = tag.clone().into_bytes();
        out.push(b' ');
        for arg in args {
            let literal: &[u8] = match arg {
                Arg::Raw(b) => {
                    out.extend_from_slice(b);
                    continue;
                }
                Arg::String(s) if s.iter().all(|&b| (0x20..0x7f).contains(&b)) => {
                    out.extend_from_slice(&quoted(s));
                    continue;
                }
                Arg::String(s) => {
                    out.extend_from_slice(format!("{{{}}}\r\n", s.len()).as_bytes());
                    s
                }
                Arg::Continue(s) => {
                    out.extend_from_slice(b"\r\n");
                    s
                }
            };
            self.write_all(&out)?;
            out.clear();
            // Wait for the go-ahead; a tagged answer instead ends the command.
            loop {
                let r = self.read_response()?;
                if r.line().starts_with(b"+") {
                    break;
                }
                if let Some(done) = tagged(&r, &tag) {
                    return Ok((untagged, done));
                }
                untagged.push(r);
            }
            out.extend_from_slice(literal);
        }
        out.extend_from_slice(b"\r\n");
        self.write_all(&out)?;
        loop {
            let r = self.read_response()?;
            if let Some(done) = tagged(&r, &tag) {
                return Ok((untagged, done));
            }
            if r.line().starts_with(b"+") {
                // A go-ahead nothing asked for (an AUTHENTICATE challenge after the answer):
                // cancel.
                self.write_all(b"*\r\n")?;
                continue;
            }
            untagged.push(r);
        }
    }

    /// What the server can do, in upper case.
    fn capabilities(&mut self) -> Result<Vec<String>, SourceError> {
        let (untagged, done) = self.command(&[Arg::Raw(b"CAPABILITY")])?;
        if done.status != Status::Ok {
            return Err(self.protocol(format!("CAPABILITY failed: {}", done.text)));
        }
        Ok(untagged
            .iter()
            .filter(|r| r.word(1).eq_ignore_ascii_case(b"CAPABILITY"))
            .flat_map(|r| {
                r.rest_text(2)
                    .split(' ')
                    .map(|c| c.to_ascii_uppercase())
                    .collect::<Vec<_>>()
            })
            .collect())
    }
}

fn tagged(r: &Response, tag: &str) -> Option<Done> {
    if r.word(0) != tag.as_bytes() {
        return None;
    }
    let status = match r.word(1).to_ascii_uppercase().as_slice() {
        b"OK" => Status::Ok,
        b"NO" => Status::No,
        _ => Status::Bad,
    };
    Some(Done {
        status,
        text: r.rest_text(2),
    })
}

/// The size of the literal a line announces at its end, `{n}` (or `{n+}`).
fn literal_size(line: &[u8]) -> Option<usize> {
    let inner = line.strip_suffix(b"}")?;
    let open = inner.iter().rposition(|&b| b == b'{')?;
    let digits = &inner[open + 1..];
    let digits = digits.strip_suffix(b"+").unwrap_or(digits);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// `s` as an IMAP quoted string (printable ASCII only).
fn quoted(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() + 2);
    out.push(b'"');
    for &b in s {
        if b == b'"' || b == b'\\' {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b'"');
    out
}

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const MODIFIED: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

fn base64(bytes: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.len();
        let v = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= n {
                out.push(alphabet[((v >> (18 - 6 * i)) & 63) as usize] as char);
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

/// A folder name as IMAP spells it on the wire: modified UTF-7 (RFC 3501 5.1.3).
pub(crate) fn modified_utf7(name: &str) -> String {
    let mut out = String::new();
    let mut wide: Vec<u8> = Vec::new();
    let flush = |wide: &mut Vec<u8>, out: &mut String| {
        if !wide.is_empty() {
            out.push('&');
            out.push_str(&base64(wide, MODIFIED, false));
            out.push('-');
            wide.clear();
        }
    };
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut wide, &mut out);
            if c == '&' {
                out.push_str("&-");
            } else {
                out.push(c);
            }
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                wide.extend_from_slice(&u.to_be_bytes());
            }
        }
    }
    flush(&mut wide, &mut out);
    out
}
