"""Multiple-choice and free-text answers: matched case- and space-insensitively."""

from __future__ import annotations

import re
import string
from collections.abc import Sequence

from tutor.i18n import _

from .dtype_names import canonical
from .expected import ExpectedValueError, as_text
from .normalize import loose_key, normalize_words
from .number_reading import readings
from .verdict import Verdict

#: How PyTorch prints a name: `grad_fn=<MulBackward0>`, `<MulBackward0 object at 0x7f...>`.
_KEYWORD = re.compile(r"\s*[A-Za-z_]\w*\s*=\s*(?P<rest>.+)", re.DOTALL)
_OBJECT = re.compile(r"\s*<\s*(?P<name>[\w.]+)(?:\s+object\s+at\s+0x[0-9a-f]+)?\s*>\s*",
                     re.IGNORECASE)
#: A remark in brackets after the answer: "context length (1024)".
_REMARK = re.compile(r"\s*\([^()]*\)\s*$")
_LABEL = re.compile(r"(?:option|choice|answer)?\s*(?P<label>[a-z]|\d{1,3})", re.ASCII)
#: Words for a truth value, in English and Kiswahili: `no` picks the choice "False" (or
#: "Hapana"), `yes` the choice "True" (or "Ndiyo").
_TRUTH = {**dict.fromkeys(("true", "yes", "ndiyo", "ndio", "kweli"), True),
          **dict.fromkeys(("false", "no", "hapana", "uongo", "si kweli"), False)}


def _choice_form(count: int) -> str:
    last = string.ascii_lowercase[min(count, 26) - 1]
    return _("Type a letter (a–{last}), a number (1–{count}) or the text of a choice.").format(
        last=last, count=count)


def _numeric_choice_form(count: int) -> str:
    last = string.ascii_lowercase[min(count, 26) - 1]
    return _("These choices are numbers: type a letter (a–{last}) or the number a choice "
             "shows.").format(last=last)


def numeric_choices(choices: Sequence[str]) -> bool:
    """Whether some choice reads as a number: then a typed number means that value, never a
    position (with choices 0.5, 1 and 2, `2` is the choice "2", and `3` is no choice)."""
    return any(_numbers(choice) for choice in choices)


def choice_index(answer: str, choices: list[str]) -> int | None:
    """The 0-based choice meant by `answer`: its text first, then a letter or 1-based number
    (a letter only, where the choices are numbers)."""
    key = normalize_words(answer)
    texts = [normalize_words(choice) for choice in choices]
    if key in texts:
        return texts.index(key)
    loose = [loose_key(choice) for choice in choices]
    if key and loose.count(loose_key(answer)) == 1:
        return loose.index(loose_key(answer))
    same = _same_number(answer, choices)
    if same is not None:
        return same
    dtype = canonical(answer)
    dtypes = [canonical(choice) for choice in choices]
    if dtype is not None and dtypes.count(dtype) == 1:
        return dtypes.index(dtype)  # `torch.float16`, `half` or `fp16` for the choice "float16"
    truth = _TRUTH.get(key)
    meaning = [_TRUTH.get(text) for text in texts]
    if truth is not None and meaning.count(truth) == 1:
        return meaning.index(truth)
    label = _LABEL.fullmatch(key)
    if not label:
        return None
    mark = label["label"]
    if mark.isdigit() and numeric_choices(choices):
        return None
    index = int(mark) - 1 if mark.isdigit() else string.ascii_lowercase.index(mark)
    return index if 0 <= index < len(choices) else None


def _numbers(text: str) -> set[object]:
    """The values `text` reads as a number (never as a truth value)."""
    return {typed.fraction for typed in readings(text) if typed.boolean is None and typed.finite}


def _same_number(answer: str, choices: list[str]) -> int | None:
    """The one choice that is a number equal to the typed one (`2.0` picks "2"), or None."""
    typed = _numbers(answer)
    if not typed:
        return None
    same = [i for i, choice in enumerate(choices) if typed & _numbers(choice)]
    return same[0] if len(same) == 1 else None


def _label(index: int) -> str:
    letter = string.ascii_lowercase[index] if index < 26 else str(index + 1)
    return f"({letter})"


def grade_choice(answer: str, expected: object, choices: list[str] | None) -> Verdict:
    """Right when the chosen option's text is the computed one."""
    if not choices:
        raise ExpectedValueError("a choice quiz needs its list of choices")
    target = normalize_words(as_text(expected) or "")
    texts = [normalize_words(choice) for choice in choices]
    if target not in texts:
        raise ExpectedValueError(f"the computed answer {expected!r:.80} is not one of the choices")
    index = choice_index(answer, choices)
    if index is None:
        return Verdict.unparseable(_numeric_choice_form(len(choices)) if numeric_choices(choices)
                                   else _choice_form(len(choices)))
    chosen = f"{_label(index)} {choices[index]}"
    if texts[index] == target:
        return Verdict.right(_("Correct: {value}.").format(value=chosen), choices[index])
    return Verdict.wrong(_("You chose {choice}; that is not it.").format(choice=chosen),
                         choices[index])


def in_quiz_language(value: object, choices: Sequence[str], answer_choices: Sequence[str]
                     ) -> object:
    """A computed choice in the language of the quiz: in a translation (`answer_choices` are
    the English choices) the translated choice at the English one's position."""
    if not answer_choices or not isinstance(value, str) or len(answer_choices) != len(choices):
        return value
    text = as_text(value)
    if text is None:
        return value
    english = [normalize_words(choice) for choice in answer_choices]
    key = normalize_words(text)
    return choices[english.index(key)] if key in english else value




def _printed_forms(answer: str) -> list[str]:
    """Other readings of a text answer: the name inside PyTorch's printed forms, and the answer
    without a remark in brackets after it."""
    forms = []
    keyword = _KEYWORD.fullmatch(answer)
    rest = keyword["rest"] if keyword else answer
    printed = _OBJECT.fullmatch(rest)
    if printed:
        forms.append(printed["name"])
    elif keyword:
        forms.append(rest)
    without = _REMARK.sub("", answer)
    if without.strip() and without != answer:
        forms.append(without)
    return forms


def grade_text(answer: str, expected: object, accept: list[str] | None) -> Verdict:
    """Right when the answer is one of the accepted strings, ignoring case, spacing and
    surrounding punctuation."""
    computed = as_text(expected)
    accepted = [*(accept or []), *([computed] if computed is not None else [])]
    keys = {normalize_words(text) for text in accepted} - {""}
    if not keys:
        raise ExpectedValueError("a text quiz needs an answer or an 'accept' list")
    key = normalize_words(answer)
    if not key:
        return Verdict.unparseable(_("Type a word or a short phrase."))
    for form in (answer, *_printed_forms(answer)):
        shown = next((text for text in accepted if normalize_words(text) == normalize_words(form)),
                     None)
        if shown is None:
            shown = next((text for text in accepted if loose_key(text) == loose_key(form)), None)
        if shown is not None:
            return Verdict.right(_("Correct: {value}.").format(value=shown.strip()), key)
    return Verdict.wrong(_("Not one of the accepted answers (compared ignoring case, spacing, "
                           "dashes and surrounding punctuation)."), key)

