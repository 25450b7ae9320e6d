"""Go-to lookups: what the user pasted, as the MLflow searches that find it."""

from __future__ import annotations

import lookup_stores
from conftest import settle, table_text
from lookup_stores import BERT_ID, LSTM_ID

from mltui.app import MltuiApp
from mltui.config import Config
from mltui.lookup import Lookup, candidates_text, lookup_filters, matches, narrow, parse_lookup, quote
from mltui.models import Run
from mltui.store import Store
from mltui.widgets.run_list import RunList

twin_prefix_store = lookup_stores.twin_prefix_store  # a shared fixture


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


# -- id prefixes and names -------------------------------------------------------------------


def run(run_id: str, name: str, experiment_id: str = "1", **params: str) -> Run:
    return Run(run_id, name, experiment_id, params=params)


def test_a_hex_prefix_of_4_or_more_digits_is_searched_as_a_run_id_prefix():
    assert parse_lookup("7B81393B").id_prefix == "7b81393b"
    assert parse_lookup("7b8").id_prefix is None, "3 digits are too common to mean an id"
    assert parse_lookup("7b81-x").id_prefix is None
    assert parse_lookup("k=7b81").id_prefix is None
    filters = lookup_filters(parse_lookup("7b81393b"))
    assert filters[0] == "attributes.run_id LIKE '7b81393b%'"
    assert filters[-1] == "attributes.run_name ILIKE '%7b81393b%'"


def test_a_name_is_a_case_insensitive_substring_and_invocation_can_be_left_out():
    assert lookup_filters(parse_lookup("Sentiment"), invocation=False) == ["attributes.run_name ILIKE '%Sentiment%'"]
    lookup = parse_lookup("Sentiment")
    assert matches(lookup, run("a" * 32, "my-SENTIMENT-bert"))
    assert not matches(lookup, run("a" * 32, "sentimen"))


def test_matches_rechecks_what_like_wildcards_let_through():
    lookup = parse_lookup("lr_1")
    assert matches(lookup, run("a" * 32, "LR_1-run"))
    assert not matches(lookup, run("a" * 32, "lrx1"), invocation=False), "_ is a LIKE wildcard, not here"
    assert matches(parse_lookup("abcd1234"), run("abcd1234" + "0" * 24, "x"))
    assert matches(parse_lookup("71f3"), run("b" * 32, "x", invocation_id="71f3"))
    assert not matches(parse_lookup("71f3"), run("b" * 32, "x", invocation_id="71f3"), invocation=False)


def test_narrow_prefers_an_id_prefix_then_a_whole_name():
    a = run("abcd" + "0" * 28, "abcd-run")
    b = run("ffff" + "0" * 28, "Forest")
    c = run("eeee" + "0" * 28, "forest-2")
    assert narrow(parse_lookup("abcd"), [a, b, c]) == [a]
    assert narrow(parse_lookup("forest"), [b, c]) == [b], "a whole name beats a part of one"
    assert narrow(parse_lookup("fore"), [b, c]) == [b, c], "two partial names: ambiguous"


def test_candidates_name_id_run_and_experiment_and_count_the_rest():
    runs = [run(f"{i:032x}", f"[b]run-{i}[/b]", "1") for i in range(25)]
    lines = candidates_text(runs, {"1": "nlp/\x1b[31msentiment"}, limit=20)
    assert lines[0] == "000000000000  [b]run-0[/b]  (nlp/sentiment)"
    assert lines[-1] == "… and 5 more" and len(lines) == 21


async def test_goto_an_8_character_prefix_finds_the_run(twin_prefix_store):
    app = MltuiApp(Store(twin_prefix_store["uri"]), config=Config())
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        await pilot.press("colon", *"7b81393b", "enter")
        await settle(app, pilot)
        runs = app.query_one(RunList)
        assert list(runs.runs) == [BERT_ID]
        assert "1 run in 1 experiment" in str(app.query_one("#run-list-title").render())


async def test_goto_an_ambiguous_prefix_lists_the_candidates(twin_prefix_store):
    app = MltuiApp(Store(twin_prefix_store["uri"]), config=Config())
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        await pilot.press("colon", *"7B81", "enter")
        await settle(app, pilot)
        assert sorted(app.query_one(RunList).runs) == sorted([BERT_ID, LSTM_ID])
        assert "2 runs in 1 experiment" in str(app.query_one("#run-list-title").render())


async def test_goto_a_name_substring_lists_every_match_across_experiments(twin_prefix_store):
    app = MltuiApp(Store(twin_prefix_store["uri"]), config=Config())
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        await pilot.press("colon", *"Sentiment", "enter")
        await settle(app, pilot)
        runs = app.query_one(RunList)
        shown = sorted(row[1].strip() for row in table_text(runs.table)[1:])
        assert shown == ["SENTIMENT_probe", "Sentiment-BERT", "sentiment-lstm"]
        header, *rows = table_text(runs.table)
        assert {row[header.index("Experiment")] for row in rows} == {"nlp/sentiment", "vision"}
        assert "3 runs in 2 experiments" in str(app.query_one("#run-list-title").render())


async def test_store_resolves_references_the_way_the_cli_needs(twin_prefix_store):
    store = Store(twin_prefix_store["uri"], read_only=True)
    ids = twin_prefix_store["ids"]
    assert [r.run_id for r in await store.resolve_run("7b81393b")] == [BERT_ID]
    assert sorted(r.run_id for r in await store.resolve_run("7b81")) == sorted([BERT_ID, LSTM_ID])
    assert [r.run_id for r in await store.resolve_run("RESNET")] == [ids["resnet"]]
    assert [r.run_id for r in await store.resolve_run("sentiment-l")] == [LSTM_ID]
    assert len(await store.resolve_run("sentiment")) == 3
    assert await store.resolve_run("nothing-like-it") == []


def test_parse_tag_reads_key_value_and_refuses_the_rest():
    from mltui.lookup import parse_tag

    assert parse_tag(" reviewed = yes ") == ("reviewed", "yes")
    assert parse_tag("note=a=b") == ("note", "a=b")
    assert parse_tag("reviewed") is None and parse_tag("=yes") is None and parse_tag(None) is None
