//! `followup demo`: a believable job search relative to today, built through the same use
//! cases a person would call, so its log and plan are real. Its agenda for the next 14 days
//! shows every action kind: thank-you, follow-up, retry, value-add, move-on-review,
//! rejection-reply, keep-in-touch, occasion and pipeline.

use jiff::ToSpan;
use jiff::civil::Date;

use crate::{App, AppError, NewContact, NewJob, NewTouch};

/// What the demo recorded.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Summary {
    pub contacts: usize,
    pub jobs: usize,
    pub touches: usize,
}

struct Demo<'a> {
    app: &'a mut App,
    touches: usize,
}

impl Demo<'_> {
    /// A working day about `days` ago: people interview and write on weekdays.
    fn ago(&self, days: i64) -> String {
        let mut d = shift(self.app.today, -days);
        while matches!(
            d.weekday(),
            jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
        ) {
            d = shift(d, -1);
        }
        d.to_string()
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
        self.app.add_contact(NewContact {
            name: name.into(),
            emails: vec![email],
            company: Some(company.to_string()).filter(|c| !c.is_empty()),
            title: Some(title.to_string()).filter(|c| !c.is_empty()),
            tier: Some(tier.to_string()).filter(|c| !c.is_empty()),
            ..NewContact::default()
        })?;
        Ok(())
    }

    fn job(
        &mut self,
        org: &str,
        title: &str,
        contact: &str,
        applied_ago: Option<i64>,
    ) -> Result<String, AppError> {
        let job = self.app.add_job(NewJob {
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
        })?;
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
        self.app.log(NewTouch {
            kind: kind.into(),
            with: vec![with.into()],
            job: job.map(str::to_string),
            on: Some(self.ago(ago)),
            ..t
        })?;
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

fn shift(d: Date, days: i64) -> Date {
    d.checked_add(days.days()).unwrap_or(d)
}

/// Builds the demo into an empty database.
pub fn build(app: &mut App) -> Result<Summary, AppError> {
    if !app.is_empty()? {
        return Err(AppError::Invalid(
            "demo: the database already holds data; give --db a new file, or leave --db out for a temporary one".into(),
        ));
    }
    let today = app.today;
    let mut d = Demo { app, touches: 0 };

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
    let md = |days: i64, year: i16| {
        let x = shift(today, days);
        Date::new(year, x.month(), x.day()).unwrap_or(x).to_string()
    };
    d.app.edit_contact(
        "Dana Reyes",
        crate::EditContact {
            birthday: Some(md(3, 1988)),
            ..Default::default()
        },
    )?;
    d.app.edit_contact(
        "Ben Carter",
        crate::EditContact {
            work_anniversary: Some(md(5, 2016)),
            ..Default::default()
        },
    )?;
    d.app.edit_contact(
        "Ines Costa",
        crate::EditContact {
            personal_anniversary: Some(md(40, 2019)),
            birthday: Some(md(11, 1991)),
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
            they_decide_by: Some(shift(today, 6).to_string()),
            next_step: Some("they send the final contract".into()),
            all_hear_back: Some(true),
            may_follow_up: Some(true),
            preferred_channel: Some("phone".into()),
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
    d.app.close_job(&hooli, "no-response")?;

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
    d.app.close_job(&pied, "accepted")?;

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
    d.plain("outreach", "Emma Novak", None, 9)?;
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
    let contacts = d.app.contacts()?.len();
    let jobs = d.app.jobs()?.len();
    Ok(Summary {
        contacts,
        jobs,
        touches,
    })
}
