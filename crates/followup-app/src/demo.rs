//! `followup demo`: a believable job search relative to today, built through the same use
//! cases a person would call, so its log and plan are real. Its agenda for the next 14 days
//! shows every action kind: thank-you, follow-up, retry, value-add, move-on-review,
//! rejection-reply, keep-in-touch, occasion and pipeline.

use jiff::ToSpan;
use jiff::civil::Date;

use followup_core::model::{Channel, Stage, TouchKind};

use crate::error::{Field, refused};
use crate::input::{opt_word, word};
use crate::{App, AppError, Ctx, NewContact, NewJob, NewTouch};

/// What the demo recorded.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Summary {
    pub contacts: usize,
    pub jobs: usize,
    pub touches: usize,
}

struct Demo<'a> {
    app: &'a App,
    cx: &'a Ctx,
    touches: usize,
}

impl Demo<'_> {
    /// A working day about `days` ago: people interview and write on weekdays.
    fn ago(&self, days: i64) -> Date {
        let mut d = shift(self.cx.today, -days);
        while matches!(
            d.weekday(),
            jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
        ) {
            d = shift(d, -1);
        }
        d
    }

    fn contact(
        &mut self,
        name: &str,
        company: &str,
        title: &str,
        tier: &str,
    ) -> Result<(), AppError> {
        let email = format!(
            "{}@{}.example",
            name.to_lowercase().replace(' ', "."),
            if company.is_empty() { "mail" } else { company }
                .to_lowercase()
                .replace(' ', "")
        );
        self.app.add_contact(
            self.cx,
            NewContact {
                name: name.into(),
                emails: vec![email],
                company: Some(company.to_string()).filter(|c| !c.is_empty()),
                title: Some(title.to_string()).filter(|c| !c.is_empty()),
                tier: opt_word(Field::Tier, Some(tier).filter(|c| !c.is_empty()))?,
                ..NewContact::default()
            },
        )?;
        Ok(())
    }

    fn job(
        &mut self,
        org: &str,
        title: &str,
        contact: &str,
        applied_ago: Option<i64>,
    ) -> Result<String, AppError> {
        let job = self.app.add_job(
            self.cx,
            NewJob {
                organization: org.into(),
                title: title.into(),
                contacts: vec![contact.to_string()]
                    .into_iter()
                    .filter(|c| !c.is_empty())
                    .collect(),
                applied: applied_ago.map(|d| self.ago(d)),
                url: Some(format!(
                    "https://{}.example/careers/{}",
                    org.to_lowercase().replace(' ', ""),
                    title.to_lowercase().replace(' ', "-")
                )),
                ..NewJob::default()
            },
        )?;
        if applied_ago.is_some() {
            self.touches += 1;
        }
        Ok(job.id.to_string())
    }

    fn log(
        &mut self,
        kind: &str,
        with: &str,
        job: Option<&str>,
        ago: i64,
        t: NewTouch,
    ) -> Result<(), AppError> {
        self.app.log(
            self.cx,
            NewTouch {
                kind: word::<TouchKind>(Field::Kind, kind)?,
                with: vec![with.into()],
                job: job.map(str::to_string),
                on: Some(self.ago(ago)),
                ..t
            },
        )?;
        self.touches += 1;
        Ok(())
    }

    fn plain(
        &mut self,
        kind: &str,
        with: &str,
        job: Option<&str>,
        ago: i64,
    ) -> Result<(), AppError> {
        self.log(kind, with, job, ago, NewTouch::default())
    }

    fn noted(
        &mut self,
        kind: &str,
        with: &str,
        job: Option<&str>,
        ago: i64,
        note: &str,
    ) -> Result<(), AppError> {
        self.log(
            kind,
            with,
            job,
            ago,
            NewTouch {
                note: Some(note.into()),
                ..NewTouch::default()
            },
        )
    }
}

/// An occasion recorded in `year` whose day falls `days` after today (a birthday "in 3 days").
fn occasion_in(today: Date, days: i64, year: i16) -> Date {
    let x = shift(today, days);
    Date::new(year, x.month(), x.day()).unwrap_or(x)
}

fn shift(d: Date, days: i64) -> Date {
    d.checked_add(days.days()).unwrap_or(d)
}

/// Builds the demo into an empty database.
pub fn build(app: &App, cx: &Ctx) -> Result<Summary, AppError> {
    if !app.is_empty(cx)? {
        return Err(refused(
            "demo: the database already holds data; build the demo in a new database (the command line makes a temporary one unless told where)",
        ));
    }
    let today = cx.today;
    let mut d = Demo {
        app,
        cx,
        touches: 0,
    };

    // Twenty-one people: recruiters and hiring managers at the jobs, then the network.
    for (name, company, title, tier) in [
        ("Dana Reyes", "Northwind", "Talent Partner", "regular"),
        ("Lee Park", "Northwind", "Head of Data", "critical"),
        ("Priya Natarajan", "Contoso", "Recruiter", "regular"),
        ("Marcus Bell", "Contoso", "Engineering Manager", "critical"),
        (
            "Sofia Alvarez",
            "Fabrikam",
            "HR Business Partner",
            "regular",
        ),
        ("Tom Okafor", "Initech", "Hiring Manager", "regular"),
        ("Hannah Schmidt", "Globex", "Technical Recruiter", "regular"),
        ("Wei Chen", "Umbrella", "Staff Engineer", "casual"),
        (
            "Maya Patel",
            "Stark Industries",
            "Talent Acquisition Lead",
            "critical",
        ),
        ("Aisha Khan", "Tailspin", "Data Architect", "critical"),
        ("Ben Carter", "", "Mentor", "critical"),
        ("Chloe Martin", "Litware", "Product Manager", "casual"),
        ("Diego Rossi", "Adatum", "Director of Engineering", "casual"),
        ("Emma Novak", "Proseware", "VP Data", "regular"),
        ("Farid Haddad", "Woodgrove", "Analytics Lead", "regular"),
        ("Grace Liu", "Lucerne", "Data Scientist", "casual"),
        ("Hugo Laurent", "Alpine Ski House", "CTO", "regular"),
        ("Ines Costa", "", "Former classmate", "casual"),
        ("Jonas Berg", "Fourth Coffee", "Engineering Lead", "regular"),
        (
            "Kemi Adeyemi",
            "Trey Research",
            "Principal Engineer",
            "critical",
        ),
        ("Liam Walsh", "Wingtip", "Recruiter", "casual"),
    ] {
        d.contact(name, company, title, tier)?;
    }
    // Occasions in the coming days (F14).
    let md = |days: i64, year: i16| occasion_in(today, days, year);
    d.app.edit_contact(
        d.cx,
        "Dana Reyes",
        crate::EditContact {
            birthday: Some(Some(md(3, 1988))),
            ..Default::default()
        },
    )?;
    d.app.edit_contact(
        d.cx,
        "Ben Carter",
        crate::EditContact {
            work_anniversary: Some(Some(md(5, 2016))),
            ..Default::default()
        },
    )?;
    d.app.edit_contact(
        d.cx,
        "Ines Costa",
        crate::EditContact {
            personal_anniversary: Some(Some(md(40, 2019))),
            birthday: Some(Some(md(11, 1991))),
            ..Default::default()
        },
    )?;

    // Offer stage: an offer, then a last conversation yesterday wants a thank-you (F6).
    let stark = d.job(
        "Stark Industries",
        "Lead Data Engineer",
        "Maya Patel",
        Some(45),
    )?;
    d.plain("interview", "Maya Patel", Some(&stark), 30)?;
    d.plain("thank-you", "Maya Patel", Some(&stark), 29)?;
    d.log(
        "interview",
        "Maya Patel",
        Some(&stark),
        16,
        NewTouch {
            they_decide_by: Some(d.ago(9)),
            next_step: Some("final round with the VP".into()),
            may_follow_up: Some(true),
            ..NewTouch::default()
        },
    )?;
    d.plain("thank-you", "Maya Patel", Some(&stark), 15)?;
    d.noted(
        "offer",
        "Maya Patel",
        Some(&stark),
        6,
        "base and equity; answer wanted within two weeks",
    )?;
    d.log(
        "interview",
        "Maya Patel",
        Some(&stark),
        0,
        NewTouch {
            note: Some("migrating the warehouse without downtime".into()),
            they_decide_by: Some(shift(today, 6)),
            next_step: Some("they send the final contract".into()),
            all_hear_back: Some(true),
            may_follow_up: Some(true),
            preferred_channel: Some(Channel::Phone),
            direct_contact: Some("+1 555 0100".into()),
            on_linkedin: Some(true),
            ..NewTouch::default()
        },
    )?;

    // Interviewing, silent after a follow-up and its retry: a value-add is due (F8).
    let contoso = d.job("Contoso", "Data Platform Engineer", "Marcus Bell", Some(40))?;
    d.log(
        "interview",
        "Marcus Bell",
        Some(&contoso),
        26,
        NewTouch {
            note: Some("the nightly batch missing its 6am deadline twice a week".into()),
            ..NewTouch::default()
        },
    )?;
    d.plain("thank-you", "Marcus Bell", Some(&contoso), 25)?;
    d.plain("follow-up", "Marcus Bell", Some(&contoso), 12)?;
    d.plain("follow-up", "Marcus Bell", Some(&contoso), 6)?;
    d.plain("reply", "Priya Natarajan", None, 20)?;

    // Applied, followed up three times, silent for four weeks: time to review (F9).
    let fabrikam = d.job("Fabrikam", "Analytics Engineer", "Sofia Alvarez", Some(50))?;
    d.plain("follow-up", "Sofia Alvarez", Some(&fabrikam), 33)?;
    d.plain("follow-up", "Sofia Alvarez", Some(&fabrikam), 27)?;
    d.plain("value-add", "Sofia Alvarez", Some(&fabrikam), 13)?;

    // A lead: a note to the hiring manager went unanswered, so a retry is due (F7).
    let initech = d.job("Initech", "Machine Learning Engineer", "Tom Okafor", None)?;
    d.noted(
        "note",
        "Tom Okafor",
        Some(&initech),
        10,
        "referred by Jonas Berg",
    )?;
    d.plain("follow-up", "Tom Okafor", Some(&initech), 3)?;

    // Rejected yesterday: a graceful reply is due (F10).
    let globex = d.job("Globex", "Data Engineer", "Hannah Schmidt", Some(35))?;
    d.plain("interview", "Hannah Schmidt", Some(&globex), 21)?;
    d.plain("thank-you", "Hannah Schmidt", Some(&globex), 20)?;
    d.plain("follow-up", "Hannah Schmidt", Some(&globex), 10)?;
    d.noted(
        "rejection",
        "Hannah Schmidt",
        Some(&globex),
        1,
        "went with an internal candidate",
    )?;

    // Withdrawn: the role moved to another city (F11).
    let umbrella = d.job("Umbrella", "Staff Engineer", "Wei Chen", Some(70))?;
    d.plain("interview", "Wei Chen", Some(&umbrella), 60)?;
    d.plain("thank-you", "Wei Chen", Some(&umbrella), 60)?;
    d.noted(
        "withdrawal",
        "Wei Chen",
        Some(&umbrella),
        52,
        "role relocated to Denver",
    )?;

    // Closed as no-response after the move-on review.
    let hooli = d.job("Northwind", "Analytics Lead", "Dana Reyes", Some(90))?;
    d.plain("follow-up", "Dana Reyes", Some(&hooli), 80)?;
    d.plain("follow-up", "Dana Reyes", Some(&hooli), 75)?;
    d.plain("value-add", "Dana Reyes", Some(&hooli), 61)?;
    d.app.close_job(d.cx, &hooli, Stage::NoResponse)?;

    // Accepted, long ago: the contract before this search.
    let pied = d.job(
        "Adatum",
        "Data Engineering Contract",
        "Diego Rossi",
        Some(400),
    )?;
    d.plain("interview", "Diego Rossi", Some(&pied), 390)?;
    d.plain("thank-you", "Diego Rossi", Some(&pied), 389)?;
    d.plain("offer", "Diego Rossi", Some(&pied), 380)?;
    d.app.close_job(d.cx, &pied, Stage::Accepted)?;

    // The network.
    d.log(
        "meeting",
        "Diego Rossi",
        None,
        4,
        NewTouch {
            note: Some("coffee; offered to introduce me to their platform team".into()),
            they_will_act: true,
            ..NewTouch::default()
        },
    )?;
    d.noted(
        "outreach",
        "Emma Novak",
        None,
        9,
        "twenty minutes of your perspective on Proseware's data team",
    )?;
    d.plain("meeting", "Aisha Khan", None, 40)?;
    d.plain("follow-up", "Aisha Khan", None, 36)?;
    d.plain("reply", "Aisha Khan", None, 35)?;
    for (i, name) in [
        "Ben Carter",
        "Chloe Martin",
        "Farid Haddad",
        "Grace Liu",
        "Hugo Laurent",
        "Ines Costa",
        "Jonas Berg",
        "Kemi Adeyemi",
        "Liam Walsh",
        "Lee Park",
    ]
    .into_iter()
    .enumerate()
    {
        let base = 100 + 5 * i as i64;
        d.plain("outreach", name, None, base)?;
        d.plain("reply", name, None, base - 2)?;
        d.noted("meeting", name, None, base - 9, "caught up on the market")?;
        d.plain("follow-up", name, None, base - 51)?;
        d.plain("reply", name, None, base - 53)?;
    }
    // Recent enough that the tiered contacts are not all due at once.
    d.plain("meeting", "Kemi Adeyemi", None, 20)?;
    d.plain("reply", "Ben Carter", None, 25)?;
    d.plain("meeting", "Jonas Berg", None, 30)?;
    d.plain("reply", "Farid Haddad", None, 45)?;
    d.plain("reply", "Lee Park", None, 14)?;

    let touches = d.touches;
    let contacts = d.app.contacts(d.cx)?.len();
    let jobs = d.app.jobs(d.cx)?.len();
    Ok(Summary {
        contacts,
        jobs,
        touches,
    })
}

/// `followup demo --networking`: a network-heavy book, relative to today, whose agenda shows
/// every networking case a draft must tell apart (C10): outreach with and without a reply, with
/// and without your stated date; a coffee where they promised an introduction, one where they
/// promised a referral by a date; a casual meeting; a referral into a role; a rejection with no
/// contact, with and without an interview; an old promise that must not be cited; occasions.
pub fn build_networking(app: &App, cx: &Ctx) -> Result<Summary, AppError> {
    if !app.is_empty(cx)? {
        return Err(refused(
            "demo: the database already holds data; build the demo in a new database (the command line makes a temporary one unless told where)",
        ));
    }
    let today = cx.today;
    let mut d = Demo {
        app,
        cx,
        touches: 0,
    };
    for (name, company, title, tier) in [
        ("Omar Haddad", "Proseware", "Head of Analytics", "regular"),
        ("Paula Greene", "Litware", "Data Platform Lead", "regular"),
        ("Quentin Moreau", "Fabrikam", "VP Engineering", "critical"),
        (
            "Rosa Lindqvist",
            "Tailspin",
            "Staff Data Engineer",
            "regular",
        ),
        ("Sam Whitaker", "Contoso", "Principal Engineer", "critical"),
        ("Tara Osei", "Contoso", "Engineering Manager", "regular"),
        ("Uma Reddy", "Woodgrove", "Director of Data", "critical"),
        ("Victor Lang", "Adatum", "Recruiter", "regular"),
        ("Wendy Brooks", "", "Former manager", "critical"),
        ("Xavier Ruiz", "Alpine Ski House", "CTO", "casual"),
        ("Yara Nasser", "Lucerne", "Data Scientist", "casual"),
    ] {
        d.contact(name, company, title, tier)?;
    }
    let md = |days: i64, year: i16| occasion_in(today, days, year);
    d.app.edit_contact(
        d.cx,
        "Xavier Ruiz",
        crate::EditContact {
            birthday: Some(Some(md(2, 1979))),
            ..Default::default()
        },
    )?;
    d.app.edit_contact(
        d.cx,
        "Yara Nasser",
        crate::EditContact {
            work_anniversary: Some(Some(md(6, 2021))),
            personal_anniversary: Some(Some(md(9, 2018))),
            ..Default::default()
        },
    )?;
    // Quentin prefers calls and gave a number: his drafts come with a call script.
    d.app.edit_contact(
        d.cx,
        "Quentin Moreau",
        crate::EditContact {
            phones: Some(vec!["+1 555 0142".into()]),
            prefers: Some(Some(Channel::Phone)),
            ..Default::default()
        },
    )?;

    // Outreach, no reply: the follow-up restates who you are and the ask, shorter (F12).
    d.noted(
        "outreach",
        "Omar Haddad",
        None,
        8,
        "twenty minutes of your perspective on moving from consulting into product analytics",
    )?;
    // Outreach naming your own date, no reply: "as I said I would" is true here (F2).
    let yesterday = d.ago(1);
    d.log(
        "outreach",
        "Paula Greene",
        None,
        6,
        NewTouch {
            note: Some("a short call about how your team moved to streaming".into()),
            i_will_follow_up: Some(yesterday),
            ..NewTouch::default()
        },
    )?;
    // Outreach, a reply, then coffee where he offered an introduction (F12: action wait).
    d.plain("outreach", "Quentin Moreau", None, 30)?;
    d.plain("reply", "Quentin Moreau", None, 28)?;
    d.log(
        "meeting",
        "Quentin Moreau",
        None,
        7,
        NewTouch {
            note: Some("coffee; offered to introduce me to their head of data".into()),
            they_will_act: true,
            ..NewTouch::default()
        },
    )?;
    // A casual coffee six weeks ago, nothing promised (F12: casual wait).
    d.noted(
        "meeting",
        "Rosa Lindqvist",
        None,
        42,
        "coffee; compared notes on the market",
    )?;
    // A referral: Sam promised by a date to refer you for a role at Contoso; you followed up,
    // and nothing since (F7: a retry).
    d.log(
        "meeting",
        "Sam Whitaker",
        None,
        16,
        NewTouch {
            note: Some("lunch; will refer me for the platform role".into()),
            they_will_act_by: Some(d.ago(9)),
            ..NewTouch::default()
        },
    )?;
    d.plain("follow-up", "Sam Whitaker", None, 6)?;
    // The role Sam referred you for: applied, the hiring manager silent (F5).
    let contoso = d.job("Contoso", "Senior Platform Engineer", "Tara Osei", Some(8))?;
    d.noted(
        "note",
        "Tara Osei",
        Some(&contoso),
        8,
        "referred by Sam Whitaker",
    )?;
    // Uma replied to an outreach that she would introduce you by a date (C5).
    d.plain("outreach", "Uma Reddy", None, 12)?;
    d.log(
        "reply",
        "Uma Reddy",
        None,
        10,
        NewTouch {
            they_will_act_by: Some(d.ago(3)),
            ..NewTouch::default()
        },
    )?;
    // An old thread: a promise of last year was never kept; a new outreach went out this
    // month. Neither the draft nor the call script may cite last year's promise (C10).
    let old = shift(today, -400);
    d.log(
        "outreach",
        "Victor Lang",
        None,
        400,
        NewTouch {
            i_will_follow_up: Some(shift(old, 7)),
            ..NewTouch::default()
        },
    )?;
    d.noted(
        "outreach",
        "Victor Lang",
        None,
        9,
        "advice on contract roles in data engineering",
    )?;
    // A mentor, last heard from five weeks ago: keep in touch (F13, critical).
    d.plain("meeting", "Wendy Brooks", None, 50)?;
    d.plain("reply", "Wendy Brooks", None, 35)?;
    // Rejections with no contact: one after an interview, one after the application only.
    let northwind = d.job("Northwind", "Data Engineer", "", Some(30))?;
    let globex = d.job("Globex", "Analytics Engineer", "", Some(40))?;
    for (job, interviewed) in [(&northwind, false), (&globex, true)] {
        if interviewed {
            d.app.log(
                d.cx,
                NewTouch {
                    kind: TouchKind::Interview,
                    job: Some(job.clone()),
                    on: Some(d.ago(14)),
                    ..NewTouch::default()
                },
            )?;
            d.touches += 1;
        }
        d.app.log(
            d.cx,
            NewTouch {
                kind: TouchKind::Rejection,
                job: Some(job.clone()),
                on: Some(d.ago(1)),
                ..NewTouch::default()
            },
        )?;
        d.touches += 1;
    }

    let touches = d.touches;
    let contacts = d.app.contacts(d.cx)?.len();
    let jobs = d.app.jobs(d.cx)?.len();
    Ok(Summary {
        contacts,
        jobs,
        touches,
    })
}
