//! A JSON parser that keeps the position (line, column, byte offset) of every key and value.
//!
//! Policies need positions for findings, duplicate keys must be seen (serde_json keeps the last
//! silently), and input is untrusted: nesting is bounded (`MAX_DEPTH`) so a deeply nested
//! document is a clear error rather than a stack overflow. Numbers keep their source text.

use std::cell::Cell;
use std::fmt;

/// Nesting deeper than this is refused. IAM policies never exceed a depth of about 6.
pub const MAX_DEPTH: usize = 64;

/// A position in the source text. `line` and `column` start at 1; `column` counts characters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
    pub offset: usize,
}

/// A string of a parsed document: up to 24 bytes are kept inline, without an allocation
/// (element names, most actions and condition keys).
pub type Str = compact_str::CompactString;

/// A JSON value with its position.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub pos: Pos,
}

/// An object member: key, key position, value.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub key: Str,
    pub key_pos: Pos,
    pub value: Node,
}

/// JSON values. Objects keep member order and duplicates (see [`Node::duplicate_keys`]).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// The number's source text, exactly as written.
    Number(Str),
    String(Str),
    Array(Vec<Node>),
    Object(Vec<Member>),
}

impl Value {
    /// The JSON type name, as error messages say it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "boolean",
            Self::Number(_) => "number",
            Self::String(_) => "string",
            Self::Array(_) => "array",
            Self::Object(_) => "object",
        }
    }
}

impl Node {
    /// The last member named `key` (JSON's usual "last one wins"), if this is an object.
    pub fn get(&self, key: &str) -> Option<&Member> {
        match &self.value {
            Value::Object(members) => members.iter().rev().find(|m| m.key == key),
            _ => None,
        }
    }

    /// The string value, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Members whose key appeared earlier in the same object.
    pub fn duplicate_keys(&self) -> Vec<&Member> {
        match &self.value {
            Value::Object(members) => repeated_keys(members).into_iter().map(|i| &members[i]).collect(),
            _ => Vec::new(),
        }
    }

    /// Length in characters of the compact JSON text (no white space outside strings), as
    /// IAM counts a policy's size; computed without serialising.
    pub fn compact_len(&self) -> usize {
        fn string_len(s: &str) -> usize {
            if s.is_ascii() {
                // Vectorisable: one pass adding what each escaped byte costs beyond itself.
                let extra: usize = s
                    .bytes()
                    .map(|b| match b {
                        b'"' | b'\\' | 8 | 12 | b'\n' | b'\r' | b'\t' => 1,
                        0..=31 => 5,
                        _ => 0,
                    })
                    .sum();
                return s.len() + 2 + extra;
            }
            2 + s
                .chars()
                .map(|c| match c {
                    '"' | '\\' | '\u{8}' | '\u{c}' | '\n' | '\r' | '\t' => 2,
                    c if (c as u32) < 0x20 => 6,
                    _ => 1,
                })
                .sum::<usize>()
        }
        match &self.value {
            Value::Null | Value::Bool(true) => 4,
            Value::Bool(false) => 5,
            Value::Number(n) => n.len(),
            Value::String(s) => string_len(s),
            Value::Array(items) => {
                2 + items.iter().map(Node::compact_len).sum::<usize>() + items.len().saturating_sub(1)
            }
            Value::Object(members) => {
                2 + members
                    .iter()
                    .map(|m| string_len(&m.key) + 1 + m.value.compact_len())
                    .sum::<usize>()
                    + members.len().saturating_sub(1)
            }
        }
    }

    /// Convert to a `serde_json::Value` (last duplicate wins).
    pub fn to_serde(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => n
                .parse::<serde_json::Number>()
                .map_or_else(|_| serde_json::Value::String(n.to_string()), serde_json::Value::Number),
            Value::String(s) => serde_json::Value::String(s.to_string()),
            Value::Array(items) => serde_json::Value::Array(items.iter().map(Node::to_serde).collect()),
            Value::Object(members) => {
                let mut map = serde_json::Map::new();
                for m in members {
                    map.insert(m.key.to_string(), m.value.to_serde());
                }
                serde_json::Value::Object(map)
            }
        }
    }

    /// Build a node tree from a `serde_json::Value` (positions are all zero).
    pub fn from_serde(value: &serde_json::Value) -> Self {
        let value = match value {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.to_string().into()),
            serde_json::Value::String(s) => Value::String(s.as_str().into()),
            serde_json::Value::Array(items) => Value::Array(items.iter().map(Self::from_serde).collect()),
            serde_json::Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| Member {
                        key: k.as_str().into(),
                        key_pos: Pos::default(),
                        value: Self::from_serde(v),
                    })
                    .collect(),
            ),
        };
        Self {
            value,
            pos: Pos::default(),
        }
    }
}

/// Indices of the members whose key appeared earlier: pairwise for the usual small objects, a
/// hash set past 16 members (a hostile object with 100,000 keys stays linear).
fn repeated_keys(members: &[Member]) -> Vec<usize> {
    if members.len() <= 16 {
        return (1..members.len())
            .filter(|&i| members[..i].iter().any(|p| p.key == members[i].key))
            .collect();
    }
    let mut seen = std::collections::HashSet::with_capacity(members.len());
    (0..members.len())
        .filter(|&i| !seen.insert(members[i].key.as_str()))
        .collect()
}

/// A syntax error with its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub pos: Pos,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {}, column {}",
            self.message, self.pos.line, self.pos.column
        )
    }
}

impl std::error::Error for ParseError {}

/// `bytes` (a document read from a file, or given as bytes) as text: UTF-8, or an error at the
/// first byte that is not, its line and column counted as the parser counts them (characters); a
/// UTF-16 document, as PowerShell's `>` and some editors write, is said to be one.
pub fn text(bytes: &[u8]) -> Result<&str, ParseError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let offset = e.valid_up_to();
        let before = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
        let line_start = before.rfind('\n').map_or(0, |p| p + 1);
        let count = |n: usize| u32::try_from(n + 1).unwrap_or(u32::MAX);
        let message = if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
            "it is UTF-16 (as PowerShell's > and some editors save it): save it as UTF-8".to_string()
        } else {
            format!(
                "byte {:#04x} is not UTF-8",
                bytes.get(offset).copied().unwrap_or_default()
            )
        };
        ParseError {
            message,
            pos: Pos {
                line: count(before.matches('\n').count()),
                column: count(before[line_start..].chars().count()),
                offset,
            },
        }
    })
}

/// Parse `text` as one JSON document.
pub fn parse(text: &str) -> Result<Node, ParseError> {
    parse_measured(text).map(|m| m.node)
}

/// A parsed document with what its text tells of its compact size.
#[derive(Debug)]
pub struct Measured {
    pub node: Node,
    /// The text's length in bytes without the white space outside strings: never less than
    /// [`Node::compact_len`] (escapes written in the text are at least as long as the ones
    /// compact JSON needs, and a character is at least a byte).
    pub compact_bound: usize,
    /// Whether `compact_bound` is exactly [`Node::compact_len`]: an ASCII text without escapes.
    pub compact_exact: bool,
    /// Whether some object repeats a key (found while parsing, so validation need not look).
    pub duplicate_keys: bool,
}

/// Parse `text`, measuring it on the way (see [`Measured`]).
pub fn parse_measured(text: &str) -> Result<Measured, ParseError> {
    let mut p = Parser {
        src: text.as_bytes(),
        text,
        i: 0,
        line: 1,
        line_start: 0,
        col_cache: Cell::new((0, 0)),
        ascii: text.is_ascii(),
        white: 0,
        escapes: false,
        duplicate_keys: false,
        nodes: Vec::new(),
        members: Vec::new(),
    };
    // A UTF-8 byte order mark is tolerated, as IAM's console does.
    if text.starts_with('\u{feff}') {
        p.i = 3;
        p.white = 3;
        p.line_start = 3;
        p.col_cache.set((3, 0));
    }
    p.ws();
    if p.i >= p.src.len() {
        return Err(p.err("the document is empty"));
    }
    let node = p.value(0)?;
    p.ws();
    if p.i < p.src.len() {
        return Err(p.err("unexpected text after the end of the JSON document"));
    }
    Ok(Measured {
        node,
        compact_bound: text.len() - p.white,
        compact_exact: p.ascii && !p.escapes,
        duplicate_keys: p.duplicate_keys,
    })
}

struct Parser<'a> {
    src: &'a [u8],
    text: &'a str,
    i: usize,
    line: u32,
    line_start: usize,
    /// (offset, characters from line start to it): columns are counted incrementally, so
    /// one-line documents stay linear.
    col_cache: Cell<(usize, usize)>,
    /// Whether the whole text is ASCII (then columns need no counting).
    ascii: bool,
    /// Bytes of white space (and byte order mark) skipped outside strings.
    white: usize,
    /// Whether a string held an escape sequence.
    escapes: bool,
    /// Whether an object repeated a key.
    duplicate_keys: bool,
    /// Items of the arrays and members of the objects being read (see `array`).
    nodes: Vec<Node>,
    members: Vec<Member>,
}

impl Parser<'_> {
    fn pos(&self) -> Pos {
        if self.ascii {
            // One byte, one character: the column is a subtraction.
            let col = self.i - self.line_start;
            return Pos {
                line: self.line,
                column: u32::try_from(col).unwrap_or(u32::MAX).saturating_add(1),
                offset: self.i,
            };
        }
        let (at, chars) = self.col_cache.get();
        let (from, base) = if at >= self.line_start && at <= self.i {
            (at, chars)
        } else {
            (self.line_start, 0)
        };
        let col = base + self.text.get(from..self.i).map_or(self.i - from, |s| s.chars().count());
        self.col_cache.set((self.i, col));
        Pos {
            line: self.line,
            column: u32::try_from(col).unwrap_or(u32::MAX).saturating_add(1),
            offset: self.i,
        }
    }

    fn err(&self, message: impl Into<String>) -> ParseError {
        ParseError {
            message: message.into(),
            pos: self.pos(),
        }
    }

    fn ws(&mut self) {
        let start = self.i;
        while let Some(&c) = self.src.get(self.i) {
            match c {
                b' ' | b'\t' | b'\r' => self.i += 1,
                b'\n' => {
                    self.i += 1;
                    self.line += 1;
                    self.line_start = self.i;
                }
                _ => break,
            }
        }
        self.white += self.i - start;
    }

    fn value(&mut self, depth: usize) -> Result<Node, ParseError> {
        if depth > MAX_DEPTH {
            return Err(self.err(format!("the document nests deeper than {MAX_DEPTH} levels")));
        }
        let pos = self.pos();
        let value = match self.src.get(self.i) {
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.literal("true", Value::Bool(true))?,
            Some(b'f') => self.literal("false", Value::Bool(false))?,
            Some(b'n') => self.literal("null", Value::Null)?,
            Some(c) if *c == b'-' || c.is_ascii_digit() => self.number()?,
            Some(_) => {
                let ch = self.text.get(self.i..).and_then(|s| s.chars().next()).unwrap_or('?');
                return Err(self.err(format!("unexpected character {ch:?}")));
            }
            None => return Err(self.err("unexpected end of the document")),
        };
        Ok(Node { value, pos })
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, ParseError> {
        if self.src[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(value)
        } else {
            Err(self.err("invalid literal (expected true, false or null; JSON has no single quotes or comments)"))
        }
    }

    fn number(&mut self) -> Result<Value, ParseError> {
        let start = self.i;
        if self.src.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        let digits = |p: &mut Self| {
            let s = p.i;
            while p.src.get(p.i).is_some_and(u8::is_ascii_digit) {
                p.i += 1;
            }
            p.i - s
        };
        match self.src.get(self.i) {
            Some(b'0') => self.i += 1,
            Some(c) if c.is_ascii_digit() => {
                digits(self);
            }
            _ => return Err(self.err("invalid number")),
        }
        if self.src.get(self.i) == Some(&b'.') {
            self.i += 1;
            if digits(self) == 0 {
                return Err(self.err("invalid number: digits must follow the decimal point"));
            }
        }
        if matches!(self.src.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.src.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return Err(self.err("invalid number: digits must follow the exponent"));
            }
        }
        Ok(Value::Number(self.text[start..self.i].into()))
    }

    /// Advance over characters that need no attention in a string.
    fn plain_run(&mut self) {
        // Eight bytes at a time while none is '"', '\\' or a control character (the classic
        // "has a zero byte" / "has a byte less than n" word tricks; a false alarm only hands
        // over to the byte loop below, which decides exactly).
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
        while let Some(chunk) = self.src.get(self.i..self.i + 8) {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(chunk);
            let w = u64::from_le_bytes(bytes);
            let quote = zero_byte(w ^ (ONES * u64::from(b'"')));
            let backslash = zero_byte(w ^ (ONES * u64::from(b'\\')));
            let control = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
            if quote | backslash | control != 0 {
                break;
            }
            self.i += 8;
        }
        while let Some(&c) = self.src.get(self.i) {
            if c == b'"' || c == b'\\' || c < 0x20 {
                break;
            }
            self.i += 1;
        }
    }

    fn string(&mut self) -> Result<Str, ParseError> {
        let open = self.i;
        self.i += 1; // opening quote
        let start = self.i;
        self.plain_run();
        if self.src.get(self.i) == Some(&b'"') {
            // The usual case, no escape: one allocation of the exact size.
            let out = Str::from(&self.text[start..self.i]);
            self.i += 1;
            return Ok(out);
        }
        self.escapes = true;
        let mut out = String::with_capacity(self.i - start + 16);
        let mut run_start = start;
        loop {
            out.push_str(&self.text[run_start..self.i]);
            match self.src.get(self.i) {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out.into());
                }
                Some(b'\\') => {
                    self.i += 1;
                    let esc = *self.src.get(self.i).ok_or_else(|| self.err("unterminated string"))?;
                    self.i += 1;
                    match esc {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        _ => return Err(self.err("invalid escape in string")),
                    }
                }
                Some(b'\n') | None => {
                    // Strings hold no raw line break, so the opening quote is on this line.
                    self.i = open;
                    return Err(self.err("unterminated string"));
                }
                Some(_) => return Err(self.err("control character in string (escape it)")),
            }
            run_start = self.i;
            self.plain_run();
        }
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let digits = self
            .text
            .get(self.i..self.i + 4)
            .ok_or_else(|| self.err("invalid \\u escape"))?;
        let v = u32::from_str_radix(digits, 16).map_err(|_| self.err("invalid \\u escape"))?;
        self.i += 4;
        Ok(v)
    }

    fn unicode_escape(&mut self) -> Result<char, ParseError> {
        let hi = self.hex4()?;
        if (0xD800..0xDC00).contains(&hi) {
            if self.src.get(self.i) == Some(&b'\\') && self.src.get(self.i + 1) == Some(&b'u') {
                self.i += 2;
                let lo = self.hex4()?;
                if (0xDC00..0xE000).contains(&lo) {
                    let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                    return char::from_u32(c).ok_or_else(|| self.err("invalid \\u escape"));
                }
            }
            return Err(self.err("unpaired surrogate in \\u escape"));
        }
        char::from_u32(hi).ok_or_else(|| self.err("unpaired surrogate in \\u escape"))
    }

    fn array(&mut self, depth: usize) -> Result<Value, ParseError> {
        self.i += 1;
        // Items gather on a stack shared by every array, then move to a vector of their exact
        // size: no growth and copy for long lists.
        let mark = self.nodes.len();
        self.ws();
        if self.src.get(self.i) == Some(&b']') {
            self.i += 1;
            return Ok(Value::Array(Vec::new()));
        }
        loop {
            self.ws();
            let item = self.value(depth + 1)?;
            self.nodes.push(item);
            self.ws();
            match self.src.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(Value::Array(self.nodes.drain(mark..).collect()));
                }
                None => return Err(self.err("unexpected end of the document: missing ']'")),
                Some(_) => return Err(self.err("expected ',' or ']' in array")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, ParseError> {
        self.i += 1;
        let mark = self.members.len();
        self.ws();
        if self.src.get(self.i) == Some(&b'}') {
            self.i += 1;
            return Ok(Value::Object(Vec::new()));
        }
        loop {
            self.ws();
            let key_pos = self.pos();
            if self.src.get(self.i) != Some(&b'"') {
                return Err(match self.src.get(self.i) {
                    Some(b'}') => self.err("trailing comma before '}'"),
                    None => self.err("unexpected end of the document: missing '}'"),
                    _ => self.err("expected a string key in double quotes"),
                });
            }
            let key = self.string()?;
            self.ws();
            if self.src.get(self.i) != Some(&b':') {
                return Err(self.err(format!("expected ':' after key {key:?}")));
            }
            self.i += 1;
            self.ws();
            let value = self.value(depth + 1)?;
            self.members.push(Member { key, key_pos, value });
            self.ws();
            match self.src.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    let members: Vec<Member> = self.members.drain(mark..).collect();
                    if !self.duplicate_keys && !repeated_keys(&members).is_empty() {
                        self.duplicate_keys = true;
                    }
                    return Ok(Value::Object(members));
                }
                None => return Err(self.err("unexpected end of the document: missing '}'")),
                Some(_) => return Err(self.err("expected ',' or '}' in object")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_of_keys_and_values() {
        let doc = parse("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [ {\"Effect\": \"Allow\"} ]\n}").unwrap();
        let v = doc.get("Version").unwrap();
        assert_eq!((v.key_pos.line, v.key_pos.column), (2, 3));
        assert_eq!((v.value.pos.line, v.value.pos.column), (2, 14));
        let st = doc.get("Statement").unwrap();
        let Value::Array(items) = &st.value.value else { panic!() };
        let e = items[0].get("Effect").unwrap();
        assert_eq!((e.value.pos.line, e.value.pos.column), (3, 29));
    }

    #[test]
    fn text_that_is_not_utf8_is_located() {
        assert_eq!(text(b"{\"a\": 1}").ok(), Some("{\"a\": 1}"));
        let latin1 = text(b"{\n  \"Sid\": \"caf\xe9\"}").unwrap_err();
        assert_eq!((latin1.pos.line, latin1.pos.column, latin1.pos.offset), (2, 14, 15));
        assert_eq!(latin1.message, "byte 0xe9 is not UTF-8");
        // Columns count characters: the é before the bad byte is one column.
        let after = text(
            "{\"é\": \""
                .as_bytes()
                .iter()
                .chain(b"\xff\"}")
                .copied()
                .collect::<Vec<u8>>()
                .as_slice(),
        )
        .map(str::len)
        .unwrap_err();
        assert_eq!((after.pos.line, after.pos.column), (1, 8));
        let utf16: Vec<u8> = "{}".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let utf16 = [&[0xff, 0xfe][..], &utf16].concat();
        assert!(text(&utf16).unwrap_err().message.contains("UTF-16"));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let doc = parse("{\"é\": \"ü\", \"k\": 1}").unwrap();
        assert_eq!(doc.get("k").unwrap().key_pos.column, 12);
    }

    #[test]
    fn duplicates_are_kept_and_reported() {
        let doc = parse(r#"{"a": 1, "b": 2, "a": 3}"#).unwrap();
        let dups = doc.duplicate_keys();
        assert_eq!(dups.len(), 1);
        assert_eq!(dups[0].key, "a");
        assert_eq!(doc.get("a").unwrap().value.value, Value::Number("3".into()));
    }

    #[test]
    fn deep_nesting_is_an_error_not_an_overflow() {
        let text = "[".repeat(100_000) + &"]".repeat(100_000);
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("deeper than 64"), "{err}");
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn syntax_errors_have_positions() {
        let err = parse("{\n  \"a\": 1,\n}").unwrap_err();
        assert_eq!((err.pos.line, err.pos.column), (3, 1));
        assert!(err.message.contains("trailing comma"));
        let err = parse("{'a': 1}").unwrap_err();
        assert!(err.message.contains("double quotes"));
        assert!(parse("").unwrap_err().message.contains("empty"));
        assert!(parse("{} x").unwrap_err().message.contains("after the end"));
        assert!(parse("\"abc").unwrap_err().message.contains("unterminated"));
        let err = parse("{\n  \"é\": \"a\\tbc\n}").unwrap_err();
        assert_eq!(
            (err.message.as_str(), err.pos.line, err.pos.column),
            ("unterminated string", 2, 8)
        );
        assert!(parse("01").is_err());
        assert!(parse("1.").is_err());
        assert!(parse("[1,]").is_err());
        assert!(parse("\"\\ud800\"").is_err());
    }

    #[test]
    fn strings_and_numbers() {
        let doc = parse(r#"["a\"b\u00e9\ud83d\ude00", -1.5e3, true, null]"#).unwrap();
        let Value::Array(items) = doc.value else { panic!() };
        assert_eq!(items[0].value, Value::String("a\"bé😀".into()));
        assert_eq!(items[1].value, Value::Number("-1.5e3".into()));
        assert_eq!(items[2].value, Value::Bool(true));
        assert_eq!(items[3].value, Value::Null);
    }

    #[test]
    fn serde_round_trip() {
        let text = r#"{"a":[1,"x",{"b":null}],"c":true}"#;
        let doc = parse(text).unwrap();
        let v = doc.to_serde();
        assert_eq!(serde_json::to_string(&v).unwrap(), text);
        let tricky = parse("{\"a\" : [ 1 , \"q\\\"\\n\\u0001é\" ], \"b\": {}, \"c\": false}").unwrap();
        assert_eq!(tricky.compact_len(), tricky.to_serde().to_string().chars().count());
        assert_eq!(doc.compact_len(), text.len());
        assert_eq!(Node::from_serde(&v).to_serde(), v);
    }
}
