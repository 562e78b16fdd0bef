"""The CSV import kit: the decoding, header matching, line numbering and date reading every
import shares (the Ofsted import and the SSDA903 return use it)."""

import io
from datetime import date

import pytest

from dps.csv_import import (
    FileProblem,
    RowError,
    decode,
    header_key,
    match_columns,
    parse_date,
    records,
    text_stream,
)

FORMATS = ("%d/%m/%Y", "%Y-%m-%d")


def test_it_reads_utf8_with_or_without_a_byte_order_mark():
    assert decode("URN,Name\n1,Café\n".encode()) == "URN,Name\n1,Café\n"
    assert decode(b"\xef\xbb\xbfURN\n") == "URN\n"


def test_it_refuses_a_file_saved_in_another_encoding_naming_the_line():
    with pytest.raises(FileProblem) as refused:
        decode("URN\n1\nCafé\n".encode("cp1252"), "The header file")
    assert refused.value.message == (
        "The header file is not UTF-8 (line 3 has a character saved another way, as Excel's "
        "Windows-1252 or Latin-1 “CSV” does): save it as CSV UTF-8 (comma delimited) and "
        "upload it again."
    )


def test_it_refuses_utf16_and_empty_files():
    with pytest.raises(FileProblem, match=r"^The file is saved as UTF-16"):
        decode("URN\n".encode("utf-16"))
    with pytest.raises(FileProblem, match=r"^The episodes file is empty\.$"):
        decode(b"\xef\xbb\xbf \n", "The episodes file")


def test_a_large_file_is_read_lazily_replacing_what_is_not_utf8():
    stream = text_stream(io.BytesIO(b"\xef\xbb\xbfURN\nCaf\xe9\n"))
    assert stream.read() == "URN\nCaf\ufffd\n"
    already_text = io.StringIO("URN\n")
    assert text_stream(already_text) is already_text


def test_each_record_has_the_lines_it_starts_and_ends_on():
    text = 'a,b\n1,"two\nlines"\n3,4\n'
    found = [(r.line, r.end_line, r.cells) for r in records(io.StringIO(text, newline=""))]
    assert found == [(1, 1, ["a", "b"]), (2, 3, ["1", "two\nlines"]), (4, 4, ["3", "4"])]


def test_a_record_that_is_not_csv_is_reported_and_reading_goes_on():
    text = "a,b\n1," + "x" * 200_000 + "\n3,4\n"  # a value beyond the csv module's limit
    found = list(records(io.StringIO(text, newline="")))
    assert (found[1].line, found[1].cells) == (2, None)
    assert found[1].error == "field larger than field limit (131072)"
    assert (found[2].line, found[2].cells) == (3, ["3", "4"])


def test_headers_match_ignoring_case_spaces_underscores_and_hyphens():
    assert header_key("\ufeffProvider_URN ") == "provider urn"
    assert header_key("Latest-full  inspection date") == "latest full inspection date"
    assert header_key("mc_dob", joiner="") == "mcdob"


def test_a_column_is_found_by_its_first_name_present_and_its_first_cell():
    names = {"urn": ("urn", "provider urn"), "rating": ("overall effectiveness",)}
    cells = ["Provider URN", "URN", "Overall_Effectiveness", "urn"]
    assert match_columns(cells, names) == {"urn": 1, "rating": 2}
    assert match_columns(["Name"], names) == {}


def test_dates_are_read_in_the_formats_given_and_blank_is_none():
    assert parse_date(" 01/04/2024 ", FORMATS) == date(2024, 4, 1)
    assert parse_date("2024-04-01", FORMATS) == date(2024, 4, 1)
    assert parse_date("  ", FORMATS) is None
    assert parse_date(None, FORMATS) is None


def test_a_time_after_the_date_is_ignored_only_when_allowed():
    assert parse_date("01/04/2024 00:00", FORMATS, time_suffix=True) == date(2024, 4, 1)
    with pytest.raises(RowError, match=r"^Unreadable date “01/04/2024 00:00”\.$"):
        parse_date("01/04/2024 00:00", FORMATS)


def test_an_unreadable_date_is_refused_with_the_imports_own_message():
    with pytest.raises(RowError) as refused:
        parse_date("31/02/2024", FORMATS, error="Unrecognised inspection date “{text}”.")
    assert str(refused.value) == "Unrecognised inspection date “31/02/2024”."
