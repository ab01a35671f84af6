//! Helpers the unit tests of several modules share: attribute values as Terraform sends them.

use std::collections::BTreeMap;

use tfplugin::Attr;

/// A known string attribute.
pub(crate) fn known(s: &str) -> Attr<String> {
    Attr::Value(s.to_owned())
}

/// A known map of known strings.
pub(crate) fn map(entries: &[(&str, &str)]) -> Attr<BTreeMap<String, Attr<String>>> {
    Attr::Value(
        entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), known(v)))
            .collect(),
    )
}
