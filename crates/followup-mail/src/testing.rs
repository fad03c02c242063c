//! A real IMAP server for tests, Debian's Dovecot, that never skips: a test that needs it and
//! cannot have it fails, saying why.
//!
//! [`TestDovecot::start`] finds `/usr/sbin/dovecot` and `openssl` (installing Debian's
//! `dovecot-imapd` and `openssl` with apt-get when they are missing), makes a folder in the
//! OS temp dir with a CA and a server certificate of its own (for `127.0.0.1` and
//! `localhost`, made with the `openssl` command), a passwd-file of users, their Maildirs, and
//! a configuration that listens on two free loopback ports only: one for `imap://` with
//! STARTTLS, one for `imaps://`. TLS is required (no sign-in without it). Dovecot runs with
//! its own base, state and log paths inside that folder; under root, its mail processes run
//! as the `mail` user, which owns the Maildirs.
//!
//! Tests share one server ([`TestDovecot::shared`]) and each takes a mailbox of its own
//! ([`TestDovecot::mailbox`]: a user with an empty Maildir), into which
//! [`TestMailbox::deliver`] writes messages as a delivery agent would (tmp/, then new/),
//! with the arrival time it is given.
//!
//! Always compiled, not behind a feature or `cfg(test)`, for the reasons given in
//! followup-store-pg's `testing` module: the app's tests use it too.
//!
//! # Lifetime
//!
//! Dropping a [`TestDovecot`] stops Dovecot and removes its folder. A shared one is a static,
//! never dropped: so every server also starts a watchdog, a `sh` loop outside the test
//! process that checks once a second whether the process that started the server is alive,
//! and when it is gone stops Dovecot and removes the folder.

use std::fs;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::imap::{ImapUrl, modified_utf7};

/// How many users the passwd-file has with [`PASSWORD`] (each test takes one with
/// [`TestDovecot::mailbox`]), and how many with [`PASSWORD_UTF8`]
/// ([`TestDovecot::mailbox_utf8`]).
pub const USERS: usize = 64;
pub const UTF8_USERS: usize = 8;

/// The password of the users of [`TestDovecot::mailbox`]: with a space, a quote and a
/// backslash, which LOGIN must quote.
pub const PASSWORD: &str = r#"correct "horse" \battery staple"#;

/// The password of the users of [`TestDovecot::mailbox_utf8`]: not ASCII, so LOGIN must send
/// it as a literal.
pub const PASSWORD_UTF8: &str = "contraseña de José";

const DOVECOT: &str = "/usr/sbin/dovecot";

/// A Dovecot of its own, for tests; stopped and removed when dropped.
pub struct TestDovecot {
    dir: PathBuf,
    imap_port: u16,
    imaps_port: u16,
    /// The uid and gid that own the Maildirs (the mail processes'), when running as root.
    owner: Option<(u32, u32)>,
    users: AtomicUsize,
    utf8_users: AtomicUsize,
    watchdog: Option<Child>,
}

/// One user's mailbox on a [`TestDovecot`].
pub struct TestMailbox<'a> {
    server: &'a TestDovecot,
    user: String,
    password: &'static str,
    deliveries: AtomicUsize,
}

/// True when the tests run as root, as they do on this project's machines and CI.
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// The uid and gid of `user` in /etc/passwd.
fn user_ids(user: &str) -> Option<(u32, u32)> {
    let passwd = fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let f: Vec<&str> = line.split(':').collect();
        (f.len() > 3 && f[0] == user).then(|| Some((f[2].parse().ok()?, f[3].parse().ok()?)))?
    })
}

/// The name of whoever runs the tests (when not root: Dovecot's users are all this one).
fn own_user_name() -> String {
    use std::os::unix::fs::MetadataExt;
    let uid = fs::metadata("/proc/self").map(|m| m.uid()).unwrap_or(0);
    let passwd = fs::read_to_string("/etc/passwd").unwrap_or_default();
    passwd
        .lines()
        .find_map(|line| {
            let f: Vec<&str> = line.split(':').collect();
            (f.len() > 3 && f[2] == uid.to_string()).then(|| f[0].to_owned())
        })
        .unwrap_or_else(|| panic!("test Dovecot: uid {uid} is not in /etc/passwd"))
}

fn has_openssl() -> bool {
    Command::new("openssl")
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Installs Debian's Dovecot (and openssl) when missing: once at a time in this process, as
/// tests start servers in parallel and two apt-gets at once fail on dpkg's lock.
fn binaries() {
    static INSTALLING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = INSTALLING.lock().unwrap_or_else(|p| p.into_inner());
    if Path::new(DOVECOT).is_file() && has_openssl() {
        return;
    }
    let status = Command::new("sh")
        .args([
            "-c",
            "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
             dovecot-imapd openssl",
        ])
        .stdin(Stdio::null())
        .status();
    if !(Path::new(DOVECOT).is_file() && has_openssl()) {
        panic!(
            "test Dovecot: no {DOVECOT} or no openssl, and installing the dovecot-imapd and \
             openssl packages did not bring them ({status:?}); install them"
        );
    }
}

/// A loopback port free now (another process may take it before Dovecot does: start
/// retries with others).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("test Dovecot: no free loopback port: {e}"))
}

/// Runs a command, panicking with its output if it fails.
fn run(program: &str, args: &[&str], dir: &Path, doing: &str) {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("test Dovecot: {doing}: cannot run {program}: {e}"));
    if !out.status.success() {
        panic!(
            "test Dovecot: {doing} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// A CA (`ca.pem`, the file clients trust) and a server certificate it signed for
/// 127.0.0.1 and localhost (`server.pem`, `server.key`).
fn make_certificates(dir: &Path) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    ca.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "30",
        "-subj",
        "/CN=followup test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    run("openssl", &ca, dir, "making the test CA");
    let mut csr = vec!["req"];
    csr.extend(ec);
    csr.extend([
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ]);
    run("openssl", &csr, dir, "making the server's key");
    fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=critical,CA:FALSE\n\
         keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap_or_else(|e| panic!("test Dovecot: cannot write server.ext: {e}"));
    run(
        "openssl",
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "30",
            "-extfile",
            "server.ext",
        ],
        dir,
        "signing the server's certificate",
    );
}

/// Dovecot's configuration: everything under `dir`, listening on loopback only.
fn config(dir: &Path, imap_port: u16, imaps_port: u16) -> String {
    let d = dir.display();
    // Under root: mail processes as `mail` (which owns the Maildirs), the rest as the
    // package's users. Otherwise everything as whoever runs the tests.
    let (uid, gid, internal_user, login_user) = if is_root() {
        (
            "mail".to_owned(),
            "mail".to_owned(),
            "dovecot".to_owned(),
            "dovenull".to_owned(),
        )
    } else {
        use std::os::unix::fs::MetadataExt;
        let me = fs::metadata("/proc/self").expect("/proc/self");
        let name = own_user_name();
        (
            me.uid().to_string(),
            me.gid().to_string(),
            name.clone(),
            name,
        )
    };
    let dh = if Path::new("/usr/share/dovecot/dh.pem").is_file() {
        "ssl_dh = </usr/share/dovecot/dh.pem\n"
    } else {
        ""
    };
    format!(
        "# followup's test Dovecot: loopback only, TLS required, thrown away.
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{d}/server.pem
ssl_key = <{d}/server.key
{dh}disable_plaintext_auth = yes
auth_mechanisms = plain login
# A failed sign-in is answered at once (2 s by default).
auth_failure_delay = 0
default_internal_user = {internal_user}
default_login_user = {login_user}
first_valid_uid = 1
mail_location = maildir:{d}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {d}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/mail/%u
}}
# No growing delay for an address's failed sign-ins (the tests fail some on purpose).
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
"
    )
}

/// The user names of the passwd-file: `ana@example.com`, then `ana2@example.com`, … with
/// [`PASSWORD`]; `jose1@example.com`, … with [`PASSWORD_UTF8`].
fn user_name(n: usize, utf8: bool) -> String {
    match (n, utf8) {
        (0, false) => "ana@example.com".to_owned(),
        (n, false) => format!("ana{}@example.com", n + 1),
        (n, true) => format!("jose{}@example.com", n + 1),
    }
}

impl TestDovecot {
    /// Starts a new server, panicking with what went wrong when it cannot.
    pub fn start() -> TestDovecot {
        binaries();
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "followup-dovecot-{}-{}",
            std::process::id(),
            STARTED.fetch_add(1, Ordering::Relaxed)
        ));
        // Only an earlier process with this same id (long gone) can have left this name.
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir(&dir)
            .unwrap_or_else(|e| panic!("test Dovecot: cannot make {}: {e}", dir.display()));
        let owner = if is_root() {
            Some(user_ids("mail").unwrap_or_else(|| {
                panic!("test Dovecot: no `mail` user in /etc/passwd to own the Maildirs")
            }))
        } else {
            None
        };
        make_certificates(&dir);
        let passwd: String = (0..USERS)
            .map(|n| format!("{}:{{PLAIN}}{PASSWORD}::::::\n", user_name(n, false)))
            .chain(
                (0..UTF8_USERS)
                    .map(|n| format!("{}:{{PLAIN}}{PASSWORD_UTF8}::::::\n", user_name(n, true))),
            )
            .collect();
        fs::write(dir.join("passwd"), passwd)
            .unwrap_or_else(|e| panic!("test Dovecot: cannot write passwd: {e}"));
        let mail = dir.join("mail");
        fs::create_dir(&mail)
            .unwrap_or_else(|e| panic!("test Dovecot: cannot make {}: {e}", mail.display()));
        chown(&mail, owner);
        let conf = dir.join("dovecot.conf");
        let mut ports = None;
        for _ in 0..5 {
            let (imap_port, imaps_port) = (free_port(), free_port());
            if imap_port == imaps_port {
                continue;
            }
            fs::write(&conf, config(&dir, imap_port, imaps_port))
                .unwrap_or_else(|e| panic!("test Dovecot: cannot write its configuration: {e}"));
            let started = Command::new(DOVECOT)
                .arg("-c")
                .arg(&conf)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            if matches!(started, Ok(s) if s.success()) {
                ports = Some((imap_port, imaps_port));
                break;
            }
        }
        let watchdog = Command::new("sh")
            .args([
                "-c",
                &format!(
                    "while kill -0 {pid} 2>/dev/null; do sleep 1; done; \
                     {DOVECOT} -c '{conf}' stop; rm -rf '{dir}'",
                    pid = std::process::id(),
                    conf = conf.display(),
                    dir = dir.display(),
                ),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok();
        let mut server = TestDovecot {
            dir,
            imap_port: 0,
            imaps_port: 0,
            owner,
            users: AtomicUsize::new(0),
            utf8_users: AtomicUsize::new(0),
            watchdog,
        };
        let Some((imap_port, imaps_port)) = ports else {
            panic!(
                "test Dovecot: it failed to start five times; its log:\n{}",
                server.log()
            );
        };
        server.imap_port = imap_port;
        server.imaps_port = imaps_port;
        // Listening, and answering (the greeting is the server's first word).
        let deadline = Instant::now() + Duration::from_secs(30);
        for port in [imap_port, imaps_port] {
            loop {
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    break;
                }
                if Instant::now() > deadline {
                    panic!(
                        "test Dovecot: nothing listens on 127.0.0.1:{port} after 30 s; its log:\n{}",
                        server.log()
                    );
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        server
    }

    /// One server for the whole test binary, started on first use.
    pub fn shared() -> &'static TestDovecot {
        static SHARED: OnceLock<TestDovecot> = OnceLock::new();
        SHARED.get_or_init(TestDovecot::start)
    }

    /// `imap://127.0.0.1:port`: a plain connection that offers STARTTLS.
    pub fn starttls_url(&self) -> ImapUrl {
        ImapUrl::parse(&format!("imap://127.0.0.1:{}", self.imap_port)).expect("a valid URL")
    }

    /// `imaps://127.0.0.1:port`: TLS from the start.
    pub fn imaps_url(&self) -> ImapUrl {
        ImapUrl::parse(&format!("imaps://127.0.0.1:{}", self.imaps_port)).expect("a valid URL")
    }

    /// The PEM file of the CA that signed the server's certificate (clients must trust it).
    pub fn ca_file(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }

    /// The server's certificate and key (PEM files), for a fake server in a test that
    /// clients trusting [`TestDovecot::ca_file`] accept as `127.0.0.1` or `localhost`.
    pub fn server_identity(&self) -> (PathBuf, PathBuf) {
        (self.dir.join("server.pem"), self.dir.join("server.key"))
    }

    /// A user of its own, with an empty Maildir, for one test; its password is [`PASSWORD`].
    pub fn mailbox(&self) -> TestMailbox<'_> {
        let n = self.users.fetch_add(1, Ordering::Relaxed);
        assert!(
            n < USERS,
            "test Dovecot: all {USERS} users are taken; raise testing::USERS"
        );
        self.new_mailbox(user_name(n, false), PASSWORD)
    }

    /// Like [`TestDovecot::mailbox`], for a user whose password is [`PASSWORD_UTF8`].
    pub fn mailbox_utf8(&self) -> TestMailbox<'_> {
        let n = self.utf8_users.fetch_add(1, Ordering::Relaxed);
        assert!(
            n < UTF8_USERS,
            "test Dovecot: all {UTF8_USERS} UTF-8 users are taken; raise testing::UTF8_USERS"
        );
        self.new_mailbox(user_name(n, true), PASSWORD_UTF8)
    }

    fn new_mailbox(&self, user: String, password: &'static str) -> TestMailbox<'_> {
        let mailbox = TestMailbox {
            server: self,
            user,
            password,
            deliveries: AtomicUsize::new(0),
        };
        mailbox.folder_dir("INBOX");
        mailbox
    }

    /// Dovecot's log so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.join("log")).unwrap_or_else(|e| format!("(no log: {e})"))
    }

    fn stop(&self) {
        let _ = Command::new(DOVECOT)
            .arg("-c")
            .arg(self.dir.join("dovecot.conf"))
            .arg("stop")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

impl Drop for TestDovecot {
    fn drop(&mut self) {
        self.stop();
        if let Some(mut w) = self.watchdog.take() {
            let _ = w.kill();
            let _ = w.wait();
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn chown(path: &Path, owner: Option<(u32, u32)>) {
    if let Some((uid, gid)) = owner {
        std::os::unix::fs::chown(path, Some(uid), Some(gid)).unwrap_or_else(|e| {
            panic!(
                "test Dovecot: cannot give {} to the mail user: {e}",
                path.display()
            )
        });
    }
}

fn make_dir(path: &Path, owner: Option<(u32, u32)>) {
    if !path.is_dir() {
        fs::create_dir(path)
            .unwrap_or_else(|e| panic!("test Dovecot: cannot make {}: {e}", path.display()));
        chown(path, owner);
    }
}

impl TestMailbox<'_> {
    pub fn user(&self) -> &str {
        &self.user
    }

    pub fn password(&self) -> &str {
        self.password
    }

    /// The Maildir++ folder of `folder` (INBOX is the Maildir itself; `Sent` is `.Sent`),
    /// made when missing.
    fn folder_dir(&self, folder: &str) -> PathBuf {
        let owner = self.server.owner;
        let root = self.server.dir.join("mail").join(&self.user);
        make_dir(&root, owner);
        let dir = if folder.eq_ignore_ascii_case("INBOX") {
            root
        } else {
            let dir = root.join(format!(".{}", modified_utf7(folder).replace('/', ".")));
            make_dir(&dir, owner);
            let marker = dir.join("maildirfolder");
            if !marker.exists() {
                fs::write(&marker, "").unwrap_or_else(|e| {
                    panic!("test Dovecot: cannot write {}: {e}", marker.display())
                });
                chown(&marker, owner);
            }
            dir
        };
        for sub in ["cur", "new", "tmp"] {
            make_dir(&dir.join(sub), owner);
        }
        dir
    }

    /// Delivers `raw` (a whole message, CRLF line ends) into `folder` (made when missing) as
    /// arrived at `arrived` (its INTERNALDATE); returns the message's file.
    pub fn deliver(&self, folder: &str, raw: &[u8], arrived: jiff::Timestamp) -> PathBuf {
        let dir = self.folder_dir(folder);
        let n = self.deliveries.fetch_add(1, Ordering::Relaxed);
        let name = format!(
            "{}.P{}Q{n}.followup-test",
            arrived.as_second(),
            std::process::id()
        );
        let tmp = dir.join("tmp").join(&name);
        let write = || -> std::io::Result<()> {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(raw)?;
            f.set_modified(std::time::SystemTime::from(arrived))?;
            f.sync_all()
        };
        write().unwrap_or_else(|e| panic!("test Dovecot: cannot write {}: {e}", tmp.display()));
        chown(&tmp, self.server.owner);
        let new = dir.join("new").join(&name);
        fs::rename(&tmp, &new)
            .unwrap_or_else(|e| panic!("test Dovecot: cannot deliver {}: {e}", new.display()));
        new
    }

    /// Forgets the UIDs of `folder`: its uidlist and indexes go, so Dovecot numbers its
    /// messages anew under a new UIDVALIDITY (as a server restored from a backup may).
    pub fn forget_uids(&self, folder: &str) {
        let dir = self.folder_dir(folder);
        let root = self.server.dir.join("mail").join(&self.user);
        for d in [&dir, &root] {
            let Ok(entries) = fs::read_dir(d) else {
                continue;
            };
            for e in entries.flatten() {
                let name = e.file_name();
                let name = name.to_string_lossy();
                let ours = if *d == dir {
                    name == "dovecot-uidlist" || name.starts_with("dovecot.index")
                } else {
                    name.starts_with("dovecot.list.index")
                };
                if ours {
                    let _ = fs::remove_file(e.path());
                }
            }
        }
    }
}

/// [`TestSmtp`] lets any user in whose password is [`PASSWORD`] (the test Dovecot's), so one
/// `[mail]` account serves both.
const SMTP_USER: &str = "*";

/// A real SMTP server for tests that never skips: aiosmtpd (PyPI, installed with pip when
/// missing, pinned in tests/smtp-requirements.txt; tests/smtp_server.py) on a free loopback
/// port, requiring AUTH with [`PASSWORD`], speaking SMTPS with
/// the test Dovecot's certificate (so clients trust [`TestDovecot::ca_file`]), storing every
/// message it takes in a Maildir. A watchdog stops it when the test process is gone.
pub struct TestSmtp {
    dir: PathBuf,
    port: u16,
    /// The `sh` that runs aiosmtpd and stops it with the test process (never waited for: the
    /// shared server lives as long as the process).
    _watchdog: Child,
}

impl TestSmtp {
    /// One server for the whole test binary, started on first use.
    pub fn shared() -> &'static TestSmtp {
        static SHARED: OnceLock<TestSmtp> = OnceLock::new();
        SHARED.get_or_init(TestSmtp::start)
    }

    pub fn start() -> TestSmtp {
        let have = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .status()
            .is_ok_and(|s| s.success());
        if !have {
            let req = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp-requirements.txt");
            let ok = Command::new("python3")
                .args(["-m", "pip", "install", "-q", "-r"])
                .arg(&req)
                .status()
                .is_ok_and(|s| s.success());
            assert!(
                ok,
                "test SMTP: cannot install aiosmtpd with pip (-r {})",
                req.display()
            );
        }
        let tls = TestDovecot::shared();
        let (cert, key) = tls.server_identity();
        let dir = std::env::temp_dir().join(format!(
            "followup-smtp-{}-{}",
            std::process::id(),
            free_port()
        ));
        for sub in ["tmp", "new", "cur"] {
            fs::create_dir_all(dir.join("mail").join(sub))
                .unwrap_or_else(|e| panic!("test SMTP: cannot create {}: {e}", dir.display()));
        }
        let port = free_port();
        let server = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp_server.py");
        let script = format!(
            "python3 '{server}' {port} '{cert}' '{key}' '{mail}' '{SMTP_USER}' \"$FOLLOWUP_TEST_SMTP_PASSWORD\" \
             >'{log}' 2>&1 & child=$!; \
             while kill -0 {pid} 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 1; done; \
             kill $child 2>/dev/null; rm -rf '{dir}'",
            server = server.display(),
            cert = cert.display(),
            key = key.display(),
            mail = dir.join("mail").display(),
            log = dir.join("log").display(),
            pid = std::process::id(),
            dir = dir.display(),
        );
        let watchdog = Command::new("sh")
            .args(["-c", &script])
            // The password (quotes, a backslash) by the environment, not through sh's quoting.
            .env("FOLLOWUP_TEST_SMTP_PASSWORD", PASSWORD)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("test SMTP: cannot start sh: {e}"));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "test SMTP: aiosmtpd did not listen on 127.0.0.1:{port}: {}",
                fs::read_to_string(dir.join("log")).unwrap_or_default()
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        TestSmtp {
            dir,
            port,
            _watchdog: watchdog,
        }
    }

    /// `smtps://127.0.0.1:port`.
    pub fn url(&self) -> String {
        format!("smtps://127.0.0.1:{}", self.port)
    }

    /// Every message the server took, as raw bytes, oldest first.
    pub fn received(&self) -> Vec<Vec<u8>> {
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(entries) = fs::read_dir(self.dir.join("mail").join(sub)) {
                for e in entries.flatten() {
                    let t = e
                        .metadata()
                        .and_then(|m| m.modified())
                        .unwrap_or(std::time::UNIX_EPOCH);
                    files.push((t, e.path()));
                }
            }
        }
        files.sort();
        files
            .into_iter()
            .filter_map(|(_, p)| fs::read(p).ok())
            .collect()
    }
}
