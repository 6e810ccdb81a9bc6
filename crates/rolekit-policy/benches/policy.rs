//! Criterion benchmarks of the pure-Rust core: parsing + validation, and evaluation.
//! Run with `cargo bench --bench policy`. The Python-level comparisons live in bench/.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

use rolekit_policy::eval::{evaluate, CompiledPolicy, Context, Policies, Request};
use rolekit_policy::validate::{validate, Options};
use rolekit_policy::Policy;

const SAGEMAKER: &str = include_str!("../../../tests/fixtures/sagemaker_execution.json");
const SEED: &str = include_str!("../../../tests/fixtures/seed_basic_s3.json");

/// What a SageMaker job asks: its data, another bucket, its image, a home folder, PassRole.
const REQUESTS: [(&str, &str); 6] = [
    ("s3:GetObject", "arn:aws:s3:::ml-data/projects/churn/train.csv"),
    ("s3:ListBucket", "arn:aws:s3:::ml-data"),
    ("s3:GetObject", "arn:aws:s3:::other/secret.csv"),
    (
        "ecr:BatchGetImage",
        "arn:aws:ecr:us-east-1:123456789012:repository/churn-train",
    ),
    ("s3:PutObject", "arn:aws:s3:::ml-home/ana/notes.txt"),
    ("iam:PassRole", "arn:aws:iam::123456789012:role/admin"),
];

fn bench_validate(c: &mut Criterion) {
    let _ = rolekit_policy::catalog::catalog(); // parse the catalog outside the timing
    c.bench_function("parse+validate sagemaker execution policy (8 statements)", |b| {
        b.iter(|| {
            validate(
                &Policy::parse(black_box(SAGEMAKER)).unwrap_or_else(|_| unreachable!()),
                Options::default(),
            )
        });
    });
    c.bench_function("parse+validate seed policy", |b| {
        b.iter(|| {
            validate(
                &Policy::parse(black_box(SEED)).unwrap_or_else(|_| unreachable!()),
                Options::default(),
            )
        });
    });
}

fn bench_evaluate(c: &mut Criterion) {
    let policy = Policy::parse(SAGEMAKER).unwrap_or_else(|_| unreachable!());
    let compiled = CompiledPolicy::new(&policy);
    let refs = [&compiled];
    let policies = Policies {
        identity: &refs,
        ..Policies::default()
    };
    let mut ctx = Context::default();
    ctx.insert("aws:SecureTransport", vec!["true".into()]);
    ctx.insert("aws:username", vec!["ana".into()]);
    ctx.insert("s3:prefix", vec!["projects/churn/2026".into()]);
    c.bench_function("evaluate 6 requests, 8-statement policy with conditions", |b| {
        b.iter(|| {
            for (action, resource) in &REQUESTS {
                let req = Request {
                    action,
                    resource,
                    principal: None,
                    context: &ctx,
                };
                black_box(evaluate(&policies, black_box(&req)));
            }
        });
    });
}

/// The same requests in an organization: three levels of SCPs (root FullAWSAccess, an OU's
/// region guard with a Deny, the account's allow-list), a data-perimeter RCP, an endpoint policy.
fn bench_evaluate_in_an_organization(c: &mut Criterion) {
    let parse = |text: &str| CompiledPolicy::new(&Policy::parse(text).unwrap_or_else(|_| unreachable!()));
    let identity = parse(SAGEMAKER);
    let full = parse(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#);
    let region_guard = parse(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
        {"Sid":"Regions","Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*",
         "Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}}]}"#,
    );
    let allow_list = parse(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","ecr:*","logs:*","iam:PassRole"],"Resource":"*"}]}"#,
    );
    let perimeter = parse(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":["s3:*","sts:*"],"Resource":"*",
        "Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-abc123"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}}]}"#,
    );
    let endpoint = parse(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#,
    );
    let refs = [&identity];
    let (root, ou, account) = ([&full], [&region_guard], [&allow_list]);
    let scps: [&[&CompiledPolicy]; 3] = [&root, &ou, &account];
    let rcp_level = [&perimeter];
    let rcps: [&[&CompiledPolicy]; 1] = [&rcp_level];
    let policies = Policies {
        identity: &refs,
        scps: &scps,
        rcps: &rcps,
        endpoint: Some(&endpoint),
        ..Policies::default()
    };
    let mut ctx = Context::default();
    ctx.insert("aws:SecureTransport", vec!["true".into()]);
    ctx.insert("aws:RequestedRegion", vec!["us-east-1".into()]);
    ctx.insert("aws:PrincipalOrgID", vec!["o-abc123".into()]);
    let principal = Some("arn:aws:iam::123456789012:user/ana");
    c.bench_function(
        "evaluate 6 requests in an organization (3 SCP levels, an RCP, an endpoint policy)",
        |b| {
            b.iter(|| {
                for (action, resource) in &REQUESTS {
                    let req = Request {
                        action,
                        resource,
                        principal,
                        context: &ctx,
                    };
                    black_box(evaluate(&policies, black_box(&req)));
                }
            });
        },
    );
}

criterion_group!(
    benches,
    bench_validate,
    bench_evaluate,
    bench_evaluate_in_an_organization
);
criterion_main!(benches);
