"""A page's controls declared once: widgets, URL schema, presets, uploads."""
