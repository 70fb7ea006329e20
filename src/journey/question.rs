//! Questions a step asks. The front end shows them; the plain front end answers
//! them from flags, an answers file, `--yes` defaults, or a prompt.

/// What kind of answer a question takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuestionKind {
    Text,
    /// One of these values (value, label).
    Choice(Vec<(String, String)>),
    /// "yes" or "no".
    YesNo,
    /// Typed into a masked field; never drawn, logged or stored.
    Secret,
}

/// A validator returns the normalised answer, or the reason it is refused. A
/// closure, so it can know what the step knows (e.g. the current version).
#[derive(Clone)]
pub struct Validator(std::sync::Arc<ValidateFn>);

type ValidateFn = dyn Fn(&str) -> Result<String, String> + Send + Sync;

impl Validator {
    pub fn new(f: impl Fn(&str) -> Result<String, String> + Send + Sync + 'static) -> Self {
        Validator(std::sync::Arc::new(f))
    }
}

impl std::fmt::Debug for Validator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Validator")
    }
}

#[derive(Debug, Clone)]
pub struct Question {
    /// Key in the answers (and the answers file), e.g. "name".
    pub key: &'static str,
    pub prompt: String,
    pub kind: QuestionKind,
    pub default: Option<String>,
    /// The command-line flag that answers it, for "--yes needs --name".
    pub flag: Option<&'static str>,
    pub validate: Option<Validator>,
    /// What an answer comes to, shown as it is typed (`patch` -> `0.1.1`).
    pub shows: Option<Validator>,
}

impl Question {
    pub fn text(key: &'static str, prompt: impl Into<String>) -> Self {
        Question {
            key,
            prompt: prompt.into(),
            kind: QuestionKind::Text,
            default: None,
            flag: None,
            validate: None,
            shows: None,
        }
    }
    pub fn yes_no(key: &'static str, prompt: impl Into<String>, default: bool) -> Self {
        Question {
            key,
            prompt: prompt.into(),
            kind: QuestionKind::YesNo,
            default: Some(if default { "yes" } else { "no" }.into()),
            flag: None,
            validate: Some(Validator::new(parse_yes_no)),
            shows: None,
        }
    }
    pub fn choice(
        key: &'static str,
        prompt: impl Into<String>,
        options: Vec<(String, String)>,
    ) -> Self {
        Question {
            key,
            prompt: prompt.into(),
            kind: QuestionKind::Choice(options),
            default: None,
            flag: None,
            validate: None,
            shows: None,
        }
    }
    pub fn secret(key: &'static str, prompt: impl Into<String>) -> Self {
        Question {
            key,
            prompt: prompt.into(),
            kind: QuestionKind::Secret,
            default: None,
            flag: None,
            validate: None,
            shows: None,
        }
    }
    pub fn default(mut self, d: impl Into<String>) -> Self {
        self.default = Some(d.into());
        self
    }
    pub fn default_opt(mut self, d: Option<String>) -> Self {
        self.default = d;
        self
    }
    pub fn flag(mut self, f: &'static str) -> Self {
        self.flag = Some(f);
        self
    }
    pub fn validate(
        mut self,
        v: impl Fn(&str) -> Result<String, String> + Send + Sync + 'static,
    ) -> Self {
        self.validate = Some(Validator::new(v));
        self
    }

    /// Say what an answer comes to, for the front end to show as it is typed.
    pub fn shows(
        mut self,
        f: impl Fn(&str) -> Result<String, String> + Send + Sync + 'static,
    ) -> Self {
        self.shows = Some(Validator::new(f));
        self
    }

    /// What `raw` comes to, when the question says (`patch` -> `0.1.1`).
    pub fn resolved(&self, raw: &str) -> Option<String> {
        let f = self.shows.as_ref()?;
        (f.0)(raw.trim()).ok().filter(|v| v != raw.trim())
    }

    /// Check an answer: the normalised value, or why it is refused.
    pub fn accept(&self, raw: &str) -> Result<String, String> {
        let raw = raw.trim();
        if let QuestionKind::Choice(opts) = &self.kind {
            if let Some((v, _)) = opts.iter().find(|(v, _)| v == raw) {
                return Ok(v.clone());
            }
            // A number picks the n-th option (1-based), as in the plain prompt.
            if let Ok(i) = raw.parse::<usize>() {
                if i >= 1 && i <= opts.len() {
                    return Ok(opts[i - 1].0.clone());
                }
            }
            if self.validate.is_none() {
                return Err(format!(
                    "choose one of: {}",
                    opts.iter()
                        .map(|(v, _)| v.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        match &self.validate {
            Some(v) => (v.0)(raw),
            None if raw.is_empty() => Err("an answer is needed".into()),
            None => Ok(raw.to_string()),
        }
    }
}

pub(crate) fn parse_yes_no(s: &str) -> Result<String, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" | "true" | "1" => Ok("yes".into()),
        "n" | "no" | "false" | "0" => Ok("no".into()),
        _ => Err("answer yes or no".into()),
    }
}

/// An answer as the front end gives it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Value(String),
    /// The user wants to stop here (resume later).
    Quit,
    /// Nobody can answer (e.g. `--yes` and no default): why, naming the flag.
    Unanswerable(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_accept_value_or_number() {
        let q = Question::choice(
            "py",
            "Which?",
            vec![("a".into(), "A".into()), ("b".into(), "B".into())],
        );
        assert_eq!(q.accept("b"), Ok("b".into()));
        assert_eq!(q.accept("1"), Ok("a".into()));
        assert!(q.accept("3").unwrap_err().contains("choose one of: a, b"));
    }

    #[test]
    fn yes_no_normalises() {
        let q = Question::yes_no("git", "Init?", true);
        assert_eq!(q.accept("Y"), Ok("yes".into()));
        assert_eq!(q.accept("no"), Ok("no".into()));
        assert!(q.accept("maybe").is_err());
    }
}
