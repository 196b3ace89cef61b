import pytest

from dinogen.corpus import read_names, split_held_out
from dinogen.errors import DinogenError
from dinogen.vocab import Vocabulary


def write(tmp_path, data: bytes, name="names.txt"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"\r"])
def test_every_line_ending_gives_the_same_examples(tmp_path, ending):
    corpus = read_names(write(tmp_path, ending.join([b"Abc", b"Bd", b"Ce"]) + ending))
    assert corpus.names == ("abc", "bd", "ce")
    assert corpus.blank_lines == 0


def test_byte_order_mark_is_not_a_symbol(tmp_path):
    corpus = read_names(write(tmp_path, b"\xef\xbb\xbfab\nba\n"))
    assert corpus.names == ("ab", "ba")
    assert corpus.vocab.symbols == ("\n", "a", "b")


def test_blank_and_whitespace_lines_are_skipped_and_counted(tmp_path):
    corpus = read_names(write(tmp_path, b"ab\n\n  \t\nba\r\n \r\nc\n"))
    assert corpus.names == ("ab", "ba", "c")
    assert corpus.blank_lines == 3
    assert corpus.line_numbers == (1, 4, 6)


def test_lower_cased_by_default_and_case_kept_on_request(tmp_path):
    path = write(tmp_path, b"Tyrannosaurus\nREX\n")
    assert read_names(path).names == ("tyrannosaurus", "rex")
    kept = read_names(path, lowercase=False)
    assert kept.names == ("Tyrannosaurus", "REX")
    assert "T" in kept.vocab and "t" not in kept.vocab


def test_every_code_point_is_one_symbol(tmp_path):
    # "e" + COMBINING ACUTE stays two symbols; the emoji is one.
    text = "ébé\ne\u0301\n🦖rex\n"
    corpus = read_names(write(tmp_path, text.encode()))
    assert corpus.names == ("ébé", "e\u0301", "🦖rex")
    assert corpus.vocab.symbols == (
        "\n", "b", "e", "r", "x", "\u00e9", "\u0301", "🦖",
    )


def test_not_utf8_names_the_file_and_byte_offset(tmp_path):
    path = write(tmp_path, b"abc\nd\xe9f\n", name="latin1.txt")
    with pytest.raises(DinogenError, match=r"latin1\.txt: not UTF-8.*offset 5"):
        read_names(path)


@pytest.mark.parametrize("data", [b"", b"\n\n  \r\n"])
def test_empty_or_blank_file_fails_before_training(tmp_path, data):
    with pytest.raises(DinogenError, match="no examples"):
        read_names(write(tmp_path, data))


def test_missing_file_is_named(tmp_path):
    with pytest.raises(DinogenError, match="nope.txt: no such file"):
        read_names(tmp_path / "nope.txt")


def test_vocabulary_is_sorted_with_end_symbol_first(tmp_path):
    # "\t" sorts before "\n"; the end symbol must still come first.
    corpus = read_names(write(tmp_path, b"z\ta\nb\n"))
    assert corpus.vocab.symbols == ("\n", "\t", "a", "b", "z")
    assert corpus.vocab.index("\n") == 0


def test_dinosaur_vocabulary_matches_the_course(dinos_path):
    corpus = read_names(dinos_path)
    assert len(corpus.names) == 1536
    assert "".join(corpus.vocab.symbols) == "\nabcdefghijklmnopqrstuvwxyz"


def test_every_tenth_line_of_the_file_is_held_out(tmp_path):
    lines = [f"n{chr(97 + i % 26)}{i}" for i in range(1, 26)]
    lines[4] = ""  # a blank line still counts as a line of the file
    corpus = read_names(write(tmp_path, "\n".join(lines).encode()))
    train, held_out = split_held_out(corpus)
    assert held_out == [lines[9], lines[19]]
    assert len(train) == 22


def test_vocabulary_rejects_a_missing_end_symbol():
    with pytest.raises(DinogenError):
        Vocabulary(("a", "\n"))
