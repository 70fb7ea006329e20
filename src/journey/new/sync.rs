//! Is the project's venv in sync with its lock, without starting Poetry?
//! The lock's recorded content-hash must be the one pyproject.toml gives
//! (`pyproject::lock_hash`), and every package the lock installs by default
//! must have its dist-info, at the locked version, in the venv. Then
//! `poetry install` would change nothing the checks use, and its second of
//! Poetry start-up is saved.

use std::path::Path;

use crate::journey::setup::install::{installed, locked_packages, site_packages};
use crate::journey::Context;
use crate::pyproject::{self, lock_hash};

/// Why the venv is in sync (for a note), or None when `poetry install` must run.
pub(crate) fn venv_in_sync(ctx: &Context, dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("pyproject.toml")).ok()?;
    let lock = std::fs::read_to_string(dir.join("poetry.lock")).ok()?;
    let computed = lock_hash::content_hash(&pyproject::parse(&text).ok()?)?;
    if lock_hash::recorded_hash(&lock)? != computed {
        return None;
    }
    let site = site_packages(ctx)?;
    let locked = locked_packages(dir)?;
    let have = installed(&site);
    let all = locked
        .iter()
        .all(|(n, v)| have.iter().any(|(hn, hv)| hn == n && hv == v));
    all.then(|| {
        format!(
            "`poetry install` is not needed: poetry.lock matches pyproject.toml and its {} packages \
             are in the virtualenv at the locked versions",
            locked.len()
        )
    })
}
