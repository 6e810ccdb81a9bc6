//! IAM's naming and range rules, checked before a request leaves (a clear local error instead of a
//! ValidationError). Every path (Python, CLI, spec files, profiles) calls these; none re-writes them.

use super::Error;
use rolekit_policy::arn::{is_account_id, Arn, PARTITIONS};

fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)
}

/// A role, user or policy name: 1–`max` characters from letters, digits and `+=,.@_-`.
pub fn check_name(what: &str, name: &str, max: usize) -> Result<(), Error> {
    if name.is_empty() {
        return Err(Error::InvalidArgument(format!("the {what} name is empty")));
    }
    if name.chars().count() > max {
        return Err(Error::InvalidArgument(format!(
            "the {what} name is {} characters long; IAM allows at most {max}",
            name.chars().count()
        )));
    }
    if let Some(bad) = name.chars().find(|c| !name_char(*c)) {
        return Err(Error::InvalidArgument(format!(
            "the {what} name {name:?} contains {bad:?}; IAM allows letters, digits and + = , . @ _ -"
        )));
    }
    Ok(())
}

/// An IAM path: `/` or `/a/b/`, at most 512 characters of printable ASCII.
pub fn check_path(path: &str) -> Result<(), Error> {
    let ok = path.starts_with('/')
        && path.ends_with('/')
        && path.len() <= 512
        && !path.contains("//")
        && path.bytes().all(|b| (0x21..=0x7e).contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "the path {path:?} is not an IAM path: it starts and ends with / (e.g. /service-role/), \
             has no empty segment and at most 512 printable characters"
        )))
    }
}

/// A role's maximum session duration: 3600..=43200 seconds (IAM's CreateRole/UpdateRole range).
pub fn check_max_session_duration(seconds: i32) -> Result<(), Error> {
    whole_seconds("max_session_duration", seconds, 3600)
}

/// An AssumeRole session's duration: 900..=43200 seconds (STS's range; the role's own maximum
/// and role chaining's one hour are AWS's to enforce).
pub fn check_session_duration(seconds: i32) -> Result<(), Error> {
    whole_seconds("duration", seconds, 900)
}

/// Both durations end at twelve hours; they start at `min`.
fn whole_seconds(what: &str, seconds: i32, min: i32) -> Result<(), Error> {
    if (min..=43_200).contains(&seconds) {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "{what} must be between {min} and 43200 seconds, got {seconds}"
        )))
    }
}

/// A number of seconds given as a float (`timeout`, `wait`): finite, within `min..=max`
/// (`min` itself excluded when `exclusive_min`).
pub fn seconds(what: &str, value: f64, min: f64, exclusive_min: bool, max: f64) -> Result<std::time::Duration, Error> {
    let low_ok = if exclusive_min { value > min } else { value >= min };
    if value.is_finite() && low_ok && value <= max {
        Ok(std::time::Duration::from_secs_f64(value))
    } else {
        Err(Error::InvalidArgument(format!(
            "{what} must be between {min} and {max} seconds, got {value}"
        )))
    }
}

/// `text` is `min..=max` characters, each `allowed`; else the error `why()` says.
fn chars_within(
    text: &str,
    (min, max): (usize, usize),
    allowed: impl Fn(char) -> bool,
    why: impl FnOnce() -> String,
) -> Result<(), Error> {
    let n = text.chars().count();
    if (min..=max).contains(&n) && text.chars().all(allowed) {
        Ok(())
    } else {
        Err(Error::InvalidArgument(why()))
    }
}

/// An STS role session name: 2..=64 characters from letters, digits and `+=,.@_-`.
pub fn check_session_name(name: &str) -> Result<(), Error> {
    chars_within(name, (2, 64), name_char, || {
        format!("the session name {name:?} is not valid: STS takes 2 to 64 letters, digits and + = , . @ _ -")
    })
}

/// An STS external id: 2..=1224 characters from letters, digits and `+=,.@:/_-`.
pub fn check_external_id(id: &str) -> Result<(), Error> {
    chars_within(
        id,
        (2, 1224),
        |c| name_char(c) || c == ':' || c == '/',
        || "the external id is not valid: STS takes 2 to 1224 letters, digits and + = , . @ : / _ -".into(),
    )
}

/// An AWS region name such as `us-east-1`, `eu-central-2` or `us-gov-west-1`.
pub fn check_region(region: &str) -> Result<(), Error> {
    let parts: Vec<&str> = region.split('-').collect();
    let ok = parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].len() <= 2
        && !parts[parts.len() - 1].is_empty()
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "{region:?} is not an AWS region name (e.g. us-east-1)"
        )))
    }
}

/// A profile name in the shared config file: 1..=128 letters, digits and `_.@+/:-` (nothing that
/// could end a section header or start another line).
pub fn check_profile_name(name: &str) -> Result<(), Error> {
    chars_within(
        name,
        (1, 128),
        |c| c.is_ascii_alphanumeric() || "_.@+/:-".contains(c),
        || {
            format!("profile name {name:?} is not usable: use 1-128 letters, digits and _ . @ + / : - (no spaces or brackets)")
        },
    )
}

/// An MFA device: its ARN or a hardware serial number, at most 256 characters, no whitespace.
pub fn check_mfa_serial(serial: &str) -> Result<(), Error> {
    chars_within(
        serial,
        (1, 256),
        |c| !(c.is_whitespace() || c.is_control()),
        || format!("mfa_serial {serial:?} is not an MFA device ARN or serial number"),
    )
}

/// A role ARN, and only an ARN (a profile's `role_arn`): `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`.
pub fn check_role_arn(arn: &str) -> Result<(), Error> {
    if arn.starts_with("arn:") {
        check_role_ref(arn)
    } else {
        Err(Error::InvalidArgument(format!(
            "{arn:?} is not a role ARN: it does not start with arn:"
        )))
    }
}

/// An AWS managed policy's name (`AmazonSageMakerFullAccess`), not an ARN.
pub fn check_aws_managed_name(name: &str) -> Result<(), Error> {
    if name.is_empty() || name.contains(':') {
        return Err(Error::InvalidArgument(
            "aws_managed takes a policy name such as AmazonSageMakerFullAccess".into(),
        ));
    }
    Ok(())
}

/// A role given by name (`x`, or with its path `service-role/x`) or by ARN.
pub fn check_role_ref(role: &str) -> Result<(), Error> {
    if role.starts_with("arn:") {
        let bad = |why: &str| Error::InvalidArgument(format!("{role:?} is not a role ARN: {why}"));
        let arn = Arn::parse(role).ok_or_else(|| bad("an ARN has six parts, arn:aws:iam::ACCOUNT:role/NAME"))?;
        if !PARTITIONS.contains(&arn.partition) {
            return Err(bad("unknown partition"));
        }
        if arn.service != "iam" || !arn.region.is_empty() {
            return Err(bad(
                "a role ARN is arn:aws:iam::ACCOUNT:role/NAME (service iam, no region)",
            ));
        }
        if !is_account_id(arn.account) {
            return Err(bad("the account is not 12 digits"));
        }
        let rest = arn
            .resource
            .strip_prefix("role/")
            .ok_or_else(|| bad("the resource does not start with role/"))?;
        return check_path_and_name(rest);
    }
    check_path_and_name(role.trim_start_matches('/'))
}

fn check_path_and_name(text: &str) -> Result<(), Error> {
    let (path, name) = text.rsplit_once('/').map_or(("", text), |(p, n)| (p, n));
    if !path.is_empty() {
        check_path(&format!("/{path}/"))?;
    }
    check_name("role", name, 64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sts_and_profile_values() {
        assert!(check_session_name("ds-1@x").is_ok());
        for bad in ["x", "a b", "x\n", &"s".repeat(65)] {
            assert!(check_session_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_external_id("a:b/c=d").is_ok() && check_external_id("x").is_err());
        for ok in ["us-east-1", "eu-central-2", "us-gov-west-1", "ap-southeast-10"] {
            assert!(check_region(ok).is_ok(), "{ok}");
        }
        for bad in ["mars", "us-east", "US-EAST-1", "us-east-1\n", "us-east-123", "u-east-1"] {
            assert!(check_region(bad).is_err(), "{bad:?}");
        }
        assert!(check_profile_name("team/ds:dev@x").is_ok());
        for bad in ["", "a b", "a]", "evil\n", &"p".repeat(129)] {
            assert!(check_profile_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_mfa_serial("arn:aws:iam::123456789012:mfa/ana").is_ok());
        assert!(check_mfa_serial("a b").is_err() && check_mfa_serial("").is_err());
        assert!(check_role_arn("arn:aws:iam::123456789012:role/x").is_ok() && check_role_arn("x").is_err());
        assert!(check_session_duration(900).is_ok() && check_session_duration(899).is_err());
        assert!(check_max_session_duration(43_200).is_ok() && check_max_session_duration(43_201).is_err());
        assert!(seconds("wait", 0.0, 0.0, false, 3600.0).is_ok());
        assert!(seconds("timeout", 0.0, 0.0, true, 3600.0).is_err());
        assert!(seconds("timeout", f64::NAN, 0.0, true, 3600.0).is_err());
        assert!(check_aws_managed_name("AmazonS3ReadOnlyAccess").is_ok() && check_aws_managed_name("arn:x").is_err());
    }

    #[test]
    fn names_paths_and_arns() {
        assert!(check_name("role", "ds-role_1.x@y", 64).is_ok());
        assert!(check_name("role", "", 64).unwrap_err().to_string().contains("empty"));
        assert!(check_name("role", "bad name", 64)
            .unwrap_err()
            .to_string()
            .contains("' '"));
        assert!(check_name("role", &"x".repeat(65), 64)
            .unwrap_err()
            .to_string()
            .contains("65"));
        assert!(check_path("/").is_ok() && check_path("/service-role/").is_ok());
        for bad in ["", "x/", "/x", "//", "/a b/"] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
        assert!(check_role_ref("service-role/x").is_ok());
        assert!(check_role_ref("arn:aws:iam::123456789012:role/service-role/x").is_ok());
        for (bad, why) in [
            ("arn:aws:iam::1:role/x", "12 digits"),
            ("arn:aws:iam::123456789012:role/x/", "empty"),
            ("arn:aws:iam::123456789012:user/x", "role/"),
            ("arn:aws:s3:::b", "service iam"),
            ("arn:aws", "six parts"),
            ("arn:aws-mars:iam::123456789012:role/x", "partition"),
            ("bad name!", "' '"),
        ] {
            let e = check_role_ref(bad).unwrap_err().to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}
