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

pub(super) const TESTPYPI_UPLOAD: &str = "https://test.pypi.org/legacy/";
pub(super) const PYPI_SIMPLE: &str = "https://pypi.org/simple/";

impl Target {
    pub fn pypi() -> Target {
        Target {
            name: "pypi".into(),
            upload_url: None,
            simple: PYPI_SIMPLE.into(),
        }
    }

    /// From `--repository` and `--repository-url` (testpypi when neither is given).
    ///
    /// A token goes only to the index it belongs to: a name whose
    /// `POETRY_PYPI_TOKEN_<NAME>` is PyPI's or TestPyPI's (`PYPI`, `TestPyPI`)
    /// is that index, at its own URL; another URL is refused. A custom URL is
    /// https (plain http only to this machine), and one holding credentials or
    /// a query is refused without being repeated.
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
            check_upload_url(u)?;
        }
        let var = super::token_env_var(&name);
        if var == super::token_env_var("pypi") {
            return match url {
                Some(_) => Err(format!(
                    "--repository {name} is PyPI itself ({var} is PyPI's token): Poetry knows its URL,                      so leave out --repository-url, or give the other index a name of its own"
                )),
                None => Ok(Target::pypi()),
            };
        }
        if var == super::token_env_var("testpypi") {
            return match url {
                Some(u) if !same_url(u, TESTPYPI_UPLOAD) => Err(format!(
                    "--repository {name} is TestPyPI ({var} is TestPyPI's token), and its upload URL is                      {TESTPYPI_UPLOAD}: give the other index a name of its own"
                )),
                _ => Ok(Target {
                    name: "testpypi".into(),
                    upload_url: Some(TESTPYPI_UPLOAD.into()),
                    simple: simple_url(TESTPYPI_UPLOAD),
                }),
            };
        }
        match url {
            Some(u) => Ok(Target {
                name,
                upload_url: Some(u.trim().to_string()),
                simple: simple_url(u.trim()),
            }),
            None => Err(format!(
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
        self.name.eq_ignore_ascii_case("pypi")
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

/// Why an upload URL is refused, if it is. A URL that holds credentials or a
/// query is not repeated: either may be a secret, and the message is logged.
fn check_upload_url(url: &str) -> Result<(), String> {
    refuse_hidden_parts(url)?;
    let u = url.trim();
    let Some((scheme, rest)) = u
        .split_once("://")
        .filter(|_| !u.contains(char::is_whitespace))
    else {
        return Err("--repository-url: give an https:// URL (http:// only to this machine)".into());
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    if host.is_empty() {
        return Err(format!("--repository-url {u}: the URL has no host name"));
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(()),
        "http" if is_loopback(host) => Ok(()),
        "http" => Err(format!(
            "--repository-url {u}: plain http would send the token unencrypted to {host}: give its https:// URL \
             (http:// is accepted only for this machine: localhost, 127.0.0.1, ::1)"
        )),
        _ => Err(format!(
            "--repository-url {u}: give an https:// URL (http:// only to this machine)"
        )),
    }
}

/// An upload URL that holds credentials (`user@`, `user:password@`) or a
/// query or fragment is refused, and not repeated: either may be a secret, and
/// the message is logged and shown.
pub fn refuse_hidden_parts(url: &str) -> Result<(), String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err("--repository-url: the URL holds a password or a user name (credentials, not shown here): \
                    give the URL without them; the upload takes its token from POETRY_PYPI_TOKEN_<NAME> or the masked prompt"
            .into());
    }
    if rest.contains(['?', '#']) {
        return Err("--repository-url: the URL holds a query or a fragment (not shown here, it may hold a secret): \
                    give the upload URL alone"
            .into());
    }
    Ok(())
}

/// `localhost`, 127.0.0.0/8 or ::1.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Two upload URLs are the same index (scheme and host in any case, a final `/` or not).
fn same_url(a: &str, b: &str) -> bool {
    let norm = |u: &str| u.trim().trim_end_matches('/').to_ascii_lowercase();
    norm(a) == norm(b)
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
pub(super) fn parse_filename(f: &str) -> Option<(String, String)> {
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
        // Isolated: a `urllib/` in the working folder is not what it imports.
        .args(["-I", "-c", SCRIPT, &url])
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
