//! Layer 3: security warnings — grants wider than anyone means to give.

use super::{item_path, push, stmt_path, Finding, Options, PathElem, PolicyKind, Severity};
use crate::catalog::catalog;
use crate::model::{Effect, Policy, Principal, Qualifier, Statement};
use crate::wildcard;

pub(super) fn check(policy: &Policy, options: Options, out: &mut Vec<Finding>) {
    for s in &policy.statements {
        if s.effect != Some(Effect::Allow) {
            continue;
        }
        not_elements(policy, s, out);
        if options.kind != PolicyKind::Trust {
            broad_grants(policy, s, out);
        }
        for_all_values(policy, s, out);
        // RCPs and endpoint policies never grant: their "*" principal opens nothing.
        if matches!(options.kind, PolicyKind::Trust | PolicyKind::Resource) {
            open_principals(policy, s, options.kind, out);
        }
    }
}

fn not_elements(policy: &Policy, s: &Statement, out: &mut Vec<Finding>) {
    let not_principal = s.not_principal.as_ref().map(|np| match np {
        Principal::Star(pos) => *pos,
        Principal::Map(m) => m.first().map_or(s.pos, |(_, items)| items.pos),
    });
    let warnings = [
        (
            s.not_action.as_ref().map(|n| n.pos),
            "NotAction",
            "ALLOW_WITH_NOT_ACTION",
            "Allow with NotAction allows every action not listed, including ones AWS adds later",
            "list the allowed actions in Action instead",
        ),
        // reference_policies_elements_notprincipal.html: "NotPrincipal must be used with
        // "Effect":"Deny". Using it with "Effect":"Allow" is not supported."
        (
            not_principal,
            "NotPrincipal",
            "ALLOW_WITH_NOT_PRINCIPAL",
            "Allow with NotPrincipal is not supported by AWS and would grant every principal not listed, \
             anonymous callers included",
            "name the principals in Principal, or use Deny with NotPrincipal",
        ),
        (
            s.not_resource.as_ref().map(|n| n.pos),
            "NotResource",
            "ALLOW_WITH_NOT_RESOURCE",
            "Allow with NotResource allows every resource not listed, in every account and service",
            "list the allowed resources in Resource instead",
        ),
    ];
    for (pos, element, code, message, suggestion) in warnings {
        if let Some(pos) = pos {
            let f = push(
                out,
                Severity::SecurityWarning,
                code,
                message.into(),
                stmt_path(policy, s.index, element),
                pos,
            );
            f.suggestion = Some(suggestion.into());
        }
    }
}

fn broad_grants(policy: &Policy, s: &Statement, out: &mut Vec<Finding>) {
    let (Some(actions), Some(resources)) = (&s.action, &s.resource) else {
        return;
    };
    let any_resource = resources.values().any(|r| r == "*");
    let mut star_role: Option<bool> = None;
    for item in &actions.items {
        let v = item.value.as_str();
        let path = || item_path(policy, s.index, "Action", item.index);
        if (v == "*" || v == "*:*") && any_resource {
            let f = push(
                out,
                Severity::SecurityWarning,
                "FULL_ACCESS",
                format!("{v:?} on \"*\" allows every action on every resource: full administrator access"),
                path(),
                item.pos,
            );
            f.suggestion = Some("grant only the actions and resources the role needs".into());
            continue;
        }
        if v.split_once(':').is_some_and(|(svc, act)| svc != "*" && act == "*") && any_resource {
            push(
                out,
                Severity::Warning,
                "SERVICE_WILDCARD",
                format!(
                    "{v} on \"*\" allows every {} action on every resource",
                    v.split(':').next().unwrap_or(v)
                ),
                path(),
                item.pos,
            );
        }
        let passes_role = v != "*" && v != "*:*" && wildcard::matches_ignore_case(v, "iam:PassRole");
        // Whether the statement names every role: computed once, for the first PassRole.
        let mut every_role = || {
            *star_role.get_or_insert_with(|| {
                resources.values().any(|r| {
                    r == "*"
                        || r.split(':').nth(5).is_some_and(|res| res == "*" || res == "role/*")
                            && r.split(':').nth(4) == Some("*")
                })
            })
        };
        if passes_role && every_role() {
            let f = push(
                out,
                Severity::SecurityWarning,
                "PASS_ROLE_WITH_STAR_IN_RESOURCE",
                format!("{v} on every role lets the holder hand any role, even an administrator's, to a service"),
                path(),
                item.pos,
            );
            f.suggestion = Some("name the roles: arn:aws:iam::ACCOUNT:role/NAME, with iam:PassedToService".into());
        }
    }
}

fn for_all_values(policy: &Policy, s: &Statement, out: &mut Vec<Finding>) {
    let cat = catalog();
    for c in &s.conditions {
        if c.operator.qualifier != Some(Qualifier::ForAllValues) {
            continue;
        }
        let Some(ty) = cat.condition_key_type(&c.key) else {
            continue;
        };
        if ty.starts_with("ArrayOf") {
            continue;
        }
        let mut p = stmt_path(policy, s.index, "Condition");
        p.push(PathElem::Key(c.operator.raw.clone()));
        p.push(PathElem::Key(c.key.to_string()));
        let f = push(
            out,
            Severity::SecurityWarning,
            "FOR_ALL_VALUES_WITH_SINGLE_VALUED_KEY",
            format!(
                "{} is single-valued: ForAllValues is also true when the key is absent, so this condition may allow \
                 requests without it",
                c.key
            ),
            p,
            c.operator_pos,
        );
        f.suggestion = c.operator.base.map(|b| b.name().to_string());
    }
}

fn open_principals(policy: &Policy, s: &Statement, kind: PolicyKind, out: &mut Vec<Finding>) {
    let Some(principal) = &s.principal else { return };
    if !s.conditions.is_empty() {
        return;
    }
    let everyone = "allows everyone, in every AWS account, with no condition";
    match principal {
        Principal::Star(pos) => {
            push(
                out,
                Severity::SecurityWarning,
                "OPEN_PRINCIPAL",
                format!("Principal \"*\" {everyone}"),
                stmt_path(policy, s.index, "Principal"),
                *pos,
            );
        }
        Principal::Map(entries) => {
            for (ty, items) in entries {
                if ty != "AWS" {
                    continue;
                }
                for item in &items.items {
                    let mut p = stmt_path(policy, s.index, "Principal");
                    p.push(PathElem::Key("AWS".into()));
                    if let Some(j) = item.index {
                        p.push(PathElem::Index(j));
                    }
                    if item.value == "*" {
                        push(
                            out,
                            Severity::SecurityWarning,
                            "OPEN_PRINCIPAL",
                            format!("\"AWS\": \"*\" {everyone}"),
                            p,
                            item.pos,
                        );
                    } else if kind == PolicyKind::Trust && is_account(&item.value) {
                        let f = push(
                            out,
                            Severity::SecurityWarning,
                            "TRUST_TO_WHOLE_ACCOUNT",
                            format!(
                                "{} trusts the whole account: any of its users and roles with sts:AssumeRole may \
                                 assume this role",
                                item.value
                            ),
                            p,
                            item.pos,
                        );
                        f.suggestion = Some(
                            "name the user or role ARN, or add a condition (aws:PrincipalArn, sts:ExternalId)".into(),
                        );
                    }
                }
            }
        }
    }
}

/// `123456789012` or `arn:aws:iam::123456789012:root`.
fn is_account(v: &str) -> bool {
    crate::arn::is_account_id(v)
        || (v.starts_with("arn:") && v.ends_with(":root") && v.split(':').nth(2) == Some("iam"))
}
