//! The names layer: closed vocabularies (directive names, destinations, initiators, parser
//! metadata, scheme names) and ASCII byte classes. It depends on nothing else in the crate.

pub(crate) mod ascii;
pub(crate) mod destination;
pub(crate) mod directive;
pub(crate) mod scheme;
