//! What official Arcaflow plugins are held to, in one place: the SDK's name
//! and release line, the Python range of the official build images. Every
//! journey, check and probe reads these; none writes its own copy.

use crate::version::Version;

/// The oldest Python a plugin can use: the official images run 3.9.
pub(crate) const MIN_PYTHON: Version = Version::new(3, 9, 0);
/// The SDK's name on PyPI.
pub const SDK_NAME: &str = "arcaflow-plugin-sdk";
/// The name the 2023 guide uses, which does not exist on PyPI.
pub const SDK_WRONG_NAME: &str = "arcaflow-plugin-sdk-python";
/// The SDK constraint every official plugin locks: 0.14.3 is the last release for
/// Python `>=3.9,<4.0` (0.14.4 and 0.14.5 need Python >= 3.12).
pub const SDK_CONSTRAINT: &str = "^0.14.3";
/// The last SDK release that supports Python below 3.12.
pub const SDK_LAST_FOR_PY39: &str = "0.14.3";
/// The Python range of the official images and the SDK, in Poetry's form.
pub const PYTHON_CONSTRAINT: &str = "^3.9";
/// The same range in PEP 440 form, for `requires-python`.
pub const PYTHON_CONSTRAINT_PEP440: &str = ">=3.9,<4.0";
