//! Wildcards as IAM reads them: `*` matches any run of characters (also none), `?` one character.
//!
//! Matching is linear for the patterns policies hold: the pattern is cut at its `*`s into
//! segments; the first must match at the start, the last at the end, and each one between is
//! found leftmost after the previous one (leftmost is always right for `*`-separated segments).
//! A segment without `?` is found with `memchr::memmem` (linear in the text); a segment with `?`
//! is tried at each position, so only a long `?`-bearing segment against a long text costs more
//! than one pass.

/// A pattern token: a literal byte, `*`, or `?`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    Byte(u8),
    Star,
    Quest,
}

/// `pattern`'s bytes as tokens (`*` and `?` are wildcards).
pub(crate) fn tokens_of(pattern: &[u8]) -> Vec<Tok> {
    pattern
        .iter()
        .map(|&b| match b {
            b'*' => Tok::Star,
            b'?' => Tok::Quest,
            b => Tok::Byte(b),
        })
        .collect()
}

/// Match `text` against `pattern` (case-sensitive, as ARNs are).
pub fn matches(pattern: &str, text: &str) -> bool {
    glob(&tokens_of(pattern.as_bytes()), text.as_bytes())
}

/// Match ignoring ASCII case (as action names are).
pub fn matches_ignore_case(pattern: &str, text: &str) -> bool {
    glob(
        &tokens_of(pattern.to_ascii_lowercase().as_bytes()),
        text.to_ascii_lowercase().as_bytes(),
    )
}

/// Length of the UTF-8 character starting with byte `b`.
pub(crate) fn char_len(b: u8) -> usize {
    match b {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Where `seg` (no `*`) ends when matched at `at` in `t`; `?` takes one UTF-8 character.
fn match_at(seg: &[Tok], t: &[u8], at: usize) -> Option<usize> {
    let mut i = at;
    for tok in seg {
        match *tok {
            Tok::Byte(b) => {
                if t.get(i) != Some(&b) {
                    return None;
                }
                i += 1;
            }
            Tok::Quest => {
                let c = *t.get(i)?;
                i += char_len(c);
                if i > t.len() {
                    return None;
                }
            }
            Tok::Star => return None,
        }
    }
    Some(i)
}

/// Whether `seg` (no `*`) matches `t` exactly up to its end, walking backwards from `end`; the
/// start of the match.
fn match_ending_at(seg: &[Tok], t: &[u8], end: usize, floor: usize) -> Option<usize> {
    let mut i = end;
    for tok in seg.iter().rev() {
        match *tok {
            Tok::Byte(b) => {
                if i <= floor || t[i - 1] != b {
                    return None;
                }
                i -= 1;
            }
            Tok::Quest => {
                // one character back: skip UTF-8 continuation bytes
                if i <= floor {
                    return None;
                }
                i -= 1;
                while i > floor && (t[i] & 0xC0) == 0x80 {
                    i -= 1;
                }
            }
            Tok::Star => return None,
        }
    }
    Some(i)
}

/// The leftmost match of `seg` (no `*`) in `t` at or after `from`, on a character boundary:
/// `(start, end)`.
fn find(seg: &[Tok], t: &[u8], from: usize) -> Option<(usize, usize)> {
    if seg.iter().all(|tok| matches!(tok, Tok::Byte(_))) {
        // On the stack for the usual few dozen bytes (a `*...*` segment of an ARN pattern).
        let needle: smallvec::SmallVec<[u8; 64]> = seg
            .iter()
            .map(|tok| match tok {
                Tok::Byte(b) => *b,
                _ => 0,
            })
            .collect();
        // A needle of whole characters found in valid text starts on a boundary.
        let start = from + memchr::memmem::find(t.get(from..)?, &needle)?;
        return Some((start, start + needle.len()));
    }
    let mut at = from;
    while at <= t.len() {
        if let Some(end) = match_at(seg, t, at) {
            return Some((at, end));
        }
        if at == t.len() {
            break;
        }
        at += char_len(t[at]);
    }
    None
}

/// Match `t` against tokens `p`.
pub(crate) fn glob(p: &[Tok], t: &[u8]) -> bool {
    let first = p.split(|tok| *tok == Tok::Star).next().unwrap_or(&[]);
    if !p.contains(&Tok::Star) {
        return match_at(first, t, 0) == Some(t.len());
    }
    let Some(mut pos) = match_at(first, t, 0) else {
        return false;
    };
    // The segment after the last star must end the text; those between are found leftmost.
    let last_star = p.iter().rposition(|tok| *tok == Tok::Star).unwrap_or(0);
    let (middle, last) = (
        p.get(first.len() + 1..last_star).unwrap_or(&[]),
        p.get(last_star + 1..).unwrap_or(&[]),
    );
    for seg in middle.split(|tok| *tok == Tok::Star) {
        if seg.is_empty() {
            continue;
        }
        match find(seg, t, pos) {
            Some((_, end)) => pos = end,
            None => return false,
        }
    }
    match_ending_at(last, t, t.len(), pos).is_some()
}

/// The old iterative matcher with single-star backtracking and a custom equality, O(n·m) at
/// worst: for [`intersects`], where a `?` of the text side stands for any character.
fn glob_with(p: &[u8], t: &[u8], eq: impl Fn(u8, u8) -> bool) -> bool {
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi).copied() {
            Some(b'*') => {
                pi += 1;
                star = Some((pi, ti));
            }
            Some(b'?') => {
                pi += 1;
                ti += char_len(t[ti]);
            }
            Some(c) if eq(c, t[ti]) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    let next = st + char_len(t[st]);
                    star = Some((sp, next));
                    pi = sp;
                    ti = next;
                }
                None => return false,
            },
        }
    }
    ti == t.len() && p[pi.min(p.len())..].iter().all(|&c| c == b'*')
}

/// The literal run before the first wildcard.
fn literal_prefix(p: &[u8]) -> &[u8] {
    let end = p.iter().position(|&c| c == b'*' || c == b'?').unwrap_or(p.len());
    &p[..end]
}

/// The literal run after the last wildcard.
fn literal_suffix(p: &[u8]) -> &[u8] {
    let start = p.iter().rposition(|&c| c == b'*' || c == b'?').map_or(0, |i| i + 1);
    &p[start..]
}

/// Two ASCII patterns that both hold a `*` share a string exactly when their parts before the
/// first `*` agree over their common length and their parts after the last `*` agree over theirs
/// (`?` agreeing with any character): `prefix + middle of a + middle of b + suffix` then matches
/// both, each pattern's stars absorbing the other's middle. `None` when the rule does not apply
/// (a side without `*`, or non-ASCII text where `?` is not one byte).
fn starred_intersect(a: &[u8], b: &[u8]) -> Option<bool> {
    if !a.is_ascii() || !b.is_ascii() {
        return None;
    }
    let first = |p: &[u8]| p.iter().position(|&c| c == b'*');
    let last = |p: &[u8]| p.iter().rposition(|&c| c == b'*');
    let (fa, fb, la, lb) = (first(a)?, first(b)?, last(a)?, last(b)?);
    let agree = |x: &u8, y: &u8| x == y || *x == b'?' || *y == b'?';
    let prefixes = a[..fa].iter().zip(&b[..fb]).all(|(x, y)| agree(x, y));
    let suffixes = a[la + 1..]
        .iter()
        .rev()
        .zip(b[lb + 1..].iter().rev())
        .all(|(x, y)| agree(x, y));
    Some(prefixes && suffixes)
}

/// Whether two patterns can match a common string (both may contain `*` and `?`).
/// Used to ask "can this resource pattern name a resource of that type?". O(n·m), with quick
/// rejections on the literal prefixes and suffixes first.
pub fn intersects(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let a_wild = a.iter().any(|&c| c == b'*' || c == b'?');
    let b_wild = b.iter().any(|&c| c == b'*' || c == b'?');
    match (a_wild, b_wild) {
        (false, false) => return a == b,
        (true, false) => return glob(&tokens_of(a), b),
        (false, true) => return glob(&tokens_of(b), a),
        (true, true) => {}
    }
    if let Some(answer) = starred_intersect(a, b) {
        return answer;
    }
    // One side without `*` names strings of a fixed number of characters: the other side
    // matches one of them when it matches that side, its `?`s standing for any character.
    if !a.contains(&b'*') {
        return glob_with(b, a, |x, y| x == y || y == b'?');
    }
    if !b.contains(&b'*') {
        return glob_with(a, b, |x, y| x == y || y == b'?');
    }
    if (a.len() + 1).saturating_mul(b.len() + 1) > SEARCH_LIMIT {
        return true; // too large to search: "may intersect" is the safe answer for a warning
    }
    intersects_by_search(a, b)
}

/// Position pairs [`intersects_by_search`] may visit (its memory is one byte each).
const SEARCH_LIMIT: usize = 1 << 24;

/// The general intersection test: a search over pairs of positions.
pub(crate) fn intersects_by_search(a: &[u8], b: &[u8]) -> bool {
    // Fast path: a pattern matching the other's text taken literally shares that very string
    // (the other's `*` and `?` also match themselves).
    if glob(&tokens_of(a), b) || glob(&tokens_of(b), a) {
        return true;
    }
    let (pa, pb) = (literal_prefix(a), literal_prefix(b));
    let n = pa.len().min(pb.len());
    if pa[..n] != pb[..n] {
        return false;
    }
    let (sa, sb) = (literal_suffix(a), literal_suffix(b));
    let k = sa.len().min(sb.len());
    if sa[sa.len() - k..] != sb[sb.len() - k..] {
        return false;
    }
    let (n, m) = (a.len(), b.len());
    let mut seen = vec![false; (n + 1) * (m + 1)];
    let mut stack = vec![(0usize, 0usize)];
    while let Some((i, j)) = stack.pop() {
        let idx = i * (m + 1) + j;
        if seen[idx] {
            continue;
        }
        seen[idx] = true;
        if i == n && j == m {
            return true;
        }
        let ai = a.get(i).copied();
        let bj = b.get(j).copied();
        if ai == Some(b'*') {
            stack.push((i + 1, j));
            if j < m {
                stack.push((i, j + 1));
            }
        }
        if bj == Some(b'*') {
            stack.push((i, j + 1));
            if i < n {
                stack.push((i + 1, j));
            }
        }
        if let (Some(x), Some(y)) = (ai, bj) {
            if x != b'*' && y != b'*' && (x == b'?' || y == b'?' || x == y) {
                stack.push((i + 1, j + 1));
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_and_question_mark() {
        assert!(matches("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b.csv"));
        assert!(matches("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/"));
        assert!(!matches("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket"));
        assert!(matches("a?c", "abc"));
        assert!(!matches("a?c", "ac"));
        assert!(matches("a?c", "aéc"));
        assert!(matches("*", ""));
        assert!(!matches("", "x"));
        assert!(matches("a*b*c", "axxbyyc"));
        assert!(!matches("a*b*c", "axxbyy"));
    }

    #[test]
    fn case_rules() {
        assert!(matches_ignore_case("s3:get*", "s3:GetObject"));
        assert!(!matches("arn:aws:s3:::Bucket", "arn:aws:s3:::bucket"));
    }

    #[test]
    fn pathological_patterns_stay_fast() {
        let pattern = "*?".repeat(500) + "x";
        let text = "a".repeat(20_000);
        let start = std::time::Instant::now();
        assert!(!matches(&pattern, &text));
        assert!(start.elapsed().as_secs() < 5);
    }

    #[test]
    fn starred_shortcut_agrees_with_the_search_on_every_short_pattern() {
        let mut patterns = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = patterns
                .iter()
                .filter(|p| p.len() == patterns.last().map_or(0, String::len))
                .flat_map(|p| ["a", "b", "*", "?"].map(|c| format!("{p}{c}")))
                .collect();
            patterns.extend(longer);
        }
        assert_eq!(patterns.len(), 1 + 4 + 16 + 64 + 256);
        for a in &patterns {
            for b in &patterns {
                let (x, y) = (a.as_bytes(), b.as_bytes());
                if let Some(fast) = starred_intersect(x, y) {
                    assert_eq!(fast, intersects_by_search(x, y), "{a:?} vs {b:?}");
                }
            }
        }
    }

    #[test]
    fn intersection_of_patterns() {
        assert!(intersects("arn:*:s3:::?*", "arn:aws:s3:::my-bucket"));
        assert!(!intersects("arn:*:s3:::?*", "arn:aws:s3:::"));
        assert!(intersects("arn:*:s3:::?*/?*", "arn:aws:s3:::b/*"));
        assert!(intersects("*", "anything"));
        assert!(intersects("a*", "*b"));
        assert!(!intersects("a*", "b*"));
        assert!(intersects("a?c", "*b*"));
        assert!(intersects("arn:aws:s3:::b", "arn:?*:s3:::?*"));
        assert!(!intersects("arn:aws:s3:::b", "arn:aws:s3:::c"));
        assert!(!intersects("x*y", "x*z"));
        assert!(intersects("?", "a"));
    }
}
