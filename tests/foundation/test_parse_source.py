"""Getting text out of a file: encodings, line endings, binary files, sizes, formats."""

from __future__ import annotations

import codecs

import pytest

from reviewer.errors import InputError
from reviewer.parse import MAX_INPUT_BYTES, detect_format, read_okr_file, read_okr_text

OKRS = "Objective: Faster CI\nCut p50 CI time from 12 to 8 minutes\nKeep flaky reruns under 2%\n"


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def texts(okr_set) -> list[tuple[str, int]]:
    return [(kr.text, kr.location.line) for _, kr in okr_set.key_results()]


EXPECTED = [("Cut p50 CI time from 12 to 8 minutes", 2), ("Keep flaky reruns under 2%", 3)]


@pytest.mark.parametrize(
    "data",
    [
        OKRS.encode("utf-8"),
        codecs.BOM_UTF8 + OKRS.encode("utf-8"),
        OKRS.encode("utf-16"),  # with a BOM, in the machine's byte order
        codecs.BOM_UTF16_BE + OKRS.encode("utf-16-be"),
        codecs.BOM_UTF16_LE + OKRS.encode("utf-16-le"),
        codecs.BOM_UTF32_LE + OKRS.encode("utf-32-le"),
        OKRS.replace("\n", "\r\n").encode("utf-8"),
        OKRS.replace("\n", "\r").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "utf16", "utf16-be", "utf16-le", "utf32-le", "crlf", "cr"],
)
def test_encodings_and_line_endings_read_the_same(tmp_path, data):
    okr_set = read_okr_file(write(tmp_path, "okrs.txt", data))
    assert texts(okr_set) == EXPECTED
    assert okr_set.objectives[0].text == "Faster CI"


def test_crlf_yaml_keeps_lines(tmp_path):
    yaml_text = (
        "objectives:\r\n  - objective: A\r\n    key_results:\r\n      - Cut x from 3 to 2\r\n"
    )
    okr_set = read_okr_file(write(tmp_path, "okrs.yaml", yaml_text.encode()))
    assert texts(okr_set) == [("Cut x from 3 to 2", 4)]


@pytest.mark.parametrize(
    ("name", "data", "message", "line"),
    [
        ("empty.yaml", b"", "file is empty", None),
        ("blank.md", b"  \n\n\t\n", "file is empty", None),
        ("image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks like a binary file", 3),
        ("sheet.txt", b"PK\x03\x04\x14\x00\x06\x00", "looks like a binary file", 1),
        ("latin1.txt", "Objective: A\nRéduire x\n".encode("latin-1"), "is not valid UTF-8 text", 2),
        (
            "broken16.txt",
            codecs.BOM_UTF16_LE + b"A\x00\x00\xd8",
            "is not valid UTF-16-LE text",
            None,
        ),
    ],
)
def test_unreadable_bytes_are_input_errors(tmp_path, name, data, message, line):
    path = write(tmp_path, name, data)
    with pytest.raises(InputError) as caught:
        read_okr_file(path)
    assert message in caught.value.detail
    assert caught.value.line == line
    assert caught.value.file == str(path)
    assert caught.value.hint


def test_size_limit_is_checked_before_reading(tmp_path):
    path = write(tmp_path, "big.txt", b"Cut x by 1%\n" * 200)
    assert read_okr_file(path, max_bytes=4096)  # under the limit
    with pytest.raises(InputError) as caught:
        read_okr_file(path, max_bytes=1024)
    assert "file is too large" in caught.value.detail
    assert MAX_INPUT_BYTES == 5 * 1024 * 1024


def test_paste_size_limit_and_nul_characters():
    with pytest.raises(InputError, match="too large"):
        read_okr_text("x" * 2000, max_bytes=1000)
    with pytest.raises(InputError, match="binary data"):
        read_okr_text("Cut x\x00 by 3%")
    with pytest.raises(InputError, match="lone surrogate") as caught:
        read_okr_text("Objective: A\nCut x \ud800 by 3%", input_format="yaml")
    assert caught.value.line == 2


def test_control_characters_become_spaces_in_every_format():
    okr_set = read_okr_text("Objective: A\nCut \x1b[31mred\x07 latency by 3%\x0c\n")
    assert okr_set.objectives[0].key_results[0].text == "Cut  [31mred  latency by 3%"
    yaml_set = read_okr_text(
        'objectives: [{objective: A, key_results: ["Cut \x1b[2J latency by 3%"]}]',
        input_format="yaml",
    )
    assert yaml_set.objectives[0].key_results[0].text == "Cut  [2J latency by 3%"


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        ("a.yaml", "yaml"),
        ("a.YML", "yaml"),
        ("a.json", "yaml"),
        ("a.md", "markdown"),
        ("a.markdown", "markdown"),
        ("a.csv", "csv"),
        ("a.txt", "text"),
        ("-", "text"),
    ],
)
def test_format_from_extension(path, fmt):
    assert detect_format(path) == fmt


def test_unknown_extension_needs_input_format(tmp_path):
    path = write(tmp_path, "okrs.docx", OKRS.encode())
    with pytest.raises(InputError) as caught:
        read_okr_file(path)
    assert "cannot tell the format" in caught.value.detail
    assert "--input-format" in caught.value.hint
    assert texts(read_okr_file(path, input_format="text")) == EXPECTED


def test_input_format_override_and_unknown_format(tmp_path):
    path = write(tmp_path, "okrs.txt", b"- objective: A\n  key_results: [Cut x from 3 to 2]\n")
    assert read_okr_file(path, input_format="yaml").objectives[0].text == "A"
    with pytest.raises(InputError, match="unknown input format 'xml'"):
        read_okr_file(path, input_format="xml")


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(InputError) as caught:
        read_okr_file(tmp_path / "nope.yaml")
    assert caught.value.detail == "no such file"
    folder = tmp_path / "dir.yaml"
    folder.mkdir()
    with pytest.raises(InputError, match="is a folder"):
        read_okr_file(folder)
