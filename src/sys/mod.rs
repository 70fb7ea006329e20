//! The only module where unsafe code is allowed (Cargo.toml denies it in the
//! rest of the crate). Why there is any: the wizard must call the C library
//! for what std does not offer (process groups, SIGPIPE, terminal echo, access(2),
//! scrubbing a token from the environment block). Keeping it here means one
//! place to review, each function safe to call. (The plain front end's indent
//! was here too, in SSE2; a safe `memchr` loop in exec/lines.rs keeps the
//! throughput target, so it went.)
#![allow(unsafe_code)]

pub mod ffi;
