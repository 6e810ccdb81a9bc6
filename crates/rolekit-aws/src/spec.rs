//! Role spec files: the desired state of roles and customer managed policies, in TOML.
//!
//! `[[roles]]` tables take `ensure_role`'s keyword names, `[[policies]]` tables `put_policy`'s.
//! Where a document is expected, an inline table is the document itself (IAM's JSON keys) and a
//! string is a JSON file, relative to the spec file. Loading checks everything (keys, names,
//! every document validated as its kind) and reports every problem at once, each with its file,
//! line and column, before any request is sent. The same spec becomes a CloudFormation template
//! (`to_cloudformation`) whose roles a later plan finds in sync.

use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::roles::RoleSpec;
use super::Error;
use rolekit_policy::build::normalize;
use rolekit_policy::validate::{validate, Options, Severity};
use rolekit_policy::PolicyKind;

/// The tag rolekit writes on a role it applied from a spec: a digest of the role's definition.
/// A role whose tag matches the spec but whose settings differ was changed by hand (drift).
pub const SPEC_TAG: &str = "rolekit:spec";

/// A problem in a spec, where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecProblem {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for SpecProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.message)
    }
}

/// A customer managed policy of the spec.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyDef {
    pub name: String,
    pub document: Value,
    pub description: Option<String>,
    pub path: String,
}

/// A role of the spec: `ensure_role`'s spec with `managed_policies` as written (a spec policy's
/// name, an AWS managed policy's name, or an ARN).
#[derive(Clone, Debug)]
pub struct RoleDef {
    pub spec: RoleSpec,
}

impl RoleDef {
    /// The digest of the definition as written (account-independent): the value of `SPEC_TAG`.
    pub fn digest(&self) -> String {
        let s = &self.spec;
        let mut managed = s.managed_policies.clone().unwrap_or_default();
        managed.sort();
        let mut tags = s.tags.clone().unwrap_or_default();
        tags.sort();
        let mut inline: Vec<(String, Value)> = s
            .inline_policies
            .iter()
            .flatten()
            .map(|(n, d)| (n.clone(), normalize(d)))
            .collect();
        inline.sort_by(|a, b| a.0.cmp(&b.0));
        let canonical = json!({
            "name": s.name, "path": s.path, "trust": normalize(&s.trust), "description": s.description,
            "max": s.max_session_duration, "boundary": s.permissions_boundary, "tags": tags,
            "managed": managed, "inline": inline, "exclusive": s.exclusive,
        });
        let digest = ring::digest::digest(&ring::digest::SHA256, canonical.to_string().as_bytes());
        digest.as_ref()[..12].iter().fold(String::new(), |mut out, b| {
            let _ = std::fmt::Write::write_fmt(&mut out, format_args!("{b:02x}"));
            out
        })
    }
}

/// A spec file, loaded and checked.
#[derive(Clone, Debug, Default)]
pub struct SpecFile {
    /// Where it was read from (for messages).
    pub source: String,
    pub policies: Vec<PolicyDef>,
    pub roles: Vec<RoleDef>,
}

/// Byte offset → 1-based line and column (in characters).
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The reading of one spec: its text, where files are found, and the problems found so far.
struct Reader<'a> {
    text: &'a str,
    file: String,
    base: PathBuf,
    problems: Vec<SpecProblem>,
}

impl Reader<'_> {
    fn problem(&mut self, at: &std::ops::Range<usize>, message: impl Into<String>) {
        let (line, column) = line_col(self.text, at.start);
        self.problems.push(SpecProblem {
            file: self.file.clone(),
            line,
            column,
            message: message.into(),
        });
    }

    fn string(&mut self, v: &Spanned<DeValue<'_>>, what: &str) -> Option<String> {
        if let DeValue::String(s) = v.get_ref() {
            Some(s.to_string())
        } else {
            self.problem(&v.span(), format!("{what} must be a string"));
            None
        }
    }

    /// A document: an inline table, or a JSON file relative to the spec; validated as `kind`.
    fn document(&mut self, v: &Spanned<DeValue<'_>>, kind: PolicyKind, inline: bool, what: &str) -> Option<Value> {
        let (doc, file, text) = match v.get_ref() {
            DeValue::Table(t) => (table_json(t), None, None),
            DeValue::String(path) => {
                let full = self.base.join(path.as_ref());
                let bytes = match std::fs::read(&full) {
                    Ok(b) => b,
                    Err(e) => {
                        let hint = if e.kind() == std::io::ErrorKind::NotFound {
                            " (a string is the path of a JSON file, relative to the spec; the document itself is \
                             written as a table, { Version = \"2012-10-17\", Statement = [...] })"
                        } else {
                            ""
                        };
                        self.problem(&v.span(), format!("{what}: cannot read {}: {e}{hint}", full.display()));
                        return None;
                    }
                };
                let text = match rolekit_policy::json::text(&bytes) {
                    Ok(t) => t.trim_start_matches('\u{feff}').to_string(),
                    Err(e) => {
                        self.problems.push(not_utf8(&full, what, &e));
                        return None;
                    }
                };
                match serde_json::from_str::<Value>(&text) {
                    Ok(doc) => (doc, Some(full.display().to_string()), Some(text)),
                    Err(e) => {
                        self.problems.push(SpecProblem {
                            file: full.display().to_string(),
                            line: e.line(),
                            column: e.column(),
                            message: format!("{what} is not JSON: {e}"),
                        });
                        return None;
                    }
                }
            }
            _ => {
                self.problem(
                    &v.span(),
                    format!("{what} must be a table (the document) or a JSON file's path"),
                );
                return None;
            }
        };
        let policy = match &text {
            Some(t) => rolekit_policy::Policy::parse(t).ok()?,
            None => rolekit_policy::Policy::from_node(rolekit_policy::json::Node::from_serde(&doc)),
        };
        let options = Options {
            kind,
            inline,
            managed: kind == PolicyKind::Identity && !inline,
        };
        let mut ok = true;
        for f in validate(&policy, options)
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
        {
            ok = false;
            let message = format!("{what}: {} at {}: {}", f.code, f.path_string(), f.message);
            match (&file, f.pos.filter(|p| p.line > 0)) {
                (Some(file), Some(p)) => self.problems.push(SpecProblem {
                    file: file.clone(),
                    line: p.line as usize,
                    column: p.column as usize,
                    message,
                }),
                _ => self.problem(&v.span(), message),
            }
        }
        ok.then_some(doc)
    }
}

/// A TOML table as the JSON document it writes.
fn table_json(t: &DeTable<'_>) -> Value {
    Value::Object(
        t.iter()
            .map(|(k, v)| (k.get_ref().to_string(), value_json(v.get_ref())))
            .collect::<Map<String, Value>>(),
    )
}

fn value_json(v: &DeValue<'_>) -> Value {
    match v {
        DeValue::String(s) => Value::String(s.to_string()),
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).map_or(Value::Null, Value::from),
        DeValue::Float(f) => f.as_str().parse::<f64>().map_or(Value::Null, Value::from),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::String(d.to_string()),
        DeValue::Array(a) => Value::Array(a.iter().map(|x| value_json(x.get_ref())).collect()),
        DeValue::Table(t) => table_json(t),
    }
}

const POLICY_KEYS: [&str; 4] = ["name", "policy", "description", "path"];
const ROLE_KEYS: [&str; 10] = [
    "name",
    "trust",
    "description",
    "path",
    "max_session_duration",
    "permissions_boundary",
    "tags",
    "managed_policies",
    "inline_policies",
    "exclusive",
];

/// The entries of a `[[key]]` array of tables, each read by `read`; a table that is not one, or
/// a name given twice (`what` names an entry in the message), is a problem.
fn entries<T>(
    r: &mut Reader<'_>,
    root: &DeTable<'_>,
    key: &str,
    what: &str,
    read: fn(&mut Reader<'_>, &DeTable<'_>, &std::ops::Range<usize>) -> Option<T>,
) -> Vec<T> {
    let Some(v) = get(root, key) else {
        return Vec::new();
    };
    let DeValue::Array(items) = v.get_ref() else {
        r.problem(&v.span(), format!("{key} must be an array of tables ([[{key}]])"));
        return Vec::new();
    };
    let mut seen: Vec<(String, usize)> = Vec::new();
    let mut out = Vec::new();
    for item in items {
        let at = item.span();
        let DeValue::Table(t) = item.get_ref() else {
            r.problem(&at, format!("each entry of {key} must be a table"));
            continue;
        };
        once(r, &mut seen, t, &at, what);
        out.extend(read(r, t, &at));
    }
    out
}

fn unknown_keys(r: &mut Reader<'_>, t: &DeTable<'_>, known: &[&str], what: &str) {
    for (k, _) in t {
        if !known.contains(&k.get_ref().as_ref()) {
            r.problem(
                &k.span(),
                format!("unknown key {:?} in {what} (known: {})", k.get_ref(), known.join(", ")),
            );
        }
    }
}

fn get<'t, 'i>(t: &'t DeTable<'i>, key: &str) -> Option<&'t Spanned<DeValue<'i>>> {
    t.iter().find(|(k, _)| k.get_ref() == key).map(|(_, v)| v)
}

/// A key the entry must have: its value, or a problem at the entry (`message`).
fn required<'t, 'i>(
    r: &mut Reader<'_>,
    t: &'t DeTable<'i>,
    key: &str,
    at: &std::ops::Range<usize>,
    message: &str,
) -> Option<&'t Spanned<DeValue<'i>>> {
    let found = get(t, key);
    if found.is_none() {
        r.problem(at, message);
    }
    found
}

/// A name rule (`names::check_*`) as a problem at `at`.
fn rule(r: &mut Reader<'_>, at: &std::ops::Range<usize>, checked: Result<(), Error>) {
    if let Err(e) = checked {
        r.problem(at, e.to_string());
    }
}

fn read_policy(r: &mut Reader<'_>, t: &DeTable<'_>, at: &std::ops::Range<usize>) -> Option<PolicyDef> {
    unknown_keys(r, t, &POLICY_KEYS, "[[policies]]");
    let name = required(r, t, "name", at, "a [[policies]] entry needs a name").and_then(|v| r.string(v, "name"));
    let what = format!("policy {}", name.as_deref().unwrap_or("?"));
    let document = required(
        r,
        t,
        "policy",
        at,
        &format!("{what} needs policy = (a table, or a JSON file)"),
    )
    .and_then(|v| r.document(v, PolicyKind::Identity, false, &what));
    let description = get(t, "description").and_then(|v| r.string(v, "description"));
    let path = get(t, "path")
        .and_then(|v| r.string(v, "path"))
        .unwrap_or_else(|| "/".into());
    if let (Some(n), Some(v)) = (&name, get(t, "name")) {
        rule(r, &v.span(), super::names::check_name("policy", n, 128));
    }
    if let Some(v) = get(t, "path") {
        rule(r, &v.span(), super::names::check_path(&path));
    }
    Some(PolicyDef {
        name: name?,
        document: document?,
        description,
        path,
    })
}

fn string_table(r: &mut Reader<'_>, v: &Spanned<DeValue<'_>>, what: &str) -> Option<Vec<(String, String)>> {
    let DeValue::Table(t) = v.get_ref() else {
        r.problem(&v.span(), format!("{what} must be a table of strings"));
        return None;
    };
    let mut out = Vec::new();
    for (k, val) in t {
        out.push((k.get_ref().to_string(), r.string(val, what)?));
    }
    Some(out)
}

/// `max_session_duration`: an integer of seconds within IAM's range.
fn duration(r: &mut Reader<'_>, v: &Spanned<DeValue<'_>>) -> Option<i32> {
    let DeValue::Integer(i) = v.get_ref() else {
        r.problem(&v.span(), "max_session_duration must be an integer (seconds)");
        return None;
    };
    let Ok(m) = i32::from_str_radix(i.as_str(), i.radix()) else {
        r.problem(&v.span(), "max_session_duration is out of range (3600-43200 seconds)");
        return None;
    };
    rule(r, &v.span(), super::names::check_max_session_duration(m));
    Some(m)
}

fn read_role(r: &mut Reader<'_>, t: &DeTable<'_>, at: &std::ops::Range<usize>) -> Option<RoleDef> {
    unknown_keys(r, t, &ROLE_KEYS, "[[roles]]");
    let name = required(r, t, "name", at, "a [[roles]] entry needs a name").and_then(|v| r.string(v, "name"));
    let what = format!("role {}", name.as_deref().unwrap_or("?"));
    if let (Some(n), Some(v)) = (&name, get(t, "name")) {
        rule(r, &v.span(), super::names::check_name("role", n, 64));
    }
    let trust = required(
        r,
        t,
        "trust",
        at,
        &format!("{what} needs trust = (a table, or a JSON file)"),
    )
    .and_then(|v| r.document(v, PolicyKind::Trust, false, &format!("the trust policy of {what}")));
    let path = get(t, "path")
        .and_then(|v| r.string(v, "path"))
        .unwrap_or_else(|| "/".into());
    if let Some(v) = get(t, "path") {
        rule(r, &v.span(), super::names::check_path(&path));
    }
    let max_session_duration = get(t, "max_session_duration").and_then(|v| duration(r, v));
    let tags = get(t, "tags").and_then(|v| string_table(r, v, "tags"));
    let managed = get(t, "managed_policies").and_then(|v| {
        let DeValue::Array(items) = v.get_ref() else {
            r.problem(&v.span(), "managed_policies must be an array of names or ARNs");
            return None;
        };
        items.iter().map(|i| r.string(i, "managed_policies entries")).collect()
    });
    let inline = get(t, "inline_policies").and_then(|v| {
        let DeValue::Table(items) = v.get_ref() else {
            r.problem(&v.span(), "inline_policies must be a table: name = document");
            return None;
        };
        let mut out = Vec::new();
        for (k, doc) in items {
            let pname = k.get_ref().to_string();
            rule(r, &k.span(), super::names::check_name("inline policy", &pname, 128));
            let doc = r.document(
                doc,
                PolicyKind::Identity,
                true,
                &format!("inline policy {pname} of {what}"),
            );
            out.push((pname, doc?));
        }
        Some(out)
    });
    let exclusive = match get(t, "exclusive").map(|v| (v.get_ref(), v.span())) {
        Some((DeValue::Boolean(b), _)) => *b,
        Some((_, span)) => {
            r.problem(&span, "exclusive must be true or false");
            false
        }
        None => false,
    };
    Some(RoleDef {
        spec: RoleSpec {
            name: name?,
            trust: trust?,
            description: get(t, "description").and_then(|v| r.string(v, "description")),
            path,
            max_session_duration,
            permissions_boundary: get(t, "permissions_boundary").and_then(|v| r.string(v, "permissions_boundary")),
            tags,
            managed_policies: managed,
            inline_policies: inline,
            exclusive,
        },
    })
}

/// A name defined a second time is a problem at the second, naming the first's line.
fn once(r: &mut Reader<'_>, seen: &mut Vec<(String, usize)>, t: &DeTable<'_>, at: &std::ops::Range<usize>, what: &str) {
    let Some(DeValue::String(name)) = get(t, "name").map(Spanned::get_ref) else {
        return;
    };
    if let Some((_, line)) = seen.iter().find(|(n, _)| n == name.as_ref()) {
        let line = *line;
        r.problem(at, format!("{what} {name} is defined twice (first at line {line})"));
    }
    let line = line_col(r.text, at.start).0;
    seen.push((name.to_string(), line));
}

/// The problem of a file (the spec, or a policy file it names) whose bytes are not UTF-8, at the
/// first bad byte.
fn not_utf8(file: &Path, what: &str, e: &rolekit_policy::json::ParseError) -> SpecProblem {
    SpecProblem {
        file: file.display().to_string(),
        line: e.pos.line as usize,
        column: e.pos.column as usize,
        message: format!("{what} is not UTF-8 text: {}", e.message),
    }
}

impl SpecFile {
    /// Read and check the spec at `path`.
    pub fn load(path: &Path) -> Result<Self, Error> {
        let bytes = std::fs::read(path)
            .map_err(|e| Error::InvalidArgument(format!("cannot read the spec {}: {e}", path.display())))?;
        let source = path.display().to_string();
        let text = rolekit_policy::json::text(&bytes).map_err(|e| Error::Spec(vec![not_utf8(path, "the spec", &e)]))?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        // A byte-order mark (some Windows editors write one) is not part of the TOML.
        Self::parse(text.trim_start_matches('\u{feff}'), &source, &base)
    }

    /// Check the spec `text` (`source` names it in messages; files are found under `base`).
    pub fn parse(text: &str, source: &str, base: &Path) -> Result<Self, Error> {
        let mut r = Reader {
            text,
            file: source.to_string(),
            base: base.to_path_buf(),
            problems: Vec::new(),
        };
        let root = match DeTable::parse(text) {
            Ok(t) => t,
            Err(e) => {
                let at = e.span().unwrap_or(0..0);
                r.problem(&at, format!("not TOML: {}", e.message()));
                return Err(Error::Spec(r.problems));
            }
        };
        let mut spec = Self {
            source: source.to_string(),
            ..Self::default()
        };
        unknown_keys(&mut r, root.get_ref(), &["roles", "policies"], "the spec");
        spec.policies = entries(&mut r, root.get_ref(), "policies", "policy", read_policy);
        spec.roles = entries(&mut r, root.get_ref(), "roles", "role", read_role);
        if r.problems.is_empty() {
            Ok(spec)
        } else {
            Err(Error::Spec(r.problems))
        }
    }

    /// Whether `name` (as a role lists it in managed_policies) is one of the spec's policies.
    pub fn policy(&self, name: &str) -> Option<&PolicyDef> {
        self.policies.iter().find(|p| p.name == name)
    }
}

/// A scalar (or an empty container) as YAML writes it: strings in double quotes (JSON's escapes
/// are YAML's), numbers, booleans and null as they are.
fn yaml_scalar(v: &Value) -> Option<String> {
    match v {
        Value::Object(m) if m.is_empty() => Some("{}".into()),
        Value::Array(a) if a.is_empty() => Some("[]".into()),
        Value::Object(_) | Value::Array(_) => None,
        other => Some(other.to_string()),
    }
}

/// `v` as block-style YAML at `indent` spaces.
fn yaml(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) => {
            for (k, item) in m {
                let key = Value::String(k.clone()).to_string();
                if let Some(s) = yaml_scalar(item) {
                    out.push_str(&format!("{pad}{key}: {s}\n"));
                } else {
                    out.push_str(&format!("{pad}{key}:\n"));
                    yaml(item, indent + 2, out);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                if let Some(s) = yaml_scalar(item) {
                    out.push_str(&format!("{pad}- {s}\n"));
                } else {
                    // The item's first line goes after the dash; the rest lines up under it.
                    let mut inner = String::new();
                    yaml(item, indent + 2, &mut inner);
                    let trimmed = inner.trim_start_matches(' ');
                    out.push_str(&format!("{pad}- {trimmed}"));
                }
            }
        }
        other => out.push_str(&format!("{pad}{other}\n")),
    }
}

/// A CloudFormation logical id from a name: letters and digits, CamelCased, with a prefix.
fn logical_id(prefix: &str, name: &str, taken: &mut Vec<String>) -> String {
    let mut id = String::from(prefix);
    for part in name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
    {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            id.push(first.to_ascii_uppercase());
            id.extend(chars);
        }
    }
    let mut unique = id.clone();
    let mut n = 2;
    while taken.contains(&unique) {
        unique = format!("{id}{n}");
        n += 1;
    }
    taken.push(unique.clone());
    unique
}

impl SpecFile {
    /// The spec as a CloudFormation template (YAML): an `AWS::IAM::ManagedPolicy` per policy and
    /// an `AWS::IAM::Role` per role, tagged as `apply` tags them, so that a plan of the deployed
    /// stack's account finds the roles in sync. AWS managed policies named without their ARN are
    /// taken at AWS's root path (write the ARN for those under service-role/ or job-function/).
    pub fn to_cloudformation(&self) -> String {
        let mut taken = Vec::new();
        let mut resources = Map::new();
        let mut policy_ids: Vec<(String, String)> = Vec::new();
        for p in &self.policies {
            let id = logical_id("Policy", &p.name, &mut taken);
            let mut props = Map::new();
            props.insert("ManagedPolicyName".into(), json!(p.name));
            props.insert("Path".into(), json!(p.path));
            if let Some(d) = &p.description {
                props.insert("Description".into(), json!(d));
            }
            props.insert("PolicyDocument".into(), p.document.clone());
            resources.insert(
                id.clone(),
                json!({ "Type": "AWS::IAM::ManagedPolicy", "Properties": props }),
            );
            policy_ids.push((p.name.clone(), id));
        }
        let reference = |name: &str| -> Value {
            if let Some((_, id)) = policy_ids.iter().find(|(n, _)| n == name) {
                json!({ "Ref": id })
            } else if name.starts_with("arn:") {
                json!(name)
            } else {
                json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:iam::aws:policy/{name}") })
            }
        };
        for role in &self.roles {
            let s = &role.spec;
            let id = logical_id("Role", &s.name, &mut taken);
            let mut props = Map::new();
            props.insert("RoleName".into(), json!(s.name));
            props.insert("Path".into(), json!(s.path));
            props.insert("AssumeRolePolicyDocument".into(), s.trust.clone());
            if let Some(d) = &s.description {
                props.insert("Description".into(), json!(d));
            }
            if let Some(m) = s.max_session_duration {
                props.insert("MaxSessionDuration".into(), json!(m));
            }
            if let Some(b) = &s.permissions_boundary {
                props.insert("PermissionsBoundary".into(), reference(b));
            }
            if let Some(managed) = &s.managed_policies {
                props.insert(
                    "ManagedPolicyArns".into(),
                    Value::Array(managed.iter().map(|n| reference(n)).collect()),
                );
            }
            if let Some(inline) = &s.inline_policies {
                let list: Vec<Value> = inline
                    .iter()
                    .map(|(n, d)| json!({ "PolicyName": n, "PolicyDocument": d }))
                    .collect();
                props.insert("Policies".into(), Value::Array(list));
            }
            let mut tags: Vec<Value> = s
                .tags
                .iter()
                .flatten()
                .filter(|(k, _)| k != SPEC_TAG)
                .map(|(k, v)| json!({ "Key": k, "Value": v }))
                .collect();
            tags.push(json!({ "Key": SPEC_TAG, "Value": role.digest() }));
            props.insert("Tags".into(), Value::Array(tags));
            resources.insert(id, json!({ "Type": "AWS::IAM::Role", "Properties": props }));
        }
        let template = json!({
            "AWSTemplateFormatVersion": "2010-09-09",
            "Description": format!("IAM roles and policies of {}, exported by rolekit", self.source),
            "Resources": resources,
        });
        let mut out = String::new();
        yaml(&template, 0, &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[[policies]]
name = "data-access"
policy = { Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::data/*" }] }

[[roles]]
name = "sagemaker-churn"
max_session_duration = 7200
trust = { Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = { Service = "sagemaker.amazonaws.com" }, Action = "sts:AssumeRole" }] }
managed_policies = ["data-access"]
tags = { team = "ml" }
"#;

    /// A spec file, or a policy file it names, that is not UTF-8 is a located problem of that
    /// file; a byte-order mark (some Windows editors write one) is not.
    #[test]
    fn files_that_are_not_utf8_are_located() {
        let dir = std::env::temp_dir().join(format!("rolekit-spec-utf8-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        let spec = dir.join("spec.toml");
        std::fs::write(&spec, b"[[roles]]\nname = \"caf\xe9\"\n").expect("written");
        let Err(Error::Spec(problems)) = SpecFile::load(&spec) else {
            panic!("a Latin-1 spec must be a spec problem")
        };
        assert_eq!((problems[0].line, problems[0].column), (2, 12), "{problems:?}");
        assert!(problems[0].message.contains("not UTF-8"), "{problems:?}");
        let trust = dir.join("trust.json");
        std::fs::write(&trust, b"{\"Version\": \"2012-10-17\", \"Sid\": \"\xff\"}").expect("written");
        let with_bom = [
            &b"\xef\xbb\xbf"[..],
            GOOD.replace("trust = {", "trust = \"trust.json\"\nx = {").as_bytes(),
        ]
        .concat();
        std::fs::write(&spec, with_bom).expect("written");
        let Err(Error::Spec(problems)) = SpecFile::load(&spec) else {
            panic!("a policy file that is not UTF-8 must be a spec problem")
        };
        let _ = std::fs::remove_dir_all(&dir);
        let bad = problems
            .iter()
            .find(|p| p.file.ends_with("trust.json"))
            .expect("the policy file is named");
        assert_eq!((bad.line, bad.column), (1, 35), "{problems:?}");
    }

    #[test]
    fn a_good_spec_reads_whole() {
        let spec = SpecFile::parse(GOOD, "spec.toml", Path::new(".")).expect("a good spec");
        assert_eq!(spec.policies.len(), 1);
        let role = &spec.roles[0].spec;
        assert_eq!(
            (
                role.name.as_str(),
                role.max_session_duration,
                role.managed_policies.clone()
            ),
            ("sagemaker-churn", Some(7200), Some(vec!["data-access".to_string()]))
        );
        assert_eq!(
            role.trust["Statement"][0]["Principal"]["Service"],
            "sagemaker.amazonaws.com"
        );
        // The digest is of the definition: stable, and changed by any change.
        let again = SpecFile::parse(GOOD, "other.toml", Path::new(".")).expect("again");
        assert_eq!(spec.roles[0].digest(), again.roles[0].digest());
        let changed = SpecFile::parse(&GOOD.replace("7200", "3600"), "s", Path::new(".")).expect("changed");
        assert_ne!(spec.roles[0].digest(), changed.roles[0].digest());
    }

    #[test]
    fn every_problem_is_reported_at_once_with_its_line() {
        let bad = r#"
[[roles]]
name = "a"
trust = { Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = { Service = "sagemaker.amazonaws.com" }, Action = "sts:AssumeRole" }] }
colour = "blue"

[[roles]]
name = "a"
trust = "missing.json"
inline_policies = { logs = { Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:ListBuckets", Resource = "*" }] } }
"#;
        let Err(Error::Spec(problems)) = SpecFile::parse(bad, "spec.toml", Path::new("/nonexistent")) else {
            panic!("not refused")
        };
        let lines: Vec<(usize, &str)> = problems.iter().map(|p| (p.line, p.message.as_str())).collect();
        assert!(
            lines
                .iter()
                .any(|(l, m)| *l == 5 && m.contains("unknown key \"colour\"")),
            "{lines:?}"
        );
        assert!(
            lines.iter().any(|(l, m)| *l == 9 && m.contains("cannot read")),
            "{lines:?}"
        );
        assert!(
            lines.iter().any(|(l, m)| *l == 10 && m.contains("INVALID_ACTION")),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|(l, m)| *l == 7 && m.contains("defined twice (first at line 2)")),
            "{lines:?}"
        );
        assert!(problems.iter().all(|p| p.file == "spec.toml" && p.column > 0));
        let Err(Error::Spec(syntax)) = SpecFile::parse("[[roles]\nname=", "s.toml", Path::new(".")) else {
            panic!("not refused")
        };
        assert_eq!(syntax[0].line, 1, "{syntax:?}");
    }

    #[test]
    fn the_template_is_yaml_with_every_resource() {
        let spec = SpecFile::parse(GOOD, "spec.toml", Path::new(".")).expect("a good spec");
        let yaml = spec.to_cloudformation();
        assert!(
            yaml.starts_with("\"AWSTemplateFormatVersion\": \"2010-09-09\"\n"),
            "{yaml}"
        );
        assert!(yaml.contains("\"Type\": \"AWS::IAM::ManagedPolicy\""), "{yaml}");
        assert!(yaml.contains("\"Ref\": \"PolicyDataAccess\""), "{yaml}");
        assert!(
            yaml.contains(&format!("\"Value\": \"{}\"", spec.roles[0].digest())),
            "{yaml}"
        );
    }
}
