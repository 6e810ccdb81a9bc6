//! Bounded work per decision: every evaluation may spend at most [`WORK`] units (about one per
//! byte compared), and policy variables may expand to at most `pattern::MAX_EXPANSION` bytes.
//! Past either, matching stops (matches nothing) and the decision says which limit was met,
//! so that no input can make one decision take seconds or gigabytes.
//!
//! The budget is per thread and per evaluation: [`start`] and [`finish`] bracket `evaluate`;
//! outside an evaluation nothing is counted.

use std::cell::Cell;

/// Work units one decision may spend: a fraction of a second on a slow machine.
pub const WORK: u64 = 300_000_000;

/// A limit a decision met.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// More than [`WORK`] units of matching.
    Work,
    /// A pattern whose policy variables expand beyond `pattern::MAX_EXPANSION` bytes.
    Expansion,
}

impl Limit {
    /// What was met, for an error message.
    pub fn describe(self) -> String {
        match self {
            Limit::Work => format!(
                "the decision needed more than {WORK} steps of matching (patterns and condition values against \
                 request values); rolekit stops there rather than run for seconds"
            ),
            Limit::Expansion => format!(
                "a policy variable expands to more than {} bytes; rolekit stops there rather than use gigabytes",
                super::pattern::MAX_EXPANSION
            ),
        }
    }
}

thread_local! {
    static LEFT: Cell<Option<u64>> = const { Cell::new(None) };
    static MET: Cell<Option<Limit>> = const { Cell::new(None) };
}

/// Begin counting for one evaluation.
pub(crate) fn start() {
    LEFT.set(Some(WORK));
    MET.set(None);
}

/// Stop counting; the limit met, if any.
pub(crate) fn finish() -> Option<Limit> {
    LEFT.set(None);
    MET.take()
}

/// Spend `units`; false when the budget is gone (the caller then stops and matches nothing).
pub(crate) fn spend(units: usize) -> bool {
    let Some(left) = LEFT.get() else { return true };
    let units = u64::try_from(units).unwrap_or(u64::MAX);
    if left >= units && MET.get().is_none() {
        LEFT.set(Some(left - units));
        true
    } else {
        meet(Limit::Work);
        false
    }
}

/// Record that `limit` was met (the first one met is kept).
pub(crate) fn meet(limit: Limit) {
    if LEFT.get().is_some() && MET.get().is_none() {
        MET.set(Some(limit));
    }
}
