//! A Dockerfile read the way `docker build` reads it, as far as the layout needs:
//! stages, their ARG/ENV values, WORKDIR, the COPY lines from the build context,
//! RUN lines and the ENTRYPOINT. Nothing is run; `${var}` is substituted from the
//! stage's own ARG and ENV, and a value that stays unresolved is kept as written
//! (callers treat a `$` left in a value as "not determined").

use std::collections::BTreeMap;

/// One instruction after joining `\` continuations (comments dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Instruction {
    /// 1-based line where it starts.
    pub line: usize,
    /// Upper-cased keyword.
    pub keyword: String,
    /// The rest, as written (continuations joined with a space).
    pub args: String,
}

/// Every instruction of a Dockerfile.
pub(crate) fn instructions(text: &str) -> Vec<Instruction> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        let trimmed = line.trim();
        // Comment lines are skipped, even inside a continuation (as Docker does).
        if trimmed.starts_with('#') {
            continue;
        }
        let (body, continues) = match trimmed.strip_suffix('\\') {
            Some(b) => (b.trim_end(), true),
            None => (trimmed, false),
        };
        match current.as_mut() {
            Some((_, acc)) => {
                acc.push(' ');
                acc.push_str(body);
            }
            None if body.is_empty() => continue,
            None => current = Some((i + 1, body.to_string())),
        }
        if !continues {
            if let Some((line, acc)) = current.take() {
                out.extend(split_instruction(line, &acc));
            }
        }
    }
    if let Some((line, acc)) = current.take() {
        out.extend(split_instruction(line, &acc));
    }
    out
}

fn split_instruction(line: usize, text: &str) -> Option<Instruction> {
    let text = text.trim();
    let (kw, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    if kw.is_empty() {
        return None;
    }
    Some(Instruction {
        line,
        keyword: kw.to_ascii_uppercase(),
        args: rest.trim().to_string(),
    })
}

/// A `COPY` or `ADD` from the build context (not `--from=`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Copy {
    pub line: usize,
    /// Sources relative to the context, substituted, without `./` or a trailing `/`.
    pub sources: Vec<String>,
    /// Absolute destination in the image (relative ones joined to WORKDIR); it
    /// keeps a trailing `/` when written with one.
    pub dest: String,
}

/// A `RUN` line with the WORKDIR and ENV in force when it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Run {
    pub line: usize,
    /// Substituted.
    pub command: String,
    pub workdir: String,
    /// `PYTHONPATH` in force, substituted, if set.
    pub pythonpath: Option<String>,
}

/// One `FROM` ... up to the next `FROM`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Stage {
    pub line: usize,
    /// The image it starts from.
    pub base: String,
    /// `AS name`.
    pub name: Option<String>,
    /// ARG and ENV values in force (for substitution).
    pub vars: BTreeMap<String, String>,
    /// ENV values only: what a later `FROM this_stage` inherits.
    pub env: BTreeMap<String, String>,
    pub copies: Vec<Copy>,
    pub runs: Vec<Run>,
    /// The last ENTRYPOINT: its words and the WORKDIR in force.
    pub entrypoint: Option<(usize, Vec<String>, String)>,
    /// WORKDIR at the end of the stage.
    pub workdir: String,
}

/// What the layout needs from a Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Dockerfile {
    /// `ARG name=value` before the first FROM.
    pub global_args: BTreeMap<String, String>,
    pub stages: Vec<Stage>,
}

/// `${name}`, `${name:-default}` and `$name` from `vars`; unknown names stay as written.
pub(crate) fn substitute(s: &str, vars: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(inner) = after.strip_prefix('{') {
            if let Some(end) = inner.find('}') {
                let expr = &inner[..end];
                let (name, default) = match expr.split_once(":-") {
                    Some((n, d)) => (n, Some(d)),
                    None => (expr, None),
                };
                match vars.get(name).map(String::as_str).or(default) {
                    Some(v) => out.push_str(v),
                    None => out.push_str(&rest[i..=(i + 2 + end)]),
                }
                rest = &inner[end + 1..];
                continue;
            }
        }
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        match (len, vars.get(&after[..len])) {
            (0, _) => out.push('$'),
            (_, Some(v)) => out.push_str(v),
            (_, None) => out.push_str(&rest[i..i + 1 + len]),
        }
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

/// `a/b/../c` -> `a/c`, `/x/./y/` -> `/x/y`.
pub(crate) fn normalize(path: &str) -> String {
    let abs = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    if abs {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".to_string()
    } else {
        joined
    }
}

fn join(base: &str, rel: &str) -> String {
    if rel.starts_with('/') {
        normalize(rel)
    } else {
        normalize(&format!(
            "{}/{rel}",
            if base.is_empty() { "/" } else { base }
        ))
    }
}

/// Words of a shell-form or JSON-form (exec) argument list.
pub(crate) fn words(args: &str) -> Vec<String> {
    let t = args.trim();
    if t.starts_with('[') {
        if let Ok(v) = serde_json::from_str::<Vec<String>>(t) {
            return v;
        }
    }
    t.split_whitespace()
        .map(|w| w.trim_matches(|c| c == '"' || c == '\'').to_string())
        .collect()
}

/// `ENV a=b c=d` or the legacy `ENV a b`.
fn env_pairs(args: &str) -> Vec<(String, String)> {
    let t = args.trim();
    let first = t.split_whitespace().next().unwrap_or("");
    if !first.contains('=') {
        let (k, v) = t.split_once(char::is_whitespace).unwrap_or((t, ""));
        return vec![(k.to_string(), unquote(v.trim()))];
    }
    t.split_whitespace()
        .filter_map(|w| w.split_once('='))
        .map(|(k, v)| (k.to_string(), unquote(v)))
        .collect()
}

fn unquote(s: &str) -> String {
    s.trim_matches(|c| c == '"' || c == '\'').to_string()
}

/// Read a Dockerfile's stages.
pub(crate) fn parse(text: &str) -> Dockerfile {
    let mut df = Dockerfile::default();
    let mut stage: Option<Stage> = None;
    for ins in instructions(text) {
        if ins.keyword == "FROM" {
            if let Some(s) = stage.take() {
                df.stages.push(s);
            }
            let w: Vec<&str> = ins
                .args
                .split_whitespace()
                .filter(|w| !w.starts_with("--"))
                .collect();
            let name = match w.as_slice() {
                [_, as_, n, ..] if as_.eq_ignore_ascii_case("as") => Some(n.to_string()),
                _ => None,
            };
            let base = substitute(w.first().copied().unwrap_or(""), &df.global_args);
            // `FROM earlier_stage` starts from that stage's image: its ENV,
            // WORKDIR and copied files carry over (its ARGs do not).
            let parent = df.stages.iter().rev().find(|s| {
                s.name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(&base))
            });
            stage = Some(Stage {
                line: ins.line,
                name,
                vars: parent.map(|p| p.env.clone()).unwrap_or_default(),
                env: parent.map(|p| p.env.clone()).unwrap_or_default(),
                copies: parent.map(|p| p.copies.clone()).unwrap_or_default(),
                workdir: parent.map_or_else(|| "/".to_string(), |p| p.workdir.clone()),
                base,
                ..Stage::default()
            });
            continue;
        }
        let Some(s) = stage.as_mut() else {
            if ins.keyword == "ARG" {
                for w in ins.args.split_whitespace() {
                    if let Some((k, v)) = w.split_once('=') {
                        df.global_args.insert(k.to_string(), unquote(v));
                    }
                }
            }
            continue;
        };
        match ins.keyword.as_str() {
            "ARG" => {
                for w in ins.args.split_whitespace() {
                    match w.split_once('=') {
                        Some((k, v)) => {
                            let v = substitute(&unquote(v), &s.vars);
                            s.vars.insert(k.to_string(), v);
                        }
                        // `ARG package` brings the global default into the stage.
                        None => {
                            if let Some(v) = df.global_args.get(w) {
                                s.vars.insert(w.to_string(), v.clone());
                            }
                        }
                    }
                }
            }
            "ENV" => {
                for (k, v) in env_pairs(&ins.args) {
                    let v = substitute(&v, &s.vars);
                    s.env.insert(k.clone(), v.clone());
                    s.vars.insert(k, v);
                }
            }
            "WORKDIR" => {
                let w = substitute(&unquote(&ins.args), &s.vars);
                s.workdir = join(&s.workdir, &w);
            }
            "COPY" | "ADD" => {
                let mut ws = words(&ins.args);
                if ws.iter().any(|w| w.starts_with("--from")) {
                    continue;
                }
                ws.retain(|w| !w.starts_with("--"));
                let Some(dest) = ws.pop() else { continue };
                let dest = substitute(&dest, &s.vars);
                let slash = dest.ends_with('/');
                let mut dest = join(&s.workdir, &dest);
                if slash && !dest.ends_with('/') {
                    dest.push('/');
                }
                let sources = ws
                    .iter()
                    .map(|w| normalize(&substitute(w, &s.vars)))
                    .collect();
                s.copies.push(Copy {
                    line: ins.line,
                    sources,
                    dest,
                });
            }
            "RUN" => s.runs.push(Run {
                line: ins.line,
                command: substitute(&ins.args, &s.vars),
                workdir: s.workdir.clone(),
                pythonpath: s.vars.get("PYTHONPATH").cloned(),
            }),
            "ENTRYPOINT" => {
                let ws = words(&ins.args)
                    .iter()
                    .map(|w| substitute(w, &s.vars))
                    .collect();
                s.entrypoint = Some((ins.line, ws, s.workdir.clone()));
            }
            _ => {}
        }
    }
    if let Some(s) = stage.take() {
        df.stages.push(s);
    }
    df
}

impl Stage {
    /// The context path an image path came from, by this stage's COPY lines (the
    /// last that covers it wins). `is_dir` tells whether a context path is a
    /// folder; anything else (a file, or a path that is not there) counts as a file.
    pub(crate) fn source_of(
        &self,
        image_path: &str,
        is_dir: &dyn Fn(&str) -> bool,
    ) -> Option<String> {
        let p = normalize(image_path);
        for c in self.copies.iter().rev() {
            let dest_dir = c.dest.trim_end_matches('/');
            let dest_dir = if dest_dir.is_empty() { "/" } else { dest_dir };
            for src in &c.sources {
                if src.contains('*') || src.contains('$') {
                    continue;
                }
                if src != "." && !is_dir(src) {
                    let base = src.rsplit('/').next().unwrap_or(src);
                    let into_dir = c.dest.ends_with('/')
                        || c.sources.len() > 1
                        || !dest_dir.ends_with(&format!("/{base}"));
                    let target = if into_dir {
                        join(dest_dir, base)
                    } else {
                        dest_dir.to_string()
                    };
                    if p == target {
                        return Some(src.clone());
                    }
                } else if p == dest_dir {
                    return Some(src.clone());
                } else if let Some(rest) = p
                    .strip_prefix(dest_dir)
                    .and_then(|r| r.strip_prefix('/').or((dest_dir == "/").then_some(r)))
                {
                    return Some(if src == "." {
                        rest.to_string()
                    } else {
                        normalize(&format!("{src}/{rest}"))
                    });
                }
            }
        }
        None
    }
}

/// A system package a RUN line installs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct SystemPackage {
    /// `dnf`, `yum`, `microdnf`, `apt-get`, `apt` (`dnf module` for module streams).
    pub manager: String,
    /// As written: a name, a name with its version (`fio-3.35-1.el9`), or an RPM URL.
    pub name: String,
    /// An RPM (or .deb) given by URL rather than by name.
    pub by_url: bool,
    /// Dockerfile line.
    pub line: usize,
}

/// Split a shell command at `&&`, `||`, `;` and `|` (quotes are not parsed: the
/// official Dockerfiles do not quote package names).
pub(crate) fn segments(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = command.chars().peekable();
    while let Some(c) = chars.next() {
        let sep = match c {
            ';' => true,
            '&' if chars.peek() == Some(&'&') => {
                chars.next();
                true
            }
            '|' => {
                if chars.peek() == Some(&'|') {
                    chars.next();
                }
                true
            }
            _ => false,
        };
        if sep {
            out.push(std::mem::take(&mut cur).trim().to_string());
        } else {
            cur.push(c);
        }
    }
    out.push(cur.trim().to_string());
    out.retain(|s| !s.is_empty());
    out
}

/// The packages a RUN command installs with a system package manager.
pub(crate) fn system_packages(run: &Run) -> Vec<SystemPackage> {
    let mut out = Vec::new();
    for seg in segments(&run.command) {
        let ws: Vec<&str> = seg.split_whitespace().collect();
        let mut i = 0;
        // Skip `sudo`, `env X=Y` style prefixes.
        while i < ws.len() && (ws[i] == "sudo" || ws[i].contains('=')) {
            i += 1;
        }
        let Some(tool) = ws.get(i).map(|t| t.rsplit('/').next().unwrap_or(t)) else {
            continue;
        };
        if !matches!(tool, "dnf" | "yum" | "microdnf" | "apt-get" | "apt") {
            continue;
        }
        let rest: Vec<&str> = ws[i + 1..]
            .iter()
            .copied()
            .filter(|w| !w.starts_with('-'))
            .collect();
        let (manager, names) = match rest.as_slice() {
            ["module", "install", names @ ..] => (format!("{tool} module"), names),
            ["install", names @ ..] => (tool.to_string(), names),
            _ => continue,
        };
        for n in names {
            if n.starts_with('>') || n.starts_with('<') {
                break;
            }
            let by_url = n.contains("://");
            out.push(SystemPackage {
                manager: manager.clone(),
                name: n.to_string(),
                by_url,
                line: run.line,
            });
        }
    }
    out
}
