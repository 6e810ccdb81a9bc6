//! "Did you mean …?" for unknown actions: a curated table of the mistakes people really make
//! (edit distance alone ranks `s3:ListBucket` first for `s3:ListBuckets`), then edit distance,
//! preferring actions that apply to the statement's resources.

use super::Service;
use crate::wildcard;

/// Well-known wrong names (lowercase) → the action meant.
const COMMON_MISTAKES: &[(&str, &str)] = &[
    ("s3:listbuckets", "s3:ListAllMyBuckets"),
    ("s3:listallbuckets", "s3:ListAllMyBuckets"),
    ("s3:listobjects", "s3:ListBucket"),
    ("s3:listobjectsv2", "s3:ListBucket"),
    ("s3:headobject", "s3:GetObject"),
    ("s3:headbucket", "s3:ListBucket"),
    ("s3:deleteobjects", "s3:DeleteObject"),
    ("s3:copyobject", "s3:GetObject"),
    ("s3:uploadpart", "s3:PutObject"),
    ("s3:createmultipartupload", "s3:PutObject"),
    ("s3:completemultipartupload", "s3:PutObject"),
    ("s3:getbucketobjects", "s3:ListBucket"),
    ("ecr:getlogintoken", "ecr:GetAuthorizationToken"),
    ("ecr:pull", "ecr:BatchGetImage"),
    ("lambda:invoke", "lambda:InvokeFunction"),
    ("sts:assume", "sts:AssumeRole"),
    ("iam:passroles", "iam:PassRole"),
    ("logs:putlogevent", "logs:PutLogEvents"),
    ("sagemaker:createtrainingjobs", "sagemaker:CreateTrainingJob"),
    ("dynamodb:get", "dynamodb:GetItem"),
    ("dynamodb:put", "dynamodb:PutItem"),
];

/// Optimal string alignment distance (Damerau–Levenshtein with adjacent transpositions).
/// Damerau-Levenshtein (optimal string alignment) distance, or `limit + 1` as soon as every
/// alignment costs more than `limit`. Three rolling rows, no per-row allocation.
pub(crate) fn distance_within(a: &[u8], b: &[u8], limit: usize) -> usize {
    const SHORT: usize = 64;
    let m = b.len();
    if a.len().abs_diff(m) > limit {
        return limit.saturating_add(1);
    }
    // Three rows on the stack for the usual short names, on the heap otherwise.
    let mut stack = [0usize; 3 * (SHORT + 1)];
    let mut heap = Vec::new();
    let rows: &mut [usize] = if m <= SHORT {
        &mut stack[..3 * (m + 1)]
    } else {
        heap.resize(3 * (m + 1), 0);
        &mut heap
    };
    let (before, rest) = rows.split_at_mut(m + 1);
    let (mut prev, mut cur) = rest.split_at_mut(m + 1);
    let mut before = before;
    for (j, v) in prev.iter_mut().enumerate() {
        *v = j;
    }
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = i;
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(before[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > limit {
            return limit.saturating_add(1);
        }
        // Rotate: before <- prev <- cur <- (old before, overwritten next row).
        let old_before = before;
        before = prev;
        prev = cur;
        cur = old_before;
    }
    prev[m]
}

/// Whether `action` can apply to one of `resources` (an action without resource types needs `*`).
pub fn fits(service: &Service, action: &super::Action, resources: &[&str]) -> bool {
    if resources.contains(&"*") {
        return true;
    }
    if action.resource_types.is_empty() {
        return resources
            .iter()
            .any(|r| r.contains('*') && r.split(':').nth(2) == Some(service.prefix.as_str()));
    }
    service
        .resource_types_of(action)
        .any(|(rt, _)| resources.iter().any(|r| wildcard::intersects(&rt.pattern, r)))
}

/// How many times each byte occurs, folded into 32 buckets (folding only lowers the
/// difference between two counts, so it stays a lower bound of the edit distance).
fn letter_counts(s: &[u8]) -> [u8; 32] {
    let mut counts = [0u8; 32];
    for &b in s {
        let c = &mut counts[usize::from(b & 31)];
        *c = c.saturating_add(1);
    }
    counts
}

/// The action most likely meant by `name` in `service`, given the statement's resources.
pub fn suggest_action(service: &Service, name: &str, resources: &[&str]) -> Option<String> {
    let full = format!("{}:{}", service.prefix, name).to_ascii_lowercase();
    if let Some((_, meant)) = COMMON_MISTAKES.iter().find(|(wrong, _)| *wrong == full) {
        return Some((*meant).to_string());
    }
    let lower = name.to_ascii_lowercase();
    let limit = (lower.len() / 3).max(2);
    let counts = letter_counts(lower.as_bytes());
    let mut best: Option<(usize, bool, &str)> = None;
    for a in &service.actions {
        if a.lower.len().abs_diff(lower.len()) > limit {
            continue;
        }
        // An edit changes the letter counts by at most 2 (a transposition by 0): half their
        // difference is a lower bound of the distance, far cheaper to get.
        let other = letter_counts(a.lower.as_bytes());
        let apart: usize = counts
            .iter()
            .zip(&other)
            .map(|(x, y)| usize::from(x.abs_diff(*y)))
            .sum();
        if apart.div_ceil(2) > limit {
            continue;
        }
        let d = distance_within(lower.as_bytes(), a.lower.as_bytes(), limit);
        if d > limit {
            continue;
        }
        let misfit = !fits(service, a, resources);
        let key = (d + usize::from(misfit), misfit, a.name.as_str());
        if best.is_none_or(|b| (key.0, key.1) < (b.0, b.1)) {
            best = Some(key);
        }
    }
    best.map(|(_, _, n)| format!("{}:{n}", service.prefix))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;

    #[test]
    fn the_tutorial_mistake() {
        let s3 = catalog().service("s3").unwrap();
        assert_eq!(
            suggest_action(s3, "ListBuckets", &["arn:aws:s3:::*"]).as_deref(),
            Some("s3:ListAllMyBuckets")
        );
    }

    #[test]
    fn typos_by_distance_and_resources() {
        let ec2 = catalog().service("ec2").unwrap();
        assert_eq!(
            suggest_action(ec2, "DescribeInstance", &["*"]).as_deref(),
            Some("ec2:DescribeInstances")
        );
        let s3 = catalog().service("s3").unwrap();
        assert_eq!(
            suggest_action(s3, "GetObjekt", &["arn:aws:s3:::b/*"]).as_deref(),
            Some("s3:GetObject")
        );
        assert_eq!(suggest_action(s3, "CompletelyDifferentThing", &["*"]), None);
    }

    #[test]
    fn distance_counts_transpositions() {
        let distance = |a: &[u8], b: &[u8]| distance_within(a, b, 100);
        assert_eq!(distance(b"abcd", b"abdc"), 1);
        assert_eq!(distance(b"", b"abc"), 3);
        assert_eq!(distance(b"kitten", b"sitting"), 3);
        assert_eq!(distance_within(b"kitten", b"sitting", 1), 2, "capped at limit + 1");
        assert_eq!(distance_within(b"a", b"abcdef", 2), 3);
        let long = "x".repeat(70);
        let (ab, ba) = (format!("{long}ab"), format!("{long}ba"));
        assert_eq!(distance(ab.as_bytes(), ba.as_bytes()), 1, "rows on the heap past 64");
        assert_eq!(distance(ab.as_bytes(), long.as_bytes()), 2);
    }
}
