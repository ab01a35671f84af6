//! Plan-time checks of attributes that hold another object's id (`trust_domain_id`,
//! `cluster_id`, …), shared by the resources and data sources that take them.

use tfplugin::{Attr, AttributePath, Diagnostics};

use crate::client::{MAX_ID_LEN, has_id_shape};
use crate::problem::quote;

/// Reports `attr` when its known value is not an id with `prefix` (`what` names the object, `hint`
/// says where a valid one comes from). Unknown and null values pass: they are checked at plan, or
/// are required by the schema.
pub fn check_id(
    diags: &mut Diagnostics,
    attr: &str,
    value: &Attr<String>,
    prefix: &str,
    what: &str,
    hint: &str,
) {
    if let Some(id) = value.known().filter(|id| !has_id_shape(id, prefix)) {
        diags.error_at(
            AttributePath::root(attr),
            format!("Invalid {what} id"),
            format!(
                "{attr} is {}; a {what} id looks like `{prefix}` followed by 1 to {MAX_ID_LEN} \
                 lowercase letters and digits. Use {hint}.",
                quote(id)
            ),
        );
    }
}
