//! `serde` support (feature `serde`): a [`PolicyList`] travels as its policies' delivered
//! text, disposition and source, and is parsed again on arrival. The compiled form is derived
//! from those three, so the round trip is exact; nothing compiled crosses a process boundary
//! where a mismatched build could misread it.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::limits::{MAX_LIST_BYTES, MAX_POLICIES};
use crate::names::disposition::{Disposition, PolicySource};
use crate::policy::build::parse_policy;
use crate::policy::list::PolicyList;

/// One policy on the wire.
#[derive(Serialize, Deserialize)]
struct Record<'a> {
    #[serde(borrow)]
    text: std::borrow::Cow<'a, str>,
    /// [`Disposition::as_str`]: `"enforce"` or `"report"`.
    #[serde(borrow)]
    disposition: std::borrow::Cow<'a, str>,
    /// [`PolicySource::as_str`]: `"header"` or `"meta"`.
    #[serde(borrow)]
    source: std::borrow::Cow<'a, str>,
    /// The parser added this policy in place of input cut at a limit.
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    synthetic: bool,
}

impl Serialize for PolicyList {
    /// Serializes the list as a sequence of `{"text", "disposition", "source"}` records (and
    /// `"synthetic": true` for a policy the parser added when input was cut at a limit).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter().map(|p| Record {
            text: p.text().into(),
            disposition: p.disposition().as_str().into(),
            source: p.source().as_str().into(),
            synthetic: p.is_synthetic(),
        }))
    }
}

impl<'de> Deserialize<'de> for PolicyList {
    /// Parses each record's text again as one policy, with its disposition and source.
    ///
    /// # Errors
    ///
    /// A record whose fields are missing or have unknown values, a text with no directive
    /// (the parser never produces one), a text longer than [`MAX_LIST_BYTES`], or more than
    /// [`MAX_POLICIES`] + 1 records.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<PolicyList, D::Error> {
        let records: Vec<Record<'de>> = Vec::deserialize(deserializer)?;
        if records.len() > MAX_POLICIES + 1 {
            return Err(D::Error::custom("too many policies"));
        }
        let mut list = PolicyList::new();
        for r in records {
            let disposition: Disposition = r.disposition.parse().map_err(D::Error::custom)?;
            let source: PolicySource = r.source.parse().map_err(D::Error::custom)?;
            if r.text.len() > MAX_LIST_BYTES {
                return Err(D::Error::custom("policy text over the length limit"));
            }
            let mut policy = parse_policy(&r.text, 0, disposition, source, &mut |_| {})
                .ok_or_else(|| D::Error::custom("policy text without directives"))?;
            policy.synthetic = r.synthetic;
            list.push_parsed(policy);
        }
        Ok(list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_is_exact() {
        let mut list = PolicyList::parse(
            "default-src 'self'; img-src * data:, script-src 'nonce-a' 'sha256-AAAA='",
            Disposition::Enforce,
            PolicySource::Header,
        );
        list.push_header("connect-src 'none'; report-uri /r", Disposition::Report);
        list.push_meta("style-src 'self', with a comma; frame-ancestors 'none'");
        let json = serde_json::to_string(&list).unwrap();
        let back: PolicyList = serde_json::from_str(&json).unwrap();
        assert_eq!(back, list);
        assert_eq!(back.to_string(), list.to_string());
        assert!(json.starts_with(
            r#"[{"text":"default-src 'self'; img-src * data:","disposition":"enforce","source":"header"}"#
        ));
    }

    #[test]
    fn round_trip_keeps_the_fail_closed_policy() {
        let many: String = (0..MAX_POLICIES + 3)
            .map(|i| format!("img-src h{i}.test"))
            .collect::<Vec<_>>()
            .join(",");
        let list = PolicyList::parse(&many, Disposition::Enforce, PolicySource::Header);
        assert!(list.iter().next_back().unwrap().is_synthetic());
        let back: PolicyList =
            serde_json::from_str(&serde_json::to_string(&list).unwrap()).unwrap();
        assert_eq!(back, list);
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        for bad in [
            r#"[{"text":"","disposition":"enforce","source":"header"}]"#,
            r#"[{"text":"img-src *","disposition":"header","source":"header"}]"#,
            r#"[{"text":"img-src *","disposition":"enforce","source":"report"}]"#,
            r#"[{"text":"img-src *","disposition":"enforce"}]"#,
            r#"{"text":"img-src *"}"#,
        ] {
            assert!(serde_json::from_str::<PolicyList>(bad).is_err(), "{bad}");
        }
    }
}
