//! Compiled match patterns for actions, resources and condition values, with policy variables.
//!
//! A pattern is compiled once per policy. Patterns without variables match with a fast path
//! (exact, `*`, `prefix*`) or an iterative, linear-space glob; patterns with variables
//! (`${aws:username}`, `${aws:PrincipalTag/team, 'none'}`) are resolved against the request
//! context first, the substituted text taken literally. `${*}`, `${?}` and `${$}` stand for the
//! literal characters. An unresolvable variable makes the pattern match nothing.

use super::Context;

use crate::wildcard::Tok;

/// Longest text a pattern with variables may expand to: past it, the pattern matches nothing
/// (a policy variable repeated thousands of times with a long context value would otherwise
/// take gigabytes). IAM's own request values are at most a few kilobytes.
pub const MAX_EXPANSION: usize = 1 << 20;

/// One piece of a pattern with variables.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    /// Text where `*` and `?` are wildcards.
    Glob(String),
    /// Text taken literally.
    Literal(String),
    /// A context key (lowercased) and an optional default.
    Var { key: String, default: Option<String> },
}

/// How a compiled pattern matches.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    Any,
    Exact(Vec<u8>),
    Prefix(Vec<u8>),
    Glob(Vec<Tok>),
    /// Pieces with variables, and the literal text every expansion starts with (checked
    /// before anything is expanded: most texts differ there).
    Vars {
        pieces: Vec<Piece>,
        lead: Vec<u8>,
    },
}

/// A compiled pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    kind: Kind,
    ignore_case: bool,
}

fn tokens(text: &str, literal: bool, out: &mut impl Extend<Tok>, ignore_case: bool) {
    out.extend(text.as_bytes().iter().map(|&b| {
        let b = if ignore_case { b.to_ascii_lowercase() } else { b };
        match b {
            b'*' if !literal => Tok::Star,
            b'?' if !literal => Tok::Quest,
            _ => Tok::Byte(b),
        }
    }));
}

fn split_vars(text: &str) -> Option<Vec<Piece>> {
    if !text.contains("${") {
        return None;
    }
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        if start > 0 {
            pieces.push(Piece::Glob(rest[..start].to_string()));
        }
        let Some(end) = rest[start..].find('}') else {
            pieces.push(Piece::Glob(rest[start..].to_string()));
            rest = "";
            break;
        };
        let inner = rest[start + 2..start + end].trim();
        match inner {
            "*" | "?" | "$" => pieces.push(Piece::Literal(inner.to_string())),
            _ => {
                let (key, default) = match inner.split_once(',') {
                    Some((k, d)) => {
                        let d = d.trim();
                        let d = d.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')).unwrap_or(d);
                        (k.trim(), Some(d.to_string()))
                    }
                    None => (inner, None),
                };
                pieces.push(Piece::Var {
                    key: key.to_ascii_lowercase(),
                    default,
                });
            }
        }
        rest = &rest[start + end + 1..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Glob(rest.to_string()));
    }
    Some(pieces)
}

impl Pattern {
    /// The policy variables in the pattern, in order: each key (lowercased) with its default.
    pub fn variables(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        let pieces = match &self.kind {
            Kind::Vars { pieces, .. } => pieces.as_slice(),
            _ => &[],
        };
        pieces.iter().filter_map(|p| match p {
            Piece::Var { key, default } => Some((key.as_str(), default.as_deref())),
            _ => None,
        })
    }

    /// Compile `text`; `variables` enables `${...}` substitution (Resource and condition values
    /// in 2012-10-17 policies); `ignore_case` lowercases (actions).
    pub fn new(text: &str, variables: bool, ignore_case: bool) -> Self {
        if variables {
            if let Some(pieces) = split_vars(text) {
                let lead = match pieces.first() {
                    Some(Piece::Glob(g)) => g.bytes().take_while(|b| !matches!(b, b'*' | b'?')).collect(),
                    Some(Piece::Literal(l)) => l.as_bytes().to_vec(),
                    _ => Vec::new(),
                };
                let lead = if ignore_case { lead.to_ascii_lowercase() } else { lead };
                return Self {
                    kind: Kind::Vars { pieces, lead },
                    ignore_case,
                };
            }
        }
        let stored = if ignore_case {
            text.to_ascii_lowercase()
        } else {
            text.to_string()
        };
        let kind = if stored == "*" {
            Kind::Any
        } else if !stored.contains(['*', '?']) {
            Kind::Exact(stored.into_bytes())
        } else if stored.ends_with('*') && !stored[..stored.len() - 1].contains(['*', '?']) {
            Kind::Prefix(stored.as_bytes()[..stored.len() - 1].to_vec())
        } else {
            let mut t = Vec::with_capacity(stored.len());
            tokens(&stored, false, &mut t, false);
            Kind::Glob(t)
        };
        Self { kind, ignore_case }
    }

    /// Whether the pattern is `*`.
    pub fn is_any(&self) -> bool {
        self.kind == Kind::Any
    }

    /// Whether the pattern uses policy variables.
    pub fn has_variables(&self) -> bool {
        matches!(self.kind, Kind::Vars { .. })
    }

    /// Match `text`; a pattern that ignores case compares ASCII case-insensitively.
    #[inline]
    pub fn matches(&self, text: &str, ctx: &Context) -> bool {
        let t = text.as_bytes();
        match &self.kind {
            Kind::Any => true,
            Kind::Exact(e) if self.ignore_case => e.eq_ignore_ascii_case(t),
            Kind::Exact(e) => same(e, t),
            Kind::Prefix(p) => self.starts(t, p),
            Kind::Glob(_) | Kind::Vars { .. } => self.matches_slowly(text, ctx),
        }
    }

    /// Match `text`, given also lowercased as `lower`: a pattern that ignores case (stored
    /// lowercased) compares `lower` byte for byte.
    #[inline]
    pub fn matches_folded(&self, text: &str, lower: &[u8], ctx: &Context) -> bool {
        if !self.ignore_case {
            return self.matches(text, ctx);
        }
        match &self.kind {
            Kind::Any => true,
            Kind::Exact(e) => same(e, lower),
            Kind::Prefix(p) => lower.get(..p.len()).is_some_and(|head| same(head, p)),
            Kind::Glob(g) => glob(g, lower, false),
            Kind::Vars { .. } => self.matches(text, ctx),
        }
    }

    /// Whether `t` starts with `p` (ASCII case-insensitively for a pattern that ignores case).
    #[inline]
    fn starts(&self, t: &[u8], p: &[u8]) -> bool {
        match t.get(..p.len()) {
            Some(head) if self.ignore_case => head.eq_ignore_ascii_case(p),
            Some(head) => same(head, p),
            None => false,
        }
    }

    /// Globs and variables, out of line: the common patterns above stay small enough to inline.
    #[inline(never)]
    fn matches_slowly(&self, text: &str, ctx: &Context) -> bool {
        let t = text.as_bytes();
        match &self.kind {
            Kind::Glob(g) => glob(g, t, self.ignore_case),
            Kind::Vars { pieces, lead } => {
                if !self.starts(t, lead) {
                    return false;
                }
                // The pieces before the first wildcard are literal text: compared in place, the
                // variables' values too. Only what follows is made into glob tokens.
                let mut rest = t;
                let mut literal = 0;
                for piece in pieces {
                    let text = match piece {
                        Piece::Glob(g) if g.contains(['*', '?']) => break,
                        Piece::Glob(l) | Piece::Literal(l) => l.as_str(),
                        Piece::Var { key, default } => match ctx.single(key).or(default.as_deref()) {
                            Some(v) => v,
                            None => return false,
                        },
                    };
                    // `head` is as long as `text`: starting with it is being it.
                    match rest.split_at_checked(text.len()) {
                        Some((head, tail))
                            if super::budget::spend(text.len()) && self.starts(head, text.as_bytes()) =>
                        {
                            rest = tail;
                        }
                        _ => return false,
                    }
                    literal += 1;
                }
                let Some(pieces) = pieces.get(literal..).filter(|p| !p.is_empty()) else {
                    return rest.is_empty();
                };
                let t = rest;
                let mut p: smallvec::SmallVec<[Tok; 256]> = smallvec::SmallVec::with_capacity(t.len() + 8);
                for piece in pieces {
                    match piece {
                        Piece::Glob(g) => tokens(g, false, &mut p, self.ignore_case),
                        Piece::Literal(l) => tokens(l, true, &mut p, self.ignore_case),
                        Piece::Var { key, default } => match ctx.single(key).or(default.as_deref()) {
                            Some(v) if p.len() + v.len() <= MAX_EXPANSION => tokens(v, true, &mut p, self.ignore_case),
                            Some(_) => {
                                super::budget::meet(super::budget::Limit::Expansion);
                                return false;
                            }
                            None => return false,
                        },
                    }
                    if p.len() > MAX_EXPANSION {
                        super::budget::meet(super::budget::Limit::Expansion);
                        return false;
                    }
                }
                glob(&p, t, self.ignore_case)
            }
            Kind::Any | Kind::Exact(_) | Kind::Prefix(_) => self.matches(text, ctx),
        }
    }

    /// The pattern with variables resolved, as literal text (for condition values compared
    /// exactly); `None` when a variable cannot be resolved.
    pub fn resolve<'a>(&self, original: &'a str, ctx: &Context) -> Option<std::borrow::Cow<'a, str>> {
        let Kind::Vars { pieces, .. } = &self.kind else {
            return Some(std::borrow::Cow::Borrowed(original));
        };
        let mut out = String::new();
        for piece in pieces {
            match piece {
                Piece::Glob(g) | Piece::Literal(g) => out.push_str(g),
                Piece::Var { key, default } => out.push_str(ctx.single(key).or(default.as_deref())?),
            }
            if out.len() > MAX_EXPANSION {
                super::budget::meet(super::budget::Limit::Expansion);
                return None;
            }
        }
        Some(std::borrow::Cow::Owned(out))
    }
}

/// Byte equality, inline for the short texts actions, ARN prefixes and condition values mostly
/// are (a call to memcmp costs more than the compare): up to 16 bytes as two overlapping words.
#[inline]
pub(super) fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| -> u64 {
        let mut w = [0u8; 8];
        if let Some(part) = s.get(at..at + 8) {
            w.copy_from_slice(part);
        }
        u64::from_ne_bytes(w)
    };
    match a.len() {
        0 => true,
        n @ 8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),

        1..=7 => a.iter().zip(b).all(|(x, y)| x == y),
        _ => a == b,
    }
}

/// Glob over compiled tokens (the matcher lives in `wildcard::glob`); a pattern that ignores case
/// was lowercased when compiled, so the text is lowercased here.
fn glob(p: &[Tok], t: &[u8], ignore_case: bool) -> bool {
    if !super::budget::spend(p.len() + t.len()) {
        return false;
    }
    if ignore_case && t.iter().any(u8::is_ascii_uppercase) {
        crate::wildcard::glob(p, &t.to_ascii_lowercase())
    } else {
        crate::wildcard::glob(p, t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(pairs: &[(&str, &str)]) -> Context {
        let mut c = Context::default();
        for (k, v) in pairs {
            c.insert(k, vec![(*v).to_string()]);
        }
        c
    }

    #[test]
    fn same_agrees_with_slice_equality() {
        let texts: Vec<Vec<u8>> = (0..48)
            .flat_map(|n| {
                let base: Vec<u8> = b"abcdefg".iter().copied().cycle().take(n).collect();
                let mut last = base.clone();
                if let Some(b) = last.last_mut() {
                    *b = b'z';
                }
                let mut first = base.clone();
                if let Some(b) = first.first_mut() {
                    *b = b'z';
                }
                let mut middle = base.clone();
                if let Some(b) = middle.get_mut(n / 2) {
                    *b = b'#';
                }
                [base, last, first, middle]
            })
            .collect();
        for a in &texts {
            for b in &texts {
                assert_eq!(same(a, b), a == b, "{a:?} {b:?}");
            }
        }
    }

    /// Variables in place: the literal start compared piece by piece, the rest globbed, decides
    /// as the whole pattern made into tokens and globbed would (values taken literally: a `*` in
    /// a value is not a wildcard; a missing variable matches nothing; its default stands in).
    #[test]
    fn variables_match_as_the_whole_expansion_would() {
        let reference = |pattern: &str, text: &str, c: &Context| -> bool {
            let Kind::Vars { pieces, .. } = Pattern::new(pattern, true, false).kind else {
                unreachable!("{pattern} has variables")
            };
            let mut p: Vec<Tok> = Vec::new();
            for piece in &pieces {
                match piece {
                    Piece::Glob(g) => tokens(g, false, &mut p, false),
                    Piece::Literal(l) => tokens(l, true, &mut p, false),
                    Piece::Var { key, default } => match c.single(key).or(default.as_deref()) {
                        Some(v) => tokens(v, true, &mut p, false),
                        None => return false,
                    },
                }
            }
            crate::wildcard::glob(&p, text.as_bytes())
        };
        let patterns = [
            "arn:aws:s3:::home/${aws:username}/*",
            "${aws:username}",
            "${aws:username}*",
            "a${x}b${y}",
            "pre${x}?post",
            "${x, 'def'}/*",
            "${*}${x}",
            "lit${?}x${$}",
            "*${x}",
            "${x}${x}${y}",
            "a?${x}",
        ];
        let texts = [
            "",
            "ana",
            "ana/x",
            "arn:aws:s3:::home/ana/",
            "arn:aws:s3:::home/ana/k",
            "arn:aws:s3:::home/a*/k",
            "arn:aws:s3:::home/bob/k",
            "a1b2",
            "a*b?",
            "pre1Xpost",
            "pre1post",
            "def/x",
            "*v",
            "lit?x$",
            "vvw",
            "aéb",
            "aXv",
            "vv",
        ];
        let contexts = [
            vec![],
            vec![("aws:username", "ana"), ("x", "1"), ("y", "2")],
            vec![("aws:username", "a*"), ("x", "*"), ("y", "?")],
            vec![("x", "v"), ("y", "w")],
            vec![("x", ""), ("y", "")],
            vec![("x", "é"), ("aws:username", "ANA")],
        ];
        let mut matched = 0;
        for pattern in patterns {
            let compiled = Pattern::new(pattern, true, false);
            for pairs in &contexts {
                let c = ctx(pairs);
                for text in texts {
                    let expected = reference(pattern, text, &c);
                    assert_eq!(
                        compiled.matches(text, &c),
                        expected,
                        "{pattern} vs {text:?} with {pairs:?}"
                    );
                    matched += usize::from(expected);
                }
            }
        }
        assert!(
            matched >= 30,
            "the grid matches often enough to mean something: {matched}"
        );
    }

    #[test]
    fn fast_paths_and_globs() {
        let c = Context::default();
        assert!(Pattern::new("*", false, false).matches("anything", &c));
        assert!(Pattern::new("s3:get*", false, true).matches("s3:getobject", &c));
        assert!(Pattern::new("S3:Get*", false, true).matches("s3:GETOBJECT", &c));
        assert!(Pattern::new("s3:GetObject", false, true).matches("S3:getobject", &c));
        assert!(Pattern::new("s3:*Object", false, true).matches("S3:GetOBJECT", &c));
        assert!(!Pattern::new("s3:get*", false, true).matches("s3:putobject", &c));
        assert!(Pattern::new("arn:aws:s3:::b/*/x?", false, false).matches("arn:aws:s3:::b/a/b/xy", &c));
        assert!(!Pattern::new("arn:aws:s3:::B", false, false).matches("arn:aws:s3:::b", &c));
    }

    #[test]
    fn variables() {
        let c = ctx(&[("aws:username", "bob"), ("aws:principaltag/team", "ml")]);
        let p = Pattern::new("arn:aws:s3:::home/${aws:username}/*", true, false);
        assert!(p.matches("arn:aws:s3:::home/bob/notes.txt", &c));
        assert!(!p.matches("arn:aws:s3:::home/alice/notes.txt", &c));
        let tag = Pattern::new("arn:aws:s3:::${aws:PrincipalTag/team}/*", true, false);
        assert!(tag.matches("arn:aws:s3:::ml/x", &c));
        let missing = Pattern::new("arn:aws:s3:::${aws:PrincipalTag/dept}/*", true, false);
        assert!(
            !missing.matches("arn:aws:s3:::ml/x", &c),
            "unresolvable variable matches nothing"
        );
        let default = Pattern::new("arn:aws:s3:::${aws:PrincipalTag/dept, 'guest'}/*", true, false);
        assert!(default.matches("arn:aws:s3:::guest/x", &c));
        let star = Pattern::new("arn:aws:s3:::b/${*}", true, false);
        assert!(star.matches("arn:aws:s3:::b/*", &c));
        assert!(
            !star.matches("arn:aws:s3:::b/anything", &c),
            "${{*}} is a literal asterisk"
        );
        let evil = ctx(&[("aws:username", "*")]);
        assert!(
            !p.matches("arn:aws:s3:::home/alice/x", &evil),
            "substituted values are literal"
        );
        assert_eq!(
            Pattern::new("${aws:username}-x", true, false)
                .resolve("${aws:username}-x", &c)
                .as_deref(),
            Some("bob-x")
        );
    }
}
