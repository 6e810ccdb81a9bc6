//! The two wire protocols rolekit speaks itself: AWS Query (IAM, STS: form-encoded bodies, XML
//! answers, `<ErrorResponse>` errors, `Marker` pagination) and JSON 1.1 (SageMaker: `X-Amz-Target`,
//! `__type` errors). Requests are signed and sent by [`super::RequestSender`].

use super::endpoint::Service;
use crate::error::{ErrorKind, ServiceError};
use crate::xml::Node;
use crate::{Client, Error};

/// An answer from the service (any status).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub request_id: Option<String>,
    pub content_type: String,
    pub body: String,
}

/// Form encoding (`application/x-www-form-urlencoded`) with spaces as `+`, as botocore writes it.
fn form_encode(out: &mut String, text: &str) {
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 15)]));
            }
        }
    }
}

/// The body of a Query-protocol request.
pub fn query_body(service: Service, action: &str, params: &[(&str, &str)]) -> String {
    let mut body = String::with_capacity(64 + params.iter().map(|(k, v)| k.len() + v.len() + 2).sum::<usize>());
    body.push_str("Action=");
    form_encode(&mut body, action);
    body.push_str("&Version=");
    body.push_str(service.api_version());
    for (k, v) in params {
        body.push('&');
        form_encode(&mut body, k);
        body.push('=');
        form_encode(&mut body, v);
    }
    body
}

/// A Query-protocol error answer (`<ErrorResponse><Error><Code>…`) as an error.
pub(crate) fn query_error(operation: &str, endpoint: &str, answer: &Answer) -> Error {
    let field = |name| crate::error::xml_field(&answer.body, name);
    crate::error::answer_error(
        operation,
        endpoint,
        Some(answer.status),
        answer.request_id.clone().or_else(|| field("RequestId")),
        &answer.content_type,
        &answer.body,
        field("Code"),
        field("Message"),
    )
}

impl Client {
    /// One Query-protocol (IAM, STS) call: its `<{action}Result>` element.
    pub(crate) async fn query(&self, service: Service, action: &str, params: &[(&str, &str)]) -> Result<Node, Error> {
        let body = query_body(service, action, params);
        let headers = [("content-type", "application/x-www-form-urlencoded; charset=utf-8")];
        let answer = self
            .sender()
            .send(service, action, &headers, body.as_bytes(), |endpoint, answer| {
                query_error(action, endpoint, answer)
            })
            .await?;
        let root = Node::parse(&answer.body)
            .map_err(|e| Error::Protocol(format!("{action}: the answer is not AWS's XML ({e})")))?;
        let result = format!("{action}Result");
        root.children
            .into_iter()
            .find(|c| c.name == result)
            .ok_or_else(|| Error::Protocol(format!("{action}: the answer has no <{result}>")))
    }

    /// Every page of an IAM list call (`Marker` / `IsTruncated`): each page's list `field`'s
    /// members, in order.
    pub(crate) async fn query_all(
        &self,
        action: &str,
        params: &[(&str, &str)],
        field: &str,
    ) -> Result<Vec<Node>, Error> {
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let mut all: Vec<(&str, &str)> = params.to_vec();
            if let Some(m) = &marker {
                all.push(("Marker", m));
            }
            let mut page = self.query(Service::Iam, action, &all).await?;
            let truncated = page.text_of("IsTruncated") == Some("true");
            let next = page.text_of("Marker").map(str::to_string);
            if let Some(list) = page.children.iter_mut().find(|c| c.name == field) {
                out.extend(
                    std::mem::take(&mut list.children)
                        .into_iter()
                        .filter(|c| c.name == "member"),
                );
            }
            match next {
                Some(next) if truncated && marker.as_deref() != Some(next.as_str()) => marker = Some(next),
                _ => return Ok(out),
            }
        }
    }

    /// One SageMaker JSON API call, signed with the client's credentials.
    pub async fn sagemaker_call(&self, operation: &str, body: &serde_json::Value) -> Result<serde_json::Value, Error> {
        let endpoint = self.sender().endpoint(Service::SageMaker)?.clone();
        self.json_call(&endpoint, "SageMaker", operation, body).await
    }

    /// One JSON 1.1 call (`X-Amz-Target: {prefix}.{operation}`) to `endpoint`.
    pub(crate) async fn json_call(
        &self,
        endpoint: &super::Endpoint,
        prefix: &str,
        operation: &str,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value, Error> {
        let target = format!("{prefix}.{operation}");
        let headers = [
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amz-target", target.as_str()),
        ];
        let body = body.to_string();
        let request = super::Outgoing {
            endpoint,
            method: "POST",
            url: &endpoint.url,
            path: &endpoint.path,
            query: "",
            headers: &headers,
            body: body.as_bytes(),
        };
        let answer = self
            .sender()
            .send_to(&request, operation, |_, answer| {
                Error::Service(json_error(operation, answer))
            })
            .await?;
        serde_json::from_str(&answer.body)
            .map_err(|e| Error::Protocol(format!("{operation}: the answer is not JSON: {e}")))
    }

    /// S3 GetBucketPolicy: the bucket's policy (JSON text), or `None` when it has none.
    pub async fn bucket_policy(&self, bucket: &str) -> Result<Option<String>, Error> {
        const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let (endpoint, path) = self.sender().per_resource.s3_bucket(bucket);
        let origin = endpoint
            .url
            .strip_suffix(endpoint.path.as_str())
            .unwrap_or(&endpoint.url);
        let url = format!("{origin}{path}?policy");
        let headers = [("x-amz-content-sha256", EMPTY_SHA256)];
        let request = super::Outgoing {
            endpoint: &endpoint,
            method: "GET",
            url: &url,
            path: &path,
            query: "policy=",
            headers: &headers,
            body: b"",
        };
        let label = format!("S3 ({})", endpoint.host);
        match self
            .sender()
            .send_to(&request, "GetBucketPolicy", |_, answer| {
                query_error("GetBucketPolicy", &label, answer)
            })
            .await
        {
            Ok(answer) => Ok(Some(answer.body)),
            Err(Error::Service(e)) if e.code == "NoSuchBucketPolicy" => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// KMS GetKeyPolicy: the key's policy (JSON text), asked of the key's own region.
    pub async fn key_policy(&self, key_arn: &str) -> Result<String, Error> {
        let region = rolekit_policy::arn::Arn::parse(key_arn).map(|a| a.region);
        let endpoint = self.sender().per_resource.kms(region);
        let answer = self
            .json_call(
                &endpoint,
                "TrentService",
                "GetKeyPolicy",
                &serde_json::json!({ "KeyId": key_arn, "PolicyName": "default" }),
            )
            .await?;
        answer
            .get("Policy")
            .and_then(serde_json::Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| Error::Protocol("GetKeyPolicy: the answer has no Policy".into()))
    }
}

/// A JSON-protocol error body (`{"__type": "...#Code", "message": "..."}`) as a service error.
pub fn json_error(operation: &str, answer: &Answer) -> ServiceError {
    let parsed: serde_json::Value = serde_json::from_str(&answer.body).unwrap_or(serde_json::Value::Null);
    let text = |keys: [&str; 2]| {
        keys.iter()
            .find_map(|k| parsed.get(*k).and_then(serde_json::Value::as_str))
            .map(str::to_string)
    };
    let code = text(["__type", "code"]).map_or_else(
        || format!("HTTP{}", answer.status),
        |t| t.rsplit('#').next().unwrap_or(&t).to_string(),
    );
    let message = text(["message", "Message"]).unwrap_or_else(|| answer.body.chars().take(300).collect());
    ServiceError {
        kind: ErrorKind::from_code(&code),
        code,
        message: crate::secrets::mask(&message).into_owned(),
        operation: operation.into(),
        request_id: answer.request_id.clone(),
        status: Some(answer.status),
        diagnosis: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::direct::retry::retryable;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            request_id: None,
            content_type: "text/xml".into(),
            body: body.into(),
        }
    }
    #[test]
    fn query_bodies_are_form_encoded() {
        assert_eq!(
            query_body(
                Service::Sts,
                "AssumeRole",
                &[("RoleSessionName", "a b"), ("Policy", "{\"x\":\"é/*\"}")]
            ),
            "Action=AssumeRole&Version=2011-06-15&RoleSessionName=a+b&Policy=%7B%22x%22%3A%22%C3%A9%2F%2A%22%7D"
        );
    }

    #[test]
    fn query_errors_are_typed() {
        let body = "<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code>\
                    <Message>The role with name x cannot be found.</Message></Error>\
                    <RequestId>r-9</RequestId></ErrorResponse>";
        let Error::Service(e) = query_error("GetRole", "http://h", &answer(404, body)) else {
            panic!("not a service error");
        };
        assert_eq!(
            (e.kind, e.code.as_str(), e.request_id.as_deref(), e.status),
            (ErrorKind::NoSuchEntity, "NoSuchEntity", Some("r-9"), Some(404))
        );
        assert!(retryable(&query_error(
            "GetRole",
            "h",
            &answer(400, "<Error><Code>Throttling</Code></Error>")
        )));
        let html = query_error("GetRole", "http://h", &answer(502, "<html>Bad gateway</html>"));
        assert!(retryable(&html));
        assert!(
            html.to_string().contains("http://h did not answer like AWS (HTTP 502"),
            "{html}"
        );
        assert!(!retryable(&query_error(
            "GetRole",
            "h",
            &answer(403, "<Code>AccessDenied</Code>")
        )));
    }

    #[test]
    fn json_errors_are_typed() {
        let e = json_error(
            "DescribeDomain",
            &answer(
                400,
                r#"{"__type": "com.amazon.coral#AccessDeniedException", "message": "no"}"#,
            ),
        );
        assert_eq!(
            (e.kind, e.code.as_str(), e.message.as_str()),
            (ErrorKind::AccessDenied, "AccessDeniedException", "no")
        );
        assert_eq!(json_error("X", &answer(502, "<html>")).code, "HTTP502");
    }
}
