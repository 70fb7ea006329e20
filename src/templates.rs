//! TODO(templates helper): renders the files under assets/ with the plugin's names.
