//! Where a release goes: the repository's name for Poetry, its upload URL, its
//! simple index (for pip and the "is this version there?" check), and the page
//! a user opens.

use std::time::Duration;

use crate::journey::Context;
use crate::plan::Cmd;

/// A repository to upload to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The name Poetry knows it by (`-r NAME`, `POETRY_PYPI_TOKEN_<NAME>`).
    pub name: String,
    /// The upload URL, which the wizard gives Poetry in `POETRY_REPOSITORIES_<NAME>_URL`
    /// (`None` for `pypi`, which Poetry knows).
    pub upload_url: Option<String>,
    /// The simple index, ending in `/`.
    pub simple: String,
}

pub const TESTPYPI_UPLOAD: &str = "https://test.pypi.org/legacy/";
pub const PYPI_SIMPLE: &str = "https://pypi.org/simple/";

impl Target {
    pub fn pypi() -> Target {
        Target {
            name: "pypi".into(),
            upload_url: None,
            simple: PYPI_SIMPLE.into(),
        }
    }

    /// From `--repository` and `--repository-url` (testpypi when neither is given).
    pub fn from_args(name: Option<&str>, url: Option<&str>) -> Result<Target, String> {
        let name = name.unwrap_or("testpypi").trim().to_string();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(format!(
                "--repository {name:?}: use letters, digits, '-' and '_' (Poetry's repository names)"
            ));
        }
        if let Some(u) = url {
            if !(u.starts_with("http://") || u.starts_with("https://"))
                || u.contains(char::is_whitespace)
            {
                return Err(format!(
                    "--repository-url {u}: give an http:// or https:// URL"
                ));
            }
        }
        match (name.as_str(), url) {
            ("pypi", Some(_)) => Err(
                "--repository pypi is PyPI itself: Poetry knows its URL, so leave out --repository-url"
                    .into(),
            ),
            ("pypi", None) => Ok(Target::pypi()),
            ("testpypi", None) => Ok(Target {
                name,
                upload_url: Some(TESTPYPI_UPLOAD.into()),
                simple: simple_url(TESTPYPI_UPLOAD),
            }),
            (_, Some(u)) => Ok(Target {
                name,
                upload_url: Some(u.to_string()),
                simple: simple_url(u),
            }),
            (_, None) => Err(format!(
                "--repository {name}: give its upload URL with --repository-url (the wizard gives it to Poetry in {} \
                 for the upload only; your Poetry configuration is not changed)",
                repository_url_env_var(&name)
            )),
        }
    }

    /// `POETRY_PYPI_TOKEN_<NAME>`.
    pub fn token_var(&self) -> String {
        super::token_env_var(&self.name)
    }

    /// `POETRY_REPOSITORIES_<NAME>_URL`.
    pub fn url_var(&self) -> String {
        repository_url_env_var(&self.name)
    }

    pub fn is_pypi(&self) -> bool {
        self.name == "pypi"
    }

    /// The simple page of one project, e.g. `https://test.pypi.org/simple/NAME/`.
    pub fn project_simple(&self, dist: &str) -> String {
        format!("{}{}/", self.simple, crate::pyproject::normalize_name(dist))
    }

    /// The page a user opens: the project page on (Test)PyPI, else the simple page.
    pub fn project_page(&self, dist: &str, version: &str) -> String {
        let n = crate::pyproject::normalize_name(dist);
        if self.simple == PYPI_SIMPLE {
            format!("https://pypi.org/project/{n}/{version}/")
        } else if self.simple.starts_with("https://test.pypi.org/") {
            format!("https://test.pypi.org/project/{n}/{version}/")
        } else {
            self.project_simple(dist)
        }
    }
}

/// `POETRY_REPOSITORIES_<NAME>_URL`, the environment form of Poetry's
/// `repositories.<name>.url`: NAME upper-cased, `-` to `_`. `poetry publish -r
/// NAME` looks the URL up under exactly that variable (Poetry 1.8 and 2.x), so the
/// wizard can give the URL to the publish commands alone instead of writing it
/// into the user's global config.toml with `poetry config repositories.NAME URL`.
pub fn repository_url_env_var(repo: &str) -> String {
    format!(
        "POETRY_REPOSITORIES_{}_URL",
        repo.to_ascii_uppercase().replace(['-', '.'], "_")
    )
}

/// The simple index that goes with an upload URL: `.../legacy/` -> `.../simple/`
/// (PyPI's upload host serves no index: pypi.org does), anything else
/// (pypiserver's `http://host:port/`) -> `<url>/simple/`.
pub fn simple_url(upload: &str) -> String {
    let u = upload.trim_end_matches('/');
    if u == "https://upload.pypi.org/legacy" {
        return PYPI_SIMPLE.into();
    }
    if let Some(base) = u.strip_suffix("/legacy") {
        return format!("{base}/simple/");
    }
    if u.ends_with("/simple") {
        return format!("{u}/");
    }
    format!("{u}/simple/")
}

/// The (name, version) of a distribution file name: a wheel
/// (`name-version-tags.whl`) or an sdist (`name-version.tar.gz`).
pub fn parse_filename(f: &str) -> Option<(String, String)> {
    let f = f.trim();
    if let Some(stem) = f.strip_suffix(".whl") {
        let mut parts = stem.split('-');
        Some((parts.next()?.to_string(), parts.next()?.to_string()))
    } else {
        let stem = f
            .strip_suffix(".tar.gz")
            .or_else(|| f.strip_suffix(".zip"))?;
        let (n, v) = stem.rsplit_once('-')?;
        Some((n.to_string(), v.to_string()))
    }
}

/// Is `file` a distribution of `dist` at `version`? Names compare PEP 503
/// normalised, versions PEP 440 normalised.
pub fn is_file_of(file: &str, dist: &str, version: &str) -> bool {
    let Some((n, v)) = parse_filename(file) else {
        return false;
    };
    let want_version = crate::version::normalize_pep440(version).unwrap_or(version.to_string());
    crate::pyproject::normalize_name(&n) == crate::pyproject::normalize_name(dist)
        && crate::version::normalize_pep440(&v).unwrap_or(v) == want_version
}

/// Does a simple page list a file of `dist` at `version`?
pub fn version_on_page(page: &str, dist: &str, version: &str) -> bool {
    page.split(['>', '<', '"', '/', '#'])
        .any(|f| is_file_of(f, dist, version))
}

/// What asking the index said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexAnswer {
    /// The version is there.
    Present,
    /// The project or the version is not there.
    Absent,
    /// The index could not be asked (a warning, not a stop): why.
    Unknown(String),
}

/// Ask the index (through Python's urllib, which every machine here has, so no TLS
/// crate is needed) whether `dist` `version` is there.
pub fn query(ctx: &Context, target: &Target, dist: &str, version: &str) -> IndexAnswer {
    const SCRIPT: &str = "import sys, urllib.request, urllib.error\n\
try:\n    r = urllib.request.urlopen(sys.argv[1], timeout=20)\n    print('STATUS 200')\n    print(r.read().decode('utf-8', 'replace'))\n\
except urllib.error.HTTPError as e:\n    print('STATUS %d' % e.code)\n\
except Exception as e:\n    print('ERROR %s' % e)\n";
    let url = target.project_simple(dist);
    let python = ctx
        .facts
        .best_python()
        .map(|p| p.path.clone())
        .unwrap_or_else(|| "python3".into());
    let cmd = Cmd::new(python)
        .args(["-c", SCRIPT, &url])
        .timeout(Duration::from_secs(40));
    let Some(out) = crate::exec::capture(&cmd) else {
        return IndexAnswer::Unknown(format!("could not run Python to ask {url}"));
    };
    let first = out.lines().next().unwrap_or_default();
    match first {
        "STATUS 200" => {
            if version_on_page(&out, dist, version) {
                IndexAnswer::Present
            } else {
                IndexAnswer::Absent
            }
        }
        "STATUS 404" => IndexAnswer::Absent,
        _ => IndexAnswer::Unknown(format!(
            "{url} answered {}",
            first
                .trim_start_matches("STATUS ")
                .trim_start_matches("ERROR ")
        )),
    }
}
