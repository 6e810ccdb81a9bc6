//! A small element tree over AWS's XML answers (Query protocol: IAM, STS), read with the same
//! tokenizer the SDK's generated parsers use (xmlparser). Answers are a few kilobytes; a tree
//! makes each reader a handful of path lookups.

use xmlparser::{ElementEnd, Token, Tokenizer};

/// One element: its local name, its text (entities decoded) and its child elements.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Node {
    pub name: String,
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    /// Parse a document; its root element.
    pub fn parse(body: &str) -> Result<Node, String> {
        let mut stack: Vec<Node> = Vec::new();
        let mut root = None;
        for token in Tokenizer::from(body) {
            let token = token.map_err(|e| format!("malformed XML: {e}"))?;
            match token {
                Token::ElementStart { local, .. } => {
                    if root.is_some() {
                        return Err("malformed XML: content after the root element".into());
                    }
                    stack.push(Node {
                        name: local.as_str().to_string(),
                        ..Node::default()
                    });
                }
                Token::ElementEnd { end, .. } => {
                    if matches!(end, ElementEnd::Open) {
                        continue;
                    }
                    let node = stack.pop().ok_or("malformed XML: an end tag without a start")?;
                    if let ElementEnd::Close(_, local) = end {
                        if local.as_str() != node.name {
                            return Err(format!(
                                "malformed XML: <{}> closed by </{}>",
                                node.name,
                                local.as_str()
                            ));
                        }
                    }
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(node),
                        None => root = Some(node),
                    }
                }
                Token::Text { text } => {
                    if let Some(node) = stack.last_mut() {
                        node.text.push_str(&unescape(text.as_str())?);
                    }
                }
                Token::Cdata { text, .. } => {
                    if let Some(node) = stack.last_mut() {
                        node.text.push_str(text.as_str());
                    }
                }
                _ => {}
            }
        }
        if !stack.is_empty() {
            return Err("malformed XML: the document ends inside an element".into());
        }
        root.ok_or_else(|| "not XML: no root element".into())
    }

    /// The first child element named `name`.
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The element at a path of child names.
    pub fn path(&self, names: &[&str]) -> Option<&Node> {
        names.iter().try_fold(self, |node, name| node.child(name))
    }

    /// The trimmed text of the child `name`, when present and not empty.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim()).filter(|t| !t.is_empty())
    }

    /// The child `name` as a timestamp (ISO 8601, as the SDK's parsers read AWS's).
    pub fn time_of(&self, name: &str) -> Option<std::time::SystemTime> {
        let text = self.text_of(name)?;
        aws_smithy_types::DateTime::from_str(text, aws_smithy_types::date_time::Format::DateTime)
            .ok()
            .and_then(|t| std::time::SystemTime::try_from(t).ok())
    }

    /// The `<member>` children of the child `name` (an XML list).
    pub fn members<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a Node> + 'a {
        self.child(name)
            .into_iter()
            .flat_map(|list| list.children.iter().filter(|c| c.name == "member"))
    }
}

/// Decode the five named entities and numeric character references.
fn unescape(text: &str) -> Result<String, String> {
    if !text.contains('&') {
        return Ok(text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 1..];
        let end = tail
            .find(';')
            .ok_or("malformed XML: an entity without its closing `;`")?;
        let entity = &tail[..end];
        let ch = match entity {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x").or_else(|| entity.strip_prefix("#X")) {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = entity.strip_prefix('#') {
                    dec.parse().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32)
                    .ok_or_else(|| format!("malformed XML: unknown entity &{entity};"))?
            }
        };
        out.push(ch);
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_iam_answer() {
        let body = r#"<?xml version="1.0"?>
<GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <GetRoleResult><Role><RoleName>ds</RoleName><Description>a &amp; b &#x263A; &#65;</Description>
    <Tags><member><Key>k</Key><Value>v</Value></member><member><Key>k2</Key><Value/></member></Tags>
  </Role></GetRoleResult>
  <ResponseMetadata><RequestId><![CDATA[r-1]]></RequestId></ResponseMetadata>
</GetRoleResponse>"#;
        let root = Node::parse(body).unwrap();
        assert_eq!(root.name, "GetRoleResponse");
        let role = root.path(&["GetRoleResult", "Role"]).unwrap();
        assert_eq!(role.text_of("RoleName"), Some("ds"));
        assert_eq!(role.text_of("Description"), Some("a & b \u{263A} A"));
        let tags: Vec<_> = role
            .members("Tags")
            .map(|m| (m.text_of("Key"), m.text_of("Value")))
            .collect();
        assert_eq!(tags, vec![(Some("k"), Some("v")), (Some("k2"), None)]);
        assert_eq!(root.path(&["ResponseMetadata", "RequestId"]).unwrap().text, "r-1");
        assert_eq!(role.members("Missing").count(), 0);
        let dated = Node::parse("<R><At>2026-11-28T15:00:00Z</At><Bad>soon</Bad></R>").unwrap();
        let at = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_795_878_000);
        assert_eq!((dated.time_of("At"), dated.time_of("Bad")), (Some(at), None));
    }

    #[test]
    fn refuses_what_is_not_xml() {
        assert!(Node::parse("<a><b></a>").unwrap_err().contains("closed by"));
        assert!(Node::parse("<a>").unwrap_err().contains("ends inside"));
        assert!(Node::parse("").unwrap_err().contains("no root"));
        assert!(Node::parse("<html>Not Found").is_err());
        assert!(Node::parse("<a>&bogus;</a>").unwrap_err().contains("unknown entity"));
        assert!(Node::parse("<a/><b/>").is_err());
    }
}
