//! The policy model: a lenient, typed view over a positioned JSON tree.
//!
//! The JSON tree (`Policy::root`) stays the source of truth, so nothing the user wrote is lost,
//! even what rolekit does not understand; the model exposes what evaluation and the semantic rules
//! need, with the position of every item. Building the model never fails: malformed parts are
//! left out here and reported by `validate`.

use super::json::{self, Node, Pos, Str, Value};

/// The policy language versions IAM knows.
pub const VERSION_2012: &str = "2012-10-17";
pub const VERSION_2008: &str = "2008-10-17";

/// Allow or Deny.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Effect {
    Allow,
    Deny,
}

/// One string of a string-or-list element (Action, Resource, a principal, condition values).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub value: Str,
    pub pos: Pos,
    /// Index in the list, or `None` when the element was a single string.
    pub index: Option<usize>,
}

/// A string-or-list element with its position.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Items {
    pub items: Vec<Item>,
    pub pos: Pos,
}

impl Items {
    /// The values, in order.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.items.iter().map(|i| i.value.as_str())
    }
}

/// A `Principal` or `NotPrincipal` element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    /// `"Principal": "*"`: everyone.
    Star(Pos),
    /// `{"AWS": [...], "Service": [...], "Federated": [...], "CanonicalUser": [...]}`.
    Map(Vec<(String, Items)>),
}

/// A condition operator, split into its parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operator {
    /// As written, e.g. `ForAnyValue:StringLikeIfExists`.
    pub raw: String,
    /// The base operator, e.g. `StringLike`; `None` when unknown.
    pub base: Option<BaseOp>,
    pub qualifier: Option<Qualifier>,
    pub if_exists: bool,
}

/// `ForAllValues:` or `ForAnyValue:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Qualifier {
    ForAllValues,
    ForAnyValue,
}

macro_rules! base_ops {
    ($($name:ident),* $(,)?) => {
        /// The condition operators IAM knows.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum BaseOp { $($name),* }

        impl BaseOp {
            /// All operators, in the IAM documentation's order.
            pub const ALL: &'static [BaseOp] = &[$(BaseOp::$name),*];

            /// The operator's name as written in policies.
            pub fn name(self) -> &'static str {
                match self { $(BaseOp::$name => stringify!($name)),* }
            }

            /// Parse an operator name (case-sensitive, as IAM is).
            pub fn parse(name: &str) -> Option<Self> {
                match name { $(stringify!($name) => Some(BaseOp::$name),)* _ => None }
            }
        }
    };
}

base_ops!(
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
);

/// The family of values an operator compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpFamily {
    String,
    Numeric,
    Date,
    Bool,
    Binary,
    Ip,
    Arn,
    Null,
}

impl BaseOp {
    /// Which family of values this operator compares.
    pub fn family(self) -> OpFamily {
        use BaseOp::*;
        match self {
            StringEquals
            | StringNotEquals
            | StringEqualsIgnoreCase
            | StringNotEqualsIgnoreCase
            | StringLike
            | StringNotLike => OpFamily::String,
            NumericEquals
            | NumericNotEquals
            | NumericLessThan
            | NumericLessThanEquals
            | NumericGreaterThan
            | NumericGreaterThanEquals => OpFamily::Numeric,
            DateEquals
            | DateNotEquals
            | DateLessThan
            | DateLessThanEquals
            | DateGreaterThan
            | DateGreaterThanEquals => OpFamily::Date,
            Bool => OpFamily::Bool,
            BinaryEquals => OpFamily::Binary,
            IpAddress | NotIpAddress => OpFamily::Ip,
            ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => OpFamily::Arn,
            Null => OpFamily::Null,
        }
    }

    /// Negated operators match when the key is absent.
    pub fn is_negated(self) -> bool {
        use BaseOp::*;
        matches!(
            self,
            StringNotEquals
                | StringNotEqualsIgnoreCase
                | StringNotLike
                | NumericNotEquals
                | DateNotEquals
                | NotIpAddress
                | ArnNotEquals
                | ArnNotLike
        )
    }
}

impl Operator {
    /// Split `ForAnyValue:StringLikeIfExists` into its parts.
    pub fn parse(raw: &str) -> Self {
        let (qualifier, rest) = if let Some(r) = raw.strip_prefix("ForAllValues:") {
            (Some(Qualifier::ForAllValues), r)
        } else if let Some(r) = raw.strip_prefix("ForAnyValue:") {
            (Some(Qualifier::ForAnyValue), r)
        } else {
            (None, raw)
        };
        let (if_exists, base_name) = match rest.strip_suffix("IfExists") {
            Some(b) => (true, b),
            None => (false, rest),
        };
        let base = BaseOp::parse(base_name);
        // `Null` takes no IfExists suffix.
        let base = if if_exists && base == Some(BaseOp::Null) {
            None
        } else {
            base
        };
        Self {
            raw: raw.to_string(),
            base,
            qualifier,
            if_exists,
        }
    }
}

/// One key of one operator in a Condition block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    pub operator: Operator,
    pub operator_pos: Pos,
    pub key: Str,
    pub key_pos: Pos,
    /// Values as IAM reads them: strings as written, numbers as their text, booleans as `true`/`false`.
    pub values: Items,
}

/// One statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// Index in the Statement list (0 when Statement was a single object).
    pub index: usize,
    /// Where the statement starts in the source text.
    pub pos: Pos,
    /// `Sid`, when it is a string.
    pub sid: Option<String>,
    /// `Effect`, when it is `Allow` or `Deny`.
    pub effect: Option<Effect>,
    /// `Principal` (resource and trust policies).
    pub principal: Option<Principal>,
    /// `NotPrincipal`.
    pub not_principal: Option<Principal>,
    /// `Action`, its strings as written.
    pub action: Option<Items>,
    /// `NotAction`.
    pub not_action: Option<Items>,
    /// `Resource`, its strings as written.
    pub resource: Option<Items>,
    /// `NotResource`.
    pub not_resource: Option<Items>,
    /// `Condition`, one entry per operator and key.
    pub conditions: Vec<Condition>,
}

impl Statement {
    /// `Sid` when present, otherwise `#index`: how findings and explanations name a statement.
    pub fn label(&self) -> String {
        self.sid
            .as_ref()
            .map_or_else(|| format!("#{}", self.index), |s| format!("{s:?}"))
    }

    /// Action or NotAction items, whichever is present (Action first).
    pub fn action_items(&self) -> Option<&Items> {
        self.action.as_ref().or(self.not_action.as_ref())
    }
}

/// A policy document.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// The document as written (positions included).
    pub root: Node,
    pub version: Option<String>,
    pub id: Option<String>,
    pub statements: Vec<Statement>,
    /// Whether `Statement` was a list (as opposed to a single object).
    pub statement_is_list: bool,
    /// From the text it was parsed from: an upper bound of its size without white space, and
    /// whether it is exact (see [`json::Measured`]); spares walking the tree to count.
    pub compact_size: Option<(usize, bool)>,
    /// Whether some object may repeat a key: false when the parser saw none (or the document
    /// came from a map, which cannot), so validation skips that walk.
    pub may_repeat_keys: bool,
}

impl Policy {
    /// Parse JSON text. Only JSON syntax errors fail; everything else is for `validate`.
    pub fn parse(text: &str) -> Result<Self, json::ParseError> {
        let measured = json::parse_measured(text)?;
        let mut policy = Self::from_node(measured.node);
        policy.compact_size = Some((measured.compact_bound, measured.compact_exact));
        policy.may_repeat_keys = measured.duplicate_keys;
        Ok(policy)
    }

    /// Build from an already parsed tree.
    pub fn from_node(root: Node) -> Self {
        let version = root.get("Version").and_then(|m| m.value.as_str()).map(str::to_string);
        let id = root.get("Id").and_then(|m| m.value.as_str()).map(str::to_string);
        let mut statements = Vec::new();
        let mut statement_is_list = true;
        if let Some(m) = root.get("Statement") {
            match &m.value.value {
                Value::Array(list) => {
                    for (i, s) in list.iter().enumerate() {
                        if matches!(s.value, Value::Object(_)) {
                            statements.push(build_statement(i, s));
                        }
                    }
                }
                Value::Object(_) => {
                    statement_is_list = false;
                    statements.push(build_statement(0, &m.value));
                }
                _ => {}
            }
        }
        Self {
            root,
            version,
            id,
            statements,
            statement_is_list,
            compact_size: None,
            may_repeat_keys: true,
        }
    }

    /// The document as compact JSON text.
    pub fn to_json(&self) -> String {
        self.root.to_serde().to_string()
    }

    /// Whether any string in the document uses a policy variable (`${...}`).
    pub fn uses_variables(&self) -> bool {
        self.statements.iter().any(|s| {
            let items = [&s.action, &s.not_action, &s.resource, &s.not_resource];
            items
                .iter()
                .filter_map(|i| i.as_ref())
                .any(|i| i.values().any(|v| v.contains("${")))
                || s.conditions.iter().any(|c| c.values.values().any(|v| v.contains("${")))
        })
    }
}

/// The items of a string-or-list element; non-string entries are skipped (validate reports them).
pub fn items_of(node: &Node) -> Items {
    let mut items = Vec::new();
    match &node.value {
        Value::String(s) => items.push(Item {
            value: s.clone(),
            pos: node.pos,
            index: None,
        }),
        Value::Array(list) => {
            for (i, n) in list.iter().enumerate() {
                if let Value::String(s) = &n.value {
                    items.push(Item {
                        value: s.clone(),
                        pos: n.pos,
                        index: Some(i),
                    });
                }
            }
        }
        _ => {}
    }
    Items { items, pos: node.pos }
}

/// Condition values: strings, numbers and booleans, single or listed.
fn condition_values(node: &Node) -> Items {
    let scalar = |n: &Node| match &n.value {
        Value::String(s) => Some(s.clone()),
        Value::Number(x) => Some(x.clone()),
        Value::Bool(b) => Some(Str::const_new(if *b { "true" } else { "false" })),
        _ => None,
    };
    let mut items = Vec::new();
    match &node.value {
        Value::Array(list) => {
            for (i, n) in list.iter().enumerate() {
                if let Some(v) = scalar(n) {
                    items.push(Item {
                        value: v,
                        pos: n.pos,
                        index: Some(i),
                    });
                }
            }
        }
        _ => {
            if let Some(v) = scalar(node) {
                items.push(Item {
                    value: v,
                    pos: node.pos,
                    index: None,
                });
            }
        }
    }
    Items { items, pos: node.pos }
}

fn principal_of(node: &Node) -> Option<Principal> {
    match &node.value {
        Value::String(s) if s == "*" => Some(Principal::Star(node.pos)),
        Value::Object(members) => Some(Principal::Map(
            members
                .iter()
                .map(|m| (m.key.to_string(), items_of(&m.value)))
                .collect(),
        )),
        _ => None,
    }
}

fn build_statement(index: usize, node: &Node) -> Statement {
    let get = |k: &str| node.get(k).map(|m| &m.value);
    let effect = get("Effect").and_then(Node::as_str).and_then(|e| match e {
        "Allow" => Some(Effect::Allow),
        "Deny" => Some(Effect::Deny),
        _ => None,
    });
    let mut conditions = Vec::new();
    if let Some(Value::Object(ops)) = get("Condition").map(|n| &n.value) {
        for op in ops {
            let operator = Operator::parse(&op.key);
            if let Value::Object(keys) = &op.value.value {
                for k in keys {
                    conditions.push(Condition {
                        operator: operator.clone(),
                        operator_pos: op.key_pos,
                        key: k.key.clone(),
                        key_pos: k.key_pos,
                        values: condition_values(&k.value),
                    });
                }
            }
        }
    }
    Statement {
        index,
        pos: node.pos,
        sid: get("Sid").and_then(Node::as_str).map(str::to_string),
        effect,
        principal: get("Principal").and_then(principal_of),
        not_principal: get("NotPrincipal").and_then(principal_of),
        action: get("Action").map(items_of),
        not_action: get("NotAction").map(items_of),
        resource: get("Resource").map(items_of),
        not_resource: get("NotResource").map(items_of),
        conditions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_seed_policy() {
        let p = Policy::parse(
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Action": ["s3:ListBuckets"], "Resource": ["arn:aws:s3:::*"]}]}"#,
        )
        .unwrap();
        assert_eq!(p.version.as_deref(), Some(VERSION_2012));
        let s = &p.statements[0];
        assert_eq!(s.effect, Some(Effect::Allow));
        assert_eq!(
            s.action.as_ref().unwrap().values().collect::<Vec<_>>(),
            ["s3:ListBuckets"]
        );
        assert_eq!(s.action.as_ref().unwrap().items[0].index, Some(0));
        assert_eq!(s.label(), "#0");
    }

    #[test]
    fn single_statement_principal_and_conditions() {
        let p = Policy::parse(
            r#"{"Statement": {"Sid": "T", "Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["a*", 3, true]}}}}"#,
        )
        .unwrap();
        assert!(!p.statement_is_list);
        let s = &p.statements[0];
        let Some(Principal::Map(m)) = &s.principal else {
            panic!()
        };
        assert_eq!(m[0].0, "Service");
        let c = &s.conditions[0];
        assert_eq!(c.operator.base, Some(BaseOp::StringLike));
        assert_eq!(c.operator.qualifier, Some(Qualifier::ForAnyValue));
        assert!(c.operator.if_exists);
        assert_eq!(c.values.values().collect::<Vec<_>>(), ["a*", "3", "true"]);
        assert_eq!(s.label(), "\"T\"");
    }

    #[test]
    fn operators_parse() {
        assert_eq!(Operator::parse("Null").base, Some(BaseOp::Null));
        assert_eq!(Operator::parse("NullIfExists").base, None);
        assert_eq!(Operator::parse("StringEqual").base, None);
        assert_eq!(Operator::parse("stringequals").base, None);
        assert!(BaseOp::NotIpAddress.is_negated());
        assert_eq!(BaseOp::ALL.len(), 27);
    }

    #[test]
    fn malformed_parts_are_skipped_not_fatal() {
        let p = Policy::parse(r#"{"Statement": [1, {"Effect": "allow", "Action": [1, "s3:GetObject"]}]}"#).unwrap();
        assert_eq!(p.statements.len(), 1);
        assert_eq!(p.statements[0].index, 1);
        assert_eq!(p.statements[0].effect, None);
        assert_eq!(p.statements[0].action.as_ref().unwrap().items[0].index, Some(1));
    }
}
