//! The files of the data folder around sled's own: owner-only permissions, what a failed
//! write or a killed import leaves behind, and the private copy a read-only folder is read
//! from.

use std::fs;
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

/// The folder of an import's sorted runs (`spill.rs`) starts with this.
pub(super) const SPILL_PREFIX: &str = ".import-";

/// Makes a folder owner-only (0700). A folder of another user's is left as it is (the
/// change is refused; opening goes on and fails later if it must).
pub(super) fn make_private(dir: &Path) -> io::Result<()> {
    let meta = fs::metadata(dir)?;
    if meta.permissions().mode() & 0o077 != 0 {
        let _ = fs::set_permissions(dir, fs::Permissions::from_mode(0o700));
    }
    Ok(())
}

/// Makes the store's files owner-only (0600, folders 0700): stores made before ruhu did
/// this, or under a loose umask by another program, are tightened when opened.
pub(super) fn make_files_private(dir: &Path) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let Ok(meta) = entry.metadata() else { continue };
        let mode = meta.permissions().mode();
        if mode & 0o077 == 0 {
            continue;
        }
        let private = if meta.is_dir() { 0o700 } else { 0o600 };
        let _ = fs::set_permissions(entry.path(), fs::Permissions::from_mode(private));
        if meta.is_dir() {
            make_files_private(&entry.path())?;
        }
    }
    Ok(())
}

/// Removes the sorted-run folders of imports that were killed (they hold registry data).
/// Call only while holding the store's lock.
pub(super) fn remove_spill_leftovers(dir: &Path) {
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(SPILL_PREFIX) {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
}

/// Removes the snapshots sled began and did not finish (`snap.<lsn>.generating`): sled
/// writes a snapshot there, syncs it and only then renames it, so such a file is never the
/// only copy of anything (the log has it all), and a zero-length one left by a full disk
/// stops sled from opening. Call only while holding the store's lock. Returns how many
/// were removed.
pub(super) fn remove_unfinished_snapshots(dir: &Path) -> io::Result<usize> {
    let mut removed = 0;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("snap.") && name.ends_with(".generating") {
            fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    if removed > 0 {
        fs::File::open(dir)?.sync_all()?;
    }
    Ok(removed)
}

/// Whether two metadata are of the same file (device and inode) and it still has a name.
pub(super) fn same_file(open: &fs::Metadata, named: &fs::Metadata) -> bool {
    open.nlink() > 0 && open.dev() == named.dev() && open.ino() == named.ino()
}

/// Copies the store's files (sled's log, configuration and snapshots) into a new private
/// folder in the temporary folder, removed when the returned value is dropped.
pub(super) fn copy_for_reading(dir: &Path) -> io::Result<tempfile::TempDir> {
    let copy = tempfile::Builder::new()
        .prefix("ruhu-read-only-")
        .tempdir()?;
    copy_tree(dir, copy.path())?;
    Ok(copy)
}

fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with(SPILL_PREFIX) {
            continue;
        }
        let kind = entry.file_type()?;
        let target = to.join(&name);
        if kind.is_dir() {
            fs::create_dir(&target)?;
            copy_tree(&entry.path(), &target)?;
        } else if kind.is_file() {
            fs::copy(entry.path(), &target)?;
            fs::set_permissions(&target, fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfinished_snapshots_and_spill_folders_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::write(d.join("snap.00000000000358AA"), b"whole").unwrap();
        fs::write(d.join("snap.0000000000035F70.generating"), b"").unwrap();
        fs::create_dir(d.join(".import-abc")).unwrap();
        fs::write(d.join(".import-abc/0.run"), b"x").unwrap();
        assert_eq!(remove_unfinished_snapshots(d).unwrap(), 1);
        remove_spill_leftovers(d);
        let mut left: Vec<String> = fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["snap.00000000000358AA"]);
    }

    #[test]
    fn files_are_made_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("data");
        fs::create_dir(&d).unwrap();
        fs::set_permissions(&d, fs::Permissions::from_mode(0o755)).unwrap();
        fs::write(d.join("db"), b"").unwrap();
        fs::set_permissions(d.join("db"), fs::Permissions::from_mode(0o644)).unwrap();
        fs::create_dir(d.join("blobs")).unwrap();
        fs::set_permissions(d.join("blobs"), fs::Permissions::from_mode(0o755)).unwrap();
        make_private(&d).unwrap();
        make_files_private(&d).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&d), 0o700);
        assert_eq!(mode(&d.join("db")), 0o600);
        assert_eq!(mode(&d.join("blobs")), 0o700);
    }
}
