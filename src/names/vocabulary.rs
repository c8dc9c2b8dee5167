//! Closed vocabularies: every one of them (destinations, initiators, parser metadata,
//! dispositions, policy sources, hash algorithms, inline and navigation types) is generated
//! from one table by [`name_enum!`], and a bad name is an [`UnknownName`].

use core::fmt;

/// The error of parsing a closed vocabulary's value ([`Destination`](crate::Destination),
/// [`Initiator`](crate::Initiator), [`Disposition`](crate::Disposition), ...) from a string
/// that is not one of its names.
///
/// # Example
///
/// ```
/// use cspgate::Destination;
///
/// let err = "picture".parse::<Destination>().unwrap_err();
/// assert_eq!(err.to_string(), "unknown request destination \"picture\"");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownName {
    what: &'static str,
    name: Box<str>,
}

impl UnknownName {
    /// The error for `name`, which is not a valid `what` (e.g. "inline check type").
    pub(crate) fn new(what: &'static str, name: &str) -> UnknownName {
        UnknownName {
            what,
            name: name.into(),
        }
    }

    /// The name that was not recognised.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} {:?}", self.what, self.name)
    }
}

impl std::error::Error for UnknownName {}

/// Generates a closed vocabulary from one table: the enum, `ALL` (every value, in table order),
/// `as_str`, `FromStr` (the exact name) and `Display`. The invocation gives the enum's
/// attributes (derives, `non_exhaustive`), what the error calls a bad name, and the doc of
/// `as_str`.
macro_rules! name_enum {
    (
        $(#[$meta:meta])* $vis:vis enum $ty:ident, $what:literal, $as_str_doc:literal {
            $( $(#[$doc:meta])* $variant:ident => $name:literal, )*
        }
    ) => {
        $(#[$meta])*
        $vis enum $ty {
            $( $(#[$doc])* $variant, )*
        }

        impl $ty {
            /// Every value, in table order.
            pub const ALL: &'static [$ty] = &[ $( $ty::$variant, )* ];

            #[doc = $as_str_doc]
            #[inline]
            pub const fn as_str(self) -> &'static str {
                match self { $( $ty::$variant => $name, )* }
            }
        }

        impl core::str::FromStr for $ty {
            type Err = $crate::names::vocabulary::UnknownName;

            /// Parses the name exactly (names are lower-case).
            fn from_str(s: &str) -> Result<Self, $crate::names::vocabulary::UnknownName> {
                match s {
                    $( $name => Ok($ty::$variant), )*
                    _ => Err($crate::names::vocabulary::UnknownName::new($what, s)),
                }
            }
        }

        impl core::fmt::Display for $ty {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use name_enum;
