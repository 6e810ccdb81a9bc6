//! Layer 2: what IAM accepts but does not do what it says, checked against the catalog.

use super::{item_path, push, reject, stmt_path, Finding, Options, PathElem, PolicyKind, Severity};
use crate::arn::Arn;
use crate::catalog::{self, catalog, Catalog};
use crate::model::{Condition, Items, OpFamily, Policy, Statement};
use crate::wildcard;

/// Actions a trust policy may allow.
const TRUST_ACTIONS: &[&str] = &[
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
    "sts:TagSession",
    "sts:SetSourceIdentity",
    "sts:SetContext",
];

pub(super) fn check(policy: &Policy, options: Options, out: &mut Vec<Finding>) {
    let cat = catalog();
    for s in &policy.statements {
        actions(policy, s, cat, out);
        if options.kind == PolicyKind::Trust {
            trust_actions(policy, s, out);
        } else {
            resources(policy, s, cat, out);
        }
        for c in &s.conditions {
            condition(policy, s, c, cat, out);
        }
    }
}

/// The statement's Resource values when all are `*` or well-formed ARNs; empty otherwise
/// (layer 1 reports malformed ones, and a fit check against them would only repeat it).
fn resource_values(s: &Statement) -> Vec<&str> {
    let values: Vec<&str> = s.resource.as_ref().map(|r| r.values().collect()).unwrap_or_default();
    if values.iter().all(|v| *v == "*" || Arn::parse(v).is_some()) {
        values
    } else {
        Vec::new()
    }
}

/// An error finding for an action name the catalog does not have (the catalog's own sentence).
fn not_an_action(
    cat: &Catalog,
    service: Option<&catalog::Service>,
    (prefix, name): (&str, &str),
    resources: &[&str],
    out: &mut Vec<Finding>,
    path: Vec<PathElem>,
    pos: crate::json::Pos,
) {
    if let Some(no) = cat.not_an_action(service, prefix, name, resources) {
        let f = push(out, Severity::Error, no.code, no.message, path, pos);
        f.suggestion = no.suggestion;
    }
}

/// A small edit distance (capped: anything over 3 is "far").
fn strsim(a: &str, b: &str) -> usize {
    crate::catalog::suggest::distance_within(a.as_bytes(), b.as_bytes(), 3)
}

#[allow(
    clippy::too_many_lines,
    reason = "one rule table: every action check of the catalog lint, in the order findings are reported"
)]
fn actions(policy: &Policy, s: &Statement, cat: &Catalog, out: &mut Vec<Finding>) {
    let (elem, items) = match (&s.action, &s.not_action) {
        (Some(a), _) => ("Action", a),
        (None, Some(n)) => ("NotAction", n),
        _ => return,
    };
    let resources = resource_values(s);
    let mut fit_cache = FitCache::default();
    let repeated = repeated_ignoring_case(&items.items);
    let mut last_service: Option<(&str, Option<&catalog::Service>)> = None;
    for (n, item) in items.items.iter().enumerate() {
        let value = item.value.as_str();
        let path = || item_path(policy, s.index, elem, item.index);
        if repeated[n] {
            let f = push(
                out,
                Severity::Suggestion,
                "DUPLICATE_ACTION",
                format!("{value} is listed twice"),
                path(),
                item.pos,
            );
            f.suggestion = Some("remove the repeated entry".into());
            continue;
        }
        if value == "*" {
            continue;
        }
        let Some(shape) = ActionShape::of(value) else {
            continue; // no colon, two colons or a bad prefix: a layer 1 error already
        };
        let (prefix, name) = (&value[..shape.colon], &value[shape.colon + 1..]);
        if shape.wild_prefix {
            if cat.expand(value).is_empty() {
                push(
                    out,
                    Severity::Error,
                    "NO_ACTION_MATCHES",
                    format!("{value} matches no action"),
                    path(),
                    item.pos,
                );
            }
            continue;
        }
        // Neighbouring actions usually share their service: look it up once for the run.
        let service = match last_service {
            Some((p, s)) if p == prefix => s,
            _ => {
                let s = cat.service(prefix);
                last_service = Some((prefix, s));
                s
            }
        };
        let Some(service) = service else {
            not_an_action(cat, None, (prefix, name), &resources, out, path(), item.pos);
            continue;
        };
        if shape.wild_name {
            if !service.any_action_matches(name) {
                push(
                    out,
                    Severity::Error,
                    "NO_ACTION_MATCHES",
                    format!("{value} matches no {} action", service.prefix),
                    path(),
                    item.pos,
                );
            }
            continue;
        }
        let Some(action) = service.action(name) else {
            not_an_action(cat, Some(service), (prefix, name), &resources, out, path(), item.pos);
            continue;
        };
        if elem == "Action" && s.resource.is_some() && !resources.is_empty() {
            if fit_cache.fits(service, action, &resources) {
                continue;
            }
            let full = format!("{}:{}", service.prefix, action.name);
            let (message, suggestion) = if action.resource_types.is_empty() {
                (
                    format!("{full} does not support resource-level permissions: its Resource must be \"*\""),
                    Some("*".to_string()),
                )
            } else {
                let formats: Vec<String> = service
                    .resource_types_of(action)
                    .map(|(rt, _)| format!("{} ({})", rt.name, readable_arn(&rt.arn_format)))
                    .collect();
                (
                    format!(
                        "{full} applies to {}, and none of this statement's resources has that form, so it allows nothing",
                        formats.join(" or ")
                    ),
                    None,
                )
            };
            let f = push(
                out,
                Severity::Error,
                "RESOURCE_TYPE_MISMATCH",
                message,
                path(),
                item.pos,
            );
            f.suggestion = suggestion;
        }
    }
}

/// `service:Action` read in one pass over its bytes.
struct ActionShape {
    colon: usize,
    wild_prefix: bool,
    wild_name: bool,
}

impl ActionShape {
    /// `None` unless there is exactly one colon and the prefix has only the characters a
    /// service prefix (or a wildcard over one) can have.
    fn of(value: &str) -> Option<Self> {
        let mut colon = None;
        let (mut wild_prefix, mut wild_name) = (false, false);
        for (i, b) in value.bytes().enumerate() {
            match (b, colon) {
                (b':', None) => colon = Some(i),
                (b':', Some(_)) => return None,
                (b'*' | b'?', None) => wild_prefix = true,
                (b'*' | b'?', Some(_)) => wild_name = true,
                (b'-' | b'.', None) => {}
                (_, None) if !b.is_ascii_alphanumeric() => return None,
                _ => {}
            }
        }
        Some(Self {
            colon: colon?,
            wild_prefix,
            wild_name,
        })
    }
}

/// Which items repeat an earlier one, ignoring case: items are sorted by a hash of their
/// lowercased text (cheap integer comparisons), then only equal hashes compare text.
fn repeated_ignoring_case(items: &[crate::model::Item]) -> Vec<bool> {
    let mut repeated = vec![false; items.len()];
    if items.len() < 2 {
        return repeated;
    }
    let mut keyed: Vec<(u64, usize)> = items
        .iter()
        .enumerate()
        .map(|(i, item)| (catalog::lower_hash(item.value.as_bytes()), i))
        .collect();
    keyed.sort_unstable();
    for (n, &(hash, i)) in keyed.iter().enumerate() {
        let mut earlier = keyed[..n].iter().rev().take_while(|(h, _)| *h == hash);
        if earlier.any(|&(_, j)| items[j].value.eq_ignore_ascii_case(&items[i].value)) {
            repeated[i] = true;
        }
    }
    repeated
}

/// Whether an action applies to one of the statement's resources, remembering each resource
/// type's answer: the many actions of one statement share a few types.
#[derive(Default)]
struct FitCache {
    known: Vec<(*const crate::catalog::ResourceType, bool)>,
}

impl FitCache {
    fn fits(&mut self, service: &catalog::Service, action: &catalog::Action, resources: &[&str]) -> bool {
        if resources.contains(&"*") || action.resource_types.is_empty() {
            return catalog::suggest::fits(service, action, resources);
        }
        for (rt, _) in service.resource_types_of(action) {
            let key: *const catalog::ResourceType = rt;
            let hit = if let Some((_, v)) = self.known.iter().find(|(k, _)| *k == key) {
                *v
            } else {
                let v = resources.iter().any(|r| wildcard::intersects(&rt.pattern, r));
                self.known.push((key, v));
                v
            };
            if hit {
                return true;
            }
        }
        false
    }
}

fn resources(policy: &Policy, s: &Statement, cat: &Catalog, out: &mut Vec<Finding>) {
    let (elem, items): (&str, &Items) = match (&s.resource, &s.not_resource) {
        (Some(r), _) => ("Resource", r),
        (None, Some(n)) => ("NotResource", n),
        _ => return,
    };
    for item in &items.items {
        let Some(arn) = Arn::parse(&item.value) else { continue };
        if arn.service.contains(['*', '?', '$']) || arn.resource.contains("${") {
            continue;
        }
        let Some(service) = cat.service(arn.service) else {
            let f = push(
                out,
                Severity::Error,
                "INVALID_SERVICE",
                format!("there is no AWS service with the prefix {:?} in this ARN", arn.service),
                item_path(policy, s.index, elem, item.index),
                item.pos,
            );
            f.suggestion = cat.closest_prefix(arn.service);
            continue;
        };
        if service.resource_types.is_empty() {
            continue;
        }
        if !service
            .resource_types
            .iter()
            .any(|rt| wildcard::intersects(&rt.pattern, &item.value))
        {
            // Show the types shaped like this ARN first (same region/account emptiness).
            let shape = |f: &str| {
                let parts: Vec<&str> = f.splitn(6, ':').collect();
                (
                    parts.get(3).is_some_and(|r| r.is_empty()),
                    parts.get(4).is_some_and(|a| a.is_empty()),
                )
            };
            let want = shape(&item.value);
            let mut types: Vec<_> = service.resource_types.iter().collect();
            types.sort_by_key(|rt| shape(&rt.arn_format) != want);
            // Only the same-shaped types when there are any: they are what the writer meant.
            if types.iter().any(|rt| shape(&rt.arn_format) == want) {
                types.retain(|rt| shape(&rt.arn_format) == want);
            }
            let examples: Vec<String> = types
                .iter()
                .take(3)
                .map(|rt| format!("{} ({})", rt.name, readable_arn(&rt.arn_format)))
                .collect();
            let f = push(
                out,
                Severity::Error,
                "RESOURCE_MATCHES_NO_TYPE",
                format!(
                    "{:?} names no {} resource; {} resources look like {}",
                    item.value,
                    service.name,
                    service.prefix,
                    examples.join(", ")
                ),
                item_path(policy, s.index, elem, item.index),
                item.pos,
            );
            if arn.service == "s3" && arn.resource.is_empty() {
                f.suggestion = Some("arn:aws:s3:::BUCKET (the bucket) or arn:aws:s3:::BUCKET/* (its objects)".into());
            }
        }
    }
}

fn trust_actions(policy: &Policy, s: &Statement, out: &mut Vec<Finding>) {
    let Some(items) = &s.action else { return };
    for item in &items.items {
        let v = item.value.as_str();
        let ok = TRUST_ACTIONS.iter().any(|a| wildcard::matches_ignore_case(v, a));
        if ok {
            continue;
        }
        let path = item_path(policy, s.index, "Action", item.index);
        if v.to_ascii_lowercase().starts_with("sts:") {
            let f = push(
                out,
                Severity::Error,
                "TRUST_POLICY_ACTION",
                format!("{v} has no meaning in a trust policy: it allows sts:AssumeRole (and TagSession, SetSourceIdentity)"),
                path,
                item.pos,
            );
            f.suggestion = Some("sts:AssumeRole".into());
        } else {
            reject(
                out,
                "TRUST_POLICY_ACTION",
                format!("{v} cannot appear in a trust policy: a trust policy only allows assuming the role"),
                "Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML,  and sts:AssumeRoleWithWebIdentity",
                path,
                item.pos,
            );
        }
    }
}

fn compatible(family: OpFamily, ty: &str) -> bool {
    let base = ty.strip_prefix("ArrayOf").unwrap_or(ty);
    match family {
        OpFamily::Null => true,
        // String operators read booleans and numbers as their text, which IAM accepts and AWS's
        // own managed policies rely on (StringEquals on aws:ViaAWSService).
        OpFamily::String => matches!(base, "String" | "ARN" | "Bool" | "Numeric"),
        OpFamily::Numeric => base == "Numeric",
        OpFamily::Date => base == "Date",
        OpFamily::Bool => base == "Bool",
        OpFamily::Binary => base == "Binary",
        OpFamily::Ip => base == "IPAddress",
        OpFamily::Arn => matches!(base, "ARN" | "String"),
    }
}

fn condition(policy: &Policy, s: &Statement, c: &Condition, cat: &Catalog, out: &mut Vec<Finding>) {
    let Some(base) = c.operator.base else { return };
    let key_path = || {
        let mut p = stmt_path(policy, s.index, "Condition");
        p.push(PathElem::Key(c.operator.raw.clone()));
        p.push(PathElem::Key(c.key.to_string()));
        p
    };
    let Some((prefix, _)) = c.key.split_once(':') else {
        push(
            out,
            Severity::Error,
            "UNKNOWN_CONDITION_KEY",
            format!(
                "condition key {:?} has no prefix: keys look like aws:SourceIp or s3:prefix",
                c.key
            ),
            key_path(),
            c.key_pos,
        );
        return;
    };
    let ty = cat.condition_key_type(&c.key);
    match ty {
        None => {
            let known_service = prefix.eq_ignore_ascii_case("aws") || cat.service(prefix).is_some();
            let message = if known_service {
                format!("{:?} is not a condition key of {prefix}", c.key)
            } else {
                format!("{:?}: there is no service with the prefix {prefix:?}", c.key)
            };
            let f = push(
                out,
                Severity::Error,
                "UNKNOWN_CONDITION_KEY",
                message,
                key_path(),
                c.key_pos,
            );
            if prefix.eq_ignore_ascii_case("aws") {
                f.suggestion = catalog::GLOBAL_KEYS
                    .iter()
                    .map(|(k, _)| (strsim(&c.key.to_ascii_lowercase(), &k.to_ascii_lowercase()), *k))
                    .filter(|(d, _)| *d <= 3)
                    .min()
                    .map(|(_, k)| k.to_string());
            }
        }
        Some(ty) => {
            if !compatible(base.family(), ty) {
                push(
                    out,
                    Severity::Error,
                    "CONDITION_TYPE_MISMATCH",
                    format!(
                        "{} compares {:?} values, but {} is of type {ty}",
                        base.name(),
                        base.family(),
                        c.key
                    ),
                    key_path(),
                    c.operator_pos,
                );
            }
        }
    }
    for item in &c.values.items {
        let problem = match base.family() {
            OpFamily::Numeric if !c.operator.if_exists || !item.value.is_empty() => {
                item.value.parse::<f64>().is_err().then_some("is not a number")
            }
            OpFamily::Bool => (!matches!(item.value.to_ascii_lowercase().as_str(), "true" | "false"))
                .then_some("is not true or false"),
            OpFamily::Null => (!matches!(item.value.to_ascii_lowercase().as_str(), "true" | "false"))
                .then_some("must be true (the key is absent) or false (it is present)"),
            OpFamily::Ip => (!valid_cidr(&item.value)).then_some("is not an IP address or CIDR block"),
            _ => None,
        };
        if let Some(problem) = problem {
            let mut p = key_path();
            if let Some(j) = item.index {
                p.push(PathElem::Index(j));
            }
            push(
                out,
                Severity::Error,
                "INVALID_CONDITION_VALUE",
                format!("{:?} {problem} ({} on {})", item.value, base.name(), c.key),
                p,
                item.pos,
            );
        }
    }
}

/// An IPv4 or IPv6 address, optionally with a prefix length.
pub(crate) fn valid_cidr(text: &str) -> bool {
    let (addr, prefix) = text.split_once('/').map_or((text, None), |(a, p)| (a, Some(p)));
    let max = if addr.parse::<std::net::Ipv4Addr>().is_ok() {
        32
    } else if addr.parse::<std::net::Ipv6Addr>().is_ok() {
        128
    } else {
        return false;
    };
    prefix.is_none_or(|p| p.parse::<u8>().is_ok_and(|n| n <= max))
}

#[cfg(test)]
mod shape_tests {
    use super::ActionShape;

    /// The checks `ActionShape` replaces, written the obvious way.
    fn reference(value: &str) -> Option<(usize, bool, bool)> {
        let (prefix, name) = value.split_once(':')?;
        if name.contains(':') || !prefix.chars().all(|c| c.is_ascii_alphanumeric() || "-.*?".contains(c)) {
            return None;
        }
        Some((prefix.len(), prefix.contains(['*', '?']), name.contains(['*', '?'])))
    }

    #[test]
    fn one_pass_agrees_with_the_obvious_checks() {
        let alphabet = ["s", "3", ":", "*", "?", "-", ".", "é", " ", "G"];
        let mut values = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = values
                .iter()
                .flat_map(|v| alphabet.iter().map(move |c| format!("{v}{c}")))
                .collect();
            values.extend(longer);
        }
        for v in &values {
            let got = ActionShape::of(v).map(|s| (s.colon, s.wild_prefix, s.wild_name));
            assert_eq!(got, reference(v), "{v:?}");
        }
    }
}

/// A catalog ARN template as a person reads it: `arn:${Partition}:s3:::${BucketName}` becomes
/// `arn:aws:s3:::BUCKET_NAME` (the partition filled in, the other placeholders in capitals).
pub(crate) fn readable_arn(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = &rest[start + 2..start + end];
        if name == "Partition" {
            out.push_str("aws");
        } else {
            for (i, c) in name.chars().enumerate() {
                if c.is_ascii_uppercase() && i > 0 {
                    out.push('_');
                }
                out.push(c.to_ascii_uppercase());
            }
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod readable_tests {
    #[test]
    fn templates_read_as_examples() {
        assert_eq!(
            super::readable_arn("arn:${Partition}:s3:::${BucketName}/${ObjectName}"),
            "arn:aws:s3:::BUCKET_NAME/OBJECT_NAME"
        );
        assert_eq!(
            super::readable_arn("arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"),
            "arn:aws:iam::ACCOUNT:role/ROLE_NAME_WITH_PATH"
        );
        assert_eq!(super::readable_arn("no placeholder"), "no placeholder");
        assert_eq!(super::readable_arn("broken ${Partition"), "broken ${Partition");
    }
}
