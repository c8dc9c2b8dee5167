//! Helpers shared by the unit tests of the check modules.

use url::Url;

use crate::{Disposition, DocumentPolicy, PolicyList};

/// A document at `https://app.test/` whose header-delivered policies are `policies`, in order.
pub(crate) fn doc(policies: &[(&str, Disposition)]) -> DocumentPolicy {
    let mut list = PolicyList::new();
    for (text, disposition) in policies {
        list.push_header(text, *disposition);
    }
    DocumentPolicy::new(&Url::parse("https://app.test/").unwrap(), list)
}
