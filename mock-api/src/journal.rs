//! The append-only journal that makes a mock with `--data-dir` durable.
//!
//! One JSON line per committed write, appended and fsynced before the answer leaves, so a write
//! costs the same however many objects exist. On start the lines are replayed in order. A crash
//! can tear only the last line (the one whose response never went out); it is cut off. Damage
//! anywhere else stops the start, since skipping it would lose acknowledged writes.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::MockError;
use crate::store::Change;

/// Name of the journal file inside the data directory.
pub const JOURNAL_FILE: &str = "journal.jsonl";

/// One line of the journal: one committed change.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Entry {
    pub change: Change,
}

/// The open journal, locked against a second process.
pub(crate) struct Journal {
    file: File,
    path: PathBuf,
    /// Length of the file after the last complete line.
    len: u64,
}

impl Journal {
    /// Opens (or creates) the journal in `dir`, takes its lock, cuts a torn last line and returns
    /// the entries to replay.
    pub fn open(dir: &Path) -> Result<(Journal, Vec<Entry>), MockError> {
        let io = |action: &'static str, path: &Path| {
            let path = path.to_owned();
            move |source| MockError::Io {
                action,
                path,
                source,
            }
        };
        std::fs::create_dir_all(dir).map_err(io("cannot create", dir))?;
        let path = dir.join(JOURNAL_FILE);
        let mut options = OpenOptions::new();
        options.read(true).append(true).create(true);
        #[cfg(unix)]
        {
            // It holds the service accounts' private keys.
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let mut file = options.open(&path).map_err(io("cannot open", &path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Err(MockError::DataDirInUse(dir.to_owned())),
            Err(TryLockError::Error(e)) => return Err(io("cannot lock", &path)(e)),
        }
        // The file's directory entry must be durable too, or a crash could lose the whole file.
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io("cannot sync", dir))?;

        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(io("cannot read", &path))?;
        let (entries, good_len) = parse(&bytes, &path)?;
        if good_len < bytes.len() {
            file.set_len(good_len as u64)
                .and_then(|()| file.sync_all())
                .map_err(io("cannot cut the torn last line of", &path))?;
        }
        Ok((
            Journal {
                file,
                path,
                len: good_len as u64,
            },
            entries,
        ))
    }

    /// Appends one entry and waits until it is on disk.
    pub fn append(&mut self, entry: &Entry) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(entry)?;
        line.push(b'\n');
        let written = self
            .file
            .write_all(&line)
            .and_then(|()| self.file.sync_data());
        match written {
            Ok(()) => {
                self.len += line.len() as u64;
                Ok(())
            }
            Err(e) => {
                // Cut a partial line off, or every later line would follow garbage.
                let _ = self.file.set_len(self.len);
                Err(e)
            }
        }
    }

    /// Where the journal lives.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The entries of a journal and the length of its intact part. Only the last line may be torn.
fn parse(bytes: &[u8], path: &Path) -> Result<(Vec<Entry>, usize), MockError> {
    let mut entries = Vec::new();
    let mut offset = 0;
    let mut line_no = 0;
    while offset < bytes.len() {
        line_no += 1;
        let rest = &bytes[offset..];
        let (line, next, complete) = match rest.iter().position(|&b| b == b'\n') {
            Some(end) => (&rest[..end], offset + end + 1, true),
            None => (rest, bytes.len(), false),
        };
        match serde_json::from_slice::<Entry>(line) {
            Ok(entry) if complete => entries.push(entry),
            // A line without its newline was never fsynced, so never acknowledged.
            Ok(_) => return Ok((entries, offset)),
            Err(_) if next == bytes.len() => return Ok((entries, offset)),
            Err(e) => {
                return Err(MockError::CorruptJournal {
                    path: path.to_owned(),
                    line: line_no,
                    message: e.to_string(),
                });
            }
        }
        offset = next;
    }
    Ok((entries, offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: &str) -> String {
        format!("{{\"change\":{{\"op\":\"trust_domain_deleted\",\"id\":\"{id}\"}}}}\n")
    }

    #[test]
    fn a_torn_last_line_is_cut_off() {
        let text = format!(
            "{}{}{{\"change\":{{\"op\":\"tru",
            line("td-a"),
            line("td-b")
        );
        let (entries, len) = parse(text.as_bytes(), Path::new("j")).expect("parses");
        assert_eq!(entries.len(), 2);
        assert_eq!(len, line("td-a").len() * 2);
    }

    #[test]
    fn a_complete_last_line_without_newline_is_cut_off() {
        let full = line("td-a");
        let text = format!("{full}{}", full.trim_end());
        let (entries, len) = parse(text.as_bytes(), Path::new("j")).expect("parses");
        assert_eq!((entries.len(), len), (1, full.len()));
    }

    #[test]
    fn damage_before_the_last_line_stops_the_start() {
        let text = format!("{}garbage\n{}", line("td-a"), line("td-b"));
        let err = parse(text.as_bytes(), Path::new("j")).expect_err("damaged");
        assert!(
            matches!(err, MockError::CorruptJournal { line: 2, .. }),
            "{err}"
        );
    }

    #[test]
    fn appended_entries_are_replayed_and_the_lock_is_exclusive() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut journal, entries) = Journal::open(dir.path()).expect("open");
        assert!(entries.is_empty());
        let entry = Entry {
            change: Change::TrustDomainDeleted { id: "td-x".into() },
        };
        journal.append(&entry).expect("append");
        assert!(matches!(
            Journal::open(dir.path()),
            Err(MockError::DataDirInUse(_))
        ));
        drop(journal);
        let (_journal, entries) = Journal::open(dir.path()).expect("reopen");
        assert_eq!(entries.len(), 1);
    }
}
