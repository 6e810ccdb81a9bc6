//! IAM's naming rules, checked before a request leaves (a clear local error instead of a ValidationError).

use super::Error;
use crate::policy::arn::{Arn, PARTITIONS};

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
        if arn.account.len() != 12 || !arn.account.bytes().all(|b| b.is_ascii_digit()) {
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
