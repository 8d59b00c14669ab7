"""What a person reads from a markdown source: backslash escapes resolved (ui.page.text.plain adds them)."""
import re


def shown(md):
    return re.sub(r"\\(.)", r"\1", md)
