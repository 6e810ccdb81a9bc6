//! Condition operators, with IfExists, ForAllValues / ForAnyValue, Null and policy variables.

use std::net::IpAddr;

use chrono::{DateTime, NaiveDate, NaiveDateTime};

use super::pattern::Pattern;
use super::Context;
use crate::model::{BaseOp, Condition, Qualifier};

/// A condition compiled for evaluation.
#[derive(Clone, Debug)]
pub struct Compiled {
    pub op: BaseOp,
    pub qualifier: Option<Qualifier>,
    pub if_exists: bool,
    /// As written, for explanations.
    pub operator: String,
    pub key: String,
    pub key_lower: String,
    /// [`super::key_of`] of `key_lower`, for the context lookup.
    key_hash: u64,
    pub values: Vec<String>,
    patterns: Vec<Pattern>,
    /// Pre-parsed numbers / dates / CIDRs where the value has no variable.
    numbers: Vec<Option<f64>>,
    /// For the string operators: the values as hash sets, so that many request values against
    /// many policy values cost one lookup each rather than a comparison per pair.
    sets: Option<ValueSets>,
}

/// A set of policy values: a list while it is short (a few compares beat hashing the request
/// value, which is most conditions: one to a handful of values), a hash set past [`FEW`].
#[derive(Clone, Debug)]
enum Values {
    Few(Vec<String>),
    Many(std::collections::HashSet<String>),
}

/// Values a list holds before it becomes a hash set.
const FEW: usize = 8;

impl Default for Values {
    fn default() -> Self {
        Self::Few(Vec::new())
    }
}

impl Values {
    fn insert(&mut self, v: String) {
        match self {
            Self::Few(list) if list.contains(&v) => {}
            Self::Few(list) if list.len() < FEW => list.push(v),
            Self::Few(list) => {
                let mut set: std::collections::HashSet<String> = list.drain(..).collect();
                set.insert(v);
                *self = Self::Many(set);
            }
            Self::Many(set) => {
                set.insert(v);
            }
        }
    }

    fn contains(&self, v: &str) -> bool {
        match self {
            Self::Few(list) => list.iter().any(|x| super::pattern::same(x.as_bytes(), v.as_bytes())),
            Self::Many(set) => set.contains(v),
        }
    }
}

/// Policy values of a string operator, grouped by how they match.
#[derive(Clone, Debug, Default)]
struct ValueSets {
    /// Compared whole (StringEquals; StringLike without wildcards); lowercased for IgnoreCase.
    exact: Values,
    /// StringLike `prefix*`: the prefixes, and their distinct lengths.
    prefixes: Values,
    prefix_lengths: Vec<usize>,
    /// StringLike `*suffix`.
    suffixes: Values,
    suffix_lengths: Vec<usize>,
    /// StringLike `*`.
    any: bool,
    /// Indices of the values matched one by one (other wildcards, policy variables).
    others: Vec<usize>,
    lowercase: bool,
}

impl ValueSets {
    fn new(op: BaseOp, values: &[String], patterns: &[Pattern]) -> Option<Self> {
        let (like, lowercase) = match op {
            BaseOp::StringEquals | BaseOp::StringNotEquals => (false, false),
            BaseOp::StringEqualsIgnoreCase | BaseOp::StringNotEqualsIgnoreCase => (false, true),
            BaseOp::StringLike | BaseOp::StringNotLike => (true, false),
            _ => return None,
        };
        let mut sets = Self {
            lowercase,
            ..Self::default()
        };
        let wild = |c: char| c == '*' || c == '?';
        for (i, (v, p)) in values.iter().zip(patterns).enumerate() {
            if p.has_variables() {
                sets.others.push(i);
            } else if !like {
                sets.exact.insert(if lowercase { v.to_lowercase() } else { v.clone() });
            } else if !v.contains(wild) {
                sets.exact.insert(v.clone());
            } else if v == "*" {
                sets.any = true;
            } else if let Some(prefix) = v.strip_suffix('*').filter(|p| !p.contains(wild)) {
                sets.prefix_lengths.push(prefix.len());
                sets.prefixes.insert(prefix.to_string());
            } else if let Some(suffix) = v.strip_prefix('*').filter(|s| !s.contains(wild)) {
                sets.suffix_lengths.push(suffix.len());
                sets.suffixes.insert(suffix.to_string());
            } else {
                sets.others.push(i);
            }
        }
        for lengths in [&mut sets.prefix_lengths, &mut sets.suffix_lengths] {
            lengths.sort_unstable();
            lengths.dedup();
        }
        Some(sets)
    }

    /// Whether `v` equals, starts or ends with one of the grouped values (not the `others`).
    fn grouped(&self, v: &str) -> bool {
        if self.any {
            return true;
        }
        let hit = if self.lowercase {
            self.exact.contains(&lowercase(v))
        } else {
            self.exact.contains(v)
        };
        hit || self
            .prefix_lengths
            .iter()
            .take_while(|&&n| n <= v.len())
            .any(|&n| super::budget::spend(n) && v.get(..n).is_some_and(|p| self.prefixes.contains(p)))
            || self
                .suffix_lengths
                .iter()
                .take_while(|&&n| n <= v.len())
                .any(|&n| super::budget::spend(n) && v.get(v.len() - n..).is_some_and(|s| self.suffixes.contains(s)))
    }
}

/// `v` lowercased (Unicode), borrowed when it has nothing to lowercase: lowercase ASCII, the
/// common request value, needs no allocation. (A non-ASCII text is lowercased whole: titlecase
/// letters change without being uppercase.)
fn lowercase(v: &str) -> std::borrow::Cow<'_, str> {
    if v.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        std::borrow::Cow::Borrowed(v)
    } else {
        std::borrow::Cow::Owned(v.to_lowercase())
    }
}

/// The operator with the same comparison but not negated.
fn positive(op: BaseOp) -> BaseOp {
    use BaseOp::*;
    match op {
        StringNotEquals => StringEquals,
        StringNotEqualsIgnoreCase => StringEqualsIgnoreCase,
        StringNotLike => StringLike,
        NumericNotEquals => NumericEquals,
        DateNotEquals => DateEquals,
        NotIpAddress => IpAddress,
        ArnNotEquals => ArnEquals,
        ArnNotLike => ArnLike,
        other => other,
    }
}

/// Seconds since the epoch for an IAM date value (ISO 8601 or epoch seconds).
pub fn parse_date(text: &str) -> Option<f64> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(d.timestamp() as f64 + f64::from(d.timestamp_subsec_nanos()) / 1e9);
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(t.trim_end_matches(['Z', 'z']), fmt) {
            return Some(d.and_utc().timestamp() as f64);
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0).map(|x| x.and_utc().timestamp() as f64);
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

fn cidr_contains(cidr: &str, ip: &str) -> bool {
    let Ok(ip) = ip.trim().parse::<IpAddr>() else {
        return false;
    };
    let (net, bits) = match cidr.trim().split_once('/') {
        Some((n, b)) => (n, b.parse::<u32>().ok()),
        None => (cidr.trim(), None),
    };
    let Ok(net) = net.parse::<IpAddr>() else { return false };
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) => {
            let bits = bits.unwrap_or(32).min(32);
            let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
            (u32::from(n) & mask) == (u32::from(i) & mask)
        }
        (IpAddr::V6(n), IpAddr::V6(i)) => {
            let bits = bits.unwrap_or(128).min(128);
            let mask = if bits == 0 { 0 } else { u128::MAX << (128 - bits) };
            (u128::from(n) & mask) == (u128::from(i) & mask)
        }
        _ => false,
    }
}

/// ArnLike / ArnEquals: each of the six parts matched separately, with wildcards.
fn arn_like(pattern: &str, arn: &str) -> bool {
    let p: Vec<&str> = pattern.splitn(6, ':').collect();
    let a: Vec<&str> = arn.splitn(6, ':').collect();
    if p.len() != 6 || a.len() != 6 {
        return crate::wildcard::matches(pattern, arn);
    }
    p.iter().zip(&a).all(|(x, y)| crate::wildcard::matches(x, y))
}

impl Compiled {
    /// The policy values compiled (their variables, for explanations).
    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }

    /// Compile a model condition (`variables`: the policy is 2012-10-17).
    pub fn new(c: &Condition, variables: bool) -> Option<Self> {
        let op = c.operator.base?;
        let values: Vec<String> = c.values.values().map(str::to_string).collect();
        let patterns: Vec<Pattern> = values.iter().map(|v| Pattern::new(v, variables, false)).collect();
        let numbers = values
            .iter()
            .map(|v| match op.family() {
                crate::model::OpFamily::Numeric => v.trim().parse::<f64>().ok(),
                crate::model::OpFamily::Date => parse_date(v),
                _ => None,
            })
            .collect();
        let sets = ValueSets::new(op, &values, &patterns);
        Some(Self {
            sets,
            op,
            qualifier: c.operator.qualifier,
            if_exists: c.operator.if_exists,
            operator: c.operator.raw.clone(),
            key: c.key.to_string(),
            key_lower: c.key.as_str().to_ascii_lowercase(),
            key_hash: super::key_of(c.key.as_str().to_ascii_lowercase().as_bytes()),
            values,
            patterns,
            numbers,
        })
    }

    /// Whether request value `v` matches policy value `i` under the positive operator.
    fn one(&self, op: BaseOp, i: usize, v: &str, ctx: &Context) -> bool {
        use BaseOp::*;
        if !super::budget::spend(1 + v.len().min(self.values[i].len())) {
            return false;
        }
        let literal = || self.patterns[i].resolve(&self.values[i], ctx);
        let num = |x: &str| -> Option<f64> { x.trim().parse::<f64>().ok() };
        let policy_num = || self.numbers[i].or_else(|| literal().and_then(|s| num(&s)));
        let policy_date = || self.numbers[i].or_else(|| literal().and_then(|s| parse_date(&s)));
        match op {
            StringEquals => literal().is_some_and(|l| *l == *v),
            StringEqualsIgnoreCase => literal().is_some_and(|l| lowercase(&l) == lowercase(v)),
            StringLike => self.patterns[i].matches(v, ctx),
            NumericEquals | NumericLessThan | NumericLessThanEquals | NumericGreaterThan | NumericGreaterThanEquals => {
                let (Some(p), Some(x)) = (policy_num(), num(v)) else {
                    return false;
                };
                compare(op, x, p)
            }
            DateEquals | DateLessThan | DateLessThanEquals | DateGreaterThan | DateGreaterThanEquals => {
                let (Some(p), Some(x)) = (policy_date(), parse_date(v)) else {
                    return false;
                };
                compare(op, x, p)
            }
            Bool => literal().is_some_and(|l| l.eq_ignore_ascii_case(v)),
            BinaryEquals => literal().is_some_and(|l| *l == *v),
            IpAddress => literal().is_some_and(|l| cidr_contains(&l, v)),
            ArnEquals | ArnLike => literal().is_some_and(|l| arn_like(&l, v)),
            _ => false,
        }
    }

    /// Whether request value `v` matches any of the policy values.
    fn any_value(&self, op: BaseOp, v: &str, ctx: &Context) -> bool {
        match &self.sets {
            Some(sets) => {
                super::budget::spend(1 + v.len())
                    && (sets.grouped(v) || sets.others.iter().any(|&i| self.one(op, i, v, ctx)))
            }
            None => (0..self.values.len()).any(|i| self.one(op, i, v, ctx)),
        }
    }

    /// Evaluate against the request context.
    pub fn eval(&self, ctx: &Context) -> bool {
        let present = ctx.get_keyed(self.key_hash, &self.key_lower).filter(|v| !v.is_empty());
        if self.op == BaseOp::Null {
            let wants_absent = self.values.iter().any(|v| v.eq_ignore_ascii_case("true"));
            let wants_present = self.values.iter().any(|v| v.eq_ignore_ascii_case("false"));
            return (wants_absent && present.is_none()) || (wants_present && present.is_some());
        }
        let negated = self.op.is_negated();
        let op = positive(self.op);
        match self.qualifier {
            None => match present {
                None => self.if_exists || negated,
                Some(vals) => {
                    let hit = vals.iter().any(|v| self.any_value(op, v, ctx));
                    hit != negated
                }
            },
            Some(Qualifier::ForAnyValue) => match present {
                None => false,
                Some(vals) => vals.iter().any(|v| self.any_value(op, v, ctx) != negated),
            },
            Some(Qualifier::ForAllValues) => match present {
                None => true,
                Some(vals) => vals.iter().all(|v| self.any_value(op, v, ctx) != negated),
            },
        }
    }
}

fn compare(op: BaseOp, x: f64, p: f64) -> bool {
    use BaseOp::*;
    match op {
        NumericEquals | DateEquals => (x - p).abs() < f64::EPSILON,
        NumericLessThan | DateLessThan => x < p,
        NumericLessThanEquals | DateLessThanEquals => x <= p,
        NumericGreaterThan | DateGreaterThan => x > p,
        NumericGreaterThanEquals | DateGreaterThanEquals => x >= p,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_sets_decide_as_the_pairwise_comparison_does() {
        let values = [
            "a",
            "ab",
            "B",
            "a*",
            "*b",
            "*",
            "a?",
            "?b",
            "*a*",
            "${aws:username}",
            "é*",
            "x",
        ];
        let requests: [&[&str]; 7] = [
            &[""],
            &["a"],
            &["ab", "zz"],
            &["ba"],
            &["A", "b"],
            &["éé", "bob"],
            &["x", "y", "z"],
        ];
        let mut ctx_base = Context::default();
        ctx_base.insert("aws:username", vec!["bob".into()]);
        for op in [
            "StringEquals",
            "StringNotEquals",
            "StringEqualsIgnoreCase",
            "StringNotEqualsIgnoreCase",
            "StringLike",
            "StringNotLike",
        ] {
            for qualifier in ["", "ForAnyValue:", "ForAllValues:"] {
                for n in 1..=values.len() {
                    for start in 0..values.len() {
                        let chosen: Vec<&str> = values.iter().cycle().skip(start).take(n).copied().collect();
                        let text = format!(
                            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"*","Resource":"*",
                            "Condition":{{"{qualifier}{op}":{{"k":{}}}}}}}]}}"#,
                            serde_json::to_string(&chosen).unwrap_or_default()
                        );
                        let policy = crate::model::Policy::parse(&text).expect("valid policy");
                        let fast = Compiled::new(&policy.statements[0].conditions[0], true).expect("compiles");
                        let slow = Compiled {
                            sets: None,
                            ..fast.clone()
                        };
                        assert!(fast.sets.is_some());
                        for request in requests {
                            let mut ctx = ctx_base.clone();
                            ctx.insert("k", request.iter().map(|v| (*v).to_string()).collect());
                            assert_eq!(
                                fast.eval(&ctx),
                                slow.eval(&ctx),
                                "{qualifier}{op} {chosen:?} vs {request:?}"
                            );
                        }
                    }
                }
            }
        }
    }

    /// The allocation-free lowercasing agrees with `str::to_lowercase` on ASCII, Latin, titlecase
    /// (`ǅ` is not uppercase, yet lowercases) and Greek text.
    #[test]
    fn lowercase_agrees_with_to_lowercase() {
        for v in [
            "",
            "bob",
            "Bob",
            "BOB",
            "a-b_c.d@e",
            "é",
            "É",
            "ǅemal",
            "ǆ",
            "ΣΑΣ",
            "straße",
            "İ",
            "k\u{212a}",
        ] {
            assert_eq!(lowercase(v), v.to_lowercase(), "{v:?}");
        }
        assert!(matches!(lowercase("already-lower"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn dates_and_cidrs() {
        assert_eq!(parse_date("1970-01-01T00:01:00Z"), Some(60.0));
        assert_eq!(parse_date("1970-01-02"), Some(86_400.0));
        assert_eq!(parse_date("1700000000"), Some(1_700_000_000.0));
        assert_eq!(
            parse_date("2026-01-01T01:00:00+01:00"),
            parse_date("2026-01-01T00:00:00Z")
        );
        assert!(parse_date("tomorrow").is_none());
        assert!(cidr_contains("203.0.113.0/24", "203.0.113.7"));
        assert!(!cidr_contains("203.0.113.0/24", "203.0.114.7"));
        assert!(cidr_contains("2001:db8::/32", "2001:db8::1"));
        assert!(!cidr_contains("2001:db8::/32", "203.0.113.7"));
        assert!(cidr_contains("0.0.0.0/0", "8.8.8.8"));
        assert!(cidr_contains("10.1.2.3", "10.1.2.3"));
    }

    #[test]
    fn arn_parts() {
        assert!(arn_like(
            "arn:aws:iam::*:role/sm-*",
            "arn:aws:iam::123456789012:role/sm-exec"
        ));
        assert!(!arn_like(
            "arn:aws:iam::*:role/sm-*",
            "arn:aws:iam::123456789012:user/sm-exec"
        ));
    }
}
