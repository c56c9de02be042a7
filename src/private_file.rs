//! Files ruhu writes: owner-only (0600, folders 0700) whatever the umask, because they hold
//! names, ID numbers and incomes; and written whole or not at all: a backup or an export goes
//! to a temporary file beside its target, is synced, and only then renamed over it, so a full
//! disk or a killed program leaves the previous file as it was.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Sets the process's file-creation mask to owner-only, so that every file and folder the
/// program (and sled, inside it) creates is owner-only. The command line calls this first.
pub fn owner_only_umask() {
    // SAFETY: umask only sets the process's mask and cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

/// Creates (or truncates) a file, owner-only.
pub fn create(path: &Path) -> io::Result<File> {
    let f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    // An existing file keeps its mode through `open`: tighten it.
    f.set_permissions(fs::Permissions::from_mode(0o600))?;
    Ok(f)
}

/// Creates a folder (and its parents), owner-only.
pub fn create_dir_all(path: &Path) -> io::Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
}

/// A file being written in place of `target`: the bytes go to a hidden temporary file beside
/// it; [`AtomicFile::commit`] syncs it and renames it over the target. Dropped without
/// commit (an error on the way), the temporary file is removed and the target is untouched.
pub struct AtomicFile {
    target: PathBuf,
    temp: PathBuf,
    out: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Starts writing `target`.
    pub fn create(target: &Path) -> io::Result<AtomicFile> {
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "ruhu".into());
        // What a killed write of the same target left (it holds the same kind of data).
        if let Ok(entries) = fs::read_dir(&dir) {
            let prefix = format!(".{name}.");
            for e in entries.flatten() {
                let n = e.file_name().to_string_lossy().into_owned();
                if n.starts_with(&prefix) && n.ends_with(".partial") {
                    let _ = fs::remove_file(e.path());
                }
            }
        }
        let temp = dir.join(format!(
            ".{name}.{}.partial",
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        ));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)?;
        Ok(AtomicFile {
            target: target.to_path_buf(),
            temp,
            out: Some(BufWriter::with_capacity(1 << 16, file)),
        })
    }

    /// The file being replaced.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Syncs the bytes written and renames the file over the target (then syncs the folder,
    /// so that the rename survives a power cut).
    pub fn commit(mut self) -> io::Result<()> {
        let out = self.out.take().expect("committed once");
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        fs::rename(&self.temp, &self.target)?;
        if let Some(dir) = self.target.parent().filter(|p| !p.as_os_str().is_empty()) {
            File::open(dir)?.sync_all()?;
        }
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.as_mut().expect("not committed").write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.as_mut().expect("not committed").flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.out.take().is_some() {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// Writes a whole file through [`AtomicFile`]: `write` fills it, then it is committed.
pub fn write_atomic<E: From<io::Error>>(
    target: &Path,
    write: impl FnOnce(&mut AtomicFile) -> Result<(), E>,
) -> Result<(), E> {
    let mut f = AtomicFile::create(target)?;
    write(&mut f)?;
    f.flush()?;
    f.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_committed_file_replaces_the_target_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("备份.json");
        fs::write(&target, "old").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o644)).unwrap();
        let mut f = AtomicFile::create(&target).unwrap();
        f.write_all("新的内容".as_bytes()).unwrap();
        // Not yet committed: the old file is still there.
        assert_eq!(fs::read_to_string(&target).unwrap(), "old");
        f.commit().unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "新的内容");
        assert_eq!(mode(&target), 0o600);
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }

    #[test]
    fn a_failed_write_leaves_the_target_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("b.json");
        fs::write(&target, "previous backup").unwrap();
        let r: Result<(), io::Error> = write_atomic(&target, |f| {
            f.write_all(b"half")?;
            Err(io::Error::new(io::ErrorKind::StorageFull, "disk full"))
        });
        assert!(r.is_err());
        assert_eq!(fs::read_to_string(&target).unwrap(), "previous backup");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn created_files_and_folders_are_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("a/b");
        create_dir_all(&sub).unwrap();
        assert_eq!(mode(&sub), 0o700);
        let f = sub.join("x.csv");
        fs::write(&f, "").unwrap();
        fs::set_permissions(&f, fs::Permissions::from_mode(0o666)).unwrap();
        drop(create(&f).unwrap());
        assert_eq!(mode(&f), 0o600);
    }
}
