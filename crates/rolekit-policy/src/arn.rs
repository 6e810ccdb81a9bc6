//! ARNs: `arn:partition:service:region:account:resource`.

/// An AWS account id: exactly 12 ASCII digits. The one place this rule is written.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The partitions IAM accepts.
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
        let rest = text.strip_prefix("arn:")?;
        let [a, b, c, d] = first_colons(rest.as_bytes())?;
        Some(Self {
            partition: &rest[..a],
            service: &rest[a + 1..b],
            region: &rest[b + 1..c],
            account: &rest[c + 1..d],
            resource: &rest[d + 1..],
        })
    }
}

/// The positions of the first four `:` in `bytes`, eight bytes at a time (ARNs are read on
/// every decision: the caller's and the resource's).
fn first_colons(bytes: &[u8]) -> Option<[usize; 4]> {
    const COLONS: u64 = u64::from_ne_bytes([b':'; 8]);
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let mut out = [0usize; 4];
    let mut found = 0;
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in chunks.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        // A byte of `x` is zero exactly where the chunk has a colon; `zero` gets its high bit
        // set there and nowhere else (no carries between bytes).
        let x = u64::from_le_bytes(word) ^ COLONS;
        let mut zero = !(((x & LOW7) + LOW7) | x | LOW7);
        while zero != 0 {
            let slot = out.get_mut(found)?;
            *slot = at + (zero.trailing_zeros() / 8) as usize;
            found += 1;
            if found == 4 {
                return Some(out);
            }
            zero &= zero - 1;
        }
        at += 8;
    }
    for (i, &b) in chunks.remainder().iter().enumerate() {
        if b == b':' {
            let slot = out.get_mut(found)?;
            *slot = at + i;
            found += 1;
            if found == 4 {
                return Some(out);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colons_found_eight_bytes_at_a_time_as_one_at_a_time() {
        let naive = |b: &[u8]| -> Option<[usize; 4]> {
            let v: Vec<usize> = b
                .iter()
                .enumerate()
                .filter(|(_, c)| **c == b':')
                .map(|(i, _)| i)
                .take(4)
                .collect();
            v.try_into().ok()
        };
        // Every text of up to 11 bytes over ':', ';' (the byte above ':') and a multi-byte
        // lead, across the eight-byte boundary; then longer ones with colons far in.
        let alphabet = [b':', b';', 0xc3];
        for len in 0..=11u32 {
            for n in 0..3usize.pow(len) {
                let text: Vec<u8> = (0..len).map(|i| alphabet[n / 3usize.pow(i) % 3]).collect();
                assert_eq!(first_colons(&text), naive(&text), "{text:?}");
            }
        }
        for gap in 0..40 {
            let text = format!(
                "arn{}:aws:{}:x:{}",
                "a".repeat(gap),
                "b".repeat(gap / 2),
                ";".repeat(gap)
            );
            assert_eq!(first_colons(text.as_bytes()), naive(text.as_bytes()), "{text}");
        }
    }

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
        assert!(Arn::parse("arn:aws:s3:::").is_some_and(|a| a.resource.is_empty()));
        assert!(Arn::parse("arn:aws:s3::").is_none());
        assert!(Arn::parse("s3:::bucket").is_none());
    }
}
