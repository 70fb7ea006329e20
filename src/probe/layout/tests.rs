use super::*;

fn info(toml: &str) -> ProjectInfo {
    pyproject::inspect(&pyproject::parse(toml).unwrap())
}

const MODULE_TOML: &str = r#"[tool.poetry]
name = "arcaflow_plugin_disk"
version = "0.2.0"
description = "d"
authors = ["A <a@b.c>"]
packages = [
    { include = "disk_plugin.py", from = "./arcaflow_plugin_disk/" },
]

[tool.poetry.dependencies]
python = "^3.9"
arcaflow-plugin-sdk = "^0.14.2"

[tool.poetry.dev-dependencies]
black = "*"
pycodestyle = "*"
"#;

const OFFICIAL_DOCKERFILE: &str = r#"# where the code is
ARG package=arcaflow_plugin_disk

FROM quay.io/arcalot/arcaflow-plugin-baseimage-python-buildbase:0.5.0 AS build
RUN dnf -y install disktool-1.2-3.el9 \
 && dnf install -y https://example.org/rpms/extra-0.1.rpm
ARG package

COPY poetry.lock /app/
COPY pyproject.toml /app/
RUN python -m poetry install --without dev --no-root \
 && python -m poetry export -f requirements.txt --output requirements.txt --without-hashes

COPY ${package}/ /app/${package}
COPY tests /app/${package}/tests

ENV PYTHONPATH /app/${package}
WORKDIR /app/${package}

RUN python -m coverage run tests/unit/test_${package}.py \
 && python -m coverage html -d /htmlcov --omit=/usr/local/*

FROM quay.io/arcalot/arcaflow-plugin-baseimage-python-osbase:0.5.0
RUN dnf -y install only-at-runtime
ARG package
COPY --from=build /app/requirements.txt /app/
COPY ${package}/ /app/${package}
RUN python -m pip install -r requirements.txt
WORKDIR /app/${package}
ENTRYPOINT ["python", "disk_plugin.py"]
CMD []
"#;

fn module_tree() -> Tree {
    Tree::of([
        "pyproject.toml",
        "Dockerfile",
        "arcaflow_plugin_disk/disk_plugin.py",
        "arcaflow_plugin_disk/disk_schema.py",
        "tests/unit/test_arcaflow_plugin_disk.py",
        "inputs/basic.yaml",
        "inputs/notes.txt",
        "example.yaml",
        "configs/other.yml",
        "docker-compose.yaml",
    ])
}

#[test]
fn a_module_include_with_a_from_folder_is_read_as_poetry_reads_it() {
    let compose = "services:\n  plugin:\n    volumes:\n      - source: ./example.yaml\n        target: /config/example.yaml\n        type: bind\n";
    let l = Layout::of(
        &info(MODULE_TOML),
        Some(OFFICIAL_DOCKERFILE),
        Some(compose),
        &module_tree(),
    );
    assert_eq!(l.dist_name.as_deref(), Some("arcaflow_plugin_disk"));
    assert_eq!(l.packages_form, PackagesForm::Module);
    // The folder is the `from`, never the module's name.
    assert_eq!(
        l.code_folder.value().map(String::as_str),
        Some("arcaflow_plugin_disk")
    );
    assert_eq!(l.packaged, vec!["arcaflow_plugin_disk/disk_plugin.py"]);
    assert_eq!(l.package_arg.as_deref(), Some("arcaflow_plugin_disk"));
    let e = l.entry.value().expect("entry");
    assert_eq!(e.module, "arcaflow_plugin_disk/disk_plugin.py");
    assert_eq!(e.image_path, "/app/arcaflow_plugin_disk/disk_plugin.py");
    let t = l.tests.value().expect("tests");
    assert_eq!(t.file, "tests/unit/test_arcaflow_plugin_disk.py");
    assert_eq!(t.arg, "tests/unit/test_arcaflow_plugin_disk.py");
    assert_eq!(
        t.command,
        "python -m coverage run tests/unit/test_arcaflow_plugin_disk.py"
    );
    assert_eq!(t.workdir, "/app/arcaflow_plugin_disk");
    assert_eq!(t.pythonpath, vec!["arcaflow_plugin_disk"]);
    let pk: Vec<(&str, &str, bool)> = l
        .system_packages
        .iter()
        .map(|p| (p.manager.as_str(), p.name.as_str(), p.by_url))
        .collect();
    // The build stage's only: the runtime stage's package is not needed for tests.
    assert_eq!(
        pk,
        vec![
            ("dnf", "disktool-1.2-3.el9", false),
            ("dnf", "https://example.org/rpms/extra-0.1.rpm", true)
        ]
    );
    assert_eq!(l.system_packages[0].line, 5);
    assert_eq!(
        l.example_inputs,
        vec!["example.yaml", "inputs/basic.yaml", "configs/other.yml"]
    );
    assert_eq!(
        l.python.as_ref().map(|p| p.constraint.as_str()),
        Some("^3.9")
    );
    assert_eq!(l.sdk.as_deref(), Some("^0.14.2"));
    assert_eq!(l.dev, DevPlace::LegacyTable);
    assert_eq!(l.dev_tools, vec!["black", "pycodestyle"]);
}

#[test]
fn from_without_dot_slash_and_a_bare_folder_include() {
    let t = MODULE_TOML.replace(
        "from = \"./arcaflow_plugin_disk/\"",
        "from = \"arcaflow_plugin_disk\"",
    );
    let l = Layout::of(&info(&t), None, None, &module_tree());
    assert_eq!(
        l.code_folder.value().map(String::as_str),
        Some("arcaflow_plugin_disk")
    );
    assert_eq!(l.entry.why(), Some("no Dockerfile"));
    assert_eq!(l.tests.why(), Some("no Dockerfile"));

    let t = MODULE_TOML.replace(
        "{ include = \"disk_plugin.py\", from = \"./arcaflow_plugin_disk/\" }",
        "{ include = \"arcaflow_plugin_disk\" }",
    );
    let l = Layout::of(&info(&t), None, None, &module_tree());
    assert_eq!(l.packages_form, PackagesForm::Folder);
    assert_eq!(
        l.code_folder.value().map(String::as_str),
        Some("arcaflow_plugin_disk")
    );
    assert_eq!(l.packaged, vec!["arcaflow_plugin_disk"]);

    let t = MODULE_TOML.replace(
        "{ include = \"disk_plugin.py\", from = \"./arcaflow_plugin_disk/\" }",
        "{ include = \"pkg\", from = \"src\" }",
    );
    let l = Layout::of(&info(&t), None, None, &module_tree());
    assert_eq!(l.code_folder.value().map(String::as_str), Some("src/pkg"));
}

#[test]
fn a_module_at_the_root_has_the_root_as_code_folder() {
    let t = MODULE_TOML.replace(
        "{ include = \"disk_plugin.py\", from = \"./arcaflow_plugin_disk/\" }",
        "{ include = \"arcaflow_plugin_disk.py\", from = \".\" }",
    );
    let df = "FROM quay.io/x/y:1\nWORKDIR /app\nCOPY poetry.lock pyproject.toml /app/\nCOPY arcaflow_plugin_disk.py /app\nENTRYPOINT [\"python3\", \"arcaflow_plugin_disk.py\"]\n";
    let tree = Tree::of(["arcaflow_plugin_disk.py", "pyproject.toml"]);
    let l = Layout::of(&info(&t), Some(df), None, &tree);
    assert_eq!(l.code_folder.value().map(String::as_str), Some("."));
    assert_eq!(l.packaged, vec!["arcaflow_plugin_disk.py"]);
    assert_eq!(l.package_arg, None);
    assert_eq!(l.entry.value().unwrap().module, "arcaflow_plugin_disk.py");
    assert_eq!(
        l.tests.why(),
        Some("no RUN line of the Dockerfile runs `coverage run`")
    );
}

#[test]
fn no_packages_means_the_normalised_name() {
    let t = "[tool.poetry]\nname = \"Arcaflow.Plugin-Net\"\nversion = \"1\"\ndescription = \"\"\nauthors = []\n\n[tool.poetry.dependencies]\npython = \"^3.12\"\narcaflow-plugin-sdk = \"^0.14.4\"\n\n[tool.poetry.group.dev.dependencies]\nflake8 = \"*\"\n";
    let df = "ARG package=arcaflow_plugin_net\nFROM b AS build\nARG package\nWORKDIR /app\nENV PYTHONPATH /app/${package}\nCOPY ${package}/ /app/${package}\nCOPY test_net_plugin.py /app/\nRUN pip3 install coverage\nRUN python3 -m coverage run test_net_plugin.py\nFROM c\nENV package arcaflow_plugin_net\nWORKDIR /app\nCOPY ${package}/ /app/${package}\nENTRYPOINT [\"python3\", \"${package}/net_plugin.py\"]\n";
    let tree = Tree::of(["arcaflow_plugin_net/net_plugin.py", "test_net_plugin.py"]);
    let l = Layout::of(&info(t), Some(df), None, &tree);
    assert_eq!(l.packages_form, PackagesForm::Default);
    assert_eq!(
        l.code_folder.value().map(String::as_str),
        Some("arcaflow_plugin_net")
    );
    assert_eq!(
        l.entry.value().unwrap().module,
        "arcaflow_plugin_net/net_plugin.py"
    );
    let tr = l.tests.value().unwrap();
    assert_eq!(tr.file, "test_net_plugin.py");
    assert_eq!(tr.pythonpath, vec!["arcaflow_plugin_net"]);
    assert_eq!(l.sdk.as_deref(), Some("^0.14.4"));
    assert_eq!(l.dev, DevPlace::Group);
    assert_eq!(l.dev_tools, vec!["flake8"]);
    assert!(l.python.as_ref().is_some_and(|p| !p.admits_below_3_12));
}

#[test]
fn uncertain_facts_say_why() {
    let t = MODULE_TOML.replace(
        "{ include = \"disk_plugin.py\", from = \"./arcaflow_plugin_disk/\" }",
        "{ include = \"a\" }, { include = \"b\" }",
    );
    let l = Layout::of(
        &info(&t),
        Some("FROM x\nRUN python -m coverage run -m pytest\n"),
        None,
        &Tree::default(),
    );
    assert_eq!(
        l.code_folder.why(),
        Some("packages names code in more than one folder: a, b")
    );
    assert_eq!(
        l.tests.why(),
        Some("the tests run a module (Dockerfile line 2: python -m coverage run -m pytest), not a file")
    );
    assert_eq!(
        l.entry.why(),
        Some("the Dockerfile's last stage has no ENTRYPOINT")
    );
    let t = MODULE_TOML.replace("disk_plugin.py", "*.py");
    let l = Layout::of(
        &info(&t),
        Some("FROM x\nENTRYPOINT [\"python\", \"gone.py\"]\n"),
        None,
        &Tree::default(),
    );
    assert_eq!(l.packages_form, PackagesForm::Other);
    assert_eq!(l.code_folder.why(), Some("packages uses a glob pattern"));
    assert_eq!(
        l.entry.why(),
        Some("no COPY line of the last stage puts /gone.py (the ENTRYPOINT, Dockerfile line 2) in the image")
    );
    // No name, no packages: nothing to go on.
    let l = Layout::of(&info("[tool.poetry]\n"), None, None, &Tree::default());
    assert!(l.code_folder.why().is_some());
    assert_eq!(l.dev, DevPlace::None);
}

#[test]
fn apt_yum_microdnf_and_module_streams() {
    let df = "FROM x\nRUN apt-get update && apt-get install -y --no-install-recommends fio jq >/dev/null\nRUN yum install -y a; microdnf install b\nRUN dnf -y module install python39 && dnf -y install python39-pip\nRUN pip install notthis\n";
    let p = Layout::of(&info(MODULE_TOML), Some(df), None, &Tree::default()).system_packages;
    let got: Vec<(&str, &str)> = p
        .iter()
        .map(|p| (p.manager.as_str(), p.name.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("apt-get", "fio"),
            ("apt-get", "jq"),
            ("yum", "a"),
            ("microdnf", "b"),
            ("dnf module", "python39"),
            ("dnf", "python39-pip")
        ]
    );
}

#[test]
fn dockerfile_substitution_and_paths() {
    let mut vars = std::collections::BTreeMap::new();
    vars.insert("package".to_string(), "p".to_string());
    assert_eq!(
        docker::substitute("/app/${package}/$package/$other/${x:-d}$", &vars),
        "/app/p/p/$other/d$"
    );
    assert_eq!(docker::normalize("./a/b/../c/"), "a/c");
    assert_eq!(docker::normalize("./"), ".");
    assert_eq!(docker::normalize("/app/./x"), "/app/x");
    let ins = docker::instructions("# c\nRUN a \\\n# inside\n  b\n\nrun c\n");
    assert_eq!(ins.len(), 2);
    assert_eq!((ins[0].line, ins[0].args.as_str()), (2, "a b"));
    assert_eq!(ins[1].keyword, "RUN");
}

#[test]
fn reads_a_real_folder() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("pyproject.toml"), MODULE_TOML).unwrap();
    std::fs::write(d.path().join("Dockerfile"), OFFICIAL_DOCKERFILE).unwrap();
    std::fs::create_dir_all(d.path().join("arcaflow_plugin_disk")).unwrap();
    std::fs::write(d.path().join("arcaflow_plugin_disk/disk_plugin.py"), "").unwrap();
    std::fs::create_dir_all(d.path().join("tests/unit")).unwrap();
    std::fs::write(d.path().join("tests/unit/test_arcaflow_plugin_disk.py"), "").unwrap();
    std::fs::create_dir_all(d.path().join(".git/objects")).unwrap();
    std::fs::write(d.path().join(".git/objects/x.yaml"), "").unwrap();
    let l = Layout::read(d.path()).unwrap();
    assert_eq!(
        l.tests.value().unwrap().file,
        "tests/unit/test_arcaflow_plugin_disk.py"
    );
    assert_eq!(
        l.entry.value().unwrap().module,
        "arcaflow_plugin_disk/disk_plugin.py"
    );
    let tree = Tree::read(d.path());
    assert!(tree.is_dir("tests/unit") && !tree.exists(".git/objects/x.yaml"));
    assert!(Layout::read(&d.path().join("nothing")).is_none());
}

#[test]
fn a_copied_file_that_is_missing_still_maps_to_its_own_path() {
    let df = "FROM base\nADD plugin.py /\nENTRYPOINT [\"python\", \"/plugin.py\"]\n";
    let l = Layout::of(&info(MODULE_TOML), Some(df), None, &Tree::default());
    let e = l.entry.value().unwrap();
    assert_eq!(
        (e.image_path.as_str(), e.module.as_str()),
        ("/plugin.py", "plugin.py")
    );
}

#[test]
fn base_images_and_their_tags() {
    let of = |df: &str| Layout::of(&info(MODULE_TOML), Some(df), None, &Tree::default());
    let l = of(OFFICIAL_DOCKERFILE);
    assert_eq!(
        l.base_images,
        vec![
            "quay.io/arcalot/arcaflow-plugin-baseimage-python-buildbase:0.5.0",
            "quay.io/arcalot/arcaflow-plugin-baseimage-python-osbase:0.5.0"
        ]
    );
    assert!(l.newer_base_images());
    assert!(!of(&OFFICIAL_DOCKERFILE.replace("0.5.0", "0.4.2")).newer_base_images());
    assert!(
        !of("FROM quay.io/arcalot/arcaflow-plugin-baseimage-python-osbase\n").newer_base_images()
    );
    assert!(!of("FROM quay.io/centos/centos:stream8\n").newer_base_images());
    assert!(of("FROM quay.io/arcalot/arcaflow-plugin-baseimage-python-buildbase:0.5.1@sha256:ab AS b\nFROM b\n").newer_base_images());
    assert!(!of("").newer_base_images());
}

#[test]
fn the_build_stage_includes_the_stages_it_is_built_from() {
    let df = "FROM nvcr.io/x/cuda:12 AS os_base\nRUN dnf install -y gcc make\nFROM os_base AS base\nRUN dnf -y install git\nFROM base AS build\nCOPY tests /app/tests\nRUN python3 -m coverage run tests/test_x.py\nFROM base\nRUN dnf -y install runtime-only\n";
    let l = Layout::of(&info(MODULE_TOML), Some(df), None, &Tree::default());
    let got: Vec<&str> = l.system_packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(got, vec!["gcc", "make", "git"]);
}

#[test]
fn a_stage_built_from_another_keeps_its_env_workdir_and_files() {
    let df = "ARG package=pkg\nFROM x AS base\nARG package\nENV PYTHONPATH /app/${package}\nWORKDIR /app\nCOPY ${package}/ /app/${package}\nFROM base AS build\nCOPY tests /app/tests\nRUN python -m coverage run tests/test_pkg.py\nFROM base\nENTRYPOINT [\"python\", \"pkg/p_plugin.py\"]\n";
    let tree = Tree::of(["pkg/p_plugin.py", "tests/test_pkg.py"]);
    let l = Layout::of(&info(MODULE_TOML), Some(df), None, &tree);
    let t = l.tests.value().unwrap();
    assert_eq!(
        (t.file.as_str(), t.workdir.as_str()),
        ("tests/test_pkg.py", "/app")
    );
    assert_eq!(t.pythonpath, vec!["pkg"]);
    assert_eq!(l.entry.value().unwrap().module, "pkg/p_plugin.py");
}

/// A stranger's clone with links out of the project: they are not its files
/// (the example input is never a planted `-> ~/.pypirc`); a link inside is.
#[test]
fn links_out_of_the_project_are_not_its_files() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.yaml"), "token: x\n").unwrap();
    std::fs::create_dir(outside.path().join("dir")).unwrap();
    std::fs::write(outside.path().join("dir/x.yaml"), "a: 1\n").unwrap();
    let p = tempfile::tempdir().unwrap();
    std::fs::create_dir(p.path().join("inputs")).unwrap();
    std::fs::write(p.path().join("inputs/real.yaml"), "name: A\n").unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.yaml"),
        p.path().join("inputs/example.yaml"),
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.path().join("dir"), p.path().join("configs")).unwrap();
    std::os::unix::fs::symlink("real.yaml", p.path().join("inputs/same.yaml")).unwrap();
    let t = Tree::read(p.path());
    assert!(t.is_file("inputs/real.yaml"));
    assert!(
        t.is_file("inputs/same.yaml"),
        "a link inside the project is its file"
    );
    assert!(!t.is_file("inputs/example.yaml"));
    assert!(!t.is_dir("configs"));
    assert!(!t.is_file("configs/x.yaml"));
}
