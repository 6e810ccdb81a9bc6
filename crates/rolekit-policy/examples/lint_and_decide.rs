//! Lint the seed tutorial's permission policy, then decide two requests against the fixed one.
//!
//! `cargo run -p rolekit-policy --example lint_and_decide`

use rolekit_policy::eval::{evaluate, CompiledPolicy, Context, Policies, Request};
use rolekit_policy::validate::{validate, Options};
use rolekit_policy::{Policy, PolicyKind};

fn main() {
    // The tutorial's policy: an action that does not exist and a resource that fits nothing.
    let tutorial = r#"{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": ["s3:ListBuckets"], "Resource": ["arn:aws:s3:::"]}]
}"#;
    let policy = match Policy::parse(tutorial) {
        Ok(policy) => policy,
        Err(e) => {
            eprintln!("not JSON: {e}");
            return;
        }
    };
    let options = Options {
        kind: PolicyKind::Identity,
        inline: false,
        managed: false,
    };
    for f in validate(&policy, options) {
        let at = f.pos.map(|p| format!("{}:{}", p.line, p.column)).unwrap_or_default();
        let fix = f
            .suggestion
            .as_deref()
            .map(|s| format!(" [fix: {s}]"))
            .unwrap_or_default();
        println!("{at} {:?} {}: {}{fix}", f.severity, f.code, f.message);
    }

    // The fixed policy, and IAM's decision for two requests, with the statement that decided.
    let fixed = r#"{"Version": "2012-10-17", "Statement": [
        {"Sid": "ListAll", "Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]}"#;
    let Ok(fixed) = Policy::parse(fixed) else { return };
    let compiled = CompiledPolicy::new(&fixed);
    let identity = [&compiled];
    let policies = Policies {
        identity: &identity,
        ..Policies::default()
    };
    let context = Context::default();
    for (action, resource) in [("s3:ListAllMyBuckets", "*"), ("s3:ListBucket", "arn:aws:s3:::churn")] {
        let request = Request {
            action,
            resource,
            principal: None,
            context: &context,
        };
        let decision = evaluate(&policies, &request);
        println!("{action} on {resource}: {:?}", decision.verdict);
    }
}
