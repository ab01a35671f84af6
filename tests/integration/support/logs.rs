//! A recorder of the `log` crate's records, for the tests of what the client logs.
//!
//! A process has one logger, and this binary runs every test in one process: the recorder is
//! installed once, and a [`LogCapture`] sees only the records of the thread that made it. A
//! `#[tokio::test]` runs on a current-thread runtime, so its client, its mock and every task
//! they spawn log on the test's thread; the tests beside it neither add to its records nor pay
//! for formatting theirs.

use std::cell::RefCell;
use std::marker::PhantomData;
use std::sync::Once;

thread_local! {
    /// The records of this thread's capture; `None` when it has none.
    static CAPTURED: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

/// Records this thread's log records, at every level, until dropped.
pub struct LogCapture {
    /// Started and read on one thread: not `Send`.
    _thread: PhantomData<*const ()>,
}

/// Starts recording the current thread's log records (installing the recorder on first use).
pub fn capture_logs() -> LogCapture {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        log::set_logger(&RECORDER).expect("no other logger is installed in the test process");
        log::set_max_level(log::LevelFilter::Trace);
    });
    CAPTURED.with(|c| *c.borrow_mut() = Some(Vec::new()));
    LogCapture {
        _thread: PhantomData,
    }
}

impl LogCapture {
    /// Every record so far, one a line, formatted with its key-values.
    pub fn text(&self) -> String {
        CAPTURED.with(|c| c.borrow().as_deref().unwrap_or_default().join("\n"))
    }
}

impl Drop for LogCapture {
    fn drop(&mut self) {
        let _ = CAPTURED.try_with(|c| c.borrow_mut().take());
    }
}

struct Recorder;

impl log::Log for Recorder {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        CAPTURED
            .try_with(|c| c.try_borrow().is_ok_and(|c| c.is_some()))
            .unwrap_or(false)
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        struct Collect(String);
        impl<'kvs> log::kv::VisitSource<'kvs> for Collect {
            fn visit_pair(
                &mut self,
                key: log::kv::Key<'kvs>,
                value: log::kv::Value<'kvs>,
            ) -> Result<(), log::kv::Error> {
                self.0.push_str(&format!(" {key}={value}"));
                Ok(())
            }
        }
        let mut line = Collect(format!(
            "{} {} {}",
            record.level(),
            record.target(),
            record.args()
        ));
        let _ = record.key_values().visit(&mut line);
        let _ = CAPTURED.try_with(|c| {
            if let Ok(mut c) = c.try_borrow_mut()
                && let Some(records) = c.as_mut()
            {
                records.push(line.0);
            }
        });
    }

    fn flush(&self) {}
}

static RECORDER: Recorder = Recorder;
