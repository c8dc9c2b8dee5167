//! Reading what every subcommand shares: text files (or standard input) and the policies given
//! on the command line, in a policy file, or by a HAR's document response.

use std::fmt;
use std::io::Read;
use std::path::Path;

use anyhow::{anyhow, Context, Result};
use cspgate::{Disposition, PolicyList, PolicySource};

/// Reads a whole text file; `-` reads standard input.
///
/// # Errors
///
/// The file cannot be read, or is not UTF-8; the message names the file.
pub fn read_text(path: &Path) -> Result<String> {
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
        return decode(bytes, "standard input");
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    decode(bytes, &path.display().to_string())
}

/// The text of a file's bytes: UTF-8, without a leading byte-order mark (some tools write
/// one in front of their HAR exports; RFC 8259 §8.1 lets a JSON reader ignore it).
///
/// # Errors
///
/// The bytes are not UTF-8; the message names `name` and the offset of the first bad byte.
///
/// # Example
///
/// ```
/// use cspgate_cli::input::decode;
///
/// assert_eq!(decode(b"\xEF\xBB\xBFimg-src *".to_vec(), "p.txt")?, "img-src *");
/// let e = decode(b"img-src \xFF".to_vec(), "p.txt").unwrap_err();
/// assert_eq!(e.to_string(), "p.txt is not UTF-8 text: invalid byte at offset 8");
/// # Ok::<(), anyhow::Error>(())
/// ```
pub fn decode(mut bytes: Vec<u8>, name: &str) -> Result<String> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        anyhow!(
            "{name} is not UTF-8 text: invalid byte at offset {}",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Reads a whole file as bytes; `-` reads standard input.
///
/// # Errors
///
/// The file cannot be read; the message names the file.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut b = Vec::new();
        std::io::stdin()
            .read_to_end(&mut b)
            .context("cannot read standard input")?;
        return Ok(b);
    }
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// One policy text as delivered: a header value (which may hold several comma-separated
/// policies) or a `<meta>` content, with where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyText {
    /// The header value or `<meta>` content, as given.
    pub text: String,
    /// Enforced (`Content-Security-Policy`, `<meta>`) or report-only.
    pub disposition: Disposition,
    /// Header or `<meta>`.
    pub source: PolicySource,
    /// Where it came from, for people: `--policy`, `policy.txt:3`, `HAR response header`.
    pub from: String,
}

impl PolicyText {
    /// An enforced or report-only header value.
    pub fn header(text: &str, disposition: Disposition, from: impl Into<String>) -> PolicyText {
        PolicyText {
            text: text.trim().to_owned(),
            disposition,
            source: PolicySource::Header,
            from: from.into(),
        }
    }

    /// A `<meta http-equiv="Content-Security-Policy">` content.
    pub fn meta(text: &str, from: impl Into<String>) -> PolicyText {
        PolicyText {
            text: text.trim().to_owned(),
            disposition: Disposition::Enforce,
            source: PolicySource::Meta,
            from: from.into(),
        }
    }

    /// How a browser would receive this text: `Content-Security-Policy: ...`,
    /// `Content-Security-Policy-Report-Only: ...` or a `<meta>` element.
    pub fn delivery(&self, text: &str) -> String {
        match (self.source, self.disposition) {
            (PolicySource::Meta, _) => format!(
                "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">",
                text.replace('&', "&amp;").replace('"', "&quot;")
            ),
            (PolicySource::Header, Disposition::Enforce) => {
                format!("Content-Security-Policy: {text}")
            }
            (PolicySource::Header, Disposition::Report) => {
                format!("Content-Security-Policy-Report-Only: {text}")
            }
        }
    }

    /// Parses this text alone.
    pub fn parse(&self) -> PolicyList {
        PolicyList::parse(&self.text, self.disposition, self.source)
    }
}

/// `enforced` / `report-only`, and how the policy was delivered, for headings.
#[derive(Clone, Copy, Debug)]
pub struct Describe(pub Disposition, pub PolicySource);

impl fmt::Display for Describe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = match self.0 {
            Disposition::Enforce => "enforced",
            Disposition::Report => "report-only",
        };
        let s = match self.1 {
            PolicySource::Header => "header",
            PolicySource::Meta => "<meta>",
        };
        write!(f, "{d}, {s}")
    }
}

/// The policies of several texts, parsed into one list, remembering which text each policy
/// came from. Policy *n* (1-based) of every output is `list[n - 1]`.
#[derive(Clone, Debug, Default)]
pub struct Policies {
    /// The texts, in order.
    pub texts: Vec<PolicyText>,
    /// Every policy of every text, in order.
    pub list: PolicyList,
    /// For each policy of `list`, the index of its text in `texts`.
    pub text_of: Vec<usize>,
}

impl Policies {
    /// Parses the texts, in order.
    pub fn new(texts: Vec<PolicyText>) -> Policies {
        let mut list = PolicyList::new();
        let mut text_of = Vec::new();
        for (i, t) in texts.iter().enumerate() {
            let parsed = t.parse();
            text_of.extend(std::iter::repeat_n(i, parsed.len()));
            list.append(parsed);
        }
        Policies {
            texts,
            list,
            text_of,
        }
    }

    /// The text policy `index` (0-based) came from.
    pub fn text(&self, index: usize) -> Option<&PolicyText> {
        self.text_of.get(index).and_then(|&t| self.texts.get(t))
    }

    /// One line per policy: `Policy 1 (enforced, header; from --policy): default-src 'self'`.
    pub fn headings(&self) -> Vec<String> {
        self.list
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let from = self.text(i).map_or("", |t| t.from.as_str());
                format!(
                    "Policy {} ({}; from {from}): {}",
                    i + 1,
                    Describe(p.disposition(), p.source()),
                    p.text()
                )
            })
            .collect()
    }
}

/// Parses a policy file: one header value per line. A line may start with the header name,
/// `Content-Security-Policy:` or `Content-Security-Policy-Report-Only:` (any case), which sets
/// its disposition; other lines are enforced. Blank lines and `#` comments are skipped.
pub fn parse_policy_file(text: &str, name: &str) -> Vec<PolicyText> {
    const RO: &str = "content-security-policy-report-only:";
    const EN: &str = "content-security-policy:";
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let from = format!("{name}:{}", i + 1);
        let lower = line.get(..RO.len()).map(str::to_ascii_lowercase);
        if lower.as_deref() == Some(RO) {
            out.push(PolicyText::header(
                &line[RO.len()..],
                Disposition::Report,
                from,
            ));
            continue;
        }
        let lower = line.get(..EN.len()).map(str::to_ascii_lowercase);
        if lower.as_deref() == Some(EN) {
            out.push(PolicyText::header(
                &line[EN.len()..],
                Disposition::Enforce,
                from,
            ));
            continue;
        }
        out.push(PolicyText::header(line, Disposition::Enforce, from));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_file_lines() {
        let t = "# comment\n\ndefault-src 'self'\nContent-Security-Policy-Report-Only: img-src 'none'\ncontent-security-policy: script-src a.test\n";
        let p = parse_policy_file(t, "p.txt");
        assert_eq!(p.len(), 3);
        assert_eq!(p[0].text, "default-src 'self'");
        assert_eq!(p[0].from, "p.txt:3");
        assert_eq!(p[1].disposition, Disposition::Report);
        assert_eq!(p[1].text, "img-src 'none'");
        assert_eq!(p[2].disposition, Disposition::Enforce);
        assert_eq!(p[2].text, "script-src a.test");
    }

    #[test]
    fn delivery_lines() {
        let m = PolicyText::meta("img-src 'self'", "--meta");
        assert_eq!(
            m.delivery(&m.text),
            "<meta http-equiv=\"Content-Security-Policy\" content=\"img-src 'self'\">"
        );
        let r = PolicyText::header("img-src *", Disposition::Report, "x");
        assert_eq!(
            r.delivery(&r.text),
            "Content-Security-Policy-Report-Only: img-src *"
        );
    }
}
