//! A real PostgreSQL for tests, started from the machine's own binaries, that never skips: a
//! test that needs PostgreSQL and cannot have one fails, saying why.
//!
//! [`TestServer::start`] finds `initdb` and `pg_ctl` under `/usr/lib/postgresql/*/bin`
//! (installing Debian's `postgresql` with apt-get when they are missing), makes a cluster in a
//! new folder of the OS temp dir (as the `postgres` OS user when run as root, which initdb
//! refuses; otherwise as whoever runs the tests), with trust
//! authentication, listening on a free loopback port and a unix socket inside that folder
//! only, and creates the ordinary role `followup` (not a superuser, no BYPASSRLS) that the
//! tests connect as, so row-level security applies to them as to the server in production.
//! [`TestServer::fresh_database`] gives each test an empty database owned by `followup`.
//! Durability is off (`fsync`, `synchronous_commit`, `full_page_writes`): it is thrown away.
//!
//! Always compiled, not behind a feature or `cfg(test)`: integration tests (and other crates'
//! tests) cannot see `cfg(test)` items, and a feature the tests need would make `cargo test
//! --workspace`, which enables no features, skip them silently. It uses only `std::process`
//! and the driver the crate already has.
//!
//! # Lifetime
//!
//! Dropping a [`TestServer`] stops PostgreSQL (`pg_ctl stop -m immediate`) and removes its
//! folder. A test binary usually shares one through [`TestServer::shared`], a static, and Rust
//! never drops statics: so every server also starts a watchdog, a `sh` loop outside the test
//! process that checks once a second whether the process that started the server is alive,
//! and when it is gone stops the server and removes the folder. No PostgreSQL outlives its
//! test binary by more than about a second, however the binary ends (a panic, `exit`, a
//! kill), unless the watchdog itself is killed with it (a signal to the whole process group,
//! as Ctrl-C in a terminal sends: PostgreSQL gets that signal too, and shuts down).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// The role the tests (and the application) connect as: owns its databases, not a superuser.
pub const ROLE: &str = "followup";

/// A PostgreSQL cluster of its own, for tests; stopped and removed when dropped.
pub struct TestServer {
    /// The temp folder: `data/` (the cluster), the unix socket, `log`.
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    /// The superuser's connection, which creates databases.
    admin: Mutex<postgres::Client>,
    databases: AtomicUsize,
    watchdog: Option<Child>,
}

/// True when the tests run as root, as they do on this project's machines and CI.
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// A command that runs `program` as the server's OS user: `postgres` under root (initdb and
/// the server refuse root), otherwise whoever runs the tests.
fn server_command(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

/// Runs `program args` as the server's OS user, panicking with its output if it fails.
fn as_postgres(program: &Path, args: &[&str], doing: &str) {
    let out = server_command(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("test PostgreSQL: {doing}: cannot run {program:?}: {e}"));
    if !out.status.success() {
        panic!(
            "test PostgreSQL: {doing} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The newest `/usr/lib/postgresql/N/bin` that has initdb and pg_ctl.
fn find_bin() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            (bin.join("initdb").is_file() && bin.join("pg_ctl").is_file()).then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

/// The binaries, installing Debian's PostgreSQL when there are none.
fn binaries() -> PathBuf {
    if let Some(bin) = find_bin() {
        return bin;
    }
    let status = Command::new("sh")
        .args([
            "-c",
            "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql",
        ])
        .stdin(Stdio::null())
        .status();
    find_bin().unwrap_or_else(|| {
        panic!(
            "test PostgreSQL: no initdb/pg_ctl under /usr/lib/postgresql/*/bin, and installing \
             the postgresql package did not bring them ({status:?}); install PostgreSQL"
        )
    })
}

/// A loopback port free now (another process may take it before PostgreSQL does: start
/// retries with another).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("test PostgreSQL: no free loopback port: {e}"))
}

impl TestServer {
    /// Starts a new server, panicking with what went wrong when it cannot.
    pub fn start() -> TestServer {
        let bin = binaries();
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "followup-pg-{}-{}",
            std::process::id(),
            STARTED.fetch_add(1, Ordering::Relaxed)
        ));
        // Only an earlier process with this same id (long gone) can have left this name.
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir)
            .unwrap_or_else(|e| panic!("test PostgreSQL: cannot make {}: {e}", dir.display()));
        let chown = if is_root() {
            Command::new("chown")
                .arg("postgres:postgres")
                .arg(&dir)
                .status()
                .map(|s| s.success())
        } else {
            Ok(true)
        };
        if !matches!(chown, Ok(true)) {
            let _ = std::fs::remove_dir_all(&dir);
            panic!(
                "test PostgreSQL: cannot give {} to the postgres user ({chown:?}); the tests \
                 run as root so that initdb can run as postgres",
                dir.display()
            );
        }
        let data = dir.join("data");
        let data_s = data.to_str().expect("temp paths are UTF-8");
        let dir_s = dir.to_str().expect("temp paths are UTF-8");
        as_postgres(
            &bin.join("initdb"),
            &[
                "-D",
                data_s,
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                // Not C: the schema must fold and order as SQLite does whatever the locale.
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            "initdb",
        );
        let mut server = None;
        for _ in 0..5 {
            let port = free_port();
            let opts = format!(
                "-k {dir_s} -p {port} -h 127.0.0.1 -c fsync=off -c synchronous_commit=off \
                 -c full_page_writes=off -c max_connections=200"
            );
            let log = dir.join("log");
            let out = server_command(&bin.join("pg_ctl"))
                .args(["-D", data_s, "-w", "-t", "60", "-l"])
                .arg(&log)
                .args(["-o", &opts, "start"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            if matches!(out, Ok(s) if s.success()) {
                server = Some(port);
                break;
            }
        }
        let Some(port) = server else {
            let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
            let _ = std::fs::remove_dir_all(&dir);
            panic!("test PostgreSQL: pg_ctl start failed five times; its log:\n{log}");
        };
        let watchdog = Command::new("sh")
            .args([
                "-c",
                &format!(
                    "while kill -0 {pid} 2>/dev/null; do sleep 1; done; \
                     {as_user}'{pg_ctl}' -D '{data_s}' stop -m immediate; \
                     rm -rf '{dir_s}'",
                    pid = std::process::id(),
                    as_user = if is_root() {
                        "runuser -u postgres -- "
                    } else {
                        ""
                    },
                    pg_ctl = bin.join("pg_ctl").display(),
                ),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok();
        let stop = |why: String| -> ! {
            as_postgres(
                &bin.join("pg_ctl"),
                &["-D", data_s, "stop", "-m", "immediate"],
                "pg_ctl stop",
            );
            let _ = std::fs::remove_dir_all(&dir);
            panic!("test PostgreSQL: {why}");
        };
        let mut admin = postgres::Client::connect(
            &format!("host=127.0.0.1 port={port} user=postgres dbname=postgres"),
            postgres::NoTls,
        )
        .unwrap_or_else(|e| stop(format!("cannot connect as postgres: {e}")));
        if let Err(e) = admin.batch_execute(&format!(
            "CREATE ROLE {ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
        )) {
            stop(format!("cannot create the role {ROLE}: {e}"));
        }
        TestServer {
            dir,
            bin,
            port,
            admin: Mutex::new(admin),
            databases: AtomicUsize::new(0),
            watchdog,
        }
    }

    /// One server for the whole test binary, started on first use.
    pub fn shared() -> &'static TestServer {
        static SHARED: OnceLock<TestServer> = OnceLock::new();
        SHARED.get_or_init(TestServer::start)
    }

    /// A new empty database owned by [`ROLE`], and the URL to connect to it as that role.
    pub fn fresh_database(&self) -> String {
        let n = self.databases.fetch_add(1, Ordering::Relaxed);
        let name = format!("db{n}");
        self.admin
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .batch_execute(&format!("CREATE DATABASE {name} OWNER {ROLE}"))
            .unwrap_or_else(|e| panic!("test PostgreSQL: cannot create database {name}: {e}"));
        self.url(&name)
    }

    /// The URL of database `name` as [`ROLE`].
    pub fn url(&self, name: &str) -> String {
        format!("postgres://{ROLE}@127.0.0.1:{}/{name}", self.port)
    }

    /// The URL of database `name` as the superuser `postgres` (which row-level security does
    /// not hold: for tests that look behind the application's back).
    pub fn admin_url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // An immediate stop does not wait for clients (the admin connection closes after).
        let data = self.dir.join("data");
        let _ = server_command(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(&data)
            .args(["stop", "-m", "immediate"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if let Some(mut w) = self.watchdog.take() {
            let _ = w.kill();
            let _ = w.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
