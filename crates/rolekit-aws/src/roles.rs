//! Roles: read, plan, ensure (create or update only what differs), delete safely.

use std::time::{Duration, SystemTime};

use aws_sdk_iam::types::Tag;
use serde_json::Value;

use super::direct::Service;
use super::xml::Node;
use super::{Client, Error};
use rolekit_policy::build::normalize;

/// A role as IAM describes it, with its attached and inline policies.
#[derive(Clone, Debug, PartialEq)]
pub struct RoleInfo {
    pub name: String,
    pub arn: String,
    pub path: String,
    pub role_id: String,
    /// The trust policy document (JSON text, URL-decoded).
    pub trust_policy: String,
    pub description: Option<String>,
    pub max_session_duration: i32,
    pub permissions_boundary: Option<String>,
    pub tags: Vec<(String, String)>,
    /// (name, ARN) of attached managed policies.
    pub attached_policies: Vec<(String, String)>,
    /// (name, JSON text) of inline policies.
    pub inline_policies: Vec<(String, String)>,
    pub created: Option<SystemTime>,
    pub last_used: Option<SystemTime>,
}

/// What a role should look like. `None` fields are left as they are.
#[derive(Clone, Debug, Default)]
pub struct RoleSpec {
    pub name: String,
    pub trust: Value,
    pub description: Option<String>,
    pub path: String,
    pub max_session_duration: Option<i32>,
    pub permissions_boundary: Option<String>,
    pub tags: Option<Vec<(String, String)>>,
    /// Managed policy ARNs.
    pub managed_policies: Option<Vec<String>>,
    pub inline_policies: Option<Vec<(String, Value)>>,
    /// Remove attached / inline policies and tags that are not listed.
    pub exclusive: bool,
}

impl RoleSpec {
    /// Every rule a role spec must meet before anything is read or written: IAM's name, path and
    /// session-length rules, inline policy names, and the documents themselves (trust and inline
    /// policies, validated as IAM would). Both `plan_role` and `ensure_role` call it, so no path
    /// (Python, CLI, a spec file) writes what this refuses.
    pub fn check(&self) -> Result<(), Error> {
        super::names::check_name("role", &self.name, 64)?;
        super::names::check_path(&self.path)?;
        if let Some(m) = self.max_session_duration {
            super::names::check_max_session_duration(m)?;
        }
        super::check_policy(
            &self.trust,
            rolekit_policy::PolicyKind::Trust,
            false,
            "the trust policy",
        )?;
        for (name, doc) in self.inline_policies.iter().flatten() {
            super::check_inline_policy(name, doc)?;
        }
        Ok(())
    }
}

/// What `ensure_role` did (or, from `plan_role`, would do).
#[derive(Clone, Debug, PartialEq)]
pub struct RoleChange {
    /// The role did not exist (and was, or would be, created).
    pub created: bool,
    /// At least one write was (or would be) made.
    pub changed: bool,
    /// One human-readable line per write.
    pub changes: Vec<String>,
    /// The role after the change; for a plan, as it is now (None when it does not exist yet).
    pub role: Option<RoleInfo>,
}

/// One write `ensure_role` makes.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Create,
    UpdateTrust,
    UpdateRole {
        description: Option<String>,
        max_session_duration: Option<i32>,
    },
    PutBoundary(String),
    DeleteBoundary,
    Tag(Vec<(String, String)>),
    Untag(Vec<String>),
    Attach(String),
    Detach(String),
    PutInline(String, String),
    DeleteInline(String),
}

impl Step {
    /// A human-readable line.
    pub fn describe(&self, role: &str) -> String {
        match self {
            Self::Create => format!("create role {role}"),
            Self::UpdateTrust => format!("update the trust policy of {role}"),
            Self::UpdateRole {
                description,
                max_session_duration,
            } => {
                let mut parts = Vec::new();
                if let Some(d) = description {
                    parts.push(format!("description to {d:?}"));
                }
                if let Some(m) = max_session_duration {
                    parts.push(format!("max session duration to {m} s"));
                }
                format!("set {} of {role}", parts.join(" and "))
            }
            Self::PutBoundary(arn) => format!("set the permissions boundary of {role} to {arn}"),
            Self::DeleteBoundary => format!("remove the permissions boundary of {role}"),
            Self::Tag(tags) => {
                let t: Vec<String> = tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("tag {role} with {}", t.join(", "))
            }
            Self::Untag(keys) => format!("remove tags {} from {role}", keys.join(", ")),
            Self::Attach(arn) => format!("attach {arn} to {role}"),
            Self::Detach(arn) => format!("detach {arn} from {role}"),
            Self::PutInline(name, _) => format!("put inline policy {name} on {role}"),
            Self::DeleteInline(name) => format!("delete inline policy {name} from {role}"),
        }
    }
}

/// Decode IAM's URL-encoded policy documents (RFC 3986 percent-encoding).
pub fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

fn to_system_time(t: &aws_smithy_types::DateTime) -> Option<SystemTime> {
    SystemTime::try_from(*t).ok()
}

/// IAM's `<Role>` element (GetRole's), without the attached and inline policies.
fn role_from_xml(role: &Node) -> Result<RoleInfo, Error> {
    let required = |name: &str| {
        role.text_of(name)
            .map(str::to_string)
            .ok_or_else(|| Error::Protocol(format!("GetRole returned a role without {name}")))
    };
    Ok(RoleInfo {
        name: required("RoleName")?,
        arn: required("Arn")?,
        path: role.text_of("Path").unwrap_or("/").to_string(),
        role_id: role.text_of("RoleId").unwrap_or_default().to_string(),
        trust_policy: percent_decode(role.text_of("AssumeRolePolicyDocument").unwrap_or("{}")),
        description: role.child("Description").map(|d| d.text.clone()),
        max_session_duration: role
            .text_of("MaxSessionDuration")
            .and_then(|m| m.parse().ok())
            .unwrap_or(3600),
        permissions_boundary: role
            .child("PermissionsBoundary")
            .and_then(|b| b.text_of("PermissionsBoundaryArn"))
            .map(str::to_string),
        tags: role
            .members("Tags")
            .map(|t| {
                (
                    t.child("Key").map(|k| k.text.clone()).unwrap_or_default(),
                    t.child("Value").map(|v| v.text.clone()).unwrap_or_default(),
                )
            })
            .collect(),
        attached_policies: Vec::new(),
        inline_policies: Vec::new(),
        created: role.time_of("CreateDate"),
        last_used: role.child("RoleLastUsed").and_then(|u| u.time_of("LastUsedDate")),
    })
}

fn same_document(a: &str, b: &Value) -> bool {
    serde_json::from_str::<Value>(a).is_ok_and(|v| normalize(&v) == normalize(b))
}

/// The writes that would bring `current` (None: no such role) to `spec`.
pub(crate) fn steps_for(spec: &RoleSpec, current: Option<&RoleInfo>) -> Vec<Step> {
    let Some(cur) = current else {
        let mut steps = vec![Step::Create];
        for arn in spec.managed_policies.iter().flatten() {
            steps.push(Step::Attach(arn.clone()));
        }
        for (name, doc) in spec.inline_policies.iter().flatten() {
            steps.push(Step::PutInline(name.clone(), doc.to_string()));
        }
        return steps;
    };
    let mut steps = Vec::new();
    if !same_document(&cur.trust_policy, &spec.trust) {
        steps.push(Step::UpdateTrust);
    }
    let description = spec
        .description
        .as_ref()
        .filter(|d| cur.description.as_ref() != Some(*d))
        .cloned();
    let max = spec.max_session_duration.filter(|m| *m != cur.max_session_duration);
    if description.is_some() || max.is_some() {
        steps.push(Step::UpdateRole {
            description,
            max_session_duration: max,
        });
    }
    match (&spec.permissions_boundary, &cur.permissions_boundary) {
        (Some(want), Some(have)) if want == have => {}
        (Some(want), _) => steps.push(Step::PutBoundary(want.clone())),
        (None, Some(_)) if spec.exclusive => steps.push(Step::DeleteBoundary),
        _ => {}
    }
    if let Some(tags) = &spec.tags {
        let add: Vec<(String, String)> = tags.iter().filter(|t| !cur.tags.contains(t)).cloned().collect();
        if !add.is_empty() {
            steps.push(Step::Tag(add));
        }
        if spec.exclusive {
            let remove: Vec<String> = cur
                .tags
                .iter()
                .filter(|(k, _)| !tags.iter().any(|(k2, _)| k2 == k))
                .map(|(k, _)| k.clone())
                .collect();
            if !remove.is_empty() {
                steps.push(Step::Untag(remove));
            }
        }
    }
    if let Some(managed) = &spec.managed_policies {
        for arn in managed {
            if !cur.attached_policies.iter().any(|(_, a)| a == arn) {
                steps.push(Step::Attach(arn.clone()));
            }
        }
        if spec.exclusive {
            for (_, arn) in &cur.attached_policies {
                if !managed.contains(arn) {
                    steps.push(Step::Detach(arn.clone()));
                }
            }
        }
    }
    if let Some(inline) = &spec.inline_policies {
        for (name, doc) in inline {
            let same = cur
                .inline_policies
                .iter()
                .any(|(n, d)| n == name && same_document(d, doc));
            if !same {
                steps.push(Step::PutInline(name.clone(), doc.to_string()));
            }
        }
        if spec.exclusive {
            for (name, _) in &cur.inline_policies {
                if !inline.iter().any(|(n, _)| n == name) {
                    steps.push(Step::DeleteInline(name.clone()));
                }
            }
        }
    }
    steps
}

impl Client {
    /// GetRole plus its attached and inline policies (tags come with GetRole); `None` when it
    /// does not exist. Sent by rolekit itself (`direct`): it is the read every plan starts with.
    pub async fn find_role(&self, name: &str) -> Result<Option<RoleInfo>, Error> {
        match self.get_role(name).await {
            Ok(info) => Ok(Some(info)),
            Err(e) if e.kind() == Some(super::ErrorKind::NoSuchEntity) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The role with its policies; a missing role is AWS's own NoSuchEntity answer (its message
    /// and request id kept).
    pub async fn get_role(&self, name: &str) -> Result<RoleInfo, Error> {
        super::names::check_name("role", name, 64)?;
        let params = [("RoleName", name)];
        let result = self.query(Service::Iam, "GetRole", &params).await?;
        let role = result
            .child("Role")
            .ok_or_else(|| Error::Protocol("GetRole returned no role".into()))?;
        // The two reads after GetRole are independent: one round trip of latency, not two.
        let attached = async {
            let members = self
                .query_all("ListAttachedRolePolicies", &params, "AttachedPolicies")
                .await?;
            Ok::<_, Error>(
                members
                    .iter()
                    .map(|m| {
                        (
                            m.text_of("PolicyName").unwrap_or_default().to_string(),
                            m.text_of("PolicyArn").unwrap_or_default().to_string(),
                        )
                    })
                    .collect::<Vec<_>>(),
            )
        };
        let inline = async {
            let names = self.query_all("ListRolePolicies", &params, "PolicyNames").await?;
            let mut inline = Vec::with_capacity(names.len());
            for pname in names.iter().map(|n| n.text.trim()) {
                let doc = self
                    .query(
                        Service::Iam,
                        "GetRolePolicy",
                        &[("RoleName", name), ("PolicyName", pname)],
                    )
                    .await?;
                inline.push((
                    pname.to_string(),
                    percent_decode(doc.text_of("PolicyDocument").unwrap_or("{}")),
                ));
            }
            Ok::<_, Error>(inline)
        };
        let (attached, inline) = tokio::join!(attached, inline);
        let mut info = role_from_xml(role)?;
        info.attached_policies = attached?;
        info.inline_policies = inline?;
        Ok(info)
    }

    /// Role names and ARNs under `path_prefix` (all pages).
    pub async fn list_roles(&self, path_prefix: Option<&str>) -> Result<Vec<(String, String, String)>, Error> {
        let mut out = Vec::new();
        let mut pages = self
            .iam()
            .list_roles()
            .set_path_prefix(path_prefix.map(str::to_string))
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| Error::from_sdk("ListRoles", self.endpoint(), e))?;
            for r in page.roles() {
                out.push((r.role_name().to_string(), r.arn().to_string(), r.path().to_string()));
            }
        }
        Ok(out)
    }

    /// What `ensure_role(spec)` would do; nothing is written.
    pub async fn plan_role(&self, spec: &RoleSpec) -> Result<RoleChange, Error> {
        spec.check()?;
        let (steps, current) = self.plan_steps(spec).await?;
        Ok(RoleChange {
            created: steps.first() == Some(&Step::Create),
            changed: !steps.is_empty(),
            changes: steps.iter().map(|s| s.describe(&spec.name)).collect(),
            role: current,
        })
    }

    /// The writes that would bring the role to `spec` (already checked), and the role as it is now.
    pub(crate) async fn plan_steps(&self, spec: &RoleSpec) -> Result<(Vec<Step>, Option<RoleInfo>), Error> {
        let current = self.find_role(&spec.name).await?;
        Ok((steps_for(spec, current.as_ref()), current))
    }
    /// Apply one step; a create returns the new role as the spec describes it.
    async fn apply_step(&self, spec: &RoleSpec, step: &Step) -> Result<Option<RoleInfo>, Error> {
        if *step == Step::Create {
            return self.create_role(spec).await;
        }
        self.apply_change(spec, step).await.map(|()| None)
    }

    async fn create_role(&self, spec: &RoleSpec) -> Result<Option<RoleInfo>, Error> {
        let tags = |pairs: &[(String, String)]| -> Result<Vec<Tag>, Error> {
            super::build_tags(pairs, |k, v| Tag::builder().key(k).value(v).build())
        };
        let mut req = self
            .iam()
            .create_role()
            .role_name(&spec.name)
            .path(&spec.path)
            .assume_role_policy_document(spec.trust.to_string())
            .set_description(spec.description.clone())
            .set_max_session_duration(spec.max_session_duration)
            .set_permissions_boundary(spec.permissions_boundary.clone());
        if let Some(t) = &spec.tags {
            req = req.set_tags(Some(tags(t)?));
        }
        match req.send().await {
            Ok(out) => Ok(out.role().map(|role| RoleInfo {
                name: role.role_name().to_string(),
                arn: role.arn().to_string(),
                path: role.path().to_string(),
                role_id: role.role_id().to_string(),
                trust_policy: spec.trust.to_string(),
                description: spec.description.clone(),
                max_session_duration: spec.max_session_duration.unwrap_or(3600),
                permissions_boundary: spec.permissions_boundary.clone(),
                tags: spec.tags.clone().unwrap_or_default(),
                attached_policies: spec
                    .managed_policies
                    .iter()
                    .flatten()
                    .map(|arn| (arn.rsplit('/').next().unwrap_or(arn).to_string(), arn.clone()))
                    .collect(),
                inline_policies: spec
                    .inline_policies
                    .iter()
                    .flatten()
                    .map(|(n, d)| (n.clone(), d.to_string()))
                    .collect(),
                created: to_system_time(role.create_date()),
                last_used: None,
            })),
            Err(e) => {
                let err = Error::from_sdk("CreateRole", self.endpoint(), e);
                // A create whose response was lost and whose retry found the role: converge
                // (and read the role back, since this answer did not describe it).
                if err.kind() == Some(super::ErrorKind::EntityAlreadyExists) {
                    Ok(None)
                } else {
                    Err(err)
                }
            }
        }
    }

    async fn apply_change(&self, spec: &RoleSpec, step: &Step) -> Result<(), Error> {
        let iam = self.iam();
        let name = spec.name.as_str();
        let tags = |pairs: &[(String, String)]| -> Result<Vec<Tag>, Error> {
            super::build_tags(pairs, |k, v| Tag::builder().key(k).value(v).build())
        };
        match step {
            Step::Create => Ok(()),
            Step::UpdateTrust => self
                .call(
                    "UpdateAssumeRolePolicy",
                    iam.update_assume_role_policy()
                        .role_name(name)
                        .policy_document(spec.trust.to_string())
                        .send(),
                )
                .await
                .map(drop),
            Step::UpdateRole {
                description,
                max_session_duration,
            } => self
                .call(
                    "UpdateRole",
                    iam.update_role()
                        .role_name(name)
                        .set_description(description.clone())
                        .set_max_session_duration(*max_session_duration)
                        .send(),
                )
                .await
                .map(drop),
            Step::PutBoundary(arn) => self
                .call(
                    "PutRolePermissionsBoundary",
                    iam.put_role_permissions_boundary()
                        .role_name(name)
                        .permissions_boundary(arn)
                        .send(),
                )
                .await
                .map(drop),
            Step::DeleteBoundary => self
                .call(
                    "DeleteRolePermissionsBoundary",
                    iam.delete_role_permissions_boundary().role_name(name).send(),
                )
                .await
                .map(drop),
            Step::Tag(t) => self
                .call(
                    "TagRole",
                    iam.tag_role().role_name(name).set_tags(Some(tags(t)?)).send(),
                )
                .await
                .map(drop),
            Step::Untag(keys) => self
                .call(
                    "UntagRole",
                    iam.untag_role().role_name(name).set_tag_keys(Some(keys.clone())).send(),
                )
                .await
                .map(drop),
            Step::Attach(arn) => self.attach_role_policy(name, arn).await,
            Step::Detach(arn) => self.detach_role_policy(name, arn).await,
            Step::PutInline(pname, doc) => self.put_role_policy(name, pname, doc).await,
            Step::DeleteInline(pname) => self.delete_role_policy(name, pname).await,
        }
    }

    /// Bring the role to `spec`: create it, or change only what differs. A step that fails
    /// after others succeeded raises with the list of what was applied.
    pub async fn ensure_role(&self, spec: &RoleSpec) -> Result<RoleChange, Error> {
        spec.check()?;
        let (steps, current) = self.plan_steps(spec).await?;
        let mut applied = Vec::new();
        let mut created = None;
        for step in &steps {
            match self.apply_step(spec, step).await {
                Ok(info) => created = created.or(info),
                Err(e) => {
                    return Err(if applied.is_empty() {
                        e
                    } else {
                        Error::Partial {
                            applied,
                            cause: Box::new(e),
                        }
                    })
                }
            }
            applied.push(step.describe(&spec.name));
        }
        // Nothing changed: the role as planned. Created: as the spec made it. Updated: read back.
        let role = match (steps.is_empty(), created) {
            (true, _) => current,
            (false, Some(info)) => Some(info),
            (false, None) => self.find_role(&spec.name).await?,
        };
        Ok(RoleChange {
            created: steps.first() == Some(&Step::Create),
            changed: !steps.is_empty(),
            changes: applied,
            role,
        })
    }

    /// Empty the role (detach managed policies, delete inline ones, leave its instance profiles)
    /// and delete it. Refuses, without `force`, a role used in the last 7 days or tagged
    /// `rolekit:protected`. Returns what was done.
    pub async fn delete_role(&self, name: &str, force: bool) -> Result<Vec<String>, Error> {
        let role = self.get_role(name).await?;
        if !force {
            if let Some(used) = role.last_used {
                let recent =
                    SystemTime::now().duration_since(used).unwrap_or(Duration::ZERO) < Duration::from_secs(7 * 86_400);
                if recent {
                    return Err(Error::Unsafe(format!(
                        "role {name} was used in the last 7 days; it may be in use (pass force=True to delete it anyway)"
                    )));
                }
            }
            if role.tags.iter().any(|(k, v)| k == "rolekit:protected" && v != "false") {
                return Err(Error::Unsafe(format!(
                    "role {name} is tagged rolekit:protected; remove the tag or pass force=True"
                )));
            }
        }
        let mut done = Vec::new();
        // Deletes that find nothing are done: a retry after a lost response lands here.
        for (_, arn) in &role.attached_policies {
            super::policies::already_gone(self.detach_role_policy(name, arn).await)?;
            done.push(format!("detached {arn}"));
        }
        for (pname, _) in &role.inline_policies {
            super::policies::already_gone(self.delete_role_policy(name, pname).await)?;
            done.push(format!("deleted inline policy {pname}"));
        }
        let profiles = self
            .call(
                "ListInstanceProfilesForRole",
                self.iam().list_instance_profiles_for_role().role_name(name).send(),
            )
            .await?;
        for p in profiles.instance_profiles() {
            let removed = self
                .call(
                    "RemoveRoleFromInstanceProfile",
                    self.iam()
                        .remove_role_from_instance_profile()
                        .role_name(name)
                        .instance_profile_name(p.instance_profile_name())
                        .send(),
                )
                .await;
            super::policies::already_gone(removed)?;
            done.push(format!("removed from instance profile {}", p.instance_profile_name()));
        }
        let deleted = self
            .call("DeleteRole", self.iam().delete_role().role_name(name).send())
            .await;
        super::policies::already_gone(deleted)?;
        done.push(format!("deleted role {name}"));
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_iam_documents() {
        assert_eq!(
            percent_decode("%7B%22Version%22%3A%222012-10-17%22%7D"),
            "{\"Version\":\"2012-10-17\"}"
        );
        assert_eq!(percent_decode("{\"a\": 1}"), "{\"a\": 1}");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("%é1"), "%é1");
    }

    #[test]
    fn steps_describe_themselves() {
        assert_eq!(Step::Attach("arn:x".into()).describe("r"), "attach arn:x to r");
        let s = Step::UpdateRole {
            description: Some("d".into()),
            max_session_duration: Some(7200),
        };
        assert_eq!(
            s.describe("r"),
            "set description to \"d\" and max session duration to 7200 s of r"
        );
    }

    use crate::testing::{answer, caller, error, Recorder};
    use serde_json::json;

    fn trust() -> Value {
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    }

    fn spec() -> RoleSpec {
        RoleSpec {
            name: "basic-role".into(),
            trust: trust(),
            description: Some("tutorial role".into()),
            path: "/ml/".into(),
            max_session_duration: Some(7200),
            tags: Some(vec![("team".into(), "ml".into())]),
            managed_policies: Some(vec!["arn:aws:iam::123456789012:policy/basic_s3".into()]),
            inline_policies: Some(vec![(
                "logs".into(),
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                    "Action": "logs:PutLogEvents", "Resource": "arn:aws:logs:*:*:log-group:/aws/sagemaker/*"}]}),
            )]),
            ..RoleSpec::default()
        }
    }

    fn role_xml(trust: &Value) -> String {
        format!(
            "<Role><Path>/ml/</Path><RoleName>basic-role</RoleName><RoleId>AROAEXAMPLE</RoleId>\
             <Arn>arn:aws:iam::123456789012:role/ml/basic-role</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate>\
             <AssumeRolePolicyDocument>{}</AssumeRolePolicyDocument><Description>tutorial role</Description>\
             <MaxSessionDuration>7200</MaxSessionDuration><Tags><member><Key>team</Key><Value>ml</Value></member></Tags>\
             </Role>",
            trust.to_string().replace('"', "%22").replace('{', "%7B").replace('}', "%7D")
        )
    }

    #[tokio::test]
    async fn ensure_creates_a_missing_role_with_every_setting_in_its_requests() {
        let server = Recorder::start(|r| match r.action.as_str() {
            "GetRole" => error(404, "NoSuchEntity", "The role with name basic-role cannot be found."),
            "CreateRole" => answer("CreateRole", &role_xml(&trust())),
            "AttachRolePolicy" | "PutRolePolicy" => answer(&r.action, ""),
            _ => error(400, "Unexpected", &r.action),
        });
        let client = server.client().await;
        let change = client.ensure_role(&spec()).await.expect("created");
        assert!(change.created && change.changed);
        assert_eq!(
            server.actions(),
            ["GetRole", "CreateRole", "AttachRolePolicy", "PutRolePolicy"]
        );
        let requests = server.requests();
        let create = &requests[1];
        assert_eq!(
            [
                create.param("RoleName"),
                create.param("Path"),
                create.param("Description")
            ],
            ["basic-role", "/ml/", "tutorial role"]
        );
        assert_eq!(create.param("MaxSessionDuration"), "7200");
        assert_eq!(
            [create.param("Tags.member.1.Key"), create.param("Tags.member.1.Value")],
            ["team", "ml"]
        );
        let sent: Value = serde_json::from_str(create.param("AssumeRolePolicyDocument")).expect("JSON");
        assert_eq!(sent, trust());
        assert_eq!(
            requests[2].param("PolicyArn"),
            "arn:aws:iam::123456789012:policy/basic_s3"
        );
        assert_eq!(
            [requests[3].param("RoleName"), requests[3].param("PolicyName")],
            ["basic-role", "logs"]
        );
        assert!(requests[3].param("PolicyDocument").contains("logs:PutLogEvents"));
    }

    #[tokio::test]
    async fn a_missing_role_is_awss_own_answer() {
        let server = Recorder::start(|_| error(404, "NoSuchEntity", "The role with name ghost cannot be found (AWS)."));
        let client = server.client().await;
        let Err(Error::Service(e)) = client.get_role("ghost").await else {
            panic!("not a service error");
        };
        assert_eq!(
            (e.code.as_str(), e.message.as_str(), e.request_id.as_deref(), e.status),
            (
                "NoSuchEntity",
                "The role with name ghost cannot be found (AWS).",
                Some("req-1"),
                Some(404)
            )
        );
        assert_eq!(client.find_role("ghost").await.ok(), Some(None));
    }

    #[tokio::test]
    async fn a_plan_reads_and_writes_nothing() {
        let old_trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]});
        let server = Recorder::start(move |r| match r.action.as_str() {
            "GetRole" => answer("GetRole", &role_xml(&old_trust)),
            "ListAttachedRolePolicies" => answer(
                "ListAttachedRolePolicies",
                "<AttachedPolicies/><IsTruncated>false</IsTruncated>",
            ),
            "ListRolePolicies" => answer("ListRolePolicies", "<PolicyNames/><IsTruncated>false</IsTruncated>"),
            _ => error(400, "Unexpected", &r.action),
        });
        let client = server.client().await;
        let mut wanted = spec();
        wanted.managed_policies = None;
        wanted.inline_policies = None;
        let plan = client.plan_role(&wanted).await.expect("a plan");
        assert!(!plan.created && plan.changed);
        assert_eq!(plan.changes, ["update the trust policy of basic-role"]);
        assert_eq!(
            plan.role.map(|r| r.arn),
            Some("arn:aws:iam::123456789012:role/ml/basic-role".to_string())
        );
        let writes: Vec<String> = server
            .actions()
            .into_iter()
            .filter(|a| !a.starts_with("Get") && !a.starts_with("List"))
            .collect();
        assert!(writes.is_empty(), "{writes:?}");
    }

    #[tokio::test]
    async fn a_bad_spec_is_refused_before_any_request() {
        let server = Recorder::start(|_| caller());
        let client = server.client().await;
        let bad_trust = {
            let mut s = spec();
            s.trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]});
            s
        };
        let cases = [
            (
                RoleSpec {
                    max_session_duration: Some(60),
                    ..spec()
                },
                "max_session_duration",
            ),
            (
                RoleSpec {
                    path: "ml".into(),
                    ..spec()
                },
                "not an IAM path",
            ),
            (
                RoleSpec {
                    name: "bad name".into(),
                    ..spec()
                },
                "role name",
            ),
            (bad_trust, "the trust policy"),
        ];
        for (bad, why) in cases {
            let planned = client.plan_role(&bad).await.expect_err("refused");
            assert!(planned.to_string().contains(why), "{planned}");
            let ensured = client.ensure_role(&bad).await.expect_err("refused");
            assert!(ensured.to_string().contains(why), "{ensured}");
        }
        assert!(server.actions().is_empty(), "{:?}", server.actions());
    }
}
