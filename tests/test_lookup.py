"""Go-to lookups: what the user pasted, as the MLflow searches that find it."""

from __future__ import annotations

from mltui.lookup import Lookup, lookup_filters, parse_lookup, quote


def test_lookup_parsing_and_filters():
    lookup = parse_lookup("invocation_id=71f3f3199ea5e1f0")
    assert (lookup.key, lookup.value) == ("invocation_id", "71f3f3199ea5e1f0")
    assert lookup_filters(lookup) == [
        "params.`invocation_id` = '71f3f3199ea5e1f0'",
        "tags.`invocation_id` = '71f3f3199ea5e1f0'",
    ]
    bare = parse_lookup("  it's  ")
    assert not bare.maybe_run_id
    assert lookup_filters(bare)[0] == "params.invocation_id = 'it\\'s'"
    assert parse_lookup("0123456789abcdef0123456789ABCDEF").maybe_run_id


def test_prefixes_and_quotes_around_the_value_are_dropped():
    assert parse_lookup("params.model='llama'") == Lookup("params.model='llama'", "model", "llama")
    assert parse_lookup(' tags.stage = "prod" ').key == "stage"
    assert parse_lookup(' tags.stage = "prod" ').value == "prod"


def test_text_that_is_not_key_value_stays_bare():
    for text in ("=x", "k=", "two words=x", "plain"):
        lookup = parse_lookup(text)
        assert lookup.key is None and lookup.text == text.strip()


def test_a_run_id_is_a_bare_32_hex_value():
    assert parse_lookup("0123456789abcdef0123456789abcdef").maybe_run_id
    assert not parse_lookup("0123456789abcdef0123456789abcde").maybe_run_id
    assert not parse_lookup("0123456789abcdef0123456789abcdeg").maybe_run_id
    assert not parse_lookup("run=0123456789abcdef0123456789abcdef").maybe_run_id


def test_quote_escapes_backslashes_before_quotes():
    assert quote("a\\'b") == "'a\\\\\\'b'"
    assert lookup_filters(parse_lookup("k=it's"))[1] == "tags.`k` = 'it\\'s'"
