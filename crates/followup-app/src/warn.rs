//! C12: warnings come before the act. The F15 gap warning that `log` gives after recording
//! an outbound touch is computed here without recording anything, so that drafting a message
//! and marking an item done can show it first; and a draft carries every warning about
//! sending it (F15, the lint's, a signature with no name).

use followup_core::agenda::{self, PIPELINE_ID};
use followup_core::draft::LintWarning;
use followup_core::plan::{self, Action, Warning};

use crate::drafts::Draft;
use crate::identity::{has_placeholder, placeholder_warning};
use crate::lookup::{plan_item, resolve_contact};
use crate::{App, Ctx, Result};
use jiff::civil::Date;

impl App {
    /// The F15 warnings that doing item `id` today would earn: the touch `done` would log
    /// comes less than the gap after the last outbound touch to the contact, with nothing heard
    /// since. Reads only; an item that logs no touch (a move-on-review, the pipeline) or
    /// names no contact has none.
    pub fn gap_check(&self, cx: &Ctx, id: i64) -> Result<Vec<Warning>> {
        self.gap_check_on(cx, id, None)
    }

    /// [`App::gap_check`] for a touch on `on` (`done --on`; default today).
    pub fn gap_check_on(&self, cx: &Ctx, id: i64, on: Option<Date>) -> Result<Vec<Warning>> {
        let on = on.unwrap_or(cx.today);
        if id == PIPELINE_ID {
            return Ok(Vec::new());
        }
        let tx = self.store.read(cx.owner)?;
        let item = plan_item(tx.as_ref(), id)?;
        let view = agenda::today_view(&item, cx.today);
        let Some(c) = view.contact.as_ref().map(|c| c.id) else {
            return Ok(Vec::new());
        };
        if matches!(view.action, Action::MoveOnReview | Action::Pipeline) {
            return Ok(Vec::new());
        }
        let touches = tx.touches_of_contact(c)?;
        Ok(plan::gap_warning(&touches, c, on, &cx.policy)
            .into_iter()
            .collect())
    }

    /// The F15 warning that an outbound touch to `who` today would earn.
    pub fn gap_check_contact(&self, cx: &Ctx, who: &str) -> Result<Vec<Warning>> {
        let tx = self.store.read(cx.owner)?;
        let c = resolve_contact(tx.as_ref(), who)?;
        let touches = tx.touches_of_contact(c.id)?;
        drop(tx);
        Ok(plan::gap_warning(&touches, c.id, cx.today, &cx.policy)
            .into_iter()
            .collect())
    }

    /// The draft for item `id` with every warning that comes before sending it: F15 first
    /// (C12), then the lint's, then a signature without a name.
    pub fn draft_checked(&self, cx: &Ctx, id: i64, voicemail: bool) -> Result<Draft> {
        let gap = self.gap_check(cx, id)?;
        let d = self.draft(cx, id, voicemail)?;
        Ok(with_warnings(d, &gap))
    }

    /// [`App::draft_to`] with the same warnings as [`App::draft_checked`].
    pub fn draft_to_checked(&self, cx: &Ctx, who: &str, template: &str) -> Result<Draft> {
        let gap = self.gap_check_contact(cx, who)?;
        let d = self.draft_to(cx, who, template)?;
        Ok(with_warnings(d, &gap))
    }
}

/// The draft's warnings with F15's in front and the placeholder's at the end.
fn with_warnings(mut d: Draft, gap: &[Warning]) -> Draft {
    let mut ws: Vec<LintWarning> = gap.iter().map(as_lint).collect();
    ws.append(&mut d.warnings);
    if has_placeholder(&d.subject, &d.body) {
        ws.push(placeholder_warning());
    }
    d.warnings = ws;
    d
}

/// An F15 warning as a draft lists it.
pub fn as_lint(w: &Warning) -> LintWarning {
    LintWarning {
        rule: w.rule.to_string(),
        message: w.message.clone(),
        line: None,
    }
}
