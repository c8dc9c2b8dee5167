//! `serde` support (feature `serde`) for the closed vocabularies an engine keeps in its own
//! types and sends over IPC: each serializes as the name its specification gives it (Fetch's
//! destination and initiator names, CSP3's disposition, source, directive and inline check
//! type names, Trusted Types' sink group), and deserializes from exactly that name.
//! [`SandboxFlags`] serializes as the list of its flags' names (`SANDBOX_FLAG_NAMES`).

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::checks::inline::InlineType;
use crate::checks::navigation::NavigationType;
use crate::checks::sandbox::SandboxFlags;
use crate::names::destination::{Destination, Initiator, ParserMetadata};
use crate::names::directive::DirectiveKind;
use crate::names::disposition::{Disposition, PolicySource};
use crate::names::trusted_types::SinkGroup;

/// Serialize as `as_str()`, deserialize through `parse` (`None` is an unknown name).
macro_rules! by_name {
    ($ty:ty, $what:literal, $parse:expr) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            /// # Errors
            ///
            /// Anything but one of the type's names.
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<$ty, D::Error> {
                let name = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
                let parse: fn(&str) -> Option<$ty> = $parse;
                parse(&name).ok_or_else(|| {
                    D::Error::custom(format_args!(concat!("unknown ", $what, " {:?}"), name))
                })
            }
        }
    };
}

by_name!(Destination, "destination", |s| s.parse().ok());
by_name!(Initiator, "initiator", |s| s.parse().ok());
by_name!(ParserMetadata, "parser metadata", |s| s.parse().ok());
by_name!(InlineType, "inline check type", |s| s.parse().ok());
by_name!(NavigationType, "navigation type", |s| s.parse().ok());
by_name!(SinkGroup, "sink group", |s| s.parse().ok());
by_name!(Disposition, "disposition", |s| match s {
    "enforce" => Some(Disposition::Enforce),
    "report" => Some(Disposition::Report),
    _ => None,
});
by_name!(PolicySource, "policy source", |s| match s {
    "header" => Some(PolicySource::Header),
    "meta" => Some(PolicySource::Meta),
    _ => None,
});
by_name!(DirectiveKind, "directive", |s| DirectiveKind::ALL
    .iter()
    .copied()
    .find(|d| d.as_str() == s));

/// The serialized name of each [`SandboxFlags`] flag: HTML's name for it without the
/// "sandboxed " prefix and the "browsing context flag" / "flag" suffix, spaces as dashes.
pub(crate) const SANDBOX_FLAG_NAMES: &[(SandboxFlags, &str)] = crate::checks::sandbox::FLAG_NAMES;

impl Serialize for SandboxFlags {
    /// A sequence of flag names, in `SANDBOX_FLAG_NAMES` order.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            SANDBOX_FLAG_NAMES
                .iter()
                .filter(|(f, _)| self.contains(*f))
                .map(|(_, n)| *n),
        )
    }
}

impl<'de> Deserialize<'de> for SandboxFlags {
    /// # Errors
    ///
    /// A name that is not a flag's.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<SandboxFlags, D::Error> {
        let names = Vec::<std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        let mut flags = SandboxFlags::empty();
        for name in names {
            let (flag, _) = SANDBOX_FLAG_NAMES
                .iter()
                .find(|(_, n)| *n == name)
                .ok_or_else(|| D::Error::custom(format_args!("unknown sandbox flag {name:?}")))?;
            flags |= *flag;
        }
        Ok(flags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T>(value: T, name: &str)
    where
        T: Serialize + for<'de> Deserialize<'de> + PartialEq + core::fmt::Debug,
    {
        let json = serde_json::to_string(&value).unwrap();
        assert_eq!(json, format!("\"{name}\""));
        assert_eq!(serde_json::from_str::<T>(&json).unwrap(), value);
    }

    #[test]
    fn every_name_round_trips() {
        for &d in Destination::ALL {
            round_trip(d, d.as_str());
        }
        for &i in Initiator::ALL {
            round_trip(i, i.as_str());
        }
        for &k in DirectiveKind::ALL {
            round_trip(k, k.as_str());
        }
        for &t in InlineType::ALL {
            round_trip(t, t.as_str());
        }
        round_trip(ParserMetadata::ParserInserted, "parser-inserted");
        round_trip(NavigationType::FormSubmission, "form-submission");
        round_trip(Disposition::Report, "report");
        round_trip(PolicySource::Meta, "meta");
        round_trip(SinkGroup::Script, "script");
        assert!(serde_json::from_str::<Destination>("\"Script\"").is_err());
        assert!(serde_json::from_str::<Disposition>("\"enforced\"").is_err());
        assert!(serde_json::from_str::<DirectiveKind>("\"SCRIPT-SRC\"").is_err());
    }

    #[test]
    fn sandbox_flags_serialize_as_flag_names() {
        let flags = SandboxFlags::parse(
            "allow-scripts allow-same-origin allow-forms allow-popups allow-modals \
             allow-orientation-lock allow-pointer-lock allow-presentation allow-downloads \
             allow-top-navigation allow-popups-to-escape-sandbox \
             allow-storage-access-by-user-activation",
        );
        let json = serde_json::to_string(&flags).unwrap();
        assert_eq!(serde_json::from_str::<SandboxFlags>(&json).unwrap(), flags);
        let all = serde_json::to_value(SandboxFlags::all()).unwrap();
        assert_eq!(all.as_array().unwrap().len(), SANDBOX_FLAG_NAMES.len());
        assert_eq!(
            SANDBOX_FLAG_NAMES
                .iter()
                .fold(SandboxFlags::empty(), |a, (f, _)| a | *f),
            SandboxFlags::all()
        );
        assert!(serde_json::from_str::<SandboxFlags>("[\"scripts\",\"nope\"]").is_err());
        assert_eq!(
            serde_json::to_string(&(SandboxFlags::NAVIGATION | SandboxFlags::PLUGINS)).unwrap(),
            "[\"navigation\",\"plugins\"]"
        );
    }
}
