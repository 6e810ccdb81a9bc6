//! Wire details shared by the IAM and STS clients.
//!
//! `FormSpaces` writes spaces in query-protocol (form-encoded) bodies as `+`, as botocore and the
//! AWS CLI do. Both spellings are valid form encoding and AWS accepts either; moto's server, which
//! the sandbox runs, re-encodes bodies with `+` before checking signatures, so a `%20` body
//! (descriptions, session names with spaces) would fail its check there.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::ConfigBag;

/// Rewrites `%20` as `+` in form-encoded request bodies before signing.
#[derive(Debug, Default)]
pub struct FormSpaces;

/// `%20` → `+` (bytes), or `None` when there is nothing to change.
pub fn plus_spaces(body: &[u8]) -> Option<Vec<u8>> {
    if !body.windows(3).any(|w| w == b"%20") {
        return None;
    }
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        if body[i..].starts_with(b"%20") {
            out.push(b'+');
            i += 3;
        } else {
            out.push(body[i]);
            i += 1;
        }
    }
    Some(out)
}

impl Intercept for FormSpaces {
    fn name(&self) -> &'static str {
        "rolekit::FormSpaces"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        let is_form = request
            .headers()
            .get("content-type")
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Ok(());
        }
        let Some(new) = request.body().bytes().and_then(plus_spaces) else {
            return Ok(());
        };
        let len = new.len();
        *request.body_mut() = SdkBody::from(new);
        request.headers_mut().insert("content-length", len.to_string());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::plus_spaces;

    #[test]
    fn rewrites_only_encoded_spaces() {
        assert_eq!(plus_spaces(b"a=b%20c&d=%2520").as_deref(), Some(&b"a=b+c&d=%2520"[..]));
        assert_eq!(plus_spaces(b"a=b"), None);
    }
}
