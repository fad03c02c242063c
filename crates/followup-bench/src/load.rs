//! `followup-bench load`: mixed load on a running `followup serve`, std only (threads and
//! raw HTTP/1.1 keep-alive over `TcpStream`), so it measures the server and not a client
//! library. Readers loop GETs on the read paths; writers post the Today page's Done and Snooze
//! forms; with `--import FILE` one client uploads a LinkedIn CSV or vCard file through the
//! Import page (preview, then confirm) while the readers run. See docs/BENCHMARKS.md,
//! "Reads beside writes", and scripts/bench-web-load.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::cpu;

const USAGE: &str = "usage: followup-bench load --addr 127.0.0.1:PORT [--readers 32] [--writers 0] \
[--seconds 15] [--warmup 2] [--read-paths /,/pipeline,/contacts/1,/jobs/1] \
[--import FILE [--import-kind linkedin|vcard] [--import-tier casual]] [--label NAME] [--summary FILE]";

struct Opts {
    addr: SocketAddr,
    /// What Host says: the server answers only its own loopback name and port.
    host: String,
    readers: usize,
    writers: usize,
    seconds: f64,
    warmup: f64,
    read_paths: Vec<String>,
    import: Option<PathBuf>,
    import_kind: String,
    import_tier: String,
    label: String,
    summary: Option<PathBuf>,
}

fn parse(args: &[String]) -> anyhow::Result<Opts> {
    let mut flags: BTreeMap<&str, &str> = BTreeMap::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--help" || a == "-h" {
            bail!("{USAGE}");
        }
        let Some(name) = a.strip_prefix("--") else {
            bail!("unexpected argument {a:?}\n{USAGE}");
        };
        let value = it
            .next()
            .with_context(|| format!("--{name} needs a value\n{USAGE}"))?;
        flags.insert(name, value);
    }
    let known = [
        "addr",
        "readers",
        "writers",
        "seconds",
        "warmup",
        "read-paths",
        "import",
        "import-kind",
        "import-tier",
        "label",
        "summary",
    ];
    if let Some(k) = flags.keys().find(|k| !known.contains(k)) {
        bail!("unknown option --{k}\n{USAGE}");
    }
    let addr_text = flags.get("addr").context(USAGE)?.to_string();
    let addr = addr_text
        .to_socket_addrs()
        .with_context(|| format!("--addr {addr_text}"))?
        .next()
        .context("--addr resolves to nothing")?;
    if !addr.ip().is_loopback() {
        bail!("--addr {addr}: load is for a server on loopback only");
    }
    let num = |k: &str, d: f64| -> anyhow::Result<f64> {
        flags
            .get(k)
            .map(|v| v.parse::<f64>().with_context(|| format!("--{k} {v}")))
            .transpose()
            .map(|v| v.unwrap_or(d))
    };
    let import: Option<PathBuf> = flags.get("import").map(PathBuf::from);
    let import_kind = match flags.get("import-kind") {
        Some(k) => k.to_string(),
        None if import
            .as_ref()
            .is_some_and(|p| p.extension().is_some_and(|e| e == "vcf")) =>
        {
            "vcard".to_string()
        }
        None => "linkedin".to_string(),
    };
    Ok(Opts {
        host: format!("127.0.0.1:{}", addr.port()),
        addr,
        readers: num("readers", 32.0)? as usize,
        writers: num("writers", 0.0)? as usize,
        seconds: num("seconds", 15.0)?,
        warmup: num("warmup", 2.0)?,
        read_paths: flags
            .get("read-paths")
            .unwrap_or(&"/,/pipeline,/contacts/1,/jobs/1")
            .split(',')
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect(),
        import,
        import_kind,
        // The Import page's default tier for new contacts.
        import_tier: flags.get("import-tier").unwrap_or(&"casual").to_string(),
        label: flags.get("label").unwrap_or(&"load").to_string(),
        summary: flags.get("summary").map(PathBuf::from),
    })
}

/// A response: status, the headers (names lowercased), the body.
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One keep-alive HTTP/1.1 connection, reopened after an error or a `Connection: close`.
struct Conn {
    addr: SocketAddr,
    host: String,
    stream: Option<BufReader<TcpStream>>,
}

impl Conn {
    fn new(o: &Opts) -> Conn {
        Conn {
            addr: o.addr,
            host: o.host.clone(),
            stream: None,
        }
    }

    fn get(&mut self, path: &str) -> std::io::Result<Response> {
        self.request("GET", path, &[], &[])
    }

    /// A form post as a browser on this server's page sends it: same origin, so the CSRF
    /// layer lets it through.
    fn post(&mut self, path: &str, content_type: &str, body: &[u8]) -> std::io::Result<Response> {
        let origin = format!("http://{}", self.host);
        self.request(
            "POST",
            path,
            &[
                ("Content-Type", content_type),
                ("Origin", &origin),
                ("Sec-Fetch-Site", "same-origin"),
            ],
            body,
        )
    }

    fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> std::io::Result<Response> {
        let r = self.exchange(method, path, headers, body);
        if r.is_err() {
            self.stream = None;
        }
        r
    }

    fn exchange(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> std::io::Result<Response> {
        if self.stream.is_none() {
            let s = TcpStream::connect(self.addr)?;
            s.set_nodelay(true)?;
            self.stream = Some(BufReader::with_capacity(64 * 1024, s));
        }
        let reader = self.stream.as_mut().expect("connected");
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.host);
        for (n, v) in headers {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        if method != "GET" {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        // One write: with Nagle off, a body written after its head went as a second segment,
        // and the server woke twice to read one request.
        let mut request = head.into_bytes();
        request.extend_from_slice(body);
        let s = reader.get_mut();
        s.write_all(&request)?;
        s.flush()?;
        let res = read_response(reader)?;
        if res
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"))
        {
            self.stream = None;
        }
        Ok(res)
    }
}

fn bad(what: impl Into<String>) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, what.into())
}

fn read_line(r: &mut impl BufRead) -> std::io::Result<String> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "the server closed the connection",
        ));
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// Reads one response: status line, headers, then a Content-Length or chunked body.
fn read_response(r: &mut BufReader<TcpStream>) -> std::io::Result<Response> {
    let status_line = read_line(r)?;
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad(format!("not an HTTP status line: {status_line:?}")))?;
    let mut headers = Vec::new();
    loop {
        let line = read_line(r)?;
        if line.is_empty() {
            break;
        }
        let (n, v) = line
            .split_once(':')
            .ok_or_else(|| bad(format!("not a header: {line:?}")))?;
        headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let find = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let mut body = Vec::new();
    if find("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked")) {
        loop {
            let line = read_line(r)?;
            let size = usize::from_str_radix(line.split(';').next().unwrap_or("").trim(), 16)
                .map_err(|_| bad(format!("not a chunk size: {line:?}")))?;
            if size == 0 {
                // Trailers, up to the blank line.
                while !read_line(r)?.is_empty() {}
                break;
            }
            let start = body.len();
            body.resize(start + size, 0);
            r.read_exact(&mut body[start..])?;
            let mut crlf = [0u8; 2];
            r.read_exact(&mut crlf)?;
        }
    } else if let Some(n) = find("content-length") {
        let n: usize = n
            .parse()
            .map_err(|_| bad(format!("Content-Length {n:?}")))?;
        body.resize(n, 0);
        r.read_exact(&mut body)?;
    } else if !(status == 204 || status == 304 || (100..200).contains(&status)) {
        r.read_to_end(&mut body)?;
        headers.push(("connection".into(), "close".into()));
    }
    Ok(Response {
        status,
        headers,
        body,
    })
}

/// One timed request: when it started (µs since the run began), how long it took (µs), what
/// it asked (an index), and its status (0: a connection error).
#[derive(Clone, Copy)]
struct Sample {
    start: u64,
    micros: u64,
    what: u32,
    status: u16,
}

fn ok(status: u16) -> bool {
    (200..400).contains(&status)
}

/// What a writer does to one item.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Op {
    Done,
    Snooze,
}

/// One writer's items: a pool it snoozes over and over (each time a different number of days
/// ahead, within the agenda's 14-day window, so the items stay on the agenda), and a pool it
/// marks done, each item once.
#[derive(Default, Clone)]
struct Pools {
    snooze: Vec<i64>,
    done: Vec<i64>,
}

/// The agenda's items (every page of `/api/v1/agenda`), split into one pool a writer. Only
/// items whose contact has no other item in the window: doing one contact's item can replan
/// that contact's others.
fn writer_pools(conn: &mut Conn, writers: usize) -> anyhow::Result<(Vec<Pools>, usize)> {
    let mut items: Vec<serde_json::Value> = Vec::new();
    loop {
        let path = format!("/api/v1/agenda?limit=5000&offset={}", items.len());
        let res = conn.get(&path).with_context(|| format!("GET {path}"))?;
        if res.status != 200 {
            bail!(
                "GET {path}: {} {}",
                res.status,
                String::from_utf8_lossy(&res.body)
            );
        }
        let page: Vec<serde_json::Value> =
            serde_json::from_slice(&res.body).with_context(|| format!("GET {path}: JSON"))?;
        let total: usize = res
            .header("x-total-count")
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        let n = page.len();
        items.extend(page);
        if n == 0 || items.len() >= total {
            break;
        }
    }
    let contact = |it: &serde_json::Value| it["contact"]["id"].as_i64();
    let mut per_contact: BTreeMap<i64, usize> = BTreeMap::new();
    for it in &items {
        if let Some(c) = contact(it) {
            *per_contact.entry(c).or_default() += 1;
        }
    }
    let mut usable: Vec<(i64, String)> = items
        .iter()
        .filter(|it| contact(it).is_some_and(|c| per_contact[&c] == 1))
        .filter_map(|it| Some((it["id"].as_i64()?, it["action"].as_str()?.to_string())))
        .filter(|(id, action)| {
            *id > 0 && !matches!(action.as_str(), "occasion" | "pipeline" | "decide")
        })
        .collect();
    usable.sort();
    let mut pools = vec![Pools::default(); writers.max(1)];
    for (i, (id, action)) in usable.iter().enumerate() {
        let p = &mut pools[(i / 2) % writers.max(1)];
        // Move-on-review closes a job when done: snooze those only.
        if i % 2 == 1 && action != "move-on-review" {
            p.done.push(*id);
        } else {
            p.snooze.push(*id);
        }
    }
    Ok((pools, items.len()))
}

/// A writer: alternately marks the next item of its done pool done and snoozes the next of
/// its snooze pool, until `stop`; snoozes only once the done pool is used up.
/// Also says whether the done pool was used up.
fn writer(o: &Opts, pools: Pools, origin: Instant, stop: &AtomicBool) -> (Vec<Sample>, bool) {
    let mut conn = Conn::new(o);
    let mut out = Vec::new();
    let (mut d, mut s, mut k) = (0usize, 0usize, 0usize);
    while !stop.load(Ordering::Relaxed) {
        k += 1;
        let op = if (k % 2 == 0 || pools.snooze.is_empty()) && d < pools.done.len() {
            Op::Done
        } else if !pools.snooze.is_empty() {
            Op::Snooze
        } else {
            break;
        };
        let (path, body) = match op {
            Op::Done => {
                d += 1;
                (
                    format!("/items/{}/done", pools.done[d - 1]),
                    "confirm=yes".to_string(),
                )
            }
            Op::Snooze => {
                let n = pools.snooze.len();
                let id = pools.snooze[s % n];
                // 1 to 13 days ahead, a different day on each pass over the pool.
                let days = 1 + (s / n) % 13;
                s += 1;
                (format!("/items/{id}/snooze"), format!("until={days}+days"))
            }
        };
        let t = Instant::now();
        let r = conn.post(&path, "application/x-www-form-urlencoded", body.as_bytes());
        out.push(Sample {
            start: t.duration_since(origin).as_micros() as u64,
            micros: t.elapsed().as_micros() as u64,
            what: op as u32,
            status: r.map(|r| r.status).unwrap_or(0),
        });
    }
    (out, d == pools.done.len())
}

fn reader(o: &Opts, i: usize, origin: Instant, stop: &AtomicBool) -> Vec<Sample> {
    let mut conn = Conn::new(o);
    let mut out = Vec::with_capacity(1 << 16);
    let n = o.read_paths.len();
    let mut k = i;
    while !stop.load(Ordering::Relaxed) {
        let what = k % n;
        k += 1;
        let t = Instant::now();
        let r = conn.get(&o.read_paths[what]);
        out.push(Sample {
            start: t.duration_since(origin).as_micros() as u64,
            micros: t.elapsed().as_micros() as u64,
            what: what as u32,
            status: r.map(|r| r.status).unwrap_or(0),
        });
    }
    out
}

/// What the import client measured.
struct ImportRun {
    rows_bytes: usize,
    start: u64,
    preview_ms: f64,
    confirm_ms: f64,
    end: u64,
    outcome: String,
}

/// The Import page's two steps: the multipart upload (a dry run, answered with a preview page
/// holding a token), then the confirmation form posting that token.
fn import(o: &Opts, file: &std::path::Path, origin: Instant) -> anyhow::Result<ImportRun> {
    let data = std::fs::read(file).with_context(|| format!("--import {}", file.display()))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "upload".into());
    let boundary = "followupbenchboundary7f3a9c";
    let mut body = Vec::with_capacity(data.len() + 512);
    for (field, value) in [("kind", o.import_kind.as_str()), ("tier", &o.import_tier)] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    let mime = if o.import_kind == "vcard" {
        "text/vcard"
    } else {
        "text/csv"
    };
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: {mime}\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(&data);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());

    let mut conn = Conn::new(o);
    let start = Instant::now();
    let res = conn
        .post(
            "/import",
            &format!("multipart/form-data; boundary={boundary}"),
            &body,
        )
        .context("POST /import")?;
    let preview_ms = start.elapsed().as_secs_f64() * 1e3;
    let page = String::from_utf8_lossy(&res.body);
    if res.status != 200 {
        bail!("POST /import: {} {}", res.status, first_line(&page));
    }
    let pat = "name=\"token\" value=\"";
    let token: String = page
        .find(pat)
        .map(|at| {
            page[at + pat.len()..]
                .chars()
                .take_while(|c| c.is_ascii_hexdigit())
                .collect()
        })
        .context("POST /import: the preview page holds no confirmation token")?;
    let t = Instant::now();
    let res = conn
        .post(
            "/import/confirm",
            "application/x-www-form-urlencoded",
            format!("token={token}").as_bytes(),
        )
        .context("POST /import/confirm")?;
    let confirm_ms = t.elapsed().as_secs_f64() * 1e3;
    let page = String::from_utf8_lossy(&res.body);
    let outcome = if res.status == 200 {
        imported_sentence(&page)
    } else {
        format!("POST /import/confirm: {} {}", res.status, first_line(&page))
    };
    Ok(ImportRun {
        rows_bytes: data.len(),
        start: start.duration_since(origin).as_micros() as u64,
        preview_ms,
        confirm_ms,
        end: origin.elapsed().as_micros() as u64,
        outcome,
    })
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").chars().take(200).collect()
}

/// The confirmation page's report, as text: from "Imported" to the end of that sentence.
fn imported_sentence(page: &str) -> String {
    let mut text = String::new();
    let mut tag = false;
    for c in page.chars() {
        match c {
            '<' => tag = true,
            '>' => {
                tag = false;
                text.push(' ');
            }
            _ if !tag => text.push(c),
            _ => {}
        }
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.find("Imported ") {
        Some(at) => {
            let rest = &text[at..];
            let end = rest.find(". ").map(|e| e + 1).unwrap_or(rest.len());
            rest[..end].chars().take(240).collect()
        }
        None => "the confirmation page says no \"Imported\"".into(),
    }
}

/// Count, p50, p99, max (ms) and errors by status ("io" for connection errors).
struct Stats {
    n: usize,
    p50: f64,
    p99: f64,
    max: f64,
    errors: BTreeMap<String, usize>,
}

fn stats<'a>(samples: impl Iterator<Item = &'a Sample>) -> Stats {
    let mut errors = BTreeMap::new();
    let mut micros: Vec<u64> = Vec::new();
    for s in samples {
        micros.push(s.micros);
        if !ok(s.status) {
            let key = match s.status {
                0 => "io".to_string(),
                n => n.to_string(),
            };
            *errors.entry(key).or_default() += 1;
        }
    }
    micros.sort_unstable();
    // Nearest rank.
    let q = |p: f64| -> f64 {
        if micros.is_empty() {
            return 0.0;
        }
        let rank = ((p * micros.len() as f64).ceil() as usize).clamp(1, micros.len());
        micros[rank - 1] as f64 / 1e3
    };
    Stats {
        n: micros.len(),
        p50: q(0.50),
        p99: q(0.99),
        max: micros.last().map(|m| *m as f64 / 1e3).unwrap_or(0.0),
        errors,
    }
}

fn errors_text(e: &BTreeMap<String, usize>) -> String {
    if e.is_empty() {
        return "none".into();
    }
    e.iter()
        .map(|(k, n)| format!("{k} x{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn errors_total(e: &BTreeMap<String, usize>) -> usize {
    e.values().sum()
}

pub fn main(args: &[String]) -> anyhow::Result<()> {
    let o = Arc::new(parse(args)?);
    if o.read_paths.is_empty() && o.readers > 0 {
        bail!("--read-paths: no paths");
    }
    // Every read path must answer before the clock starts: a typo would measure 404s.
    let mut probe = Conn::new(&o);
    for p in &o.read_paths {
        let r = probe
            .get(p)
            .with_context(|| format!("GET {p} on {}", o.addr))?;
        if r.status != 200 {
            bail!("GET {p}: {} (every read path must answer 200)", r.status);
        }
    }
    let (pools, agenda_items) = if o.writers > 0 {
        writer_pools(&mut probe, o.writers)?
    } else {
        (Vec::new(), 0)
    };
    drop(probe);

    let origin = Instant::now();
    let warm_end = Duration::from_secs_f64(o.warmup);
    let stop = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..o.readers)
        .map(|i| {
            let (o, stop) = (o.clone(), stop.clone());
            thread::spawn(move || reader(&o, i, origin, &stop))
        })
        .collect();
    thread::sleep(warm_end);
    // Writers and the import begin when the measurement does.
    let writers: Vec<_> = pools
        .into_iter()
        .take(o.writers)
        .map(|p| {
            let (o, stop) = (o.clone(), stop.clone());
            thread::spawn(move || writer(&o, p, origin, &stop))
        })
        .collect();
    let importer = o.import.clone().map(|f| {
        let o = o.clone();
        thread::spawn(move || import(&o, &f, origin))
    });
    thread::sleep(Duration::from_secs_f64(o.seconds));
    // The readers keep reading until the import is over, and a little after.
    let imported = match importer {
        Some(h) => {
            let r = h.join().expect("the import thread panicked");
            thread::sleep(Duration::from_millis(500));
            Some(r)
        }
        None => None,
    };
    stop.store(true, Ordering::Relaxed);
    let measured_from = warm_end.as_micros() as u64;
    let measured_to = origin.elapsed().as_micros() as u64;
    let secs = (measured_to - measured_from) as f64 / 1e6;
    let reads: Vec<Sample> = readers
        .into_iter()
        .flat_map(|h| h.join().expect("a reader panicked"))
        .filter(|s| s.start >= measured_from)
        .collect();
    let mut writes = Vec::new();
    let mut ran_out = 0;
    for h in writers {
        let (w, out) = h.join().expect("a writer panicked");
        writes.extend(w);
        ran_out += usize::from(out);
    }

    println!("== {} ==", o.label);
    let r = stats(reads.iter());
    println!(
        "reads ({} readers, {secs:.1} s): {} requests, {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, max {:.1} ms, errors: {}",
        o.readers,
        r.n,
        r.n as f64 / secs,
        r.p50,
        r.p99,
        r.max,
        errors_text(&r.errors)
    );
    for (i, p) in o.read_paths.iter().enumerate() {
        let s = stats(reads.iter().filter(|s| s.what == i as u32));
        println!(
            "  GET {p:<16} {:>7} requests, p50 {:>7.2} ms, p99 {:>8.2} ms, max {:>8.1} ms",
            s.n, s.p50, s.p99, s.max
        );
    }
    let w = stats(writes.iter());
    if o.writers > 0 {
        println!(
            "writes ({} writers, pools from {agenda_items} agenda items): {} posts, {:.0}/s, p50 {:.2} ms, p99 {:.2} ms, max {:.1} ms, errors: {}",
            o.writers,
            w.n,
            w.n as f64 / secs,
            w.p50,
            w.p99,
            w.max,
            errors_text(&w.errors)
        );
        for op in [Op::Done, Op::Snooze] {
            let s = stats(writes.iter().filter(|s| s.what == op as u32));
            println!(
                "  POST {:<7} {:>7} posts, p50 {:>7.2} ms, p99 {:>8.2} ms, errors: {}",
                format!("{op:?}").to_lowercase(),
                s.n,
                s.p50,
                s.p99,
                errors_text(&s.errors)
            );
        }
        if ran_out > 0 {
            println!(
                "  note: {ran_out} of {} writers used up their done pool and only snoozed after",
                o.writers
            );
        }
    }
    let mut during = None;
    let mut import_ms = 0.0;
    if let Some(run) = imported {
        let run = run?;
        import_ms = (run.end - run.start) as f64 / 1e3;
        println!(
            "import ({} bytes, {}): preview {:.0} ms, confirm {:.0} ms, wall {:.0} ms: {}",
            run.rows_bytes, o.import_kind, run.preview_ms, run.confirm_ms, import_ms, run.outcome
        );
        let d = stats(
            reads
                .iter()
                .filter(|s| s.start >= run.start && s.start < run.end),
        );
        println!(
            "reads that began during the import: {} requests, {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, max {:.1} ms, errors: {}",
            d.n,
            d.n as f64 / (import_ms / 1e3).max(1e-3),
            d.p50,
            d.p99,
            d.max,
            errors_text(&d.errors)
        );
        during = Some(d);
    }
    if let Some(path) = &o.summary {
        // One TSV row a run, for scripts/bench-web-load's table.
        let (dn, dp50, dp99, dmax) = during
            .as_ref()
            .map(|d| (d.n.to_string(), d.p50, d.p99, d.max))
            .unwrap_or(("-".into(), 0.0, 0.0, 0.0));
        let row = format!(
            "{}\t{}\t{}\t{}\t{:.0}\t{:.2}\t{:.2}\t{:.1}\t{}\t{}\t{:.2}\t{:.2}\t{}\t{}\t{:.0}\t{}\t{:.2}\t{:.2}\t{:.1}\n",
            o.label,
            o.readers,
            o.writers,
            r.n,
            r.n as f64 / secs,
            r.p50,
            r.p99,
            r.max,
            errors_total(&r.errors),
            w.n,
            w.p50,
            w.p99,
            errors_total(&w.errors),
            errors_text(&w.errors).replace(' ', ""),
            import_ms,
            dn,
            dp50,
            dp99,
            dmax,
        );
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut f| f.write_all(row.as_bytes()))
            .with_context(|| format!("--summary {}", path.display()))?;
    }
    Ok(())
}

// ---- teamload: a team server at coach scale (docs/BENCHMARKS.md, "The team server at coach
// scale (PostgreSQL)"), with the accounts and tokens `followup-bench teamdb` wrote.

const TEAM_USAGE: &str = "usage: followup-bench teamload --addr 127.0.0.1:PORT --tokens FILE \
[--caseload-connections 1] [--caseload-seconds 10] [--connections 64] [--write-share 0.10] \
[--seconds 15] [--warmup 2] [--read-paths /] [--caseload-during 1] [--rate 0] [--server-pid PID] \
[--samples FILE] [--label NAME] [--seed N]
  Phase 1: coaches' GET /api/v1/caseload with the coach's bearer token: first one pass over
  every coach, one at a time (the first caseloads since the server started: nothing cached),
  then coaches in turn on --caseload-connections connections. Phase 2: --connections connections, each request
  a client picked at random: a read of one of --read-paths (the client's Today by default) with
  the client's bearer token, or with probability --write-share a POST /api/v1/touches (a follow-up
  with one of the client's contacts). Reads and writes report p50/p99 separately; --caseload-during more connections go on reading
  coaches' caseloads beside them (0: none), reported on their own. With --rate R the clients'
  connections are paced, R requests a second in all (each connection one every
  connections/R s), and a request's time counts from when it was due, so a server that falls
  behind is charged its queue; 0 (the default): each connection sends its next request as soon
  as the last is answered (the server saturated). Phase 2 ends with the CPU a request cost over
  its measured time, from Linux's /proc: the machine's, PostgreSQL's processes', this client's,
  and with --server-pid the server's; with the machine's busy and stolen cores beside. With
  --samples FILE each request phase 2 timed is written there too, a line each (tab-separated:
  when it began in µs since the warm-up began, its time in µs, its status, which request), to
  see how the figures move through a run (a server's first reads build every view). Which
  client and contact each request takes is drawn from --seed (a new one each run by default,
  printed first): a run that drew the same as the last would log its touches with the same
  contacts again, and those contacts' histories, which every log reads, would grow run after
  run. --seed N replays a run's draws.";

struct TeamOpts {
    base: Opts,
    tokens: PathBuf,
    caseload_connections: usize,
    caseload_seconds: f64,
    connections: usize,
    write_share: f64,
    caseload_during: usize,
    rate: f64,
    server_pid: Option<u32>,
    samples: Option<PathBuf>,
    /// Where the connections' generators start (`Rng::for_connection`).
    seed: u64,
}

fn team_parse(args: &[String]) -> anyhow::Result<TeamOpts> {
    let mut flags: BTreeMap<&str, &str> = BTreeMap::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--help" || a == "-h" {
            bail!("{TEAM_USAGE}");
        }
        let Some(name) = a.strip_prefix("--") else {
            bail!("unexpected argument {a:?}\n{TEAM_USAGE}");
        };
        let value = it
            .next()
            .with_context(|| format!("--{name} needs a value\n{TEAM_USAGE}"))?;
        flags.insert(name, value);
    }
    let known = [
        "addr",
        "tokens",
        "caseload-connections",
        "caseload-seconds",
        "connections",
        "write-share",
        "caseload-during",
        "rate",
        "server-pid",
        "samples",
        "seconds",
        "warmup",
        "read-paths",
        "label",
        "seed",
    ];
    if let Some(k) = flags.keys().find(|k| !known.contains(k)) {
        bail!("unknown option --{k}\n{TEAM_USAGE}");
    }
    let num = |k: &str, d: f64| -> anyhow::Result<f64> {
        flags
            .get(k)
            .map(|v| v.parse::<f64>().with_context(|| format!("--{k} {v}")))
            .transpose()
            .map(|v| v.unwrap_or(d))
    };
    // The mixed-load options that mean the same here.
    let mut base_args: Vec<String> = Vec::new();
    for k in ["addr", "seconds", "warmup", "read-paths", "label"] {
        if let Some(v) = flags.get(k) {
            base_args.push(format!("--{k}"));
            base_args.push(v.to_string());
        }
    }
    if !flags.contains_key("read-paths") {
        base_args.extend(["--read-paths".into(), "/".into()]);
    }
    if !flags.contains_key("label") {
        base_args.extend(["--label".into(), "teamload".into()]);
    }
    let base = parse(&base_args).map_err(|e| anyhow::anyhow!("{e}\n{TEAM_USAGE}"))?;
    let write_share = num("write-share", 0.10)?;
    if !(0.0..=1.0).contains(&write_share) {
        bail!("--write-share {write_share}: give a share from 0 to 1");
    }
    Ok(TeamOpts {
        base,
        tokens: PathBuf::from(flags.get("tokens").context(TEAM_USAGE)?),
        caseload_connections: num("caseload-connections", 1.0)? as usize,
        caseload_seconds: num("caseload-seconds", 10.0)?,
        connections: num("connections", 64.0)? as usize,
        write_share,
        caseload_during: num("caseload-during", 1.0)? as usize,
        rate: num("rate", 0.0)?,
        server_pid: flags
            .get("server-pid")
            .map(|v| {
                v.parse::<u32>()
                    .with_context(|| format!("--server-pid {v}"))
            })
            .transpose()?,
        samples: flags.get("samples").map(PathBuf::from),
        seed: match flags.get("seed") {
            Some(v) => v
                .parse::<u64>()
                .with_context(|| format!("--seed {v}: give a whole number"))?,
            // A run's own, from the keys the standard library draws from the operating
            // system for each hasher (no clock read).
            None => {
                use std::hash::BuildHasher;
                std::collections::hash_map::RandomState::new().hash_one(0u64)
            }
        },
    })
}

/// One account of the tokens file.
struct Bearer {
    email: String,
    header: String,
}

/// The coaches and the clients of a tokens file (`role<TAB>email<TAB>workspace<TAB>token`).
fn read_tokens(path: &std::path::Path) -> anyhow::Result<(Vec<Bearer>, Vec<Bearer>)> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("--tokens {}", path.display()))?;
    let (mut coaches, mut clients) = (Vec::new(), Vec::new());
    for (n, line) in text.lines().enumerate() {
        let f: Vec<&str> = line.split('\t').collect();
        let [role, email, _ws, token] = f.as_slice() else {
            bail!(
                "{}:{}: not role, email, workspace, token",
                path.display(),
                n + 1
            );
        };
        let b = Bearer {
            email: email.to_string(),
            header: format!("Bearer {token}"),
        };
        match *role {
            "coach" => coaches.push(b),
            "client" => clients.push(b),
            r => bail!("{}:{}: role {r:?}", path.display(), n + 1),
        }
    }
    if coaches.is_empty() || clients.is_empty() {
        bail!("{}: needs coaches and clients", path.display());
    }
    Ok((coaches, clients))
}

/// A small deterministic generator (xorshift), one a connection.
struct Rng(u64);

impl Rng {
    /// Connection `i`'s generator in a run drawn from `seed`: the seed's bits mixed
    /// (splitmix64's finalizer) so that nearby seeds start far apart; never zero, where
    /// xorshift would stay.
    fn for_connection(seed: u64, i: usize) -> Rng {
        let mut z = seed ^ ((i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        Rng(z.max(1))
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn get_as(conn: &mut Conn, path: &str, bearer: &str) -> std::io::Result<Response> {
    conn.request("GET", path, &[("Authorization", bearer)], &[])
}

/// `what` for a write sample in phase 2 (reads use the index of their path).
const WRITE: u32 = u32::MAX;
/// `what` for a caseload read in phase 2.
const CASELOAD: u32 = u32::MAX - 1;

fn print_stats(name: &str, s: &Stats, secs: f64) {
    println!(
        "{name}: {} requests, {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, max {:.1} ms, errors: {}",
        s.n,
        s.n as f64 / secs,
        s.p50,
        s.p99,
        s.max,
        errors_text(&s.errors)
    );
}

/// Runs `connections` threads of `work` for warm-up plus `seconds`; the samples that began
/// after the warm-up, and the seconds they span.
#[allow(clippy::too_many_arguments)]
fn timed<F>(
    seed: u64,
    target: &(SocketAddr, String),
    pace: Option<(usize, Duration)>,
    connections: usize,
    warmup: f64,
    seconds: f64,
    server: Option<u32>,
    work: F,
) -> (Vec<Sample>, f64, Option<(cpu::Sample, cpu::Sample)>)
where
    F: Fn(usize, usize, &mut Conn, &mut Rng) -> (u32, u16) + Send + Sync + 'static,
    F: Clone,
{
    let origin = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let handles: Vec<_> = (0..connections)
        .map(|i| {
            let (stop, work, target) = (stop.clone(), work.clone(), target.clone());
            thread::spawn(move || {
                let mut out = Vec::with_capacity(1 << 14);
                let mut rng = Rng::for_connection(seed, i);
                let mut conn = conn_to(&target);
                let mut k = i;
                // Paced connections (from the index given on): one request each `every`,
                // spread over the interval, timed from when it was due.
                let every = pace.and_then(|(from, every)| (i >= from).then_some(every));
                let mut due = every.map(|e| origin + e.mul_f64((i as f64 * 0.618_034) % 1.0));
                while !stop.load(Ordering::Relaxed) {
                    let t = match (due, every) {
                        (Some(d), Some(e)) => {
                            let now = Instant::now();
                            if d > now {
                                thread::sleep(d - now);
                            }
                            due = Some(d + e);
                            d
                        }
                        _ => Instant::now(),
                    };
                    let (what, status) = work(i, k, &mut conn, &mut rng);
                    k += 1;
                    out.push(Sample {
                        start: t.duration_since(origin).as_micros() as u64,
                        micros: t.elapsed().as_micros() as u64,
                        what,
                        status,
                    });
                }
                out
            })
        })
        .collect();
    thread::sleep(Duration::from_secs_f64(warmup));
    let before = cpu::sample(server);
    thread::sleep(Duration::from_secs_f64(seconds));
    let after = cpu::sample(server);
    stop.store(true, Ordering::Relaxed);
    let from = Duration::from_secs_f64(warmup).as_micros() as u64;
    let to = origin.elapsed().as_micros() as u64;
    let samples = handles
        .into_iter()
        .flat_map(|h| h.join().expect("a load thread panicked"))
        .filter(|s| s.start >= from)
        .collect();
    (samples, (to - from) as f64 / 1e6, before.zip(after))
}

/// A connection to the server at `target` (address, Host).
fn conn_to(target: &(SocketAddr, String)) -> Conn {
    Conn {
        addr: target.0,
        host: target.1.clone(),
        stream: None,
    }
}

pub fn team_main(args: &[String]) -> anyhow::Result<()> {
    let o = team_parse(args)?;
    if let Some(path) = &o.samples {
        // Found unwritable now, not after the run.
        std::fs::write(path, "").with_context(|| format!("--samples {}", path.display()))?;
    }
    let (coaches, clients) = read_tokens(&o.tokens)?;
    let target = (o.base.addr, o.base.host.clone());

    // Every path must answer before the clock starts, and the first client's contacts are
    // who the writes are with (every workspace of a teamdb has the same).
    let mut probe = conn_to(&target);
    let r = get_as(&mut probe, "/api/v1/caseload", &coaches[0].header)?;
    if r.status != 200 {
        bail!(
            "GET /api/v1/caseload as {}: {} {}",
            coaches[0].email,
            r.status,
            first_line(&String::from_utf8_lossy(&r.body))
        );
    }
    let rows = serde_json::from_slice::<serde_json::Value>(&r.body)
        .ok()
        .and_then(|v| v["clients"].as_array().map(Vec::len))
        .unwrap_or(0);
    println!(
        "== {} == caseload of {} has {} clients; {} coaches, {} clients in {}",
        o.base.label,
        coaches[0].email,
        rows,
        coaches.len(),
        clients.len(),
        o.tokens.display()
    );
    println!(
        "seed {} (--seed {} draws the same clients and contacts)",
        o.seed, o.seed
    );
    for p in &o.base.read_paths {
        let r = get_as(&mut probe, p, &clients[0].header)?;
        if r.status != 200 {
            bail!("GET {p} as {}: {}", clients[0].email, r.status);
        }
    }
    let r = get_as(&mut probe, "/api/v1/contacts", &clients[0].header)?;
    let contacts: Vec<i64> = serde_json::from_slice::<Vec<serde_json::Value>>(&r.body)
        .context("GET /api/v1/contacts: JSON")?
        .iter()
        .filter_map(|c| c["id"].as_i64())
        .collect();
    if contacts.is_empty() && o.write_share > 0.0 {
        bail!("{} has no contacts to log touches with", clients[0].email);
    }
    drop(probe);

    // Phase 1: caseloads, the first of each coach since the server started, then again.
    let coaches = Arc::new(coaches);
    if o.caseload_connections > 0 && o.caseload_seconds > 0.0 {
        let mut c = conn_to(&target);
        let origin = Instant::now();
        let first: Vec<Sample> = coaches
            .iter()
            .map(|b| {
                let t = Instant::now();
                let r = get_as(&mut c, "/api/v1/caseload", &b.header);
                Sample {
                    start: t.duration_since(origin).as_micros() as u64,
                    micros: t.elapsed().as_micros() as u64,
                    what: 0,
                    status: r.map(|r| r.status).unwrap_or(0),
                }
            })
            .collect();
        let secs = origin.elapsed().as_secs_f64();
        print_stats(
            "caseload, first pass (GET /api/v1/caseload, each coach once, 1 connection)",
            &stats(first.iter()),
            secs,
        );
        let work = {
            let coaches = coaches.clone();
            move |_i: usize, k: usize, c: &mut Conn, _: &mut Rng| {
                let b = &coaches[k % coaches.len()];
                let r = get_as(c, "/api/v1/caseload", &b.header);
                (0, r.map(|r| r.status).unwrap_or(0))
            }
        };
        let (s, secs, _) = timed(
            o.seed,
            &target,
            None,
            o.caseload_connections,
            o.base.warmup,
            o.caseload_seconds,
            None,
            work,
        );
        print_stats(
            &format!(
                "caseload (GET /api/v1/caseload, {} connections, coaches in turn, {secs:.1} s)",
                o.caseload_connections
            ),
            &stats(s.iter()),
            secs,
        );
    }

    // Phase 2: clients' reads beside writes.
    if o.connections > 0 && o.base.seconds > 0.0 {
        let clients = Arc::new(clients);
        let contacts = Arc::new(contacts);
        let paths = Arc::new(o.base.read_paths.clone());
        let share = o.write_share;
        let during = o.caseload_during;
        let coaches = coaches.clone();
        let work = {
            move |i: usize, k: usize, c: &mut Conn, rng: &mut Rng| {
                if i < during {
                    let b = &coaches[k % coaches.len()];
                    let r = get_as(c, "/api/v1/caseload", &b.header);
                    return (CASELOAD, r.map(|r| r.status).unwrap_or(0));
                }
                let b = &clients[rng.below(clients.len())];
                if rng.unit() < share {
                    let with = contacts[rng.below(contacts.len())];
                    let body = format!("{{\"kind\": \"follow-up\", \"with\": [\"{with}\"]}}");
                    let r = c.request(
                        "POST",
                        "/api/v1/touches",
                        &[
                            ("Authorization", &b.header),
                            ("Content-Type", "application/json"),
                        ],
                        body.as_bytes(),
                    );
                    (WRITE, r.map(|r| r.status).unwrap_or(0))
                } else {
                    let what = rng.below(paths.len());
                    let r = get_as(c, &paths[what], &b.header);
                    (what as u32, r.map(|r| r.status).unwrap_or(0))
                }
            }
        };
        let pace = (o.rate > 0.0).then(|| {
            (
                during,
                Duration::from_secs_f64(o.connections as f64 / o.rate),
            )
        });
        let (s, secs, used) = timed(
            o.seed,
            &target,
            pace,
            o.connections + during,
            o.base.warmup,
            o.base.seconds,
            o.server_pid,
            work,
        );
        println!(
            "clients ({} connections, {}, {:.0}% writes, a random client each request, {secs:.1} s):",
            o.connections,
            if o.rate > 0.0 {
                format!("paced at {:.0} req/s in all", o.rate)
            } else {
                "each as fast as answered".to_string()
            },
            share * 100.0
        );
        if let Some(path) = &o.samples {
            let name = |what: u32| match what {
                WRITE => "log",
                CASELOAD => "caseload",
                i => o
                    .base
                    .read_paths
                    .get(i as usize)
                    .map_or("?", String::as_str),
            };
            let mut text = String::from("start_us\tmicros\tstatus\trequest\n");
            for x in s.iter() {
                text.push_str(&format!(
                    "{}\t{}\t{}\t{}\n",
                    x.start,
                    x.micros,
                    x.status,
                    name(x.what)
                ));
            }
            std::fs::write(path, text).with_context(|| format!("--samples {}", path.display()))?;
        }
        print_stats(
            "  all",
            &stats(s.iter().filter(|x| x.what != CASELOAD)),
            secs,
        );
        for (i, p) in o.base.read_paths.iter().enumerate() {
            print_stats(
                &format!("  GET {p}"),
                &stats(s.iter().filter(|x| x.what == i as u32)),
                secs,
            );
        }
        print_stats(
            "  POST /api/v1/touches (log)",
            &stats(s.iter().filter(|x| x.what == WRITE)),
            secs,
        );
        if during > 0 {
            print_stats(
                &format!(
                    "  beside them, GET /api/v1/caseload ({during} more connections, coaches in turn)"
                ),
                &stats(s.iter().filter(|x| x.what == CASELOAD)),
                secs,
            );
        }
        if let Some((a, b)) = used {
            println!("  {}", cpu::per_request(&a, &b, o.base.seconds, s.len()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// A loopback server that answers each request on one connection with the next canned
    /// response, then the client reads them back over one keep-alive connection.
    #[test]
    fn reads_content_length_and_chunked_bodies_on_one_connection() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let canned = [
            "HTTP/1.1 200 OK\r\ncontent-length: 5\r\nx-total-count: 7\r\n\r\nhello".to_string(),
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
                .to_string(),
            "HTTP/1.1 303 See Other\r\nlocation: /\r\ncontent-length: 0\r\n\r\n".to_string(),
        ];
        let server = thread::spawn(move || {
            let (s, _) = listener.accept().unwrap();
            let mut r = BufReader::new(s);
            let mut heads = Vec::new();
            for c in canned {
                let mut head = String::new();
                loop {
                    let line = read_line(&mut r).unwrap();
                    if line.is_empty() {
                        break;
                    }
                    head.push_str(&line);
                    head.push('\n');
                }
                if let Some(n) = head
                    .lines()
                    .find_map(|l| l.strip_prefix("Content-Length: "))
                {
                    let mut body = vec![0; n.parse().unwrap()];
                    r.read_exact(&mut body).unwrap();
                }
                heads.push(head);
                r.get_mut().write_all(c.as_bytes()).unwrap();
            }
            heads
        });
        let o = Opts {
            addr,
            host: format!("127.0.0.1:{}", addr.port()),
            readers: 0,
            writers: 0,
            seconds: 0.0,
            warmup: 0.0,
            read_paths: vec![],
            import: None,
            import_kind: "linkedin".into(),
            import_tier: String::new(),
            label: String::new(),
            summary: None,
        };
        let mut c = Conn::new(&o);
        let a = c.get("/").unwrap();
        assert_eq!((a.status, a.body.as_slice()), (200, &b"hello"[..]));
        assert_eq!(a.header("x-total-count"), Some("7"));
        let b = c.get("/pipeline").unwrap();
        assert_eq!((b.status, b.body.as_slice()), (200, &b"abcde"[..]));
        let d = c
            .post(
                "/items/1/done",
                "application/x-www-form-urlencoded",
                b"confirm=yes",
            )
            .unwrap();
        assert_eq!(d.status, 303);
        let heads = server.join().unwrap();
        assert!(heads[0].starts_with("GET / HTTP/1.1\n"), "{}", heads[0]);
        assert!(heads[0].contains(&format!("Host: 127.0.0.1:{}", addr.port())));
        assert!(
            heads[2].contains("Sec-Fetch-Site: same-origin"),
            "{}",
            heads[2]
        );
        assert!(heads[2].contains("Content-Length: 11"), "{}", heads[2]);
    }

    #[test]
    fn percentiles_are_nearest_rank_and_errors_count_by_status() {
        let samples: Vec<Sample> = (1..=100)
            .map(|i| Sample {
                start: 0,
                micros: i * 1000,
                what: 0,
                status: if i == 100 { 500 } else { 200 },
            })
            .collect();
        let s = stats(samples.iter());
        assert_eq!((s.n, s.p50, s.p99, s.max), (100, 50.0, 99.0, 100.0));
        assert_eq!(errors_text(&s.errors), "500 x1");
    }
}
