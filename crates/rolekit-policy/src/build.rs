//! Building documents in code (statements, trust policies) and comparing them semantically.

use serde_json::{json, Map, Value};

use super::model::VERSION_2012;

/// One or more strings: a single string stays a string, more become a list.
fn one_or_many(values: &[String]) -> Value {
    match values {
        [one] => Value::String(one.clone()),
        many => Value::Array(many.iter().cloned().map(Value::String).collect()),
    }
}

/// A statement object. `conditions` is an operator → key → values object, kept as given.
pub fn statement(
    effect: &str,
    actions: &[String],
    resources: &[String],
    sid: Option<&str>,
    principal: Option<Value>,
    conditions: Option<Value>,
) -> Value {
    let mut s = Map::new();
    if let Some(sid) = sid {
        s.insert("Sid".into(), Value::String(sid.into()));
    }
    s.insert("Effect".into(), Value::String(effect.into()));
    if let Some(p) = principal {
        s.insert("Principal".into(), p);
    }
    s.insert("Action".into(), one_or_many(actions));
    if !resources.is_empty() {
        s.insert("Resource".into(), one_or_many(resources));
    }
    if let Some(c) = conditions {
        s.insert("Condition".into(), c);
    }
    Value::Object(s)
}

/// A policy document from statements.
pub fn document(statements: Vec<Value>, version: &str, id: Option<&str>) -> Value {
    let mut d = Map::new();
    d.insert("Version".into(), Value::String(version.into()));
    if let Some(id) = id {
        d.insert("Id".into(), Value::String(id.into()));
    }
    d.insert("Statement".into(), Value::Array(statements));
    Value::Object(d)
}

/// What IAM would refuse in a trust policy's principals, before one is built: the first `AWS`
/// or `Service` principal that is malformed, named with the validator's own words
/// (`"sagemaker"` is no service principal; did you mean `"sagemaker.amazonaws.com"`?).
pub fn trust_principals_problem(services: &[String], aws: &[String]) -> Option<String> {
    let problem = |kind: &str, v: &String, p: Option<String>| p.map(|p| format!("{kind} principal {v:?} {p}"));
    services
        .iter()
        .find_map(|v| problem("service", v, crate::validate::service_principal_problem(v)))
        .or_else(|| {
            aws.iter()
                .find_map(|v| problem("AWS", v, crate::validate::aws_principal_problem(v)))
        })
}

/// A role trust policy: AWS principals and services may `sts:AssumeRole` (with `sts:ExternalId`
/// when given); federated providers get `AssumeRoleWithSAML` (SAML providers) or
/// `AssumeRoleWithWebIdentity` (OIDC) in a statement of their own.
pub fn trust_policy(
    services: &[String],
    aws: &[String],
    federated: &[String],
    external_id: Option<&str>,
    conditions: Option<Value>,
) -> Value {
    let mut merged = conditions.unwrap_or_else(|| json!({}));
    if let (Some(ext), Some(obj)) = (external_id, merged.as_object_mut()) {
        let eq = obj.entry("StringEquals").or_insert_with(|| json!({}));
        if let Some(eq) = eq.as_object_mut() {
            eq.insert("sts:ExternalId".into(), Value::String(ext.into()));
        }
    }
    let cond = merged.as_object().filter(|m| !m.is_empty()).map(|_| merged.clone());
    let mut statements = Vec::new();
    if !services.is_empty() || !aws.is_empty() {
        let mut principal = Map::new();
        if !aws.is_empty() {
            principal.insert("AWS".into(), one_or_many(aws));
        }
        if !services.is_empty() {
            principal.insert("Service".into(), one_or_many(services));
        }
        statements.push(statement(
            "Allow",
            &["sts:AssumeRole".into()],
            &[],
            None,
            Some(Value::Object(principal)),
            cond.clone(),
        ));
    }
    for provider in federated {
        let action = if provider.contains(":saml-provider/") {
            "sts:AssumeRoleWithSAML"
        } else {
            "sts:AssumeRoleWithWebIdentity"
        };
        statements.push(statement(
            "Allow",
            &[action.into()],
            &[],
            None,
            Some(json!({ "Federated": provider })),
            cond.clone(),
        ));
    }
    document(statements, VERSION_2012, None)
}

/// Fields whose value is a string or a list of strings, where order and repetition do not matter.
const SET_FIELDS: &[&str] = &["Action", "NotAction", "Resource", "NotResource"];

fn sorted_set(v: &Value, lowercase: bool) -> Value {
    let mut items: Vec<String> = match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
            .collect(),
        other => return other.clone(),
    };
    if lowercase {
        for s in &mut items {
            *s = s.to_ascii_lowercase();
        }
    }
    items.sort();
    items.dedup();
    Value::Array(items.into_iter().map(Value::String).collect())
}

fn scalar_set(v: &Value) -> Value {
    let as_text = |x: &Value| match x {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut items: Vec<String> = match v {
        Value::Array(a) => a.iter().map(as_text).collect(),
        other => vec![as_text(other)],
    };
    items.sort();
    items.dedup();
    Value::Array(items.into_iter().map(Value::String).collect())
}

fn normalize_principal(p: &Value) -> Value {
    match p {
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), sorted_set(v, false))).collect()),
        other => other.clone(),
    }
}

fn normalize_statement(s: &Value) -> Value {
    let Value::Object(m) = s else { return s.clone() };
    let mut out = Map::new();
    for (k, v) in m {
        let nv = if SET_FIELDS.contains(&k.as_str()) {
            sorted_set(v, k.ends_with("Action"))
        } else if k == "Principal" || k == "NotPrincipal" {
            normalize_principal(v)
        } else if k == "Condition" {
            match v {
                Value::Object(ops) => Value::Object(
                    ops.iter()
                        .map(|(op, keys)| {
                            let keys = match keys {
                                Value::Object(km) => Value::Object(
                                    km.iter()
                                        .map(|(key, vals)| (key.to_ascii_lowercase(), scalar_set(vals)))
                                        .collect(),
                                ),
                                other => other.clone(),
                            };
                            (op.clone(), keys)
                        })
                        .collect(),
                ),
                other => other.clone(),
            }
        } else {
            v.clone()
        };
        out.insert(k.clone(), nv);
    }
    // serde_json's Map keeps insertion order (preserve_order): sort keys for a canonical form.
    let mut entries: Vec<(String, Value)> = out.into_iter().collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Value::Object(entries.into_iter().collect())
}

/// A canonical form for semantic comparison: Statement always a list, in a canonical order;
/// action/resource/principal/condition value lists sorted and deduplicated; single strings as
/// one-element lists; actions and condition keys lowercased.
pub fn normalize(doc: &Value) -> Value {
    let Value::Object(m) = doc else { return doc.clone() };
    let mut entries: Vec<(String, Value)> = Vec::new();
    for (k, v) in m {
        if k == "Statement" {
            let list: Vec<Value> = match v {
                Value::Array(a) => a.iter().map(normalize_statement).collect(),
                other => vec![normalize_statement(other)],
            };
            let mut keyed: Vec<(String, Value)> = list.into_iter().map(|s| (s.to_string(), s)).collect();
            keyed.sort_by(|a, b| a.0.cmp(&b.0));
            keyed.dedup_by(|a, b| a.0 == b.0);
            entries.push((k.clone(), Value::Array(keyed.into_iter().map(|(_, s)| s).collect())));
        } else {
            entries.push((k.clone(), v.clone()));
        }
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Value::Object(entries.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_policy_shapes() {
        let t = trust_policy(
            &["sagemaker.amazonaws.com".into()],
            &["arn:aws:iam::123456789012:user/hongshan".into()],
            &[],
            Some("xyz"),
            None,
        );
        let s = &t["Statement"][0];
        assert_eq!(s["Action"], "sts:AssumeRole");
        assert_eq!(s["Principal"]["Service"], "sagemaker.amazonaws.com");
        assert_eq!(s["Principal"]["AWS"], "arn:aws:iam::123456789012:user/hongshan");
        assert_eq!(s["Condition"]["StringEquals"]["sts:ExternalId"], "xyz");
        let f = trust_policy(
            &[],
            &[],
            &["arn:aws:iam::1:saml-provider/x".into(), "accounts.google.com".into()],
            None,
            None,
        );
        assert_eq!(f["Statement"][0]["Action"], "sts:AssumeRoleWithSAML");
        assert_eq!(f["Statement"][1]["Action"], "sts:AssumeRoleWithWebIdentity");
    }

    #[test]
    fn trust_principals_are_checked_before_building() {
        let ok = |s: &[&str], a: &[&str]| {
            let owned = |v: &[&str]| v.iter().map(|x| (*x).to_string()).collect::<Vec<_>>();
            trust_principals_problem(&owned(s), &owned(a))
        };
        assert_eq!(ok(&["sagemaker.amazonaws.com"], &["123456789012", "*"]), None);
        let bare = ok(&["sagemaker"], &[]).unwrap_or_default();
        assert!(
            bare.starts_with("service principal \"sagemaker\"") && bare.contains("\"sagemaker.amazonaws.com\"?"),
            "{bare}"
        );
        let wild = ok(&[], &["arn:aws:iam::123456789012:role/ml-*"]).unwrap_or_default();
        assert!(wild.starts_with("AWS principal") && wild.contains("wildcard"), "{wild}");
    }

    #[test]
    fn semantic_equality() {
        let a = json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}});
        let b = json!({"Statement": [{"Resource": ["arn:aws:s3:::b/*"], "Action": ["S3:GetObject", "s3:getobject"], "Effect": "Allow"}], "Version": "2012-10-17"});
        assert_eq!(normalize(&a), normalize(&b));
        let c = json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::B/*"}});
        assert_ne!(normalize(&a), normalize(&c), "ARNs are case-sensitive");
        let two = json!({"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Deny", "Action": "*", "Resource": "*"}, {"Sid": "B", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}]});
        let swapped = json!({"Version": "2012-10-17", "Statement": [{"Sid": "B", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}, {"Sid": "A", "Effect": "Deny", "Action": "*", "Resource": "*"}]});
        assert_eq!(normalize(&two), normalize(&swapped));
        let cond1 = json!({"Statement": [{"Condition": {"StringEquals": {"aws:SourceVpc": ["b", "a"]}}}]});
        let cond2 = json!({"Statement": [{"Condition": {"StringEquals": {"AWS:sourcevpc": ["a", "b", "a"]}}}]});
        assert_eq!(normalize(&cond1), normalize(&cond2));
    }
}
