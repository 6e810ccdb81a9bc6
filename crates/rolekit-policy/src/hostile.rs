//! Property tests with hostile input: whatever the bytes, the parser, the validator, the wildcard
//! matcher and the evaluator return a value or an error — no panic, no unbounded recursion.

use proptest::prelude::*;
use serde_json::{json, Value};

use super::eval::{evaluate, explain, CompiledPolicy, Context, Policies, Request};
use super::json::{self, Node};
use super::validate::{validate, Options, PolicyKind};
use super::{wildcard, Policy};

const KINDS: [PolicyKind; 6] = [
    PolicyKind::Identity,
    PolicyKind::Trust,
    PolicyKind::Resource,
    PolicyKind::Boundary,
    PolicyKind::Scp,
    PolicyKind::Session,
];

/// JSON values shaped like policies: the element names IAM knows, plus anything else.
fn policy_like() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("Version".to_string()),
        Just("Statement".to_string()),
        Just("Effect".to_string()),
        Just("Action".to_string()),
        Just("NotAction".to_string()),
        Just("Resource".to_string()),
        Just("NotResource".to_string()),
        Just("Principal".to_string()),
        Just("NotPrincipal".to_string()),
        Just("Condition".to_string()),
        Just("Sid".to_string()),
        Just("StringLike".to_string()),
        Just("ForAllValues:StringEquals".to_string()),
        Just("aws:SourceIp".to_string()),
        Just("AWS".to_string()),
        Just("Service".to_string()),
        ".{0,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        Just(json!("2012-10-17")),
        Just(json!("Allow")),
        Just(json!("Deny")),
        Just(json!("*")),
        Just(json!("s3:*Object*")),
        Just(json!("arn:aws:s3:::b/*")),
        Just(json!("arn:aws:iam::123456789012:role/r")),
        Just(json!("10.0.0.0/8")),
        Just(json!("${aws:username}")),
        ".{0,40}".prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 96, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn action() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("s3:GetObject".to_string()),
        Just("iam:PassRole".to_string()),
        Just("sts:AssumeRole".to_string()),
        "[a-z0-9]{1,8}:[A-Za-z*?]{0,16}",
        ".{0,20}",
    ]
}

fn resource() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("*".to_string()),
        Just("arn:aws:s3:::b/key".to_string()),
        "arn:aws:[a-z0-9]{1,8}:[a-z0-9-]{0,12}:[0-9]{0,12}:.{0,30}",
        ".{0,30}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn parser_survives_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes);
        match json::parse(&text) {
            Ok(_) => {}
            Err(e) => prop_assert!(e.pos.offset <= text.len() && e.pos.line >= 1 && e.pos.column >= 1, "{e:?}"),
        }
    }

    #[test]
    fn parser_survives_mangled_policies(doc in policy_like(), cut in 0usize..400, junk in ".{0,3}") {
        let text = doc.to_string();
        let cut = text.char_indices().map(|(i, _)| i).find(|&i| i >= cut.min(text.len())).unwrap_or(text.len());
        let mangled = format!("{}{junk}{}", &text[..cut], &text[cut..]);
        if let Ok(policy) = Policy::parse(&mangled) {
            for kind in KINDS {
                let _ = validate(&policy, Options { kind, inline: false, managed: false });
            }
        }
    }

    #[test]
    fn validate_and_evaluate_never_panic(
        doc in policy_like(),
        act in action(),
        res in resource(),
        ctx_val in ".{0,20}",
    ) {
        let policy = Policy::from_node(Node::from_serde(&doc));
        for kind in KINDS {
            for f in validate(&policy, Options { kind, inline: true, managed: false }) {
                prop_assert!(!f.message.is_empty());
            }
        }
        let compiled = CompiledPolicy::new(&policy);
        let refs = [&compiled];
        let mut context = Context::default();
        context.insert("aws:SourceIp", vec![ctx_val.clone()]);
        context.insert("aws:username", vec![ctx_val]);
        let policies = Policies { identity: &refs, resource: Some(&compiled), ..Policies::default() };
        let req = Request { action: &act, resource: &res, principal: Some("arn:aws:iam::123456789012:user/u"), context: &context };
        let first = evaluate(&policies, &req);
        let again = evaluate(&policies, &req);
        prop_assert_eq!(first.verdict, again.verdict);
        prop_assert!(!explain(&policies, &req, &first).is_empty());
    }

    #[test]
    fn parsed_text_reads_back_as_written(doc in policy_like(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&doc).unwrap_or_default() } else { doc.to_string() };
        let node = json::parse(&text).map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
        // Against serde_json reading the same text (its float parsing is not exact to the last bit).
        let expected: Value = serde_json::from_str(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&node.to_serde(), &expected);
        prop_assert_eq!(node.compact_len(), doc.to_string().chars().count());
        prop_assert!(node.duplicate_keys().is_empty(), "serde_json maps hold no repeated key");
        let measured = json::parse_measured(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(measured.compact_bound >= node.compact_len());
        prop_assert!(!measured.duplicate_keys);
        if measured.compact_exact {
            prop_assert_eq!(measured.compact_bound, node.compact_len());
        }
    }

    #[test]
    fn size_bound_holds_for_hand_written_escapes(s in "[a-z\\\\\"/é ]{0,12}", spaces in 0usize..3) {
        // Escapes a writer may choose: \/, \u00e9, \u0022 — longer in the text than in compact JSON.
        let written = s.replace('\\', "\\\\").replace('"', "\\u0022").replace('/', "\\/").replace('é', "\\u00e9");
        let text = format!("{{{pad}\"k\"{pad}:{pad}[\"{written}\", 1.50]}}", pad = " ".repeat(spaces));
        let measured = json::parse_measured(&text).map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
        prop_assert!(measured.compact_bound >= measured.node.compact_len(), "{}", text);
        if measured.compact_exact {
            prop_assert_eq!(measured.compact_bound, measured.node.compact_len());
        }
    }

    #[test]
    fn arn_parts_agree_with_splitting(s in "(arn|ar|arn:)?[a:é]{0,10}") {
        let mut parts = s.splitn(6, ':');
        let expected = (parts.next() == Some("arn"))
            .then(|| Some((parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?)))
            .flatten();
        let got = super::arn::Arn::parse(&s).map(|a| (a.partition, a.service, a.region, a.account, a.resource));
        prop_assert_eq!(got, expected);
    }

    #[test]
    fn pattern_intersection_shortcut_agrees_with_the_search(a in "[ab*?]{0,8}", b in "[ab*?]{0,8}") {
        prop_assert_eq!(
            wildcard::intersects(&a, &b),
            wildcard::intersects_by_search(a.as_bytes(), b.as_bytes()),
            "{} vs {}", a, b
        );
    }

    #[test]
    fn glob_agrees_with_a_reference(pattern in "[ab*?]{0,10}", text in "[ab]{0,12}") {
        prop_assert_eq!(wildcard::matches(&pattern, &text), reference(pattern.as_bytes(), text.as_bytes()));
    }
}

/// The obvious exponential matcher, for short inputs only.
fn reference(p: &[u8], t: &[u8]) -> bool {
    match (p.first(), t.first()) {
        (None, _) => t.is_empty(),
        (Some(b'*'), _) => reference(&p[1..], t) || (!t.is_empty() && reference(p, &t[1..])),
        (Some(b'?'), Some(_)) => reference(&p[1..], &t[1..]),
        (Some(c), Some(d)) if c == d => reference(&p[1..], &t[1..]),
        _ => false,
    }
}

#[test]
fn pathological_wildcards_stay_polynomial() {
    // `*?*?…` against a long ARN that almost matches: exponential backtracking would never finish.
    let pattern = "*?".repeat(2_000) + "x";
    let text = format!("arn:aws:s3:::{}", "a".repeat(20_000));
    assert!(!wildcard::matches(&pattern, &text));
    assert!(!wildcard::intersects(&pattern, &text));
    let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*?*?*?*?*?*?*?*?*?*?x",
        "Resource": pattern}]});
    let policy = Policy::from_node(Node::from_serde(&doc));
    let compiled = CompiledPolicy::new(&policy);
    let refs = [&compiled];
    let context = Context::default();
    let req = Request {
        action: "s3:GetObject",
        resource: &text,
        principal: None,
        context: &context,
    };
    let d = evaluate(
        &Policies {
            identity: &refs,
            ..Policies::default()
        },
        &req,
    );
    assert_eq!(d.verdict, super::eval::Verdict::ImplicitDeny);
    let _ = validate(
        &policy,
        Options {
            kind: PolicyKind::Identity,
            inline: false,
            managed: false,
        },
    );
}

#[test]
fn huge_and_deep_documents_are_errors_not_crashes() {
    let deep_object = "{\"a\":".repeat(100_000) + &"}".repeat(100_000);
    assert!(json::parse(&deep_object).is_err());
    let deep_mixed = "[{\"a\":".repeat(50_000);
    assert!(json::parse(&deep_mixed).is_err());
    // A valid policy whose one resource is 5 MB long: the size finding, and no other error.
    let huge_string = format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \
         \"Resource\": \"arn:aws:s3:::b/{}\"}}]}}",
        "x".repeat(5_000_000)
    );
    let policy = Policy::parse(&huge_string).expect("a long string is valid JSON");
    let errors: Vec<String> = validate(
        &policy,
        Options {
            kind: PolicyKind::Identity,
            inline: false,
            managed: false,
        },
    )
    .into_iter()
    .filter(|f| f.severity == crate::Severity::Error)
    .map(|f| f.code.to_string())
    .collect();
    assert_eq!(errors, ["POLICY_SIZE_EXCEEDED"]);
    let many = format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": [{}]}}",
        vec!["{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}"; 20_000].join(",")
    );
    let policy = Policy::parse(&many).expect("valid JSON");
    let findings = validate(
        &policy,
        Options {
            kind: PolicyKind::Identity,
            inline: false,
            managed: false,
        },
    );
    assert!(
        findings.iter().any(|f| f.code == "POLICY_SIZE_EXCEEDED"),
        "a 20,000-statement policy is too big"
    );
    // 100,000 keys in one object, one of them twice: found once, in linear time (a pairwise
    // search was 5 billion comparisons).
    let keys: Vec<String> = (0..100_000).map(|i| format!("\"k{i}\": 1")).collect();
    let wide = format!("{{\"Version\": \"2012-10-17\", {}, \"k5\": 2}}", keys.join(", "));
    let measured = json::parse_measured(&wide).expect("valid JSON");
    assert!(measured.duplicate_keys);
    let policy = Policy::parse(&wide).expect("valid JSON");
    let options = Options {
        kind: PolicyKind::Identity,
        inline: false,
        managed: false,
    };
    let repeated: Vec<String> = validate(&policy, options)
        .iter()
        .filter(|f| f.code == "DUPLICATE_KEY")
        .map(super::validate::Finding::path_string)
        .collect();
    assert_eq!(repeated, ["k5"]);
    // JSON numbers of any size are JSON, kept as their source text (nothing rounds them).
    for number in ["1e999999", "-1e999999", "123456789012345678901234567890"] {
        let doc = json::parse(&format!("{{\"Version\": {number}}}")).expect("a JSON number");
        let version = doc.get("Version").expect("the member").value.value.clone();
        assert_eq!(version, json::Value::Number(number.into()));
    }
    // Not JSON at all, whatever JavaScript allows.
    for not_json in ["NaN", "Infinity", "-Infinity", "+1", "01", "1.", ".5", "1e"] {
        assert!(
            json::parse(&format!("{{\"Version\": {not_json}}}")).is_err(),
            "{not_json}"
        );
    }
}
