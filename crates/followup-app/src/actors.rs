//! Who recorded what, when it was not the owner: on the team server a coach working under a
//! grant logs touches for a client, and the client's timeline says so ("logged by Sam Lee
//! (coach)"). The log keeps the acting account on every event (`Recorded::actor`); this reads
//! the few events others recorded and names their accounts.

use std::collections::BTreeMap;

use followup_core::Event;
use followup_core::model::TouchId;
use followup_store::{AccountId, ReadTx};
use serde::Serialize;

use crate::App;
use crate::error::Result;

/// An account other than the owner that recorded something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActedBy {
    pub account: i64,
    /// The account's name, or its email.
    pub name: String,
    /// "coach", "admin" or "client"; empty when the account no longer exists.
    pub role: String,
}

impl std::fmt::Display for ActedBy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.role.is_empty() {
            f.write_str(&self.name)
        } else {
            write!(f, "{} ({})", self.name, self.role)
        }
    }
}

/// What others did to one touch: who logged it, who last corrected it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TouchActors {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logged_by: Option<ActedBy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edited_by: Option<ActedBy>,
}

impl TouchActors {
    /// The timeline's words: "logged by Sam Lee (coach)", "corrected by ...", both, or "".
    pub fn sentence(&self) -> String {
        let parts: Vec<String> = [
            ("logged by", &self.logged_by),
            ("corrected by", &self.edited_by),
        ]
        .into_iter()
        .filter_map(|(verb, who)| who.as_ref().map(|w| format!("{verb} {w}")))
        .collect();
        parts.join("; ")
    }
}

impl App {
    /// The touches of this owner that someone other than the owner logged or corrected, by
    /// touch id. Empty on a one-file book, where the owner records everything.
    pub(crate) fn touch_actors(&self, tx: &dyn ReadTx) -> Result<BTreeMap<i64, TouchActors>> {
        let mut names: BTreeMap<AccountId, ActedBy> = BTreeMap::new();
        let mut out: BTreeMap<i64, TouchActors> = BTreeMap::new();
        for r in tx.events_by_accounts()? {
            let Some(actor) = r.actor else { continue };
            let (id, logged): (TouchId, bool) = match &r.event {
                Event::TouchLogged { touch } => (touch.id, true),
                Event::TouchEdited { touch } => (touch.id, false),
                _ => continue,
            };
            let who = match names.get(&actor) {
                Some(w) => w.clone(),
                None => {
                    let w = self.acted_by(actor)?;
                    names.insert(actor, w.clone());
                    w
                }
            };
            let entry = out.entry(id.0).or_default();
            if logged {
                entry.logged_by = Some(who);
            } else {
                entry.edited_by = Some(who);
            }
        }
        Ok(out)
    }

    /// Names an account for a timeline; one that is gone (or a book without accounts) is
    /// still named by its number, since the event outlives it.
    fn acted_by(&self, id: AccountId) -> Result<ActedBy> {
        let found = match &self.directory {
            Some(d) => d.account(id)?,
            None => None,
        };
        Ok(match found {
            Some(a) => ActedBy {
                account: id.0,
                name: a.label().to_string(),
                role: a.role.as_str().to_string(),
            },
            None => ActedBy {
                account: id.0,
                name: format!("account {id}"),
                role: String::new(),
            },
        })
    }
}
