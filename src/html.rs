//! HTML rendering for `_repr_html_`: highlighted JSON and finding tables. Presentation only.

use rolekit_policy::validate::{Finding, Severity};

/// A string as Python's `repr` writes it (single quotes), for `__repr__`s.
pub fn pyrepr(s: &str) -> String {
    format!(
        "'{}'",
        s.replace('\\', "\\\\").replace('\'', "\\'").replace('\n', "\\n")
    )
}

/// A list of strings as Python's `repr` writes it.
pub fn pyrepr_list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|s| pyrepr(s)).collect::<Vec<_>>().join(", "))
}

/// Escape text for HTML.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Every cell's style, written on the cell itself: JupyterLab, classic Notebook, VS Code and
/// nbconvert each style bare tables differently (JupyterLab right-aligns cells).
pub const CELL: &str = "text-align:left;vertical-align:top;padding:2px 8px";

/// A small two-column table with a caption.
pub fn table(caption: &str, rows: &[(&str, String)]) -> String {
    let mut out = format!(
        "<table class=\"rolekit\"><caption style=\"text-align:left\"><b>{}</b></caption>",
        escape(caption)
    );
    for (k, v) in rows {
        let value = if v.is_empty() {
            "<i>(none)</i>".to_string()
        } else {
            format!("<code>{}</code>", escape(v))
        };
        out.push_str(&format!(
            "<tr><th style=\"{CELL}\">{}</th><td style=\"{CELL}\">{value}</td></tr>",
            escape(k)
        ));
    }
    out.push_str("</table>");
    out
}

/// A policy as a notebook shows it: one summary line per statement (effect, actions, resources),
/// then the document, folded away when it is long.
pub fn policy(policy: &rolekit_policy::Policy, pretty: &str) -> String {
    const FOLD_AFTER_LINES: usize = 20;
    let clip = |items: Vec<&str>| {
        let shown: Vec<&str> = items.iter().take(3).copied().collect();
        let more = items.len().saturating_sub(3);
        if more > 0 {
            format!("{} (+{more} more)", shown.join(", "))
        } else {
            shown.join(", ")
        }
    };
    let mut lines = Vec::new();
    for s in &policy.statements {
        let effect = s.effect.map_or("?", |e| {
            if e == rolekit_policy::Effect::Allow {
                "Allow"
            } else {
                "Deny"
            }
        });
        let actions = match (&s.action, &s.not_action) {
            (Some(a), _) => clip(a.values().collect()),
            (None, Some(n)) => format!("everything but {}", clip(n.values().collect())),
            _ => "no action".into(),
        };
        let resources = match (&s.resource, &s.not_resource) {
            (Some(r), _) => format!(" on {}", clip(r.values().collect())),
            (None, Some(n)) => format!(" on everything but {}", clip(n.values().collect())),
            _ => String::new(),
        };
        lines.push(format!(
            "<li><b>{effect}</b> <code>{}</code>{}</li>",
            escape(&actions),
            escape(&resources)
        ));
    }
    let summary = format!(
        "<b>Policy</b>: {} statement{}<ul style=\"margin:2px 0\">{}</ul>",
        policy.statements.len(),
        if policy.statements.len() == 1 { "" } else { "s" },
        lines.join("")
    );
    if pretty.lines().count() > FOLD_AFTER_LINES {
        format!(
            "<div class=\"rolekit\">{summary}<details><summary>the document ({} lines)</summary>{}</details></div>",
            pretty.lines().count(),
            json(pretty)
        )
    } else {
        format!("<div class=\"rolekit\">{summary}{}</div>", json(pretty))
    }
}

/// Pretty JSON with keys, strings and literals coloured.
pub fn json(pretty: &str) -> String {
    let mut out = String::from("<pre class=\"rolekit-json\" style=\"line-height:1.3\">");
    let chars: Vec<char> = pretty.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '"' {
            let start = i;
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            let token: String = chars[start..(i + 1).min(chars.len())].iter().collect();
            let mut j = i + 1;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            let colour = if chars.get(j) == Some(&':') {
                "#0451a5"
            } else {
                "#a31515"
            };
            out.push_str(&format!("<span style=\"color:{colour}\">{}</span>", escape(&token)));
            i += 1;
        } else if c.is_ascii_digit() || c == '-' || c.is_ascii_alphabetic() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || ".-+".contains(chars[i])) {
                i += 1;
            }
            let token: String = chars[start..i].iter().collect();
            out.push_str(&format!("<span style=\"color:#098658\">{}</span>", escape(&token)));
        } else {
            out.push_str(&escape(&c.to_string()));
            i += 1;
        }
    }
    out.push_str("</pre>");
    out
}

fn severity_badge(s: Severity) -> String {
    let colour = match s {
        Severity::Error => "#c62828",
        Severity::SecurityWarning => "#ad1457",
        Severity::Warning => "#ef6c00",
        Severity::Suggestion => "#1565c0",
    };
    format!("<span style=\"color:{colour};font-weight:bold\">{}</span>", s.as_str())
}

/// A table of findings.
pub fn findings(title: &str, items: &[Finding]) -> String {
    if items.is_empty() {
        return format!("<p class=\"rolekit\"><b>{}</b>: no findings ✔</p>", escape(title));
    }
    let mut out = format!(
        "<table class=\"rolekit\"><caption style=\"text-align:left\"><b>{}</b></caption>\
         <tr><th style=\"{CELL}\">severity</th><th style=\"{CELL}\">code</th><th style=\"{CELL}\">where</th>\
         <th style=\"{CELL}\">message</th><th style=\"{CELL}\">suggestion</th></tr>",
        escape(title)
    );
    for f in items {
        let place = match f.pos {
            Some(p) if p.line > 0 => format!("{} (line {}, column {})", f.path_string(), p.line, p.column),
            _ => f.path_string(),
        };
        let mut msg = escape(&f.message);
        if let Some(m) = &f.iam_message {
            msg.push_str(&format!("<br><small>IAM: {}</small>", escape(m)));
        }
        out.push_str(&format!(
            "<tr><td style=\"{CELL}\">{}</td><td style=\"{CELL}\"><code>{}</code></td><td style=\"{CELL}\"><code>{}</code></td>\
             <td style=\"{CELL}\">{}</td><td style=\"{CELL}\"><code>{}</code></td></tr>",
            severity_badge(f.severity),
            f.code,
            escape(&place),
            msg,
            escape(f.suggestion.as_deref().unwrap_or(""))
        ));
    }
    out.push_str("</table>");
    out
}
