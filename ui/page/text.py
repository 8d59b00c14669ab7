"""Text a person supplied (a link's values, a file's name, header and cells), shown inertly.

Streamlit renders markdown in every message, caption and label: a value like
``![x](http://host/x.png)`` or ``$\\href{...}$`` would become a live image, link or formula. So text that
did not come from us is either fenced in a code span (``inert``) or has every markdown and LaTeX
character escaped (``plain``, for whole messages that quote such text).
"""
import re

MARKDOWN = set("\\`*_{}[]()<>#+-.!|~:$&=\"'")


ZWSP = "\u200b"     # invisible; breaks the patterns GFM turns into links on its own


def plain(text):
    """``text`` shown as itself: every markdown/LaTeX punctuation mark is backslash-escaped (rendered
    as the mark itself), and bare URLs, www. names and e-mail addresses, which GFM links even when
    escaped, are broken by a zero-width space."""
    text = re.sub(r"(?i)(https?|ftp)(:)", r"\1" + ZWSP + r"\2", str(text))
    text = re.sub(r"(?i)\b(www)\.", r"\1" + ZWSP + ".", text).replace("@", ZWSP + "@")
    return "".join("\\" + c if c in MARKDOWN else c for c in text)


def inert(text):
    """``text`` in a code span whose fence is longer than any run of backticks inside it."""
    text = str(text).replace("\n", " ")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"
