//! ARNs: `arn:partition:service:region:account:resource`.

/// The partitions IAM accepts.
/// An AWS account id: exactly 12 ASCII digits. The one place this rule is written.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

pub const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// An ARN split into its six parts (the resource part keeps any further colons).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Split `text`; `None` unless it has the `arn:` prefix and all six parts.
    pub fn parse(text: &'a str) -> Option<Self> {
        // One pass over the bytes for the four colons after `arn:` (cheaper than a searcher
        // per part on strings this short).
        let rest = text.strip_prefix("arn:")?;
        let mut colons = [0usize; 4];
        let mut found = 0;
        for (i, b) in rest.bytes().enumerate() {
            if b == b':' {
                colons[found] = i;
                found += 1;
                if found == colons.len() {
                    break;
                }
            }
        }
        if found < colons.len() {
            return None;
        }
        let [a, b, c, d] = colons;
        Some(Self {
            partition: &rest[..a],
            service: &rest[a + 1..b],
            region: &rest[b + 1..c],
            account: &rest[c + 1..d],
            resource: &rest[d + 1..],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_six_parts() {
        let a = Arn::parse("arn:aws:iam::123456789012:role/service-role/x").unwrap();
        assert_eq!(
            (a.service, a.region, a.account, a.resource),
            ("iam", "", "123456789012", "role/service-role/x")
        );
        let b = Arn::parse("arn:aws:logs:us-east-1:1:log-group:/aws/sagemaker/*:*").unwrap();
        assert_eq!(b.resource, "log-group:/aws/sagemaker/*:*");
        assert!(Arn::parse("arn:aws:s3").is_none());
        assert!(Arn::parse("s3:::bucket").is_none());
    }
}
