//! The rule after every create: read the new object back; when it cannot be read (the read
//! fails, or the object is not there), remove it, so that nothing the provider made is left
//! outside the Terraform state. [`Client::read_back_or_remove`] applies it; a [`ReadBack`],
//! made by the service's module that knows which RPC lists the object, names what is read.

use std::future::Future;

use super::engine::{LOG_TARGET, Rpc};
use super::{ApiError, Client, ErrorContext};

/// An object the provider has just written, as the read that follows names it: its kind in
/// words, its id (or import id), and the RPC that should list it. Built by the services'
/// modules (`ReadBack::realm`, `ReadBack::trust_domain`, …).
#[derive(Debug, Clone)]
pub struct ReadBack {
    kind: &'static str,
    id: String,
    operation: &'static str,
    written: &'static str,
    listed_by: Rpc,
}

impl ReadBack {
    /// The new `kind` `id`, read by `operation` ("read the new realm") through `listed_by`.
    pub(super) fn created(
        kind: &'static str,
        id: impl Into<String>,
        operation: &'static str,
        listed_by: Rpc,
    ) -> Self {
        ReadBack {
            kind,
            id: id.into(),
            operation,
            written: "created",
            listed_by,
        }
    }

    /// The same object, just updated rather than created.
    pub fn updated(self, operation: &'static str) -> Self {
        ReadBack {
            operation,
            written: "updated",
            ..self
        }
    }

    /// What the object is, in words: "realm".
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// The object's id, as the user would import it.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The error when the read found nothing: the object was written but is not listed.
    pub fn missing(&self) -> ApiError {
        ApiError::Decode(ErrorContext {
            operation: self.operation,
            method: self.listed_by.method,
            code: None,
            message: format!(
                "{} {} was {} but is not listed",
                self.kind, self.id, self.written
            ),
            attempts: 1,
        })
    }
}

/// A create succeeded but its object could not be read back: why, and whether removing it
/// failed too (the object is then left behind, outside the state).
#[derive(Debug)]
pub struct CreatedButUnreadable {
    /// What the object is, in words: "realm".
    pub kind: &'static str,
    /// Its id, as the user would import it.
    pub id: String,
    /// Why it could not be read back.
    pub error: ApiError,
    /// Why removing it failed; `None` when it was removed.
    pub cleanup: Option<ApiError>,
}

impl Client {
    /// Reads back what a create made: `read`'s object, or, when `read` fails or finds nothing,
    /// an error after `remove` has run, carrying `remove`'s own failure. `remove` runs only
    /// then.
    pub async fn read_back_or_remove<T>(
        &self,
        new: ReadBack,
        read: impl Future<Output = Result<Option<T>, ApiError>>,
        remove: impl Future<Output = Result<(), ApiError>>,
    ) -> Result<T, CreatedButUnreadable> {
        let error = match read.await {
            Ok(Some(object)) => return Ok(object),
            Ok(None) => new.missing(),
            Err(error) => error,
        };
        log::debug!(target: LOG_TARGET, "{}: {error}; removing {} {}", new.operation, new.kind, new.id);
        let cleanup = remove.await.err();
        Err(CreatedButUnreadable {
            kind: new.kind,
            id: new.id,
            error,
            cleanup,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::time::Duration;

    use super::*;
    use crate::secret::SecretString;
    use crate::settings::{ClientSettings, Credentials, SpirlctlSession};

    /// A client that is never asked to call: the helper only sequences the futures it is given.
    fn client() -> Client {
        let settings = ClientSettings {
            base_url: "http://127.0.0.1:9/".parse().expect("a URL"),
            proxy: None,
            ssl_cert_file: None,
            credentials: Credentials::Spirlctl(SpirlctlSession {
                path: "test-only".into(),
                token: SecretString::new("test-only"),
            }),
            unused_spirlctl_config: None,
            request_timeout: Duration::from_secs(1),
            max_retries: 0,
        };
        Client::new(&settings, "").expect("a client")
    }

    fn refused(operation: &'static str) -> ApiError {
        ApiError::PermissionDenied(ErrorContext {
            operation,
            method: "test.API/Test",
            code: Some("PERMISSION_DENIED"),
            message: "no".into(),
            attempts: 1,
        })
    }

    #[tokio::test]
    async fn read_back_found_does_not_remove() {
        let removed = Cell::new(false);
        let got = client()
            .read_back_or_remove(ReadBack::realm("rlm-1"), async { Ok(Some(7)) }, async {
                removed.set(true);
                Ok(())
            })
            .await;
        assert_eq!(got.ok(), Some(7));
        assert!(!removed.get());
    }

    #[tokio::test]
    async fn read_back_not_listed_removes_and_says_which_list() {
        let removed = Cell::new(false);
        let failed = client()
            .read_back_or_remove(ReadBack::realm("rlm-1"), async { Ok(None::<u8>) }, async {
                removed.set(true);
                Ok(())
            })
            .await
            .expect_err("not listed");
        assert!(removed.get());
        assert!(failed.cleanup.is_none());
        assert_eq!((failed.kind, failed.id.as_str()), ("realm", "rlm-1"));
        let ApiError::Decode(context) = &failed.error else {
            panic!("{:?}", failed.error);
        };
        assert_eq!(context.method, "realm.API/ListRealms");
        assert_eq!(context.message, "realm rlm-1 was created but is not listed");
    }

    #[tokio::test]
    async fn read_back_failed_read_and_failed_removal_are_both_carried() {
        let failed = client()
            .read_back_or_remove(
                ReadBack::cicd_profile("cicdp-1"),
                async { Err::<Option<u8>, _>(refused("read")) },
                async { Err(refused("delete")) },
            )
            .await
            .expect_err("unreadable");
        assert_eq!(failed.error.context().operation, "read");
        let cleanup = failed.cleanup.expect("the removal failed");
        assert_eq!(cleanup.context().operation, "delete");
    }

    #[test]
    fn updated_object_missing_says_updated() {
        let missing = ReadBack::cluster("td-1", "web")
            .updated("read the updated cluster")
            .missing();
        assert_eq!(missing.context().operation, "read the updated cluster");
        assert_eq!(
            missing.context().message,
            "cluster td-1/web was updated but is not listed"
        );
    }
}
