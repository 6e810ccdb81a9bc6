//! Secrets kept off the screen: the one matcher every output path uses (rolekit's own error
//! messages, the Python package's log guard, the Jupyter kernel's messages).
//!
//! The rule: no run of [`RUN`] (12) or more consecutive characters of a known secret reaches the
//! output, nor of its JSON-escaped, URL-encoded, HTML-escaped or base64 forms (base64 at each of
//! the three byte alignments, standard and URL-safe alphabets), nor with the secret folded across
//! lines, split by `<wbr>`, zero-width spaces, table borders or terminal colour codes.
//!
//! How: the text is read into a *skeleton* (escapes decoded, separators dropped, each byte mapped
//! back to where it came from), and every secret form is cut into anchors of six bytes at offsets
//! 0, 6, 12, ...; any run of twelve characters of a form contains one whole anchor, so one
//! Aho-Corasick pass over the skeleton finds every candidate, which is then extended left and
//! right against its form. Work is linear in the text plus the length of the runs found.
//!
//! Known secrets live in one registry for the process ([`register`]); they are kept while they
//! are valid (their expiry is known and not passed) or pinned, and the registry holds up to
//! [`KEPT`] others before it forgets the oldest.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::SystemTime;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// The shortest run of a secret that is masked wherever it appears.
pub const RUN: usize = 12;
/// Anchor length: any run of `RUN` characters of a form contains one whole anchor.
const ANCHOR: usize = RUN / 2;
/// Values shorter than this are not registered: they cannot hold a run of [`RUN`], and short
/// values (`bootstrap`, `password1`) would mask ordinary words.
pub const MIN_SECRET: usize = RUN;
/// How many secrets without a known expiry the registry keeps (valid and pinned ones are kept
/// regardless).
pub const KEPT: usize = 10_000;
/// What a masked run becomes (plus the secret's last four characters when the run is its end).
pub const MASK: &str = "****";
/// Raw text a [`Stream`] keeps from earlier chunks, to see runs that cross chunk boundaries.
const CONTEXT: usize = 4096;
/// Skipped markup (a tag, an escape sequence) is at most this long.
const MARKUP: usize = 256;

struct Entry {
    expires: Option<SystemTime>,
    pinned: bool,
    seq: u64,
}

/// The process's known secrets and the matcher built from them.
#[derive(Default)]
pub struct Registry {
    entries: HashMap<String, Entry>,
    seq: u64,
    matcher: Option<Arc<Matcher>>,
}

impl Registry {
    /// Remember `value` (not when shorter than [`MIN_SECRET`]); `true` when it was new, or its
    /// pin or expiry changed.
    pub fn register(&mut self, value: &str, expires: Option<SystemTime>, pinned: bool) -> bool {
        if value.chars().count() < MIN_SECRET {
            return false;
        }
        self.seq += 1;
        let seq = self.seq;
        if let Some(entry) = self.entries.get_mut(value) {
            let changed = (pinned && !entry.pinned) || (expires > entry.expires);
            entry.pinned |= pinned;
            entry.expires = entry.expires.max(expires);
            entry.seq = seq;
            return changed;
        }
        self.entries.insert(value.to_string(), Entry { expires, pinned, seq });
        self.forget_beyond_bound();
        self.matcher = None;
        true
    }

    /// Past [`KEPT`] entries: forget expired ones, then the oldest without a known expiry. Valid
    /// and pinned secrets are never forgotten.
    fn forget_beyond_bound(&mut self) {
        if self.entries.len() <= KEPT {
            return;
        }
        let now = SystemTime::now();
        self.entries
            .retain(|_, e| e.pinned || e.expires.is_none_or(|t| t > now));
        let excess = self.entries.len().saturating_sub(KEPT);
        if excess > 0 {
            let mut open: Vec<(u64, String)> = self
                .entries
                .iter()
                .filter(|(_, e)| !e.pinned && e.expires.is_none())
                .map(|(v, e)| (e.seq, v.clone()))
                .collect();
            open.sort_unstable();
            for (_, value) in open.into_iter().take(excess) {
                self.entries.remove(&value);
            }
        }
    }

    /// The matcher for the current secrets (built once per change).
    pub fn matcher(&mut self) -> Arc<Matcher> {
        if let Some(m) = &self.matcher {
            return m.clone();
        }
        let m = Arc::new(Matcher::new(self.entries.keys().map(String::as_str)));
        self.matcher = Some(m.clone());
        m
    }

    /// How many secrets are known.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no secret is known.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The known secrets themselves (for tests that scan outputs for them).
    pub fn values(&self) -> Vec<String> {
        self.entries.keys().cloned().collect()
    }

    /// The known secrets, each shown as [`MASK`] plus its last four characters.
    pub fn shown(&self) -> Vec<String> {
        let mut out: Vec<String> = self.entries.keys().map(|v| format!("{MASK}{}", tail(v))).collect();
        out.sort();
        out
    }
}

static REGISTRY: LazyLock<Mutex<Registry>> = LazyLock::new(|| Mutex::new(Registry::default()));

fn registry() -> std::sync::MutexGuard<'static, Registry> {
    // A panic while holding the lock cannot leave the registry half-changed in a way that matters
    // more than masking nothing: keep using it.
    REGISTRY.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Remember a secret for the whole process: `expires` when known (kept at least until then),
/// `pinned` for long-term keys (kept for good).
pub fn register(value: &str, expires: Option<SystemTime>, pinned: bool) -> bool {
    registry().register(value, expires, pinned)
}

/// [`Registry::values`] of the process's registry.
pub fn values() -> Vec<String> {
    registry().values()
}

/// [`Registry::shown`] of the process's registry.
pub fn shown() -> Vec<String> {
    registry().shown()
}

/// `text` with every run of a known secret masked; unchanged (borrowed) when there is none.
pub fn mask(text: &str) -> Cow<'_, str> {
    let matcher = registry().matcher();
    matcher.mask(text)
}

fn tail(value: &str) -> String {
    let n = value.chars().count();
    value.chars().skip(n.saturating_sub(4)).collect()
}

/// One way a secret may be written.
struct Form {
    bytes: Vec<u8>,
    /// The secret's last four characters, shown after the mask when a run ends where the secret
    /// does (raw forms only, as rolekit's reprs show them).
    tail: Option<String>,
}

/// The forms a secret is matched in: itself, and its base64 encodings. (JSON, URL and HTML
/// escapes are undone in the skeleton, so they need no forms of their own.)
fn forms_of(secret: &str) -> Vec<Form> {
    let raw = secret.as_bytes();
    let mut forms = vec![Form {
        bytes: raw.to_vec(),
        tail: Some(tail(secret)),
    }];
    for align in 0..3usize {
        let mut padded = vec![0u8; align];
        padded.extend_from_slice(raw);
        let encoded = aws_smithy_types::base64::encode(&padded);
        // The characters that depend on the secret's bytes alone.
        let first = (8 * align).div_ceil(6);
        let last = 8 * (align + raw.len()) / 6;
        let Some(stable) = encoded.get(first..last) else {
            continue;
        };
        if stable.len() < RUN {
            continue;
        }
        let url_safe: String = stable
            .chars()
            .map(|c| match c {
                '+' => '-',
                '/' => '_',
                c => c,
            })
            .collect();
        forms.push(Form {
            bytes: stable.as_bytes().to_vec(),
            tail: None,
        });
        if url_safe != stable {
            forms.push(Form {
                bytes: url_safe.into_bytes(),
                tail: None,
            });
        }
    }
    forms
}

/// Finds runs of known secrets in text.
pub struct Matcher {
    automaton: Option<AhoCorasick>,
    /// Per pattern: (form, offset of the anchor in the form).
    anchors: Vec<Vec<(usize, usize)>>,
    forms: Vec<Form>,
}

/// A run to mask: a byte range of the text, and the tail to show after the mask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// First byte of the run in the text.
    pub start: usize,
    /// One past its last byte.
    pub end: usize,
    /// The secret's last four characters, when the run is the end of the secret itself.
    pub tail: Option<String>,
}

impl Matcher {
    /// A matcher for `secrets`.
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Self {
        let mut forms = Vec::new();
        let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut patterns: Vec<Vec<u8>> = Vec::new();
        let mut anchors: Vec<Vec<(usize, usize)>> = Vec::new();
        for secret in secrets {
            for form in forms_of(secret) {
                let f = forms.len();
                let mut add = |piece: &[u8], offset: usize| {
                    let id = *index.entry(piece.to_vec()).or_insert_with(|| {
                        patterns.push(piece.to_vec());
                        anchors.push(Vec::new());
                        patterns.len() - 1
                    });
                    anchors[id].push((f, offset));
                };
                let mut offset = 0;
                while offset + ANCHOR <= form.bytes.len() {
                    add(&form.bytes[offset..offset + ANCHOR], offset);
                    offset += ANCHOR;
                }
                forms.push(form);
            }
        }
        let automaton = if patterns.is_empty() {
            None
        } else {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::Standard)
                .build(&patterns)
                .ok()
        };
        Self {
            automaton,
            anchors,
            forms,
        }
    }

    /// Whether there is nothing to find.
    pub fn is_empty(&self) -> bool {
        self.automaton.is_none()
    }

    /// The runs of secrets in `text`, in order, not overlapping.
    pub fn runs(&self, text: &str) -> Vec<Run> {
        let Some(automaton) = &self.automaton else {
            return Vec::new();
        };
        if u32::try_from(text.len()).is_err() {
            // Beyond what a span can say (4 GiB): show none of it rather than risk a secret.
            return vec![Run {
                start: 0,
                end: text.len(),
                tail: None,
            }];
        }
        let skeleton = Skeleton::of(text);
        let sk = &skeleton.bytes;
        let mut found: Vec<(usize, usize, Option<&String>)> = Vec::new();
        let mut covered = 0usize;
        for hit in automaton.find_overlapping_iter(sk.as_slice()) {
            if hit.end() <= covered {
                continue; // inside a run already found
            }
            for &(f, offset) in &self.anchors[hit.pattern().as_usize()] {
                let form = &self.forms[f];
                let (mut i, mut j) = (hit.start(), offset);
                while i > 0 && j > 0 && sk[i - 1] == form.bytes[j - 1] {
                    i -= 1;
                    j -= 1;
                }
                let (mut e, mut k) = (hit.end(), offset + hit.len());
                while e < sk.len() && k < form.bytes.len() && sk[e] == form.bytes[k] {
                    e += 1;
                    k += 1;
                }
                if e - i >= RUN {
                    let tail = if k == form.bytes.len() {
                        form.tail.as_ref()
                    } else {
                        None
                    };
                    found.push((i, e, tail));
                    covered = covered.max(e);
                }
            }
        }
        found.sort_by_key(|&(s, e, _)| (s, std::cmp::Reverse(e)));
        let mut runs: Vec<Run> = Vec::new();
        for (s, e, tail) in found {
            let (start, end) = (skeleton.spans[s].0, skeleton.spans[e - 1].1);
            match runs.last_mut() {
                Some(last) if start < last.end => {
                    if end > last.end {
                        last.end = end;
                        last.tail = tail.cloned();
                    }
                }
                _ => runs.push(Run {
                    start,
                    end,
                    tail: tail.cloned(),
                }),
            }
        }
        runs
    }

    /// `text` with every run masked; borrowed when there is none.
    pub fn mask<'t>(&self, text: &'t str) -> Cow<'t, str> {
        if self.is_empty() || text.len() < MIN_SECRET {
            return Cow::Borrowed(text);
        }
        let runs = self.runs(text);
        if runs.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut pos = 0;
        for run in runs {
            out.push_str(&text[pos..run.start]);
            out.push_str(MASK);
            if let Some(t) = &run.tail {
                out.push_str(t);
            }
            pos = run.end;
        }
        out.push_str(&text[pos..]);
        Cow::Owned(out)
    }
}

/// Text as the matcher reads it: escapes decoded (`\/`, `\uXXXX`, `%XX`, `&#x..;`, `&#..;`,
/// `&sol;` ...), separators dropped (white space, zero-width characters, `|` and box borders,
/// HTML tags such as `<wbr>`, terminal escape sequences, backslash-newline), and for every byte
/// kept, the byte range of the text it came from.
struct Skeleton {
    bytes: Vec<u8>,
    spans: Vec<(usize, usize)>,
}

impl Skeleton {
    fn of(text: &str) -> Self {
        let b = text.as_bytes();
        let mut sk = Skeleton {
            bytes: Vec::with_capacity(b.len()),
            spans: Vec::with_capacity(b.len()),
        };
        let mut i = 0;
        while i < b.len() {
            if let Some(n) = separator(b, i) {
                i += n;
                continue;
            }
            if let Some((c, n)) = escape(b, i) {
                if !invisible(c) {
                    let mut buf = [0u8; 4];
                    for &byte in c.encode_utf8(&mut buf).as_bytes() {
                        sk.bytes.push(byte);
                        sk.spans.push((i, i + n));
                    }
                }
                i += n;
                continue;
            }
            let n = utf8_len(b[i]).min(b.len() - i);
            let c = text.get(i..i + n).and_then(|s| s.chars().next());
            if !c.is_some_and(invisible) {
                sk.bytes.extend_from_slice(&b[i..i + n]);
                sk.spans.extend(std::iter::repeat_n((i, i + n), n));
            }
            i += n;
        }
        sk
    }
}

fn utf8_len(lead: u8) -> usize {
    match lead {
        0xF0..=0xF7 => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Characters that fold or decorate text without being part of it.
fn invisible(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c' | '|' | '\u{a0}' | '\u{ad}' | '\u{200b}'
            ..='\u{200d}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{2060}'
                | '\u{feff}'
                | '\u{2502}'
                | '\u{2503}'
                | '\u{2551}'
                | '\u{23ce}'
                | '\u{21b5}'
    )
}

/// Length of markup at `i` that is dropped whole: an HTML tag (`<wbr>`, `<span ...>`), a terminal
/// escape sequence (CSI or OSC), a backslash-newline.
fn separator(b: &[u8], i: usize) -> Option<usize> {
    match b[i] {
        b'<' => {
            let end = b[i..].iter().take(MARKUP).position(|&c| c == b'>')?;
            let inside = &b[i + 1..i + end];
            let name = inside.strip_prefix(b"/").unwrap_or(inside);
            let name_len = name
                .iter()
                .position(|c| !c.is_ascii_alphanumeric())
                .unwrap_or(name.len());
            let name = name[..name_len].to_ascii_lowercase();
            (INLINE_TAGS.contains(&name.as_slice()) && !inside.contains(&b'<')).then_some(end + 1)
        }
        0x1b if b.get(i + 1) == Some(&b'[') => {
            let end = b[i + 2..].iter().take(MARKUP).position(|c| (0x40..=0x7e).contains(c))?;
            Some(end + 3)
        }
        0x1b if b.get(i + 1) == Some(&b']') => {
            let rest = &b[i + 2..];
            let end = rest.iter().take(MARKUP).position(|&c| c == 0x07 || c == 0x1b)?;
            Some(end + 2 + if rest[end] == 0x1b { 2 } else { 1 })
        }
        b'\\' if matches!(b.get(i + 1), Some(b'\n')) => Some(2),
        b'\\' if b.get(i + 1) == Some(&b'\r') && b.get(i + 2) == Some(&b'\n') => Some(3),
        _ => None,
    }
}

/// HTML tags that can sit inside a word as a page shows it (a line-break opportunity, inline
/// formatting); other `<...>` is text.
const INLINE_TAGS: &[&[u8]] = &[
    b"wbr", b"br", b"span", b"b", b"i", b"u", b"s", b"em", b"strong", b"code", b"tt", b"font", b"a", b"mark", b"small",
    b"sub", b"sup", b"kbd", b"samp", b"var", b"del", b"ins", b"abbr", b"q", b"bdi", b"bdo",
];

fn hex(c: u8) -> Option<u32> {
    (c as char).to_digit(16)
}

/// An escaped character at `i` (JSON `\/` and `\uXXXX`, URL `%XX`, HTML character references and
/// a few named entities): the character and the escape's length.
fn escape(b: &[u8], i: usize) -> Option<(char, usize)> {
    match b[i] {
        b'\\' => match b.get(i + 1)? {
            b'/' => Some(('/', 2)),
            b'u' => {
                let digits = b.get(i + 2..i + 6)?;
                let code = digits.iter().try_fold(0u32, |acc, &c| Some(acc * 16 + hex(c)?))?;
                Some((char::from_u32(code)?, 6))
            }
            _ => None,
        },
        b'%' => {
            let code = hex(*b.get(i + 1)?)? * 16 + hex(*b.get(i + 2)?)?;
            char::from_u32(code).filter(char::is_ascii).map(|c| (c, 3))
        }
        b'&' => {
            let end = b[i..].iter().take(12).position(|&c| c == b';')?;
            let name = std::str::from_utf8(&b[i + 1..i + end]).ok()?;
            let c = if let Some(num) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                char::from_u32(u32::from_str_radix(num, 16).ok()?)?
            } else if let Some(num) = name.strip_prefix('#') {
                char::from_u32(num.parse().ok()?)?
            } else {
                match name {
                    "sol" => '/',
                    "plus" => '+',
                    "equals" => '=',
                    "lowbar" => '_',
                    "hyphen" | "dash" => '-',
                    "nbsp" => '\u{a0}',
                    "shy" => '\u{ad}',
                    "ZeroWidthSpace" => '\u{200b}',
                    "NewLine" => '\n',
                    "Tab" => '\t',
                    _ => return None,
                }
            };
            Some((c, end + 1))
        }
        _ => None,
    }
}

/// Masks a stream that arrives in chunks (a notebook cell's stdout): a run that crosses chunk
/// boundaries is masked from the chunk where it becomes a run, and what follows of it in later
/// chunks is masked too, so at most `RUN - 1` characters of a secret are ever shown in a row.
#[derive(Default)]
pub struct Stream {
    context: String,
    /// The last chunk ended inside a masked run.
    open: bool,
}

impl Stream {
    /// A stream with nothing seen yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The chunk as it may be shown.
    pub fn push(&mut self, chunk: &str) -> String {
        let matcher = registry().matcher();
        self.push_with(&matcher, chunk)
    }

    /// [`Stream::push`] with a given matcher.
    pub fn push_with(&mut self, matcher: &Matcher, chunk: &str) -> String {
        if matcher.is_empty() {
            self.open = false;
            self.keep(chunk);
            return chunk.to_string();
        }
        let seen = self.context.len();
        let mut text = std::mem::take(&mut self.context);
        text.push_str(chunk);
        let mut out = String::with_capacity(chunk.len());
        let mut pos = seen;
        let mut open = false;
        for run in matcher.runs(&text) {
            if run.end <= seen {
                continue;
            }
            let start = run.start.max(seen);
            out.push_str(&text[pos..start]);
            let continues = run.start < seen && start == seen && self.open;
            if !continues {
                out.push_str(MASK);
                if run.start >= seen {
                    if let Some(t) = &run.tail {
                        out.push_str(t);
                    }
                }
            }
            pos = run.end;
            open = run.end == text.len();
        }
        out.push_str(&text[pos..]);
        self.open = open;
        self.context = text;
        self.trim();
        out
    }

    fn keep(&mut self, chunk: &str) {
        self.context.push_str(chunk);
        self.trim();
    }

    fn trim(&mut self) {
        if self.context.len() > CONTEXT {
            let mut cut = self.context.len() - CONTEXT;
            while !self.context.is_char_boundary(cut) {
                cut += 1;
            }
            self.context.drain(..cut);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";

    fn matcher() -> Matcher {
        Matcher::new([KEY])
    }

    /// The longest run of `secret`'s characters (any form given) found in `shown`.
    fn longest_run(shown: &str, form: &str) -> usize {
        let (a, b) = (shown.as_bytes(), form.as_bytes());
        let mut best = 0;
        let mut prev = vec![0usize; b.len() + 1];
        for &x in a {
            let mut cur = vec![0usize; b.len() + 1];
            for (j, &y) in b.iter().enumerate() {
                if x == y {
                    cur[j + 1] = prev[j] + 1;
                    best = best.max(cur[j + 1]);
                }
            }
            prev = cur;
        }
        best
    }

    #[test]
    fn masks_the_secret_whole_and_in_pieces() {
        let m = matcher();
        assert_eq!(m.mask(&format!("key={KEY}!")), "key=****EKEY!");
        assert_eq!(m.mask("nothing here"), "nothing here");
        let pieces = format!("{}\n{}", &KEY[..20], &KEY[20..]);
        let shown = m.mask(&pieces);
        assert!(longest_run(&shown, KEY) < RUN, "{shown}");
        // eleven characters are not a run; twelve are
        assert_eq!(m.mask(&KEY[3..14]), &KEY[3..14]);
        assert_eq!(m.mask(&format!("<{}>", &KEY[3..15])), "<****>");
    }

    #[test]
    fn every_run_of_twelve_is_masked_at_every_offset() {
        let m = matcher();
        for start in 0..=KEY.len() - RUN {
            for end in start + RUN..=KEY.len() {
                let text = format!("# {} #", &KEY[start..end]);
                let shown = m.mask(&text);
                assert!(longest_run(&shown, KEY) < RUN, "{start}..{end}: {shown}");
                assert!(shown.starts_with("# ") && shown.ends_with(" #"), "{shown}");
            }
        }
    }

    #[test]
    fn escaped_encoded_and_folded_forms_are_masked() {
        let m = matcher();
        let json = KEY.replace('/', "\\/");
        let url = KEY.replace('/', "%2F");
        let url_lower = KEY.replace('/', "%2f");
        let html = KEY.replace('/', "&#x2F;");
        let html_dec = KEY.replace('/', "&#47;");
        let wbr = format!("{}<wbr>{}", &KEY[..10], &KEY[10..]);
        let zw = KEY.chars().flat_map(|c| [c, '\u{200b}']).collect::<String>();
        let folded = format!("{}\n    {}\n    {}", &KEY[..10], &KEY[10..20], &KEY[20..]);
        let coloured = format!("\x1b[31m{}\x1b[0m{}", &KEY[..10], &KEY[10..]);
        let table = format!("| {} |\n| {} |", &KEY[..10], &KEY[10..20]);
        let unicode = KEY.replace('/', "\\u002F");
        for text in [
            json, url, url_lower, html, html_dec, wbr, zw, folded, coloured, table, unicode,
        ] {
            let shown = m.mask(&text);
            assert!(shown.contains(MASK), "not masked: {text:?} -> {shown:?}");
            let visible: String = shown.chars().filter(char::is_ascii_alphanumeric).collect();
            let key_alnum: String = KEY.chars().filter(char::is_ascii_alphanumeric).collect();
            assert!(longest_run(&visible, &key_alnum) < RUN, "{text:?} -> {shown:?}");
        }
    }

    #[test]
    fn base64_at_every_alignment_is_masked() {
        let m = matcher();
        for prefix in ["", "a", "ab", "abc"] {
            let encoded = aws_smithy_types::base64::encode(format!("{prefix}{KEY} and more"));
            let shown = m.mask(&encoded);
            assert!(shown.contains(MASK), "prefix {prefix:?}: {encoded} -> {shown}");
            let url_safe = encoded.replace('+', "-").replace('/', "_");
            assert!(m.mask(&url_safe).contains(MASK), "url-safe, prefix {prefix:?}");
            // folded as MIME folds it
            let folded: Vec<String> = encoded
                .as_bytes()
                .chunks(19)
                .map(|c| String::from_utf8_lossy(c).into())
                .collect();
            assert!(m.mask(&folded.join("\n")).contains(MASK));
        }
    }

    #[test]
    fn a_stream_split_at_every_boundary_shows_no_run() {
        let m = matcher();
        let text = format!("the key is {KEY}, done");
        for cut in 0..=text.len() {
            let mut stream = Stream::new();
            let shown = stream.push_with(&m, &text[..cut]) + &stream.push_with(&m, &text[cut..]);
            assert!(longest_run(&shown, KEY) < RUN, "cut {cut}: {shown}");
            assert!(
                shown.starts_with("the key is ") && shown.ends_with(", done"),
                "cut {cut}: {shown}"
            );
        }
        for a in 0..text.len() {
            for b in a..=text.len() {
                let mut stream = Stream::new();
                let shown = [&text[..a], &text[a..b], &text[b..]]
                    .iter()
                    .map(|c| stream.push_with(&m, c))
                    .collect::<String>();
                assert!(longest_run(&shown, KEY) < RUN, "cuts {a},{b}: {shown}");
            }
        }
        // one character at a time: the stars come once, not once per character
        let mut stream = Stream::new();
        let shown: String = text.chars().map(|c| stream.push_with(&m, &c.to_string())).collect();
        assert!(longest_run(&shown, KEY) < RUN, "{shown}");
        assert_eq!(shown.matches(MASK).count(), 1, "{shown}");
    }

    #[test]
    fn short_values_are_not_secrets() {
        let mut r = Registry::default();
        assert!(!r.register("bootstrap", None, true));
        assert!(!r.register("hunter22hunt", None, true) || r.len() == 1);
        assert!(r.matcher().mask("the bootstrap phase").contains("bootstrap"));
    }

    #[test]
    fn the_registry_keeps_valid_and_pinned_secrets_past_its_bound() {
        let mut r = Registry::default();
        let later = SystemTime::now() + std::time::Duration::from_secs(3600);
        let earlier = SystemTime::now() - std::time::Duration::from_secs(1);
        assert!(r.register("pinned-0123456789", None, true));
        assert!(r.register("valid-abcdefghij", Some(later), false));
        assert!(r.register("expired-ABCDEFGHIJ", Some(earlier), false));
        assert!(!r.register("short-value", None, false));
        // values that share no twelve characters in a row
        let open = |i: u64| {
            format!(
                "{:016x}",
                i.wrapping_add(1).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(17)
            )
        };
        for i in 0..KEPT as u64 + 5 {
            r.register(&open(i), None, false);
        }
        assert_eq!(r.len(), KEPT);
        let m = r.matcher();
        assert!(m.mask("pinned-0123456789").contains(MASK));
        assert!(m.mask("valid-abcdefghij").contains(MASK));
        assert!(!m.mask("expired-ABCDEFGHIJ").contains(MASK));
        assert!(!m.mask(&open(0)).contains(MASK), "the oldest open one goes first");
        assert!(m.mask(&open(KEPT as u64 + 4)).contains(MASK));
    }

    #[test]
    fn markup_that_never_closes_is_text() {
        let m = matcher();
        let text = format!("<{} and \x1b[ {}", KEY, "x".repeat(1000));
        assert!(m.mask(&text).contains(MASK));
        assert_eq!(m.mask("a < b and c > d"), "a < b and c > d");
    }
}
