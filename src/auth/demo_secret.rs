//! The signing secret of `serve --demo` when none is configured. It is kept in a file beside the SQLite database
//! (`medcredit.db` → `medcredit.db.demo-secret`), so the printed tokens survive a restart and `medcredit token`
//! can mint more for the same demo. For PostgreSQL (no file of its own) and in-memory SQLite it is
//! `medcredit.demo-secret` in the current directory. The file is created owner-only (0600); one that others can
//! read is refused, as ssh refuses a readable private key.
//!
//! This is a convenience for trying the service out: production configures `MEDCREDIT_JWT_SECRET` or
//! `MEDCREDIT_JWT_KEYS_FILE`, and then no demo secret is read or written.

use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};

use crate::config::MIN_SECRET_LEN;

/// File name used when the database is not a SQLite file.
pub const FALLBACK_FILE: &str = "medcredit.demo-secret";
const SUFFIX: &str = ".demo-secret";

/// Where the demo secret of a database lives: `FILE.demo-secret` for `sqlite://FILE…`, else
/// `./medcredit.demo-secret`.
pub fn path_for(database_url: &str) -> PathBuf {
    beside(database_url, SUFFIX, FALLBACK_FILE)
}

/// Where `serve --demo` keeps the key that seals tips' contact and payment details when `MEDCREDIT_TIP_KEY` is
/// not set: `FILE.tip-key` beside a SQLite file, else `./medcredit.tip-key`. Its 64 hex digits are a key.
pub fn tip_key_path_for(database_url: &str) -> PathBuf {
    beside(database_url, ".tip-key", "medcredit.tip-key")
}

fn beside(database_url: &str, suffix: &str, fallback: &str) -> PathBuf {
    sqlite_file(database_url).map_or_else(
        || PathBuf::from(fallback),
        |file| {
            let mut name = file.into_os_string();
            name.push(suffix);
            PathBuf::from(name)
        },
    )
}

/// The database file of a `sqlite:` URL (`sqlite://a.db?mode=rwc`, `sqlite:///abs/a.db`, `sqlite:a.db`); `None`
/// for in-memory databases and other schemes.
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let (file, query) = rest.split_once('?').unwrap_or((rest, ""));
    let in_memory = file.is_empty() || file == ":memory:" || query.contains("mode=memory");
    (!in_memory).then(|| PathBuf::from(file))
}

/// Whether the secret was made now or found from an earlier run (for the start-up message).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Created,
    Reused,
}

/// The secret at `path`, created if absent.
pub fn load_or_create(path: &Path) -> Result<(SecretString, Origin), String> {
    if let Some(secret) = load(path)? {
        return Ok((secret, Origin::Reused));
    }
    let secret = random_secret();
    // Written whole to a private temporary file, then linked into place: a concurrent start (or a crash halfway)
    // can never leave a short secret behind, and a link that finds the name taken means another process won.
    let temporary = path.with_extension(format!("tmp-{}", std::process::id()));
    write_private(&temporary, secret.expose_secret())
        .map_err(|e| format!("cannot write the demo secret {}: {e}", temporary.display()))?;
    let linked = fs::hard_link(&temporary, path);
    let _ = fs::remove_file(&temporary);
    match linked {
        Ok(()) => Ok((secret, Origin::Created)),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => load(path)?
            .map(|secret| (secret, Origin::Reused))
            .ok_or_else(|| format!("{} vanished while starting", path.display())),
        Err(e) => Err(format!(
            "cannot create the demo secret {}: {e}",
            path.display()
        )),
    }
}

/// The secret at `path` if the file exists; an error if it is unreadable, too short or readable by others.
pub fn load(path: &Path) -> Result<Option<SecretString>, String> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(format!(
                "cannot read the demo secret {}: {e}",
                path.display()
            ));
        }
    };
    check_private(path)?;
    let secret = text.trim();
    if secret.len() < MIN_SECRET_LEN {
        return Err(format!(
            "the demo secret {} is shorter than {MIN_SECRET_LEN} bytes; delete it to have a new one made",
            path.display()
        ));
    }
    Ok(Some(secret.into()))
}

fn random_secret() -> SecretString {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes).into()
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut file = OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path)
        .map_err(|e| format!("cannot read the demo secret {}: {e}", path.display()))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(format!(
            "the demo secret {} is readable by others (mode {:o}); run `chmod 600` on it or delete it",
            path.display(),
            mode & 0o777
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), String> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_sits_beside_the_sqlite_file() {
        let cases = [
            ("sqlite://medcredit.db?mode=rwc", "medcredit.db.demo-secret"),
            (
                "sqlite:///var/lib/mc/data.db",
                "/var/lib/mc/data.db.demo-secret",
            ),
            ("sqlite:demo.db", "demo.db.demo-secret"),
            ("sqlite::memory:", FALLBACK_FILE),
            ("sqlite://shared.db?mode=memory&cache=shared", FALLBACK_FILE),
            (
                "postgres://postgres@127.0.0.1:5432/medcredit",
                FALLBACK_FILE,
            ),
        ];
        for (url, expected) in cases {
            assert_eq!(path_for(url), PathBuf::from(expected), "{url}");
        }
    }

    #[test]
    fn created_once_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db.demo-secret");
        let (first, origin) = load_or_create(&path).unwrap();
        assert_eq!(origin, Origin::Created);
        assert!(first.expose_secret().len() >= MIN_SECRET_LEN);
        let (second, origin) = load_or_create(&path).unwrap();
        assert_eq!(origin, Origin::Reused);
        assert_eq!(first.expose_secret(), second.expose_secret());
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn owner_only_and_a_readable_file_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("y.demo-secret");
        load_or_create(&path).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let err = load(&path).unwrap_err();
        assert!(err.contains("readable by others"), "{err}");
        // The refusal does not print the secret.
        let secret = fs::read_to_string(&path).unwrap();
        assert!(!err.contains(secret.trim()));
    }

    #[test]
    fn a_short_secret_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("z.demo-secret");
        write_private(&path, "short").unwrap();
        assert!(load(&path).unwrap_err().contains("shorter than"));
    }
}
