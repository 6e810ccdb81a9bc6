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
    if (3600..=43_200).contains(&seconds) {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "max_session_duration must be 3600..43200 seconds, got {seconds}"
        )))
    }
}

/// An AssumeRole session's duration: 900..=43200 seconds (STS's range; the role's own maximum
/// and role chaining's one hour are AWS's to enforce).
pub fn check_session_duration(seconds: i32) -> Result<(), Error> {
    if (900..=43_200).contains(&seconds) {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "duration must be between 900 and 43200 seconds, got {seconds}"
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

/// An STS role session name: 2..=64 characters from letters, digits and `+=,.@_-`.
pub fn check_session_name(name: &str) -> Result<(), Error> {
    let n = name.chars().count();
    if (2..=64).contains(&n) && name.chars().all(name_char) {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "the session name {name:?} is not valid: STS takes 2 to 64 letters, digits and + = , . @ _ -"
        )))
    }
}

/// An STS external id: 2..=1224 characters from letters, digits and `+=,.@:/_-`.
pub fn check_external_id(id: &str) -> Result<(), Error> {
    let n = id.chars().count();
    if (2..=1224).contains(&n) && id.chars().all(|c| name_char(c) || c == ':' || c == '/') {
        Ok(())
    } else {
        Err(Error::InvalidArgument(
            "the external id is not valid: STS takes 2 to 1224 letters, digits and + = , . @ : / _ -".into(),
        ))
    }
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
    let n = name.chars().count();
    if (1..=128).contains(&n) && name.chars().all(|c| c.is_ascii_alphanumeric() || "_.@+/:-".contains(c)) {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "profile name {name:?} is not usable: use 1-128 letters, digits and _ . @ + / : - (no spaces or brackets)"
        )))
    }
}

/// An MFA device: its ARN or a hardware serial number, at most 256 characters, no whitespace.
pub fn check_mfa_serial(serial: &str) -> Result<(), Error> {
    if !serial.is_empty()
        && serial.chars().count() <= 256
        && !serial.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "mfa_serial {serial:?} is not an MFA device ARN or serial number"
        )))
    }
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
