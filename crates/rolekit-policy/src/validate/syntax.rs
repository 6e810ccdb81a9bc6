//! Layer 1: what IAM's API refuses (MalformedPolicyDocument), with IAM's messages.

use super::{item_path, path_of, push, reject, stmt_path, Finding, Options, PolicyKind, Severity};
use crate::arn::PARTITIONS;
use crate::json::{Member, Node, Pos, Value};
use crate::model::{Operator, Policy, VERSION_2008, VERSION_2012};

pub(crate) const SYNTAX: &str = "Syntax errors in policy.";
pub(crate) const LEGACY: &str = "The policy failed legacy parsing";
pub(crate) const DUPLICATE_SIDS: &str = "Statement IDs (SID) in a single policy must be unique.";
pub(crate) const NO_ACTIONS: &str = "Policy statement must contain actions.";

/// A statement's `name` and `not_name` (Action and NotAction...): IAM refuses a statement with both.
fn exclusive_pair<'a>(
    policy: &Policy,
    i: usize,
    node: &'a Node,
    name: &str,
    not_name: &str,
    out: &mut Vec<Finding>,
) -> (Option<&'a Member>, Option<&'a Member>) {
    let (element, not_element) = (node.get(name), node.get(not_name));
    if let (Some(_), Some(not)) = (element, not_element) {
        reject(
            out,
            "CONFLICTING_ELEMENTS",
            format!("a statement has {name} or {not_name}, not both"),
            SYNTAX,
            stmt_path(policy, i, not_name),
            not.key_pos,
        );
    }
    (element, not_element)
}

/// A value of the wrong JSON type: always IAM's plain syntax error.
fn wrong_type(out: &mut Vec<Finding>, message: String, path: Vec<super::PathElem>, pos: Pos) {
    reject(out, "INVALID_TYPE", message, SYNTAX, path, pos);
}

const TOP_ELEMENTS: &[&str] = &["Version", "Id", "Statement"];
const STATEMENT_ELEMENTS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];
const IAM_PATHS: &[&str] = &[
    "user/",
    "federated-user/",
    "role/",
    "group/",
    "instance-profile/",
    "mfa/",
    "server-certificate/",
    "policy/",
    "sms-mfa/",
    "saml-provider/",
    "oidc-provider/",
    "report/",
    "access-report/",
];
const PRINCIPAL_TYPES: &[&str] = &["AWS", "Service", "Federated", "CanonicalUser"];

pub(super) fn check(policy: &Policy, options: Options, out: &mut Vec<Finding>) {
    let root = &policy.root;
    if policy.may_repeat_keys {
        duplicate_keys(root, &mut Vec::new(), out);
    }
    let Value::Object(members) = &root.value else {
        wrong_type(
            out,
            format!("a policy is a JSON object, not {}", root.value.type_name()),
            vec![],
            root.pos,
        );
        return;
    };
    for m in members {
        if !TOP_ELEMENTS.contains(&m.key.as_str()) {
            let hint = TOP_ELEMENTS.iter().find(|e| e.eq_ignore_ascii_case(&m.key));
            let f = push(
                out,
                Severity::Error,
                "INVALID_ELEMENT",
                format!(
                    "unknown top-level element {:?}: a policy has Version, Id and Statement",
                    m.key
                ),
                path_of![m.key.to_string()],
                m.key_pos,
            );
            f.iam_rejects = true;
            f.iam_message = Some(SYNTAX.into());
            f.suggestion = hint.map(|h| (*h).to_string());
        }
    }
    version(policy, options.managed, out);
    if let Some(m) = root.get("Id") {
        if m.value.as_str().is_none() {
            wrong_type(out, "Id must be a string".into(), path_of!["Id"], m.value.pos);
        }
    }
    statements(policy, options, out);
    size(policy, options, out);
}

/// A borrowed path step, made owned only when a duplicate is reported.
#[derive(Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

fn duplicate_keys<'a>(node: &'a Node, path: &mut Vec<Step<'a>>, out: &mut Vec<Finding>) {
    match &node.value {
        Value::Object(members) => {
            for d in node.duplicate_keys() {
                let mut p: Vec<super::PathElem> = path
                    .iter()
                    .map(|s| match s {
                        Step::Key(k) => super::PathElem::Key((*k).to_string()),
                        Step::Index(i) => super::PathElem::Index(*i),
                    })
                    .collect();
                p.push(super::PathElem::Key(d.key.to_string()));
                reject(
                    out,
                    "DUPLICATE_KEY",
                    format!(
                        "the key {:?} appears more than once in the same object; only the last one counts",
                        d.key
                    ),
                    SYNTAX,
                    p,
                    d.key_pos,
                );
            }
            for m in members {
                if matches!(m.value.value, Value::Object(_) | Value::Array(_)) {
                    path.push(Step::Key(&m.key));
                    duplicate_keys(&m.value, path, out);
                    path.pop();
                }
            }
        }
        Value::Array(items) => {
            for (i, n) in items.iter().enumerate() {
                if matches!(n.value, Value::Object(_) | Value::Array(_)) {
                    path.push(Step::Index(i));
                    duplicate_keys(n, path, out);
                    path.pop();
                }
            }
        }
        _ => {}
    }
}

/// What CreatePolicy and CreatePolicyVersion answer for a document without Version 2012-10-17
/// (inline policies accept 2008-10-17 and no Version).
pub(crate) const MANAGED_VERSION: &str = "Policy document must be version 2012-10-17 or greater.";

/// A Version finding: a warning, or for a managed policy an error with IAM's answer.
fn version_finding(
    out: &mut Vec<Finding>,
    managed: bool,
    code: &'static str,
    message: String,
    path: Vec<super::PathElem>,
    pos: Pos,
) {
    let severity = if managed { Severity::Error } else { Severity::Warning };
    let message = if managed {
        format!("{message} (a managed policy must have it)")
    } else {
        message
    };
    let f = push(out, severity, code, message, path, pos);
    if managed {
        f.iam_rejects = true;
        f.iam_message = Some(MANAGED_VERSION.into());
        f.suggestion = Some(VERSION_2012.into());
    }
}

fn version(policy: &Policy, managed: bool, out: &mut Vec<Finding>) {
    match policy.root.get("Version") {
        None => {
            version_finding(
                out,
                managed,
                "MISSING_VERSION",
                "no Version: IAM reads the policy with the 2008-10-17 rules, where policy variables are plain text"
                    .into(),
                vec![],
                policy.root.pos,
            );
            if let Some(f) = out.last_mut() {
                f.suggestion = Some(format!("\"Version\": \"{VERSION_2012}\""));
            }
        }
        Some(m) => match m.value.as_str() {
            Some(VERSION_2012) => {}
            Some(VERSION_2008) => {
                version_finding(
                    out,
                    managed,
                    "OLD_VERSION",
                    "Version 2008-10-17 predates policy variables; use 2012-10-17".into(),
                    path_of!["Version"],
                    m.value.pos,
                );
                if let Some(f) = out.last_mut() {
                    f.suggestion = Some(VERSION_2012.into());
                }
            }
            Some(other) => {
                let f = push(
                    out,
                    Severity::Error,
                    "INVALID_VERSION",
                    format!("Version must be \"2012-10-17\" (or the older \"2008-10-17\"), not {other:?}"),
                    path_of!["Version"],
                    m.value.pos,
                );
                f.iam_rejects = true;
                f.iam_message = Some(SYNTAX.into());
                f.suggestion = Some(VERSION_2012.into());
            }
            None => reject(
                out,
                "INVALID_VERSION",
                format!(
                    "Version must be the string \"2012-10-17\", not {}",
                    m.value.value.type_name()
                ),
                SYNTAX,
                path_of!["Version"],
                m.value.pos,
            ),
        },
    }
    if policy.version.as_deref() != Some(VERSION_2012) && policy.uses_variables() {
        reject(
            out,
            "VARIABLES_NEED_2012_VERSION",
            "policy variables (${...}) need \"Version\": \"2012-10-17\"".into(),
            "Policy document must be version 2012-10-17 or greater.",
            path_of!["Version"],
            policy.root.get("Version").map_or(policy.root.pos, |m| m.value.pos),
        );
    }
}

#[allow(
    clippy::too_many_lines,
    reason = "one rule table: IAM's document-level checks in the order IAM reports them"
)]
fn statements(policy: &Policy, options: Options, out: &mut Vec<Finding>) {
    let Some(m) = policy.root.get("Statement") else {
        reject(
            out,
            "MISSING_STATEMENT",
            "the policy has no Statement".into(),
            SYNTAX,
            vec![],
            policy.root.pos,
        );
        return;
    };
    let list: Vec<&Node> = match &m.value.value {
        Value::Array(items) if items.is_empty() => {
            reject(
                out,
                "EMPTY_STATEMENT",
                "Statement is an empty list".into(),
                SYNTAX,
                path_of!["Statement"],
                m.value.pos,
            );
            return;
        }
        Value::Array(items) => items.iter().collect(),
        Value::Object(_) => vec![&m.value],
        other => {
            wrong_type(
                out,
                format!(
                    "Statement must be a list of statements (or one statement object), not {}",
                    other.type_name()
                ),
                path_of!["Statement"],
                m.value.pos,
            );
            return;
        }
    };
    let mut sids: Vec<(&str, Pos)> = Vec::new();
    for (i, node) in list.iter().enumerate() {
        let Value::Object(members) = &node.value else {
            wrong_type(
                out,
                format!("each statement must be an object, not {}", node.value.type_name()),
                stmt_path(policy, i, ""),
                node.pos,
            );
            continue;
        };
        for em in members {
            if !STATEMENT_ELEMENTS.contains(&em.key.as_str()) {
                let hint = STATEMENT_ELEMENTS.iter().find(|e| e.eq_ignore_ascii_case(&em.key));
                let f = push(
                    out,
                    Severity::Error,
                    "INVALID_ELEMENT",
                    format!("unknown statement element {:?}", em.key),
                    stmt_path(policy, i, &em.key),
                    em.key_pos,
                );
                f.iam_rejects = true;
                f.iam_message = Some(SYNTAX.into());
                f.suggestion = hint.map(|h| (*h).to_string());
            }
        }
        statement(policy, options, i, node, out);
        if let Some(sm) = node.get("Sid") {
            match sm.value.as_str() {
                Some(sid) => {
                    if let Some((_, first)) = sids.iter().find(|(s, _)| *s == sid && !sid.is_empty()) {
                        reject(
                            out,
                            "DUPLICATE_SID",
                            format!("Sid {sid:?} is used by an earlier statement (line {})", first.line),
                            DUPLICATE_SIDS,
                            stmt_path(policy, i, "Sid"),
                            sm.value.pos,
                        );
                    }
                    sids.push((sid, sm.value.pos));
                    let strict = !matches!(options.kind, PolicyKind::Resource);
                    if strict && !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
                        reject(
                            out,
                            "INVALID_SID",
                            format!("Sid {sid:?} may contain only letters and digits"),
                            "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular \
                             expression [0-9A-Za-z]*",
                            stmt_path(policy, i, "Sid"),
                            sm.value.pos,
                        );
                    }
                }
                None => wrong_type(
                    out,
                    "Sid must be a string".into(),
                    stmt_path(policy, i, "Sid"),
                    sm.value.pos,
                ),
            }
        }
    }
}

#[allow(
    clippy::too_many_lines,
    clippy::cognitive_complexity,
    reason = "one rule table: IAM's statement checks in the order IAM reports them, first error first"
)]
fn statement(policy: &Policy, options: Options, i: usize, node: &Node, out: &mut Vec<Finding>) {
    let kind = options.kind;
    // Effect
    match node.get("Effect") {
        None => reject(
            out,
            "MISSING_EFFECT",
            "the statement has no Effect".into(),
            SYNTAX,
            stmt_path(policy, i, ""),
            node.pos,
        ),
        Some(m) => match m.value.as_str() {
            Some("Allow" | "Deny") => {}
            Some(e) if e.eq_ignore_ascii_case("allow") || e.eq_ignore_ascii_case("deny") => {
                let f = push(
                    out,
                    Severity::Error,
                    "INVALID_EFFECT",
                    format!("Effect is case-sensitive: {e:?} must be written \"Allow\" or \"Deny\""),
                    stmt_path(policy, i, "Effect"),
                    m.value.pos,
                );
                f.iam_rejects = true;
                f.iam_message = Some(LEGACY.into());
                f.suggestion = Some(
                    if e.eq_ignore_ascii_case("allow") {
                        "Allow"
                    } else {
                        "Deny"
                    }
                    .into(),
                );
            }
            _ => reject(
                out,
                "INVALID_EFFECT",
                "Effect must be \"Allow\" or \"Deny\"".into(),
                SYNTAX,
                stmt_path(policy, i, "Effect"),
                m.value.pos,
            ),
        },
    }
    // Action / NotAction
    let (action, not_action) = exclusive_pair(policy, i, node, "Action", "NotAction", out);
    if action.is_none() && not_action.is_none() {
        reject(
            out,
            "MISSING_ACTION",
            "the statement has no Action (or NotAction)".into(),
            NO_ACTIONS,
            stmt_path(policy, i, ""),
            node.pos,
        );
    }
    for (name, m) in [("Action", action), ("NotAction", not_action)] {
        if let Some(m) = m {
            if string_list(policy, i, name, &m.value, out) {
                for (j, item) in list_items(&m.value) {
                    action_format(policy, i, name, j, item, out);
                }
            }
        }
    }
    // Resource / NotResource
    let (resource, not_resource) = exclusive_pair(policy, i, node, "Resource", "NotResource", out);
    match kind {
        PolicyKind::Trust => {
            if let Some(m) = resource.or(not_resource) {
                reject(
                    out,
                    "RESOURCE_IN_TRUST_POLICY",
                    "a trust policy has no Resource: the role itself is the resource".into(),
                    "Has prohibited field Resource.",
                    stmt_path(policy, i, &m.key),
                    m.key_pos,
                );
            }
        }
        PolicyKind::Identity
        | PolicyKind::Boundary
        | PolicyKind::Session
        | PolicyKind::Scp
        | PolicyKind::Resource
        | PolicyKind::Rcp
        | PolicyKind::Endpoint => {
            if resource.is_none() && not_resource.is_none() {
                reject(
                    out,
                    "MISSING_RESOURCE",
                    "the statement has no Resource (or NotResource)".into(),
                    "Policy statement must contain resources.",
                    stmt_path(policy, i, ""),
                    node.pos,
                );
            }
        }
    }
    if kind != PolicyKind::Trust {
        for (name, m) in [("Resource", resource), ("NotResource", not_resource)] {
            if let Some(m) = m {
                if string_list(policy, i, name, &m.value, out) {
                    for (j, item) in list_items(&m.value) {
                        resource_format(policy, i, name, j, item, out);
                    }
                }
            }
        }
    }
    // Principal / NotPrincipal
    let principal = node.get("Principal");
    let not_principal = node.get("NotPrincipal");
    if kind == PolicyKind::Rcp {
        rcp_rules(policy, i, node, out);
    }
    if kind.has_principal() {
        if principal.is_none() && not_principal.is_none() {
            reject(
                out,
                "MISSING_PRINCIPAL",
                format!(
                    "a {} policy statement needs a Principal: who it applies to",
                    kind.as_str()
                ),
                "Missing required field Principal",
                stmt_path(policy, i, ""),
                node.pos,
            );
        }
        exclusive_pair(policy, i, node, "Principal", "NotPrincipal", out);
        // reference_policies_elements_notprincipal.html: "You cannot use the NotPrincipal element
        // ... in an IAM role trust policy." IAM's own words for it are not recorded here.
        if let (PolicyKind::Trust, Some(m)) = (kind, not_principal) {
            let f = push(
                out,
                Severity::Error,
                "NOT_PRINCIPAL_IN_TRUST_POLICY",
                "a role trust policy cannot use NotPrincipal: name who may assume the role in Principal".into(),
                stmt_path(policy, i, "NotPrincipal"),
                m.key_pos,
            );
            f.iam_rejects = true;
        }
        for m in [principal, not_principal].into_iter().flatten() {
            principal_syntax(policy, i, &m.key, &m.value, out);
        }
    } else if let Some(m) = principal.or(not_principal) {
        reject(
            out,
            "PRINCIPAL_NOT_ALLOWED",
            format!(
                "{} policies do not name a principal: the policy applies to whoever it is attached to",
                kind.as_str()
            ),
            "Policy document should not specify a principal.",
            stmt_path(policy, i, &m.key),
            m.key_pos,
        );
    }
    if let Some(m) = node.get("Condition") {
        condition_syntax(policy, i, &m.value, out);
    }
}

/// Check a string-or-list element's shape; true when its items can be checked further.
fn string_list(policy: &Policy, i: usize, name: &str, node: &Node, out: &mut Vec<Finding>) -> bool {
    match &node.value {
        Value::String(_) => true,
        Value::Array(items) if items.is_empty() => {
            reject(
                out,
                "EMPTY_ARRAY",
                format!("{name} is an empty list"),
                SYNTAX,
                stmt_path(policy, i, name),
                node.pos,
            );
            false
        }
        Value::Array(items) => {
            let mut ok = true;
            for (j, n) in items.iter().enumerate() {
                if n.as_str().is_none() {
                    ok = false;
                    wrong_type(
                        out,
                        format!("each {name} entry must be a string, not {}", n.value.type_name()),
                        item_path(policy, i, name, Some(j)),
                        n.pos,
                    );
                }
            }
            ok
        }
        other => {
            wrong_type(
                out,
                format!(
                    "{name} must be a string or a list of strings, not {}",
                    other.type_name()
                ),
                stmt_path(policy, i, name),
                node.pos,
            );
            false
        }
    }
}

/// `(index or None, string node)` of a string-or-list element.
fn list_items(node: &Node) -> impl Iterator<Item = (Option<usize>, &Node)> {
    let (many, one) = match &node.value {
        Value::Array(items) => (Some(items.iter().enumerate().map(|(j, n)| (Some(j), n))), None),
        _ => (None, Some((None, node))),
    };
    many.into_iter().flatten().chain(one)
}

/// What is wrong with the shape of `action` (`service:Action`, wildcards allowed; `*` alone is
/// fine): the finding's code, rolekit's message and IAM's own. The one place this rule lives: the
/// validator reports it for a policy's actions, and `simulate` refuses a request's action with it.
pub(crate) fn action_format_problem(action: &str) -> Option<(&'static str, String, String)> {
    if action == "*" {
        return None;
    }
    let colons = action.bytes().filter(|&b| b == b':').count();
    let vendor = action.split_once(':').map_or(action, |(v, _)| v);
    if colons == 0 {
        Some((
            "INVALID_ACTION_FORMAT",
            format!("action {action:?} has no service prefix: write it as service:Action, e.g. s3:GetObject"),
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.".into(),
        ))
    } else if colons > 1 {
        Some((
            "INVALID_ACTION_FORMAT",
            format!("action {action:?} has more than one colon"),
            "Actions/Condition can contain only one colon.".into(),
        ))
    } else if vendor != "*"
        && !vendor
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.')
    {
        Some((
            "INVALID_VENDOR",
            format!("service prefix {vendor:?} contains characters a prefix cannot have"),
            format!("Vendor {vendor} is not valid"),
        ))
    } else {
        None
    }
}

fn action_format(policy: &Policy, i: usize, name: &str, j: Option<usize>, node: &Node, out: &mut Vec<Finding>) {
    let Some(action) = node.as_str() else { return };
    if let Some((code, message, iam_message)) = action_format_problem(action) {
        reject(
            out,
            code,
            message,
            &iam_message,
            item_path(policy, i, name, j),
            node.pos,
        );
    }
}

#[allow(
    clippy::too_many_lines,
    reason = "one rule table: IAM's resource ARN checks, each with IAM's own message"
)]
fn resource_format(policy: &Policy, i: usize, name: &str, j: Option<usize>, node: &Node, out: &mut Vec<Finding>) {
    let Some(resource) = node.as_str() else { return };
    if resource == "*" {
        return;
    }
    let p = || item_path(policy, i, name, j);
    // IAM reads a resource by its colon-separated parts and never looks at the first one (it
    // need not be "arn"): a part count, the partition, then a vendor (observed answers of
    // CreatePolicy / PutRolePolicy: `a:b:c:d:e:f:g:h` fails on partition "b", `arn:aws:fdsasf`
    // is accepted).
    let parts: Vec<&str> = resource.splitn(6, ':').collect();
    if name == "NotResource" && parts.len() >= 3 && parts[2].is_empty() {
        // IAM's legacy parser refuses a NotResource ARN without a service (before any ARN check).
        reject(
            out,
            "INVALID_ARN",
            format!("NotResource {resource:?} names no service (arn:partition:SERVICE:region:account:resource)"),
            LEGACY,
            p(),
            node.pos,
        );
        return;
    }
    if parts.len() < 2 {
        let f = push(
            out,
            Severity::Error,
            "INVALID_ARN",
            format!(
                "resource {resource:?} is not an ARN: write arn:partition:service:region:account:resource, or \"*\""
            ),
            p(),
            node.pos,
        );
        f.iam_rejects = true;
        f.iam_message = Some(format!("Resource {resource} must be in ARN format or \"*\"."));
        return;
    }
    let partition = parts[1];
    if partition != "*" && !PARTITIONS.contains(&partition) && !partition.contains("${") {
        // IAM's own rendering of the rest: the parts it has, "*" for those it lacks.
        let rest: Vec<&str> = parts[2..].to_vec();
        let part = |k: usize| match rest.get(k) {
            Some(v) if !v.is_empty() || rest.len() > 1 || k > 0 => *v,
            _ => "*",
        };
        let msg = format!(
            "Partition \"{partition}\" is not valid for resource \"arn:{partition}:{}:{}:{}:{}\".",
            part(0),
            part(1),
            part(2),
            part(3)
        );
        let s3_uri = resource.strip_prefix("s3://");
        let f = push(
            out,
            Severity::Error,
            if s3_uri.is_some() {
                "INVALID_ARN"
            } else {
                "INVALID_PARTITION"
            },
            match s3_uri {
                Some(_) => format!("resource {resource:?} is an S3 URI, not an ARN"),
                None => format!("partition {partition:?} does not exist (aws, aws-cn, aws-us-gov, ...)"),
            },
            p(),
            node.pos,
        );
        f.iam_rejects = true;
        f.iam_message = Some(msg);
        f.suggestion = Some(s3_uri.map_or_else(|| "aws".into(), |rest| format!("arn:aws:s3:::{rest}")));
        return;
    }
    if parts.len() == 2 {
        let f = push(
            out,
            Severity::Error,
            "INVALID_ARN",
            format!("resource {resource:?} names no service: arn:partition:service:region:account:resource"),
            p(),
            node.pos,
        );
        f.iam_rejects = true;
        f.iam_message = Some("Resource vendor must be fully qualified and cannot contain regexes.".into());
        return;
    }
    if parts[0] != "arn" || parts.len() < 6 {
        // IAM accepts it, and it names nothing: a warning, not an error.
        let what = if parts[0] == "arn" {
            format!("has {} of an ARN's 6 colon-separated parts", parts.len())
        } else {
            format!("starts with {:?}, not \"arn\"", parts[0])
        };
        push(
            out,
            Severity::Warning,
            "INCOMPLETE_ARN",
            format!(
                "resource {resource:?} {what} (arn:partition:service:region:account:resource): IAM accepts it, and it \
                 matches no resource"
            ),
            p(),
            node.pos,
        );
        return;
    }
    let (service, region, resource_id) = (parts[2], parts[3], parts[5]);
    if service == "iam" && !region.is_empty() {
        reject(
            out,
            "REGION_NOT_ALLOWED",
            format!("IAM is global: {resource:?} must leave the region empty (arn:aws:iam::ACCOUNT:...)"),
            &format!("IAM resource {resource} cannot contain region information."),
            p(),
            node.pos,
        );
    } else if service == "s3" && !region.is_empty() && !s3_regional(resource) {
        reject(
            out,
            "REGION_NOT_ALLOWED",
            format!("S3 bucket and object ARNs have no region: {resource:?} must be arn:aws:s3:::bucket/key"),
            &format!("Resource {resource} can not contain region information."),
            p(),
            node.pos,
        );
    }
    if service == "iam" && resource_id != "*" && !iam_path_known(resource_id) {
        reject(
            out,
            "INVALID_IAM_PATH",
            format!("IAM resource {resource:?} must be \"*\" or start with role/, user/, policy/, ..."),
            &format!(
                "IAM resource path must either be \"*\" or start with {}.",
                IAM_PATHS.join(", ")
            ),
            p(),
            node.pos,
        );
    }
}

/// S3 ARNs with a region: access points, access grants, jobs, Storage Lens... (catalog types
/// whose format has a region). Bucket and object ARNs have none.
fn s3_regional(resource: &str) -> bool {
    let id = resource.splitn(6, ':').nth(5).unwrap_or("");
    let Some(s3) = crate::catalog::catalog().service("s3") else {
        return id.starts_with("accesspoint/");
    };
    s3.resource_types
        .iter()
        .filter(|rt| rt.arn_format.split(':').nth(3).is_some_and(|r| !r.is_empty()))
        .filter_map(|rt| rt.pattern.splitn(6, ':').nth(5))
        .any(|part| part != "?*" && crate::wildcard::intersects(part, id))
}

/// An IAM resource path IAM knows: the classic list, or a type in the catalog.
fn iam_path_known(resource_id: &str) -> bool {
    if resource_id == "root" || IAM_PATHS.iter().any(|v| resource_id.starts_with(v)) {
        return true;
    }
    let Some(iam) = crate::catalog::catalog().service("iam") else {
        return false;
    };
    iam.resource_types.iter().any(|rt| {
        let part = rt.arn_format.splitn(6, ':').nth(5).unwrap_or("");
        let head = part.split(['/', '$']).next().unwrap_or("");
        !head.is_empty() && resource_id.starts_with(head) && resource_id[head.len()..].starts_with('/')
    })
}

fn principal_syntax(policy: &Policy, i: usize, elem: &str, node: &Node, out: &mut Vec<Finding>) {
    // IAM names the type in capitals: `Invalid principal in policy: "SERVICE":"tagging.amazonaws.com"`.
    let invalid = |ty: &str, v: &str| format!("Invalid principal in policy: \"{}\":\"{v}\"", ty.to_ascii_uppercase());
    match &node.value {
        Value::String(s) if s == "*" => {}
        Value::Object(members) => {
            if members.is_empty() {
                reject(
                    out,
                    "INVALID_PRINCIPAL",
                    format!("{elem} is empty"),
                    SYNTAX,
                    stmt_path(policy, i, elem),
                    node.pos,
                );
            }
            for m in members {
                let mut base = stmt_path(policy, i, elem);
                base.push(super::PathElem::Key(m.key.to_string()));
                if !PRINCIPAL_TYPES.contains(&m.key.as_str()) {
                    let hint = PRINCIPAL_TYPES.iter().find(|t| t.eq_ignore_ascii_case(&m.key));
                    let f = push(
                        out,
                        Severity::Error,
                        "INVALID_PRINCIPAL",
                        format!(
                            "unknown principal type {:?}: use AWS, Service, Federated or CanonicalUser",
                            m.key
                        ),
                        base.clone(),
                        m.key_pos,
                    );
                    f.iam_rejects = true;
                    f.iam_message = Some(SYNTAX.into());
                    f.suggestion = hint.map(|h| (*h).to_string());
                    continue;
                }
                let items: Vec<(Option<usize>, &Node)> = match &m.value.value {
                    Value::String(_) => vec![(None, &m.value)],
                    Value::Array(list) if !list.is_empty() => {
                        list.iter().enumerate().map(|(j, n)| (Some(j), n)).collect()
                    }
                    _ => {
                        reject(
                            out,
                            "INVALID_PRINCIPAL",
                            format!("{} must be a string or a non-empty list of strings", m.key),
                            SYNTAX,
                            base.clone(),
                            m.value.pos,
                        );
                        continue;
                    }
                };
                for (j, n) in items {
                    let mut p = base.clone();
                    if let Some(j) = j {
                        p.push(super::PathElem::Index(j));
                    }
                    let Some(v) = n.as_str() else {
                        wrong_type(out, "a principal must be a string".into(), p, n.pos);
                        continue;
                    };
                    let problem = match m.key.as_str() {
                        "AWS" => aws_principal_problem(v),
                        "Service" => service_principal_problem(v),
                        "Federated" => {
                            (v.trim().is_empty() || v.contains(' ')).then(|| "is not a provider ARN or domain".into())
                        }
                        _ => v.trim().is_empty().then(|| "is empty".into()),
                    };
                    if let Some(problem) = problem {
                        reject(
                            out,
                            "INVALID_PRINCIPAL",
                            format!("{} principal {v:?} {problem}", m.key),
                            &invalid(&m.key, v),
                            p,
                            n.pos,
                        );
                    } else if m.key.as_str() == "Service" {
                        unfamiliar_service(v, p, n.pos, out);
                    }
                }
            }
        }
        _ => reject(
            out,
            "INVALID_PRINCIPAL",
            format!("{elem} must be \"*\" or an object such as {{\"Service\": \"sagemaker.amazonaws.com\"}}"),
            SYNTAX,
            stmt_path(policy, i, elem),
            node.pos,
        ),
    }
}

/// Why an `AWS` principal is malformed, if it is.
pub(crate) fn aws_principal_problem(v: &str) -> Option<String> {
    if v == "*" || crate::arn::is_account_id(v) {
        return None;
    }
    // reference_policies_elements_principal.html: "You cannot use a wildcard to match part of a
    // principal name or ARN."
    if v.contains(['*', '?']) {
        return Some(
            "has a wildcard: only \"*\" alone stands for every principal (match ARNs with an ArnLike \
             condition on aws:PrincipalArn instead)"
                .into(),
        );
    }
    let Some(arn) = crate::arn::Arn::parse(v) else {
        return Some("is not \"*\", a 12-digit account id or an IAM ARN".into());
    };
    if !PARTITIONS.contains(&arn.partition) {
        return Some(format!("has an unknown partition {:?}", arn.partition));
    }
    if !crate::arn::is_account_id(arn.account) {
        return Some("must name a 12-digit account".into());
    }
    let ok = match arn.service {
        "iam" => {
            arn.resource == "root"
                || ["user/", "role/", "federated-user/", "assumed-role/", "group/"]
                    .iter()
                    .any(|p| arn.resource.starts_with(p) && arn.resource.len() > p.len())
        }
        "sts" => ["assumed-role/", "federated-user/"]
            .iter()
            .any(|p| arn.resource.starts_with(p)),
        _ => false,
    };
    if arn.resource.starts_with("group/") {
        return Some("is a group: IAM groups cannot be principals".into());
    }
    if ok {
        None
    } else {
        Some("is not a user, role, assumed-role session or account root ARN".into())
    }
}

/// Why a `Service` principal is malformed, if it is.
pub(crate) fn service_principal_problem(v: &str) -> Option<String> {
    let valid_chars = v.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if !valid_chars || !v.contains('.') || v.starts_with('.') || v.ends_with('.') {
        let hint = if v.contains('.') {
            String::new()
        } else {
            format!(" (did you mean \"{v}.amazonaws.com\"?)")
        };
        return Some(format!(
            "is not a service principal such as sagemaker.amazonaws.com{hint}"
        ));
    }
    if SERVICE_DOMAINS.iter().any(|d| v == d.trim_start_matches('.')) {
        return Some("names no service: it is only the domain service principals end in".into());
    }
    None
}

/// The domains AWS service principals end in (the commercial, China and ISO partitions; a few
/// services, Alexa's, are under amazon.com).
const SERVICE_DOMAINS: [&str; 5] = [
    ".amazonaws.com",
    ".amazonaws.com.cn",
    ".c2s.ic.gov",
    ".sc2s.sgov.gov",
    ".amazon.com",
];

/// A `Service` principal outside AWS's domains: IAM refuses a service it does not know
/// (`Invalid principal in policy: "SERVICE":...`), and rolekit has no list of them all, so this is
/// a warning, with the likely service named.
fn unfamiliar_service(v: &str, path: Vec<super::PathElem>, pos: Pos, out: &mut Vec<Finding>) {
    if SERVICE_DOMAINS.iter().any(|d| v.ends_with(d)) {
        return;
    }
    let f = push(
        out,
        Severity::Warning,
        "UNKNOWN_SERVICE_PRINCIPAL",
        format!(
            "service principal {v:?} is not in an AWS domain (.amazonaws.com): IAM refuses a service it does not know"
        ),
        path,
        pos,
    );
    let host = v.split('.').next().unwrap_or(v);
    f.suggestion = Some(format!("{host}.amazonaws.com"));
}

fn condition_syntax(policy: &Policy, i: usize, node: &Node, out: &mut Vec<Finding>) {
    let Value::Object(ops) = &node.value else {
        wrong_type(
            out,
            format!("Condition must be an object, not {}", node.value.type_name()),
            stmt_path(policy, i, "Condition"),
            node.pos,
        );
        return;
    };
    for op in ops {
        let mut op_path = stmt_path(policy, i, "Condition");
        op_path.push(super::PathElem::Key(op.key.to_string()));
        let operator = Operator::parse(&op.key);
        let Value::Object(keys) = &op.value.value else {
            wrong_type(
                out,
                format!("the {} block must be an object of condition keys", op.key),
                op_path,
                op.value.pos,
            );
            continue;
        };
        if operator.base.is_none() {
            let guess = crate::model::BaseOp::ALL
                .iter()
                .find(|b| b.name().eq_ignore_ascii_case(&op.key) || b.name().starts_with(op.key.as_str()))
                .map(|b| b.name().to_string());
            let f = push(
                out,
                Severity::Error,
                "INVALID_CONDITION_OPERATOR",
                format!(
                    "{:?} is not a condition operator (StringEquals, StringLike, ArnLike, Bool, ...)",
                    op.key
                ),
                op_path.clone(),
                op.key_pos,
            );
            f.iam_rejects = !keys.is_empty();
            f.iam_message = f.iam_rejects.then(|| SYNTAX.into());
            f.suggestion = guess;
            continue;
        }
        for k in keys {
            let mut kp = op_path.clone();
            kp.push(super::PathElem::Key(k.key.to_string()));
            let scalar = |n: &Node| matches!(n.value, Value::String(_) | Value::Number(_) | Value::Bool(_));
            let ok = match &k.value.value {
                Value::Array(items) => items.iter().all(scalar),
                _ => scalar(&k.value),
            };
            if !ok {
                wrong_type(
                    out,
                    format!(
                        "the values of {} must be strings, numbers or booleans (or a list of them)",
                        k.key
                    ),
                    kp.clone(),
                    k.value.pos,
                );
                continue;
            }
            if operator.base.map(crate::model::BaseOp::family) == Some(crate::model::OpFamily::Date) {
                for (j, n) in list_items(&k.value) {
                    let text = match &n.value {
                        Value::String(s) => s.clone(),
                        Value::Number(x) => x.clone(),
                        _ => continue,
                    };
                    if !valid_date(&text) {
                        let mut p = kp.clone();
                        if let Some(j) = j {
                            p.push(super::PathElem::Index(j));
                        }
                        reject(
                            out,
                            "INVALID_DATE",
                            format!("{text:?} is not a date: use ISO 8601 (2026-01-31T12:00:00Z) or epoch seconds"),
                            LEGACY,
                            p,
                            n.pos,
                        );
                    }
                }
            }
        }
    }
}

/// IAM's date rules: ISO 8601 (date, optional time, optional zone) or epoch seconds.
pub(crate) fn valid_date(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    if !t.contains('t') && !t.contains('-') {
        // epoch seconds: IAM's legacy parser takes 0 ..= i64::MAX
        return !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()) && t.parse::<i64>().is_ok();
    }
    let (date, time) = t.split_once('t').unwrap_or((&t, ""));
    let (neg, date) = match date.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, date),
    };
    let dp: Vec<&str> = date.split('-').collect();
    let num = |s: &str, lo: i64, hi: i64| -> bool {
        !s.is_empty()
            && s.len() <= 10
            && s.chars().all(|c| c.is_ascii_digit())
            && s.parse::<i64>().is_ok_and(|v| (lo..=hi).contains(&v))
    };
    if dp.len() > 3 || !num(dp[0], 0, 292_278_993) || (neg && !num(dp[0], 0, 292_275_054)) {
        return false;
    }
    if dp.len() > 1 && !num(dp[1], 1, 12) {
        return false;
    }
    if dp.len() > 2 && !num(dp[2], 1, 31) {
        return false;
    }
    if time.is_empty() {
        return true;
    }
    let tp: Vec<&str> = time.split(':').collect();
    if !num(tp[0], 0, 23) {
        return false;
    }
    if tp.len() > 1 && !num(tp[1], 0, 59) {
        return false;
    }
    if tp.len() > 2 {
        let rest = tp[2..].join(":");
        let (secs, zone_ok) = if let Some((s, z)) = rest.split_once('z') {
            (s.to_string(), z.is_empty())
        } else if let Some((s, z)) = rest.split_once('+').or_else(|| rest.split_once('-')) {
            let zp: Vec<&str> = z.split(':').collect();
            let ok = zp[0].len() == 2
                && num(zp[0], 0, 23)
                && (zp.len() == 1 || (zp.len() == 2 && zp[1].len() == 2 && num(zp[1], 0, 59)));
            (s.to_string(), ok)
        } else {
            (rest.clone(), true)
        };
        if !zone_ok {
            return false;
        }
        let (whole, frac) = secs.split_once('.').unwrap_or((&secs, ""));
        if !num(whole, 0, 59) || (secs.contains('.') && !num(frac, 0, 999_999_999)) {
            return false;
        }
    } else if tp.len() == 2 {
        // hh:mm with an optional zone letter
        return true;
    }
    true
}

/// The services whose resources RCPs govern
/// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html,
/// "List of AWS services that support RCPs").
const RCP_SERVICES: [&str; 10] = [
    "s3",
    "sts",
    "kms",
    "sqs",
    "secretsmanager",
    "cognito-identity",
    "logs",
    "dynamodb",
    "ecr",
    "aoss",
];

/// An RCP's own rules (orgs_manage_policies_rcps_syntax.html): Deny statements only ("the effect
/// of Allow is only supported for the RCPFullAWSAccess policy"), `"Principal": "*"` (conditions
/// narrow whom), no NotPrincipal, actions of the services RCPs support.
fn rcp_rules(policy: &Policy, i: usize, node: &Node, out: &mut Vec<Finding>) {
    if let Some(m) = node.get("Effect").filter(|m| m.value.as_str() == Some("Allow")) {
        let f = push(
            out,
            Severity::Error,
            "RCP_ALLOW",
            "an RCP statement must Deny: Allow is only RCPFullAWSAccess's, which AWS attaches at every level".into(),
            stmt_path(policy, i, "Effect"),
            m.value.pos,
        );
        f.suggestion = Some("Deny".into());
    }
    if let Some(m) = node.get("NotPrincipal") {
        push(
            out,
            Severity::Error,
            "RCP_NOT_PRINCIPAL",
            "RCPs do not support NotPrincipal: use \"Principal\": \"*\" and a condition (aws:PrincipalArn, ...)".into(),
            stmt_path(policy, i, "NotPrincipal"),
            m.key_pos,
        );
    }
    if let Some(m) = node.get("Principal") {
        let only_aws_star = match &m.value.value {
            Value::Object(members) => {
                members.len() == 1 && members[0].key == "AWS" && members[0].value.as_str() == Some("*")
            }
            _ => false,
        };
        let star = m.value.as_str() == Some("*") || only_aws_star;
        if !star {
            let f = push(
                out,
                Severity::Error,
                "RCP_PRINCIPAL",
                "an RCP's Principal must be \"*\": narrow whom it denies with conditions (aws:PrincipalOrgID, ...)"
                    .into(),
                stmt_path(policy, i, "Principal"),
                m.value.pos,
            );
            f.suggestion = Some("\"*\"".into());
        }
    }
    for key in ["Action", "NotAction"] {
        let Some(m) = node.get(key) else { continue };
        for (j, item) in list_items(&m.value) {
            let Some(action) = item.as_str() else { continue };
            let service = action.split(':').next().unwrap_or("").to_ascii_lowercase();
            if action != "*" && !RCP_SERVICES.contains(&service.as_str()) {
                push(
                    out,
                    Severity::Warning,
                    "RCP_UNSUPPORTED_SERVICE",
                    format!(
                        "{action:?}: RCPs govern only {}; this action is never restricted by an RCP",
                        RCP_SERVICES.join(", ")
                    ),
                    item_path(policy, i, key, j),
                    item.pos,
                );
            }
        }
    }
}

fn size(policy: &Policy, options: Options, out: &mut Vec<Finding>) {
    let (limit, iam_message): (usize, String) = match (options.kind, options.inline) {
        (PolicyKind::Identity, true) => (10_240, "Maximum policy size of 10240 bytes exceeded".into()),
        (PolicyKind::Identity | PolicyKind::Boundary, false) => {
            (6_144, "Cannot exceed quota for PolicySize: 6144".into())
        }
        (PolicyKind::Trust, _) => (2_048, "Cannot exceed quota for ACLSizePerRole: 2048".into()),
        (PolicyKind::Scp | PolicyKind::Rcp, _) => (
            5_120,
            "Policy document exceeds the maximum size of 5120 characters".into(),
        ),
        (PolicyKind::Endpoint, _) => (
            20_480,
            "Policy document exceeds the maximum size of 20480 characters".into(),
        ),
        (PolicyKind::Session, _) => (
            2_048,
            "Session policy exceeds the maximum size of 2048 characters".into(),
        ),
        (PolicyKind::Boundary | PolicyKind::Resource, _) => return,
    };
    let chars = match policy.compact_size {
        Some((bound, _)) if bound <= limit => return, // within the limit, whatever the exact size
        Some((exact, true)) => exact,
        _ => policy.root.compact_len(),
    };
    if chars > limit {
        reject(
            out,
            "POLICY_SIZE_EXCEEDED",
            format!(
                "the policy is {chars} characters without white space; a {} policy may have at most {limit}",
                if options.inline {
                    "inline"
                } else {
                    options.kind.as_str()
                }
            ),
            &iam_message,
            vec![],
            policy.root.pos,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::valid_date;

    #[test]
    fn dates() {
        for ok in [
            "2026-01-31T12:00:00Z",
            "2026-01-31",
            "2026-01-31T12:00:00+01:00",
            "1700000000",
            "2026-01-31T12:00:00.123Z",
            "2026",
        ] {
            assert!(valid_date(ok), "{ok}");
        }
        for bad in [
            "2026-13-01",
            "yesterday",
            "2026-01-31T25:00:00Z",
            "",
            "2026-01-31T12:00:61Z",
            "12:00",
        ] {
            assert!(!valid_date(bad), "{bad}");
        }
    }
}
