//! The distro, from `/etc/os-release` under the probe root (or
//! `/usr/lib/os-release`; macOS from its `SystemVersion.plist`), and how to
//! install Python and pipx on it.
//!
//! The hints give a Python >= 3.9 (what plugins need; the official images use
//! 3.9) with the distro's own packages where they have one, and pyenv where
//! they do not:
//! - Debian 11+ `python3` is 3.9/3.11/3.13; Debian 10 has no 3.9 package.
//! - Ubuntu 22.04+ `python3` is 3.10+; 20.04 has `python3.9` in universe (its
//!   `python3` is 3.8); 18.04 has neither.
//! - Fedora's `python3` is >= 3.9 since Fedora 33.
//! - RHEL 8 and clones: `python3` is 3.6, `python39` is the 3.9 package; RHEL 9
//!   `python3` is 3.9; RHEL 7 has none. Amazon Linux 2023 `python3` is 3.9.
//! - openSUSE Leap 15 `python3` is 3.6; `python311` exists on Leap 15.5+ and Tumbleweed.
//! - Debian and Ubuntu split `venv` out of `python3` (`python3-venv`), which
//!   Poetry's official installer and `python3 -m venv` need.

use std::path::Path;

use super::ProbeEnv;

#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Distro {
    /// `ID` (lower case), or `macos`.
    pub id: String,
    pub id_like: Vec<String>,
    pub pretty_name: String,
    /// `VERSION_ID` (`12`, `22.04`, `9.3`; the product version on macOS); may be empty.
    pub version_id: String,
    /// `VERSION_CODENAME` (`bookworm`, `jammy`), may be empty.
    pub codename: String,
    /// `UBUNTU_CODENAME`, which Ubuntu derivatives (Mint, Pop!_OS) set to the base release.
    pub ubuntu_codename: String,
}

impl Distro {
    /// `ID`, then each `ID_LIKE`.
    fn family(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.id_like.iter().map(String::as_str))
    }
    fn is(&self, ids: &[&str]) -> bool {
        self.family().any(|f| ids.contains(&f))
    }
    /// The first number of `VERSION_ID` (`22` for `22.04`).
    pub fn major(&self) -> Option<u32> {
        self.version_id.split('.').next()?.parse().ok()
    }
    fn major_minor(&self) -> Option<(u32, u32)> {
        let mut it = self.version_id.split('.');
        let a = it.next()?.parse().ok()?;
        let b = it.next().map_or(Some(0), |b| b.parse().ok())?;
        Some((a, b))
    }
}

/// Parse an os-release text: `KEY=value`, values quoted (`"..."`, `'...'`, with
/// backslash escapes) or not; comments and blank lines ignored.
pub fn parse_os_release(text: &str) -> Distro {
    let mut d = Distro::default();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = unquote(v.trim());
        match k.trim() {
            "ID" => d.id = v.to_lowercase(),
            "ID_LIKE" => d.id_like = v.split_whitespace().map(str::to_lowercase).collect(),
            "PRETTY_NAME" => d.pretty_name = v,
            "VERSION_ID" => d.version_id = v,
            "VERSION_CODENAME" => d.codename = v,
            "UBUNTU_CODENAME" => d.ubuntu_codename = v,
            _ => {}
        }
    }
    if d.pretty_name.is_empty() {
        d.pretty_name = d.id.clone();
    }
    d
}

fn unquote(v: &str) -> String {
    let inner = v
        .strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .or_else(|| v.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')));
    match inner {
        Some(s) => {
            let mut out = String::with_capacity(s.len());
            let mut chars = s.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                } else {
                    out.push(c);
                }
            }
            out
        }
        None => v.to_string(),
    }
}

/// The macOS product version from `SystemVersion.plist` text.
fn plist_product_version(text: &str) -> Option<String> {
    let at = text.find("<key>ProductVersion</key>")?;
    let rest = &text[at..];
    let s = rest.find("<string>")? + "<string>".len();
    let e = rest[s..].find("</string>")? + s;
    Some(rest[s..e].trim().to_string())
}

/// The distro under `env.root`: os-release, else macOS, else None.
pub fn read(env: &ProbeEnv) -> Option<Distro> {
    for f in ["/etc/os-release", "/usr/lib/os-release"] {
        if let Ok(text) = std::fs::read_to_string(env.under_root(f)) {
            let d = parse_os_release(&text);
            if !d.id.is_empty() {
                return Some(d);
            }
        }
    }
    let plist = env.under_root("/System/Library/CoreServices/SystemVersion.plist");
    if plist.is_file() {
        let version = std::fs::read_to_string(&plist)
            .ok()
            .and_then(|t| plist_product_version(&t))
            .unwrap_or_default();
        return Some(Distro {
            id: "macos".into(),
            pretty_name: format!("macOS {version}").trim().to_string(),
            version_id: version,
            ..Distro::default()
        });
    }
    None
}

/// True when the probe root looks like macOS (for callers without a Distro).
pub fn is_macos(root: &Path) -> bool {
    root.join("System/Library/CoreServices/SystemVersion.plist")
        .is_file()
}

const PYENV_HINT: &str = "pyenv install 3.9   # pyenv: https://github.com/pyenv/pyenv#installation";

/// The command that installs Python >= 3.9 here (Homebrew on macOS; pyenv
/// where the distro has no suitable package, or is unknown).
pub fn python_install_hint(distro: Option<&Distro>) -> String {
    let Some(d) = distro else {
        return PYENV_HINT.into();
    };
    let major = d.major();
    if d.id == "macos" {
        return "brew install python@3.11".into();
    }
    if d.id == "amzn" {
        return match major {
            Some(m) if m >= 2022 => "sudo dnf -y install python3".into(),
            _ => PYENV_HINT.into(), // Amazon Linux 2: python3 is 3.7
        };
    }
    if d.id == "fedora" {
        return "sudo dnf -y install python3".into();
    }
    if d.is(&["rhel", "centos", "rocky", "almalinux", "ol", "fedora"]) {
        return match major {
            Some(8) => "sudo dnf -y install python39".into(),
            Some(m) if m >= 9 => "sudo dnf -y install python3".into(),
            _ => PYENV_HINT.into(), // 7 and older: no Python >= 3.9 package
        };
    }
    if d.id == "ubuntu" || (!d.ubuntu_codename.is_empty() && d.is(&["ubuntu"])) {
        let release = if d.id == "ubuntu" {
            d.major_minor()
        } else {
            ubuntu_release(&d.ubuntu_codename)
        };
        return match release {
            Some((y, _)) if y >= 22 => "sudo apt-get -y install python3 python3-venv".into(),
            Some((20, _)) => "sudo apt-get -y install python3.9 python3.9-venv".into(),
            Some(_) => PYENV_HINT.into(),
            None => "sudo apt-get -y install python3 python3-venv".into(),
        };
    }
    if d.id == "debian" || d.is(&["debian", "ubuntu"]) {
        // Derivatives without UBUNTU_CODENAME carry their own version numbers:
        // only Debian's own are checked.
        return match (d.id == "debian", major) {
            (true, Some(m)) if m < 11 => PYENV_HINT.into(),
            _ => "sudo apt-get -y install python3 python3-venv".into(),
        };
    }
    if d.is(&["arch"]) {
        return "sudo pacman -S python".into();
    }
    if d.is(&["suse", "opensuse", "sles"]) {
        return "sudo zypper install python311".into();
    }
    if d.is(&["alpine"]) {
        return "apk add python3".into();
    }
    if d.is(&["gentoo"]) {
        return "sudo emerge dev-lang/python".into();
    }
    PYENV_HINT.into()
}

/// The command that installs Python 3.`minor` here, for a project whose range
/// starts above 3.9 (a `^3.12` plugin): the distro's package where it has one,
/// else pyenv.
pub fn python_install_hint_for(distro: Option<&Distro>, minor: u32) -> String {
    if minor <= 9 {
        return python_install_hint(distro);
    }
    let pyenv =
        format!("pyenv install 3.{minor}   # pyenv: https://github.com/pyenv/pyenv#installation");
    let Some(d) = distro else {
        return pyenv;
    };
    if d.id == "macos" {
        return format!("brew install python@3.{minor}");
    }
    if d.id == "fedora" || (d.is(&["rhel", "centos", "rocky", "almalinux"]) && d.major() >= Some(9))
    {
        return format!("sudo dnf -y install python3.{minor}");
    }
    let ubuntu = if d.id == "ubuntu" {
        d.major_minor()
    } else if !d.ubuntu_codename.is_empty() && d.is(&["ubuntu"]) {
        ubuntu_release(&d.ubuntu_codename)
    } else {
        None
    };
    // Ubuntu 24.04's python3 is 3.12.
    if minor == 12 && ubuntu.is_some_and(|(y, _)| y >= 24) {
        return "sudo apt-get -y install python3.12 python3.12-venv".into();
    }
    pyenv
}

/// The command that installs these system packages here (names as the
/// Dockerfile writes them for its own distro's package manager).
pub fn package_install_hint(distro: Option<&Distro>, names: &[String]) -> String {
    let list = names.join(" ");
    let Some(d) = distro else {
        return format!("install {list} with your system's package manager");
    };
    if d.id == "macos" {
        return format!("brew install {list}");
    }
    if d.is(&[
        "fedora",
        "rhel",
        "centos",
        "rocky",
        "almalinux",
        "ol",
        "amzn",
    ]) {
        return format!("sudo dnf -y install {list}");
    }
    if d.is(&["debian", "ubuntu"]) {
        return format!("sudo apt-get -y install {list}");
    }
    if d.is(&["arch"]) {
        return format!("sudo pacman -S {list}");
    }
    if d.is(&["suse", "opensuse", "sles"]) {
        return format!("sudo zypper install {list}");
    }
    if d.is(&["alpine"]) {
        return format!("apk add {list}");
    }
    format!("install {list} with your system's package manager")
}

/// Ubuntu's release for a codename (the ones that matter for Python).
fn ubuntu_release(codename: &str) -> Option<(u32, u32)> {
    Some(match codename {
        "bionic" => (18, 4),
        "focal" => (20, 4),
        "jammy" => (22, 4),
        "noble" => (24, 4),
        "" => return None,
        _ => (99, 0), // newer than we know of
    })
}

const PIPX_FALLBACK: &str = "python3 -m pip install --user pipx && python3 -m pipx ensurepath";

/// The command that installs pipx here: the distro's package where it has a
/// recent one (Debian 12+ and Ubuntu 23.04+ also refuse `pip install --user`
/// into the system Python), else pip.
pub fn pipx_install_hint(distro: Option<&Distro>) -> String {
    let Some(d) = distro else {
        return PIPX_FALLBACK.into();
    };
    if d.id == "macos" {
        return "brew install pipx && pipx ensurepath".into();
    }
    if d.id == "ubuntu" || (!d.ubuntu_codename.is_empty() && d.is(&["ubuntu"])) {
        let release = if d.id == "ubuntu" {
            d.major_minor()
        } else {
            ubuntu_release(&d.ubuntu_codename)
        };
        return match release {
            Some((y, _)) if y >= 22 => "sudo apt-get -y install pipx && pipx ensurepath".into(),
            None => "sudo apt-get -y install pipx && pipx ensurepath".into(),
            Some(_) => PIPX_FALLBACK.into(),
        };
    }
    if d.id == "debian" || d.is(&["debian"]) {
        return match (d.id == "debian", d.major()) {
            (true, Some(m)) if m < 12 => PIPX_FALLBACK.into(),
            _ => "sudo apt-get -y install pipx && pipx ensurepath".into(),
        };
    }
    if d.id == "fedora" {
        return "sudo dnf -y install pipx && pipx ensurepath".into();
    }
    if d.is(&["arch"]) {
        return "sudo pacman -S python-pipx && pipx ensurepath".into();
    }
    if d.is(&["alpine"]) {
        return "apk add pipx && pipx ensurepath".into();
    }
    PIPX_FALLBACK.into()
}

#[cfg(test)]
mod tests {

    #[test]
    fn system_packages_and_newer_pythons_by_distro() {
        let d = |t: &str| parse_os_release(t);
        let debian = d("ID=debian\nVERSION_ID=\"12\"\n");
        let fedora = d("ID=fedora\nVERSION_ID=40\n");
        let rocky8 = d("ID=rocky\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"8.9\"\n");
        let noble = d("ID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"24.04\"\n");
        let fio = ["fio".to_string()];
        assert_eq!(
            package_install_hint(Some(&debian), &fio),
            "sudo apt-get -y install fio"
        );
        assert_eq!(
            package_install_hint(Some(&fedora), &fio),
            "sudo dnf -y install fio"
        );
        assert_eq!(
            package_install_hint(Some(&rocky8), &fio),
            "sudo dnf -y install fio"
        );
        assert!(package_install_hint(None, &fio).contains("package manager"));
        // 3.9 is what python_install_hint gives; 3.12 where the distro packages it.
        assert_eq!(
            python_install_hint_for(Some(&debian), 9),
            python_install_hint(Some(&debian))
        );
        assert!(python_install_hint_for(Some(&debian), 12).starts_with("pyenv install 3.12"));
        assert_eq!(
            python_install_hint_for(Some(&fedora), 12),
            "sudo dnf -y install python3.12"
        );
        assert!(python_install_hint_for(Some(&rocky8), 12).starts_with("pyenv install 3.12"));
        assert_eq!(
            python_install_hint_for(Some(&noble), 12),
            "sudo apt-get -y install python3.12 python3.12-venv"
        );
    }

    use super::*;

    fn d(text: &str) -> Distro {
        parse_os_release(text)
    }

    const DEBIAN12: &str = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\nHOME_URL=\"https://www.debian.org/\"\n";
    const DEBIAN10: &str =
        "PRETTY_NAME=\"Debian GNU/Linux 10 (buster)\"\nVERSION_ID=\"10\"\nID=debian\n";
    const UBUNTU2004: &str = "NAME=\"Ubuntu\"\nVERSION=\"20.04.6 LTS (Focal Fossa)\"\nID=ubuntu\nID_LIKE=debian\nPRETTY_NAME=\"Ubuntu 20.04.6 LTS\"\nVERSION_ID=\"20.04\"\nVERSION_CODENAME=focal\nUBUNTU_CODENAME=focal\n";
    const UBUNTU2404: &str = "PRETTY_NAME=\"Ubuntu 24.04.1 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"24.04\"\nID=ubuntu\nID_LIKE=debian\nUBUNTU_CODENAME=noble\n";
    const MINT21: &str = "NAME=\"Linux Mint\"\nVERSION=\"21.2 (Victoria)\"\nID=linuxmint\nID_LIKE=\"ubuntu debian\"\nPRETTY_NAME=\"Linux Mint 21.2\"\nVERSION_ID=\"21.2\"\nVERSION_CODENAME=victoria\nUBUNTU_CODENAME=jammy\n";
    const FEDORA40: &str = "NAME=\"Fedora Linux\"\nVERSION=\"40 (Container Image)\"\nID=fedora\nVERSION_ID=40\nPRETTY_NAME=\"Fedora Linux 40 (Container Image)\"\n";
    const RHEL8: &str = "NAME=\"Red Hat Enterprise Linux\"\nVERSION=\"8.9 (Ootpa)\"\nID=\"rhel\"\nID_LIKE=\"fedora\"\nVERSION_ID=\"8.9\"\nPRETTY_NAME=\"Red Hat Enterprise Linux 8.9 (Ootpa)\"\n";
    const ROCKY9: &str = "NAME=\"Rocky Linux\"\nVERSION=\"9.3 (Blue Onyx)\"\nID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.3\"\nPRETTY_NAME=\"Rocky Linux 9.3 (Blue Onyx)\"\n";
    const ALMA8: &str = "NAME=\"AlmaLinux\"\nID=\"almalinux\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"8.10\"\nPRETTY_NAME=\"AlmaLinux 8.10 (Cerulean Leopard)\"\n";
    const CENTOS7: &str = "NAME=\"CentOS Linux\"\nVERSION=\"7 (Core)\"\nID=\"centos\"\nID_LIKE=\"rhel fedora\"\nVERSION_ID=\"7\"\nPRETTY_NAME=\"CentOS Linux 7 (Core)\"\n";
    const ARCH: &str =
        "NAME=\"Arch Linux\"\nPRETTY_NAME=\"Arch Linux\"\nID=arch\nBUILD_ID=rolling\n";
    const MANJARO: &str =
        "NAME=\"Manjaro Linux\"\nID=manjaro\nID_LIKE=arch\nPRETTY_NAME=\"Manjaro Linux\"\n";
    const LEAP: &str = "NAME=\"openSUSE Leap\"\nVERSION=\"15.5\"\nID=\"opensuse-leap\"\nID_LIKE=\"suse opensuse\"\nVERSION_ID=\"15.5\"\nPRETTY_NAME=\"openSUSE Leap 15.5\"\n";
    const ALPINE: &str =
        "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME=\"Alpine Linux v3.19\"\n";
    const AMZN2023: &str = "NAME=\"Amazon Linux\"\nVERSION=\"2023\"\nID=\"amzn\"\nID_LIKE=\"fedora\"\nVERSION_ID=\"2023\"\nPRETTY_NAME=\"Amazon Linux 2023\"\n";
    const AMZN2: &str = "NAME=\"Amazon Linux\"\nVERSION=\"2\"\nID=\"amzn\"\nID_LIKE=\"centos rhel fedora\"\nVERSION_ID=\"2\"\nPRETTY_NAME=\"Amazon Linux 2\"\n";

    #[test]
    fn parses_quoted_and_unquoted_values() {
        let x = d(DEBIAN12);
        assert_eq!(x.id, "debian");
        assert!(x.id_like.is_empty());
        assert_eq!(x.pretty_name, "Debian GNU/Linux 12 (bookworm)");
        assert_eq!(x.version_id, "12");
        assert_eq!(x.codename, "bookworm");
        let r = d(ROCKY9);
        assert_eq!(r.id, "rocky");
        assert_eq!(r.id_like, vec!["rhel", "centos", "fedora"]);
        assert_eq!(r.major(), Some(9));
        let e = d("# comment\nID='weird'\nPRETTY_NAME=\"say \\\"hi\\\"\"\n\nnot a line\n");
        assert_eq!(e.id, "weird");
        assert_eq!(e.pretty_name, "say \"hi\"");
    }

    #[test]
    fn python_hints_per_family() {
        let h = |t: &str| python_install_hint(Some(&d(t)));
        assert_eq!(h(DEBIAN12), "sudo apt-get -y install python3 python3-venv");
        assert!(h(DEBIAN10).starts_with("pyenv install 3.9"));
        assert_eq!(
            h(UBUNTU2004),
            "sudo apt-get -y install python3.9 python3.9-venv"
        );
        assert_eq!(
            h(UBUNTU2404),
            "sudo apt-get -y install python3 python3-venv"
        );
        assert_eq!(h(MINT21), "sudo apt-get -y install python3 python3-venv");
        assert_eq!(h(FEDORA40), "sudo dnf -y install python3");
        assert_eq!(h(RHEL8), "sudo dnf -y install python39");
        assert_eq!(h(ALMA8), "sudo dnf -y install python39");
        assert_eq!(h(ROCKY9), "sudo dnf -y install python3");
        assert!(h(CENTOS7).starts_with("pyenv install 3.9"));
        assert_eq!(h(ARCH), "sudo pacman -S python");
        assert_eq!(h(MANJARO), "sudo pacman -S python");
        assert_eq!(h(LEAP), "sudo zypper install python311");
        assert_eq!(h(ALPINE), "apk add python3");
        assert_eq!(h(AMZN2023), "sudo dnf -y install python3");
        assert!(h(AMZN2).starts_with("pyenv install 3.9"));
        assert!(h("ID=plan9\n").starts_with("pyenv install 3.9"));
        assert!(python_install_hint(None).starts_with("pyenv install 3.9"));
        let mac = Distro {
            id: "macos".into(),
            ..Default::default()
        };
        assert_eq!(python_install_hint(Some(&mac)), "brew install python@3.11");
    }

    #[test]
    fn pipx_hints_per_family() {
        let h = |t: &str| pipx_install_hint(Some(&d(t)));
        assert_eq!(
            h(DEBIAN12),
            "sudo apt-get -y install pipx && pipx ensurepath"
        );
        assert_eq!(h(DEBIAN10), PIPX_FALLBACK);
        assert_eq!(h(UBUNTU2004), PIPX_FALLBACK);
        assert_eq!(
            h(UBUNTU2404),
            "sudo apt-get -y install pipx && pipx ensurepath"
        );
        assert_eq!(h(FEDORA40), "sudo dnf -y install pipx && pipx ensurepath");
        assert_eq!(h(ROCKY9), PIPX_FALLBACK);
        assert_eq!(h(ARCH), "sudo pacman -S python-pipx && pipx ensurepath");
        assert_eq!(pipx_install_hint(None), PIPX_FALLBACK);
    }

    fn env_at(root: &Path) -> ProbeEnv {
        ProbeEnv {
            path: String::new(),
            home: None,
            root: root.into(),
            pyenv_root: None,
            poetry_home: None,
        }
    }

    #[test]
    fn reads_under_the_root_with_fallbacks() {
        let t = tempfile::tempdir().unwrap();
        assert_eq!(read(&env_at(t.path())), None);
        std::fs::create_dir_all(t.path().join("usr/lib")).unwrap();
        std::fs::write(t.path().join("usr/lib/os-release"), ROCKY9).unwrap();
        assert_eq!(read(&env_at(t.path())).unwrap().id, "rocky");
        std::fs::create_dir_all(t.path().join("etc")).unwrap();
        std::fs::write(t.path().join("etc/os-release"), UBUNTU2404).unwrap();
        assert_eq!(read(&env_at(t.path())).unwrap().id, "ubuntu");

        let m = tempfile::tempdir().unwrap();
        let plist = m.path().join("System/Library/CoreServices");
        std::fs::create_dir_all(&plist).unwrap();
        std::fs::write(
            plist.join("SystemVersion.plist"),
            "<plist><dict>\n\t<key>ProductName</key>\n\t<string>macOS</string>\n\t<key>ProductVersion</key>\n\t<string>14.2.1</string>\n</dict></plist>\n",
        )
        .unwrap();
        let mac = read(&env_at(m.path())).unwrap();
        assert_eq!(mac.id, "macos");
        assert_eq!(mac.version_id, "14.2.1");
        assert_eq!(mac.pretty_name, "macOS 14.2.1");
        assert!(is_macos(m.path()));
        assert_eq!(python_install_hint(Some(&mac)), "brew install python@3.11");
    }
}
