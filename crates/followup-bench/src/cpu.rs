//! CPU time over a load's measured window, read from Linux's `/proc`: the machine's busy and
//! stolen time, and the time of the server, of PostgreSQL's processes and of this client.
//!
//! On the project's shared two-core machine the same binary's requests a second move by a
//! fifth between runs minutes apart (docs/BENCHMARKS.md, fourth and fifth rounds); the CPU a
//! request costs each process moves less, and says where the time went. Elsewhere than Linux
//! there is no `/proc`, and nothing is printed.

use std::fs;

/// Clock ticks a second (`USER_HZ`): 100 on every Linux architecture this runs on.
const TICKS_PER_SECOND: f64 = 100.0;

/// The counters at one moment, in clock ticks.
#[derive(Clone, Copy)]
pub struct Sample {
    busy: u64,
    steal: u64,
    cores: usize,
    server: Option<u64>,
    postgres: u64,
    me: u64,
}

/// The counters now; `None` without `/proc`.
pub fn sample(server: Option<u32>) -> Option<Sample> {
    let stat = fs::read_to_string("/proc/stat").ok()?;
    let total = stat.lines().next()?;
    // cpu  user nice system idle iowait irq softirq steal ...
    let f: Vec<u64> = total
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    let (busy, steal) = match f.as_slice() {
        [user, nice, system, _idle, _iowait, irq, softirq, steal, ..] => {
            (user + nice + system + irq + softirq, *steal)
        }
        _ => return None,
    };
    let cores = stat
        .lines()
        .filter(|l| l.starts_with("cpu") && l.as_bytes().get(3).is_some_and(u8::is_ascii_digit))
        .count();
    let postgres = fs::read_dir("/proc")
        .ok()?
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "postgres")
        })
        .filter_map(process_ticks)
        .sum();
    Some(Sample {
        busy,
        steal,
        cores,
        server: server.and_then(process_ticks),
        postgres,
        me: process_ticks(std::process::id())?,
    })
}

/// A process's user and system time (threads included), or `None` once it is gone.
fn process_ticks(pid: u32) -> Option<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The name, in parentheses, may hold spaces: the fields are counted after it.
    let after = &stat[stat.rfind(')')? + 1..];
    let f: Vec<&str> = after.split_whitespace().collect();
    // After the name: state is field 3, utime 14 and stime 15.
    let utime: u64 = f.get(11)?.parse().ok()?;
    let stime: u64 = f.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// One line: the CPU each process spent a request answered between `a` and `b`.
pub fn per_request(a: &Sample, b: &Sample, seconds: f64, requests: usize) -> String {
    let us = |ticks: u64| ticks as f64 / TICKS_PER_SECOND * 1e6 / requests.max(1) as f64;
    let cores = |ticks: u64| ticks as f64 / TICKS_PER_SECOND / seconds;
    let server = match (a.server, b.server) {
        (Some(x), Some(y)) => format!(", server {:.0}", us(y.saturating_sub(x))),
        _ => String::new(),
    };
    format!(
        "CPU per request (µs, from /proc): machine {:.0}{server}, PostgreSQL {:.0}, this client {:.0} \
         (busy {:.2} of {} cores, steal {:.2})",
        us(b.busy.saturating_sub(a.busy)),
        us(b.postgres.saturating_sub(a.postgres)),
        us(b.me.saturating_sub(a.me)),
        cores(b.busy.saturating_sub(a.busy)),
        b.cores,
        cores(b.steal.saturating_sub(a.steal)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// This process is found and its time counts up; the machine's counters too.
    #[test]
    fn samples_this_process_and_the_machine() {
        let me = std::process::id();
        let a = sample(Some(me)).expect("/proc on Linux");
        // Busy until the kernel has counted a tick of it (10 ms of CPU) to this process and
        // to the machine, which it updates apart, however loaded.
        let t = std::time::Instant::now();
        let mut x = 0u64;
        let mut b = sample(Some(me)).unwrap();
        while (b.me <= a.me || b.busy <= a.busy) && t.elapsed().as_secs() < 10 {
            for _ in 0..100_000 {
                x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
            }
            b = sample(Some(me)).unwrap();
        }
        assert!(b.me > a.me, "no time counted for this process");
        assert!(b.busy > a.busy, "no time counted for the machine");
        assert!(b.cores >= 1);
        assert_eq!(a.server, Some(a.me), "the server given is this process");
        let line = per_request(&a, &b, 0.05, 10);
        assert!(
            line.starts_with("CPU per request (µs, from /proc): machine "),
            "{line}"
        );
        assert!(line.contains(", server "), "{line}");
    }
}
