from courses.importers.aiken import parse_aiken
from courses.models import QuestionKind
from courses.services.questions import OptionDraft

GOOD = """Which structure is last in, first out?
A. Queue
B) Stack
C. Heap
ANSWER: B

哪种结构是先进先出？
A) 栈
B) 队列
ANSWER: B
Next question without a blank line
A. yes
B. no
ANSWER: a
"""


def test_questions_options_and_answers_are_parsed():
    result = parse_aiken(GOOD)
    assert result.errors == []
    assert [(q.kind, q.text, q.line) for q in result.questions] == [
        (QuestionKind.SINGLE, "Which structure is last in, first out?", 1),
        (QuestionKind.SINGLE, "哪种结构是先进先出？", 7),
        (QuestionKind.SINGLE, "Next question without a blank line", 11),
    ]
    assert result.questions[0].options == [
        OptionDraft("Queue", False),
        OptionDraft("Stack", True),
        OptionDraft("Heap", False),
    ]
    assert [o.is_correct for o in result.questions[2].options] == [True, False]


def errors(text):
    return [(e.line, e.message) for e in parse_aiken(text).errors]


def test_answer_naming_no_option_is_reported_on_its_line():
    assert errors("Q\nA. 1\nB. 2\nANSWER: D\n") == [
        (4, "“ANSWER: D” must name one of the options A, B.")
    ]


def test_options_out_of_order_are_reported_on_their_line():
    assert errors("Q\nA. 1\nC. 2\nANSWER: A\n") == [
        (3, "Option “C” is out of order: expected “B”.")
    ]


def test_missing_answer_line_is_reported_at_the_question():
    assert errors("Q1\nA. 1\nB. 2\n\nQ2\nA. x\nB. y\nANSWER: A\n\nQ3\nA. 1\nB. 2\n") == [
        (1, "The question has no “ANSWER:” line after its options."),
        (10, "The question has no “ANSWER:” line after its options."),
    ]


def test_answer_without_question_or_options():
    assert errors("ANSWER: A\n\nQ\nANSWER: A\n\nLonely question\n") == [
        (1, "“ANSWER:” without a question before it."),
        (4, "The question has no options (“A.” or “A)”) before “ANSWER:”."),
        (6, "The question has no options and no “ANSWER:” line."),
    ]


def test_a_bad_question_does_not_hide_the_good_ones():
    result = parse_aiken("Q1\nA. 1\nB. 2\nANSWER: Z\n\nQ2\nA. 1\nB. 2\nANSWER: B\n")
    assert [q.text for q in result.questions] == ["Q2"]
    assert [e.line for e in result.errors] == [4]
