//! TODO(pyproject helper): reads and edits pyproject.toml with toml_edit.
