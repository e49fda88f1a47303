from decimal import Decimal

from courses.importers.gift import GAP, parse_gift
from courses.models import QuestionKind
from courses.services.questions import OptionDraft


def only(text):
    result = parse_gift(text)
    assert result.errors == []
    assert len(result.questions) == 1
    return result.questions[0]


def test_single_choice_with_title_format_and_per_answer_feedback():
    q = only("::Q1:: [markdown]What is 2+2? {=4 # right ~3 #too small ~5}")
    assert q.kind == QuestionKind.SINGLE
    assert q.title == "Q1"
    assert q.text == "What is 2+2?"
    assert q.options == [
        OptionDraft("4", True, "right"),
        OptionDraft("3", False, "too small"),
        OptionDraft("5", False, ""),
    ]
    assert q.partial_credit is False
    assert q.line == 1


def test_weights_give_multiple_choice_with_partial_credit():
    q = only("Which are prime? {~%50%2 ~%50%3 ~%-100%4 ~%-100%9}")
    assert q.kind == QuestionKind.MULTIPLE
    assert q.partial_credit is True
    assert [(o.text, o.is_correct) for o in q.options] == [
        ("2", True),
        ("3", True),
        ("4", False),
        ("9", False),
    ]


def test_several_right_answers_without_weights_give_all_or_nothing_multiple_choice():
    q = only("Linear structures? {=stack =queue ~tree}")
    assert q.kind == QuestionKind.MULTIPLE
    assert q.partial_credit is False
    assert q.correct_count == 2


def test_true_false_in_all_spellings():
    assert [
        q.correct_true for q in parse_gift("A {T}\n\nB {F}\n\nC {TRUE}\n\nD {FALSE}").questions
    ] == [
        True,
        False,
        True,
        False,
    ]
    q = only("A stack is LIFO. {T#No, it is.#Right.}")
    assert q.kind == QuestionKind.TRUE_FALSE
    assert q.text == "A stack is LIFO."
    assert q.feedback == "No, it is.\nRight."


def test_only_equals_gives_fill_in_the_blank_with_every_accepted_answer():
    q = only("The LIFO structure is a {=stack =a stack} in memory.")
    assert q.kind == QuestionKind.FILL_BLANK
    assert q.accepted_answers == ["stack", "a stack"]
    assert q.text == f"The LIFO structure is a {GAP} in memory."


def test_numeric_with_and_without_tolerance():
    pi = only("Pi to two places? {#3.14:0.01}")
    assert (pi.kind, pi.numeric_answer, pi.tolerance) == (
        QuestionKind.NUMERIC,
        Decimal("3.14"),
        Decimal("0.01"),
    )
    ten = only("log2(1024) = ? {#10}")
    assert (ten.numeric_answer, ten.tolerance) == (Decimal("10"), Decimal("0"))
    eq = only("Half of 21? {#=10.5:0.5#well done}")
    assert (eq.numeric_answer, eq.tolerance, eq.feedback) == (
        Decimal("10.5"),
        Decimal("0.5"),
        "well done",
    )


def test_essay_becomes_short_answer():
    q = only("Explain amortised analysis. {}")
    assert q.kind == QuestionKind.SHORT_ANSWER
    assert q.text == "Explain amortised analysis."


def test_escaped_characters_are_literal():
    q = only(r"In C, a\{i\} \= 1 \~ 2 \# 3 \: 4? {=x\=y \#1 ~p\~q ~a\\b}")
    assert q.text == "In C, a{i} = 1 ~ 2 # 3 : 4?"
    assert [o.text for o in q.options] == ["x=y #1", "p~q", "a\\b"]


def test_comments_categories_blank_lines_and_multiline_questions():
    text = (
        "// a comment\n"
        "$CATEGORY: $course$/DS\n"
        "\n"
        "::A::First\n"
        "line {\n"
        "  =yes\n"
        "  ~no\n"
        "}\n"
        "// between\n"
        "\n\n"
        "Second {T}\n"
    )
    result = parse_gift(text)
    assert result.errors == []
    assert [(q.title, q.text, q.line) for q in result.questions] == [
        ("A", "First\nline", 4),
        ("", "Second", 12),
    ]


def test_general_feedback_and_html_prefix():
    q = only("[html]<p>Pick</p> {=a ~b ####Because a.}")
    assert q.text == "<p>Pick</p>"
    assert q.feedback == "Because a."


def test_arrow_in_a_choice_with_wrong_answers_is_text():
    q = only("Next node? {=p->next ~p.next}")
    assert [o.text for o in q.options] == ["p->next", "p.next"]


def errors(text):
    return [(e.line, e.message) for e in parse_gift(text).errors]


def test_matching_is_refused_on_its_line():
    assert errors("Fine {T}\n\nMatch these\n{=a -> 1\n=b -> 2}") == [
        (4, "Matching questions (“->”) are not supported; use choice questions.")
    ]


def test_numeric_range_is_refused_on_its_line():
    assert errors("\n\nRange? {#1..5}") == [(3, "Numeric ranges (“min..max”) are not supported.")]


def test_missing_and_unclosed_answer_blocks_name_their_lines():
    assert errors("No answers here\n\nOpen {=a\n~b\n") == [
        (1, "No answer block: a question needs its answers between “{” and “}”."),
        (3, "The answer block opened with “{” is not closed with “}”."),
    ]


def test_two_questions_without_blank_line_are_refused_at_the_second_block():
    assert errors("One {T}\nTwo {F}") == [
        (2, "A second answer block: separate questions with a blank line.")
    ]


def test_bad_numbers_and_text_before_first_answer():
    assert errors("N {#abc}\n\nM {#5:x}\n\nP {oops =a ~b}") == [
        (1, "“abc” is not a number."),
        (3, "“x” is not a number."),
        (
            5,
            "Each answer must start with “=” (right) or “~” (wrong); “oops” does not. "
            "Write “\\=”, “\\~” or “\\#” for literal characters.",
        ),
    ]


def test_unclosed_title_and_empty_answer():
    assert errors("::T Title {T}\n\nQ {=a ~ ~b}") == [
        (1, "The title opened with “::” is not closed with “::”."),
        (3, "An answer after “~” is empty."),
    ]


def test_weights_on_fill_in_the_blank_are_refused():
    assert errors("Q {=%50%a =b}") == [
        (1, "Weights are not supported for fill-in-the-blank answers.")
    ]


def test_error_in_one_question_keeps_the_others_parsed():
    result = parse_gift("A {T}\n\nB {#1..2}\n\nC {F}")
    assert [q.text for q in result.questions] == ["A", "C"]
    assert [e.line for e in result.errors] == [3]
