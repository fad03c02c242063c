//! criterion benches of the hot paths: planning one contact, the agenda over the plan table,
//! business-day arithmetic, LinkedIn and vCard parsing.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use followup_core::model::*;
use followup_core::plan::{History, Subject, plan};
use followup_core::{BusinessCalendar, Policy, Wait};
use jiff::ToSpan;
use jiff::civil::{Date, date};
use std::hint::black_box;

const TODAY: Date = date(2026, 11, 21);

fn history(touches: usize) -> History {
    let contact = Contact {
        id: ContactId(1),
        name: "Dana Reyes".into(),
        emails: vec![],
        phones: vec![],
        organization: None,
        title: None,
        tier: Some(Tier::Regular),
        prefers: None,
        linkedin: None,
        birthday: Some(date(1988, 2, 29)),
        work_anniversary: None,
        personal_anniversary: None,
        notes: None,
        added_on: date(2020, 1, 1),
        cadence_start: None,
    };
    let jobs: Vec<Job> = (1..=3)
        .map(|j| Job {
            id: JobId(j),
            organization: OrgRef {
                id: OrgId(j),
                name: format!("Org {j}"),
            },
            title: "Engineer".into(),
            url: None,
            response_time: None,
            applied: None,
            stage: Stage::Interviewing,
            contacts: vec![ContactId(1)],
            added_on: date(2020, 1, 1),
            notes: None,
        })
        .collect();
    let kinds = [
        TouchKind::Interview,
        TouchKind::ThankYou,
        TouchKind::FollowUp,
        TouchKind::Reply,
        TouchKind::Meeting,
        TouchKind::ValueAdd,
        TouchKind::Outreach,
        TouchKind::Note,
    ];
    let touches = (0..touches)
        .map(|i| {
            let kind = kinds[i % kinds.len()];
            Touch {
                id: TouchId(i as i64 + 1),
                kind,
                direction: kind.default_direction(),
                date: TODAY.checked_sub(((touches - i) as i64).days()).unwrap(),
                contacts: vec![ContactId(1)],
                job: (i % 3 != 0).then_some(JobId((i % 3) as i64 + 1)),
                note: None,
                answers: None,
                poor_fit: false,
                promises: vec![],
                message: None,
            }
        })
        .collect();
    History {
        contact: Some(contact),
        jobs,
        touches,
        snoozes: vec![],
    }
}

fn bench_plan(c: &mut Criterion) {
    let p = Policy::default();
    let mut g = c.benchmark_group("plan one contact");
    for n in [10, 100, 1000] {
        let h = history(n);
        g.bench_with_input(BenchmarkId::from_parameter(n), &h, |b, h| {
            b.iter(|| plan(black_box(Subject::Contact(ContactId(1))), black_box(h), &p))
        });
    }
    g.finish();
}

fn bench_agenda(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("followup-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("agenda.db");
    let _ = std::fs::remove_file(&db);
    let app = followup_app::App::open(&db, followup_app::Config::default()).unwrap();
    let cx = app.ctx(TODAY).unwrap();
    followup_app::synth::generate_pending(&app, &cx, 10_000, 7).unwrap();
    c.bench_function("agenda over 10,000 plan rows (default window)", |b| {
        b.iter(|| app.agenda(&cx, None).unwrap())
    });
    let _ = std::fs::remove_dir_all(&dir);
}

fn bench_calendar(c: &mut Criterion) {
    let mut cal = BusinessCalendar::default();
    for d in 0..40 {
        cal.holidays
            .insert(TODAY.checked_add((d * 9).days()).unwrap());
    }
    c.bench_function("add 20 business days", |b| {
        b.iter(|| cal.add(black_box(TODAY), Wait::BusinessDays(20)))
    });
    c.bench_function("add 6 weeks, moved off a weekend", |b| {
        b.iter(|| cal.add(black_box(TODAY), Wait::Weeks(6)))
    });
}

fn bench_parsing(c: &mut Criterion) {
    let csv = followup_app::synth::linkedin_csv(1000, 7);
    c.bench_function("LinkedIn CSV, 1,000 rows", |b| {
        b.iter(|| {
            followup_app::import::linkedin::parse("c.csv", black_box(csv.as_bytes())).unwrap()
        })
    });
    let mut vcf = String::new();
    for i in 0..1000 {
        vcf.push_str(&format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person {i}\r\nN:{i};Person;;;\r\nEMAIL;TYPE=work:p{i}@example.com\r\nTEL:+1 555 {i:04}\r\nORG:Company {i}\r\nBDAY:1980-0{}-1{}\r\nEND:VCARD\r\n",
            1 + i % 9,
            i % 9
        ));
    }
    c.bench_function("vCard, 1,000 cards", |b| {
        b.iter(|| followup_app::import::vcard::parse("c.vcf", black_box(vcf.as_bytes())).unwrap())
    });
}

criterion_group!(
    benches,
    bench_plan,
    bench_agenda,
    bench_calendar,
    bench_parsing
);
criterion_main!(benches);
