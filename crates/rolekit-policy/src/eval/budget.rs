//! Bounded work per decision: every evaluation may spend at most [`WORK`] units (about one per
//! byte compared), and policy variables may expand to at most `pattern::MAX_EXPANSION` bytes.
//! Past either, matching stops (matches nothing) and the decision says which limit was met,
//! so that no input can make one decision take seconds or gigabytes.
//!
//! The budget is per thread and per evaluation: `start` and `finish` bracket `evaluate`;
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

/// `LEFT` outside an evaluation: nothing is counted.
const UNCOUNTED: u64 = u64::MAX;

thread_local! {
    /// Units left in the current evaluation (0 once a limit was met), or [`UNCOUNTED`]. One
    /// thread-local read per spend: this runs for every glob and condition value compared.
    static LEFT: Cell<u64> = const { Cell::new(UNCOUNTED) };
    static MET: Cell<Option<Limit>> = const { Cell::new(None) };
}

/// Begin counting for one evaluation.
pub(crate) fn start() {
    LEFT.set(WORK);
    MET.set(None);
}

/// Stop counting; the limit met, if any.
pub(crate) fn finish() -> Option<Limit> {
    LEFT.set(UNCOUNTED);
    MET.take()
}

/// Spend `units`; false when the budget is gone (the caller then stops and matches nothing).
#[inline]
pub(crate) fn spend(units: usize) -> bool {
    let left = LEFT.get();
    if left == UNCOUNTED {
        return true;
    }
    let units = u64::try_from(units).unwrap_or(u64::MAX);
    if units <= left && left > 0 {
        LEFT.set(left - units);
        true
    } else {
        meet(Limit::Work);
        false
    }
}

/// Record that `limit` was met (the first one met is kept); nothing more is spent after it.
pub(crate) fn meet(limit: Limit) {
    if LEFT.get() != UNCOUNTED {
        LEFT.set(0);
        if MET.get().is_none() {
            MET.set(Some(limit));
        }
    }
}
