from ui.controls.params import Choice, Slider, from_url, url_notices

SPECS = (Slider("seq_len", "Sequence length T", 2, 1000, 100),
         Slider("rho", "Spectral radius", 0.05, 2.0, 0.9, 0.05),
         Choice("act", "Activation", ("tanh", "relu"), "tanh"))


def test_good_links_parse_to_typed_values():
    assert from_url(SPECS, {"seq_len": "250", "rho": "1.5", "act": "relu"}) == \
        {"seq_len": 250, "rho": 1.5, "act": "relu"}
    assert isinstance(from_url(SPECS, {"seq_len": "250"})["seq_len"], int)


def test_bad_links_fall_back_to_defaults_with_a_notice_each():
    query = {"seq_len": "abc", "rho": "9", "act": "<script>", "zzz": "1", "controls": "hidden"}
    assert from_url(SPECS, query) == {"seq_len": 100, "rho": 0.9, "act": "tanh"}
    notes = url_notices(SPECS, query)
    assert len(notes) == 4
    assert "`abc` is not a number" in notes[0] and "`9` is outside 0.05 to 2" in notes[1]
    assert "`<script>` is not one of tanh, relu" in notes[2] and "`zzz` is not a setting" in notes[3]


def test_fractional_value_for_a_whole_number_is_refused():
    assert "not a whole number" in url_notices(SPECS, {"seq_len": "10.5"})[0]


def test_user_text_in_a_notice_is_fenced_even_with_backticks():
    notes = url_notices(SPECS, {"a`b": "1", "seq_len": "``![x](http://e/x.png)"})
    assert notes[0].startswith("``a`b``")                      # fence longer than the run inside
    assert "``` ``![x](http://e/x.png) ``` is not a number" in notes[1]


def test_plain_text_escapes_markdown_and_breaks_autolinks():
    from ui.page.text import ZWSP, plain
    md = plain("![x](http://evil.example/a.png) www.evil.example me@evil.example $x$")
    assert "http://" not in md and "www." not in md and "e@" not in md
    assert "\\!\\[x\\]\\(" in md and "\\$x\\$" in md and ZWSP in md
