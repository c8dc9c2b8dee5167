//! The names layer: closed vocabularies (directive names, destinations, initiators, parser
//! metadata, dispositions and policy sources, keywords and hash algorithms, scheme names) and ASCII byte classes. It depends on nothing else in the crate.

pub(crate) mod vocabulary;

pub(crate) mod ascii;
pub(crate) mod destination;
pub(crate) mod directive;
pub(crate) mod disposition;
pub(crate) mod keywords;
pub(crate) mod scheme;
pub(crate) mod trusted_types;
