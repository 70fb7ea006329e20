//! The only module where unsafe code is allowed (Cargo.toml denies it in the
//! rest of the crate). Why there is any: the wizard must call the C library
//! for what std does not offer (process groups, SIGPIPE, terminal echo, access(2),
//! scrubbing a token from the environment block), and the plain front end's
//! indent of child output needs raw stores to keep up with `cat`. Keeping it
//! here means one place to review, each function safe to call.
#![allow(unsafe_code)]

pub mod ffi;
pub mod indent;
