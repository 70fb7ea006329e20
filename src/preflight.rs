//! TODO(preflight helper): ACT's requirement checks, run locally.
