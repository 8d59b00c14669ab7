"""Pieces every page shares: readings' boxes, code expanders, downloads, errors, inert user text."""
