//! The choice, after a failure, that gives a refused answer again: its key
//! and words, by what the answer is (the journey names the key).

use crate::journey::release::VERSION_KEY;
use crate::journey::Failure;

/// A choice's key, its short word and the whole choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AgainChoice {
    pub key: char,
    pub word: &'static str,
    pub label: &'static str,
}

/// The choice for `f.ask_again`: another version, or the token again (the
/// only other answers a failure asks again are the upload tokens).
pub(crate) fn again_choice(f: &Failure) -> Option<AgainChoice> {
    Some(match f.ask_again? {
        VERSION_KEY => AgainChoice {
            key: 'v',
            word: "version again",
            label: "Choose another version, then bump, build and upload that one",
        },
        _ => AgainChoice {
            key: 't',
            word: "token again",
            label: "Enter the token again (not shown), then retry",
        },
    })
}
