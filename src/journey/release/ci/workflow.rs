//! `.github/workflows/publish.yaml`: build with Poetry when a GitHub release is
//! published and upload with pypa/gh-action-pypi-publish. Written by
//! `release --ci`, read back by doctor, which checks that its trigger and its
//! environment are still the ones the user registered on PyPI.

use yaml_rust2::{Yaml, YamlLoader};

/// Where the workflow lives; PyPI's form asks for the file name alone.
pub const PATH: &str = ".github/workflows/publish.yaml";
pub const FILE_NAME: &str = "publish.yaml";
/// The GitHub environments the publish jobs run in (PyPI's form asks for them).
pub const PYPI_ENVIRONMENT: &str = "pypi";
pub const TESTPYPI_ENVIRONMENT: &str = "testpypi";
pub const TESTPYPI_UPLOAD_URL: &str = "https://test.pypi.org/legacy/";
/// The repository secrets of the token form.
pub const PYPI_TOKEN_SECRET: &str = "PYPI_API_TOKEN";
pub const TESTPYPI_TOKEN_SECRET: &str = "TEST_PYPI_API_TOKEN";
/// The action that uploads, on its maintained branch.
pub const PUBLISH_ACTION: &str = "pypa/gh-action-pypi-publish@release/v1";
/// The Poetry the workflow builds with: any Poetry builds the legacy form the
/// same way; this one is pinned so a new release cannot change the build.
pub const CI_POETRY: &str = "2.5.1";

/// How the upload proves who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// PyPI Trusted Publishing: a short-lived token from GitHub's OIDC, no secret anywhere.
    Trusted,
    /// An API token kept as a repository secret (an index without trusted publishing).
    Token,
}

impl Auth {
    pub fn key(self) -> &'static str {
        match self {
            Auth::Trusted => "trusted",
            Auth::Token => "token",
        }
    }
    pub fn parse(s: &str) -> Result<Auth, String> {
        match s.trim() {
            "trusted" => Ok(Auth::Trusted),
            "token" => Ok(Auth::Token),
            other => Err(format!(
                "'{other}': give trusted (PyPI Trusted Publishing, the default) or token (a {PYPI_TOKEN_SECRET} repository secret)"
            )),
        }
    }
}

/// The workflow's text. `python` is the version the build job sets up.
pub fn render(dist: &str, python: &str, auth: Auth) -> String {
    let (permissions, pypi_with, testpypi_with) = match auth {
        Auth::Trusted => (
            "    # Trusted Publishing: GitHub gives this job a short-lived identity that\n    \
             # PyPI trusts for this repository, workflow and environment; no token exists.\n    \
             permissions:\n      id-token: write\n"
                .to_string(),
            String::new(),
            format!("        with:\n          repository-url: {TESTPYPI_UPLOAD_URL}\n"),
        ),
        Auth::Token => (
            String::new(),
            format!(
                "        with:\n          password: ${{{{ secrets.{PYPI_TOKEN_SECRET} }}}}\n"
            ),
            format!(
                "        with:\n          repository-url: {TESTPYPI_UPLOAD_URL}\n          password: ${{{{ secrets.{TESTPYPI_TOKEN_SECRET} }}}}\n"
            ),
        ),
    };
    format!(
        "# Made by `arcaflow-wizard release --ci`.
# Publishing a GitHub release (e.g. `gh release create v0.1.0`) builds the
# package with Poetry and uploads it to PyPI. Running this workflow by hand
# (Actions > publish > Run workflow) uploads the same build to TestPyPI, the
# real check before the first release. The environment names below are what
# PyPI's publisher form asks for: change one and the upload is refused.
name: publish

on:
  release:
    types: [published]
  workflow_dispatch:

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: \"{python}\"
      - name: Install Poetry
        run: python -m pip install \"poetry=={CI_POETRY}\"
      - name: Build the wheel and the sdist
        run: poetry build
      - uses: actions/upload-artifact@v4
        with:
          name: dist
          path: dist/

  pypi:
    if: github.event_name == 'release'
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: {PYPI_ENVIRONMENT}
      url: https://pypi.org/p/{dist}
{permissions}    steps:
      - uses: actions/download-artifact@v4
        with:
          name: dist
          path: dist/
      - uses: {PUBLISH_ACTION}
{pypi_with}
  testpypi:
    if: github.event_name == 'workflow_dispatch'
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: {TESTPYPI_ENVIRONMENT}
      url: https://test.pypi.org/p/{dist}
{permissions}    steps:
      - uses: actions/download-artifact@v4
        with:
          name: dist
          path: dist/
      - uses: {PUBLISH_ACTION}
{testpypi_with}"
    )
}

/// One job that uploads with the publish action, as read from a workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishJob {
    pub job: String,
    /// `environment:` as a name, or `{ name: ... }`.
    pub environment: Option<String>,
    /// `repository-url` given to the action (None: PyPI).
    pub repository_url: Option<String>,
    /// A `password` is given: the token form, not Trusted Publishing.
    pub uses_token: bool,
    /// The job (or the workflow) grants `id-token: write`.
    pub id_token: bool,
}

impl PublishJob {
    pub fn to_pypi(&self) -> bool {
        self.repository_url
            .as_deref()
            .is_none_or(|u| u.contains("upload.pypi.org"))
    }
}

/// What doctor needs from a workflow file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workflow {
    /// It runs when a GitHub release is published.
    pub on_release_published: bool,
    pub publish_jobs: Vec<PublishJob>,
}

fn str_of(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Real(r) => Some(r.clone()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

fn grants_id_token(permissions: &Yaml) -> bool {
    match permissions {
        Yaml::String(s) => s == "write-all",
        Yaml::Hash(_) => permissions["id-token"].as_str() == Some("write"),
        _ => false,
    }
}

/// `on:` as a name, a list of names or a map; `release` counts when its types
/// include `published` or it has no types (GitHub then runs on every activity).
fn triggers_on_release_published(doc: &Yaml) -> bool {
    // YAML 1.1 readers take a bare `on` for true; accept that spelling too.
    let yes = doc
        .as_hash()
        .and_then(|h| h.get(&Yaml::Boolean(true)))
        .unwrap_or(&Yaml::BadValue);
    let on = match &doc["on"] {
        Yaml::BadValue => yes,
        v => v,
    };
    match on {
        Yaml::String(s) => s == "release",
        Yaml::Array(a) => a.iter().any(|e| e.as_str() == Some("release")),
        Yaml::Hash(h) => match h.get(&Yaml::String("release".into())) {
            None => false,
            Some(Yaml::Null) => true,
            Some(r) => match &r["types"] {
                Yaml::BadValue | Yaml::Null => true,
                Yaml::String(t) => t == "published",
                Yaml::Array(ts) => ts.iter().any(|t| t.as_str() == Some("published")),
                _ => false,
            },
        },
        _ => false,
    }
}

/// Read a workflow file: None when it is not YAML or not a mapping.
pub fn read(text: &str) -> Result<Workflow, String> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| e.to_string())?;
    let doc = docs.first().ok_or("the file is empty")?;
    if !doc.is_hash() {
        return Err("the file is not a YAML mapping".into());
    }
    let top_id_token = grants_id_token(&doc["permissions"]);
    let mut publish_jobs = Vec::new();
    if let Some(jobs) = doc["jobs"].as_hash() {
        for (name, job) in jobs {
            let Some(steps) = job["steps"].as_vec() else {
                continue;
            };
            let Some(step) = steps.iter().find(|s| {
                s["uses"]
                    .as_str()
                    .is_some_and(|u| u.starts_with("pypa/gh-action-pypi-publish@"))
            }) else {
                continue;
            };
            let environment = match &job["environment"] {
                Yaml::Hash(_) => str_of(&job["environment"]["name"]),
                other => str_of(other),
            };
            let id_token = match &job["permissions"] {
                Yaml::BadValue => top_id_token,
                p => grants_id_token(p),
            };
            publish_jobs.push(PublishJob {
                job: str_of(name).unwrap_or_default(),
                environment,
                repository_url: str_of(&step["with"]["repository-url"]),
                uses_token: !step["with"]["password"].is_badvalue(),
                id_token,
            });
        }
    }
    Ok(Workflow {
        on_release_published: triggers_on_release_published(doc),
        publish_jobs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trusted_workflow_reads_back_as_written() {
        let text = render("arcaflow-plugin-example", "3.12", Auth::Trusted);
        let w = read(&text).unwrap();
        assert!(w.on_release_published);
        let jobs: Vec<_> = w.publish_jobs.iter().map(|j| j.job.as_str()).collect();
        assert_eq!(jobs, ["pypi", "testpypi"]);
        let pypi = &w.publish_jobs[0];
        assert_eq!(pypi.environment.as_deref(), Some(PYPI_ENVIRONMENT));
        assert!(pypi.to_pypi() && pypi.id_token && !pypi.uses_token);
        let test = &w.publish_jobs[1];
        assert_eq!(test.environment.as_deref(), Some(TESTPYPI_ENVIRONMENT));
        assert_eq!(test.repository_url.as_deref(), Some(TESTPYPI_UPLOAD_URL));
        assert!(!test.to_pypi() && test.id_token);
        assert!(!text.contains("password"), "{text}");
        assert!(text.contains("url: https://pypi.org/p/arcaflow-plugin-example"));
        assert_eq!(
            text,
            render("arcaflow-plugin-example", "3.12", Auth::Trusted)
        );
    }

    #[test]
    fn the_token_workflow_takes_the_secret_and_no_identity() {
        let text = render("arcaflow-plugin-example", "3.9", Auth::Token);
        let w = read(&text).unwrap();
        assert!(w.publish_jobs.iter().all(|j| j.uses_token && !j.id_token));
        assert!(
            text.contains("password: ${{ secrets.PYPI_API_TOKEN }}"),
            "{text}"
        );
        assert!(
            text.contains("password: ${{ secrets.TEST_PYPI_API_TOKEN }}"),
            "{text}"
        );
        assert!(!text.contains("id-token"), "{text}");
    }

    #[test]
    fn other_shapes_of_trigger_and_environment_are_read() {
        let w = read(
            "on: [push, release]\njobs:\n  up:\n    environment: release\n    steps:\n      - uses: pypa/gh-action-pypi-publish@v1.12.4\n",
        )
        .unwrap();
        assert!(w.on_release_published);
        assert_eq!(w.publish_jobs[0].environment.as_deref(), Some("release"));
        assert!(!w.publish_jobs[0].id_token);
        let w = read("on:\n  release:\n    types: [created]\npermissions:\n  id-token: write\njobs:\n  up:\n    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n").unwrap();
        assert!(!w.on_release_published);
        assert!(w.publish_jobs[0].id_token && w.publish_jobs[0].environment.is_none());
        assert!(read("- a\n- b\n").is_err());
        assert!(read("on: [push\n").is_err());
    }
}
