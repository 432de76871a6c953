"""What the public pages' scripts and styles ask of a browser: a token scan of their JavaScript (outside its
strings, comments and regular expressions' text, with the regular expressions' own syntax checked) and of their
CSS (outside comments and strings), for the syntax and APIs newer than the oldest browser a page supports
(docs/display.md and docs/kiosk.md, "Browsers"). tests/test_old_browsers.py runs it on the pages' files.

Each feature is named with the first Chromium (and Safari) that has it: a page whose baseline is older finds
it unless it is listed as harmless there (tests/test_old_browsers.py ALLOWED)."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Feature:
    name: str
    chrome: int  # the first Chromium (Chrome, Android WebView) that has it
    safari: str  # and Safari (iOS)


JS = {
    f.name: f
    for f in (
        Feature("optional chaining ?.", 80, "13.1"),
        Feature("nullish coalescing ??", 80, "13.1"),
        Feature("logical assignment ??= ||= &&=", 85, "14"),
        Feature("object rest/spread {...x}", 60, "11.1"),
        Feature("optional catch binding", 66, "11.1"),
        Feature("numeric separator 1_000", 75, "13"),
        Feature("private class member #x", 74, "14.1"),
        Feature("class field", 72, "14"),
        Feature("class static block", 94, "16.4"),
        Feature("dynamic import()", 63, "11.1"),
        Feature("import.meta", 64, "11.1"),
        Feature("regex lookbehind (?<= (?<!", 62, "16.4"),
        Feature("regex named group (?<name>", 64, "11.1"),
        Feature("regex property escape \\p{}", 64, "11.1"),
        Feature("regex flag s", 62, "11.1"),
        Feature("regex flag d", 90, "15"),
        Feature("regex flag v", 112, "17"),
        # methods (a member name after "."): String, Array, Object, Promise, DOM
        Feature(".replaceAll()", 85, "13.1"),
        Feature(".at()", 92, "15.4"),
        Feature(".flat()", 69, "12"),
        Feature(".flatMap()", 69, "12"),
        Feature(".matchAll()", 73, "13"),
        Feature(".finally()", 63, "11.1"),
        Feature(".trimStart() / .trimEnd()", 66, "12"),
        Feature(".findLast() / .findLastIndex()", 97, "15.4"),
        Feature(".toSorted() / .toReversed() / .toSpliced()", 110, "16"),
        Feature("Object.hasOwn()", 93, "15.4"),
        Feature("Object.fromEntries()", 73, "12.1"),
        Feature("Object.groupBy()", 117, "17.4"),
        Feature("Promise.allSettled()", 76, "13"),
        Feature("Promise.any()", 85, "14"),
        Feature(".replaceChildren()", 86, "14"),
        Feature(".toggleAttribute()", 69, "12"),
        Feature(".checkVisibility()", 105, "17.4"),
        Feature("crypto.randomUUID()", 92, "15.4"),
        Feature("AbortSignal.timeout()", 103, "16"),
        # globals
        Feature("structuredClone()", 98, "15.4"),
        Feature("globalThis", 71, "12.1"),
        Feature("queueMicrotask()", 71, "12.1"),
        Feature("WeakRef / FinalizationRegistry", 84, "14.1"),
        Feature("AggregateError", 85, "14"),
        Feature("BigInt", 67, "14"),
        Feature("ResizeObserver", 64, "13.1"),
        Feature("AbortController", 66, "12.1"),
        Feature("requestIdleCallback", 47, "none"),
        Feature("Intl.Segmenter / ListFormat / RelativeTimeFormat / DisplayNames", 71, "14"),
    )
}

MEMBERS = {
    "replaceAll": ".replaceAll()",
    "at": ".at()",
    "flat": ".flat()",
    "flatMap": ".flatMap()",
    "matchAll": ".matchAll()",
    "finally": ".finally()",
    "trimStart": ".trimStart() / .trimEnd()",
    "trimEnd": ".trimStart() / .trimEnd()",
    "findLast": ".findLast() / .findLastIndex()",
    "findLastIndex": ".findLast() / .findLastIndex()",
    "toSorted": ".toSorted() / .toReversed() / .toSpliced()",
    "toReversed": ".toSorted() / .toReversed() / .toSpliced()",
    "toSpliced": ".toSorted() / .toReversed() / .toSpliced()",
    "replaceChildren": ".replaceChildren()",
    "toggleAttribute": ".toggleAttribute()",
    "checkVisibility": ".checkVisibility()",
}
# a member of one object only ("Object.hasOwn"): (object, member) -> feature
QUALIFIED = {
    ("Object", "hasOwn"): "Object.hasOwn()",
    ("Object", "fromEntries"): "Object.fromEntries()",
    ("Object", "groupBy"): "Object.groupBy()",
    ("Promise", "allSettled"): "Promise.allSettled()",
    ("Promise", "any"): "Promise.any()",
    ("crypto", "randomUUID"): "crypto.randomUUID()",
    ("AbortSignal", "timeout"): "AbortSignal.timeout()",
    ("Intl", "Segmenter"): "Intl.Segmenter / ListFormat / RelativeTimeFormat / DisplayNames",
    ("Intl", "ListFormat"): "Intl.Segmenter / ListFormat / RelativeTimeFormat / DisplayNames",
    ("Intl", "RelativeTimeFormat"): "Intl.Segmenter / ListFormat / RelativeTimeFormat / DisplayNames",
    ("Intl", "DisplayNames"): "Intl.Segmenter / ListFormat / RelativeTimeFormat / DisplayNames",
}
GLOBALS = {
    "structuredClone": "structuredClone()",
    "globalThis": "globalThis",
    "queueMicrotask": "queueMicrotask()",
    "WeakRef": "WeakRef / FinalizationRegistry",
    "FinalizationRegistry": "WeakRef / FinalizationRegistry",
    "AggregateError": "AggregateError",
    "BigInt": "BigInt",
    "ResizeObserver": "ResizeObserver",
    "AbortController": "AbortController",
    "requestIdleCallback": "requestIdleCallback",
}

# -- JavaScript tokens --------------------------------------------------------------------------------------

PUNCTUATORS = sorted(
    """>>>= ... === !== **= <<= >>= >>> ??= ||= &&= => == != <= >= && || ?? ?. ++ -- += -= *= /= %= &= |= ^= ** << >>""".split(),
    key=len,
    reverse=True,
)
# after these a "/" starts a regular expression, not a division
EXPRESSION_KEYWORDS = {
    "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield",
    "await",
}  # fmt: skip
NAME = re.compile(r"[A-Za-z_$\u0080-\uffff][\w$\u0080-\uffff]*")
NUMBER = re.compile(r"0[xXoObB][\da-fA-F_]+n?|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?n?")


@dataclass(frozen=True)
class Token:
    kind: str  # "name", "num", "punct", "str", "template", "regex"
    text: str  # a regex: its body; a string or template: its text as written
    line: int
    flags: str = ""  # a regex's flags


class ScanError(ValueError):
    """A file the scan cannot read (an unclosed string, comment or regex): never taken for a clean one."""


def js_tokens(source: str) -> list[Token]:
    """The tokens of a JavaScript source, its comments left out. A template literal's `${...}` is read as code
    (its text parts are "template" tokens); a "/" is a regular expression where an expression may start."""
    out: list[Token] = []
    brackets: list[str] = []  # the open ( [ { and "${" of a template's expression
    i, n, line = 0, len(source), 1

    def regex_may_start() -> bool:
        if not out:
            return True
        last = out[-1]
        if last.kind in ("num", "str", "template", "regex"):
            return False
        if last.kind == "name":
            return last.text in EXPRESSION_KEYWORDS
        return last.text not in (")", "]", "}")

    def template(start: int) -> int:
        """From just past a "`" or the "}" closing a `${`: the text up to the "`" that ends the template or the
        "${" that opens an expression (pushed); the index after it."""
        nonlocal line
        j = start
        while j < n:
            ch = source[j]
            if ch == "\\":
                j += 2
                continue
            if ch == "`":
                out.append(Token("template", source[start:j], line))
                line += source.count("\n", start, j)
                return j + 1
            if source.startswith("${", j):
                out.append(Token("template", source[start:j], line))
                line += source.count("\n", start, j)
                brackets.append("${")
                return j + 2
            j += 1
        raise ScanError(f"line {line}: a template literal is not closed")

    while i < n:
        c = source[i]
        if c == "\n":
            line += 1
            i += 1
        elif c.isspace():
            i += 1
        elif source.startswith("//", i) or (i == 0 and source.startswith("#!")):
            j = source.find("\n", i)
            i = n if j < 0 else j
        elif source.startswith("/*", i):
            j = source.find("*/", i + 2)
            if j < 0:
                raise ScanError(f"line {line}: a comment is not closed")
            line += source.count("\n", i, j)
            i = j + 2
        elif c in "'\"":
            j = i + 1
            while j < n and source[j] != c:
                if source[j] == "\n":
                    raise ScanError(f"line {line}: a string runs past its line")
                j += 2 if source[j] == "\\" else 1
            if j >= n:
                raise ScanError(f"line {line}: a string is not closed")
            out.append(Token("str", source[i + 1 : j], line))
            line += source.count("\n", i, j)  # a line continuation inside it
            i = j + 1
        elif c == "`":
            i = template(i + 1)
        elif c == "/" and regex_may_start():
            j, in_class = i + 1, False
            while True:
                if j >= n or source[j] == "\n":
                    raise ScanError(f"line {line}: a regular expression is not closed")
                ch = source[j]
                if ch == "\\":
                    j += 2
                    continue
                if ch == "[":
                    in_class = True
                elif ch == "]":
                    in_class = False
                elif ch == "/" and not in_class:
                    break
                j += 1
            flags = re.match(r"[A-Za-z]*", source[j + 1 :]).group()
            out.append(Token("regex", source[i + 1 : j], line, flags))
            i = j + 1 + len(flags)
        elif c.isdigit() or (c == "." and i + 1 < n and source[i + 1].isdigit()):
            m = NUMBER.match(source, i)
            out.append(Token("num", m.group(), line))
            i = m.end()
        elif NAME.match(source, i):
            m = NAME.match(source, i)
            out.append(Token("name", m.group(), line))
            i = m.end()
        else:
            p = next((p for p in PUNCTUATORS if source.startswith(p, i)), c)
            if p == "?." and i + 2 < n and source[i + 2].isdigit():
                p = "?"  # a ? .5 : 1
            if p in ("(", "[", "{"):
                brackets.append(p)
            elif p in (")", "]", "}"):
                if not brackets:
                    raise ScanError(f"line {line}: {p!r} closes nothing")
                opened = brackets.pop()
                if opened == "${":
                    if p != "}":
                        raise ScanError(f"line {line}: {p!r} inside a template's ${{}}")
                    i = template(i + 1)
                    continue
                if "([{"[")]}".index(p)] != opened:
                    raise ScanError(f"line {line}: {p!r} closes {opened!r}")
            out.append(Token("punct", p, line))
            i += len(p)
    if brackets:
        raise ScanError(f"{brackets[-1]!r} is not closed")
    return out


def js_features(source: str) -> list[tuple[str, int]]:
    """(feature, line) for every use of a feature of JS in `source`."""
    tokens = js_tokens(source)
    found: list[tuple[str, int]] = []
    stack: list[str] = []  # "(", "[", "{", "class" (a class body's brace)
    class_next = False  # a "class" keyword seen: its body is the next "{"
    for k, tok in enumerate(tokens):
        prev = tokens[k - 1] if k else None
        after = tokens[k + 1] if k + 1 < len(tokens) else None
        member = prev is not None and prev.kind == "punct" and prev.text in (".", "?.")
        text = tok.text
        if tok.kind == "punct":
            if text == "?.":
                found.append(("optional chaining ?.", tok.line))
            elif text == "??":
                found.append(("nullish coalescing ??", tok.line))
            elif text in ("??=", "||=", "&&="):
                found.append(("logical assignment ??= ||= &&=", tok.line))
            elif text == "..." and stack and stack[-1] in ("{", "class"):
                found.append(("object rest/spread {...x}", tok.line))
            elif text == "#":
                found.append(("private class member #x", tok.line))
            elif text in ("(", "["):
                stack.append(text)
            elif text == "{":
                stack.append("class" if class_next else "{")
                class_next = False
            elif text in (")", "]", "}"):
                if stack:
                    stack.pop()
            if text == "=" and stack and stack[-1] == "class" and prev is not None and prev.kind == "name":
                before = tokens[k - 2] if k >= 2 else None
                if before is not None and (before.text in ("{", "}", ";", "static") or before.kind == "name"):
                    found.append(("class field", tok.line))
        elif tok.kind == "num":
            if "_" in text:
                found.append(("numeric separator 1_000", tok.line))
        elif tok.kind == "regex":
            body, flags = text, tok.flags
            if "(?<=" in body or "(?<!" in body:
                found.append(("regex lookbehind (?<= (?<!", tok.line))
            if re.search(r"\(\?<[A-Za-z_$]", body) or "\\k<" in body:
                found.append(("regex named group (?<name>", tok.line))
            if re.search(r"\\[pP]\{", body):
                found.append(("regex property escape \\p{}", tok.line))
            for flag in "sdv":
                if flag in flags:
                    found.append((f"regex flag {flag}", tok.line))
        elif tok.kind == "name" and not member:
            if text == "class":
                class_next = True
            elif text == "catch" and after is not None and after.text == "{":
                found.append(("optional catch binding", tok.line))
            elif text == "import" and after is not None and after.text == "(":
                found.append(("dynamic import()", tok.line))
            elif text == "import" and after is not None and after.text == ".":
                found.append(("import.meta", tok.line))
            elif text == "static" and after is not None and after.text == "{" and stack and stack[-1] == "class":
                found.append(("class static block", tok.line))
            elif text in GLOBALS:
                found.append((GLOBALS[text], tok.line))
        elif tok.kind == "name" and member:
            owner = tokens[k - 2] if k >= 2 else None
            if owner is not None and owner.kind == "name" and (owner.text, text) in QUALIFIED:
                found.append((QUALIFIED[(owner.text, text)], tok.line))
            elif text in MEMBERS and after is not None and after.text == "(":
                found.append((MEMBERS[text], tok.line))
    return found


# -- CSS ------------------------------------------------------------------------------------------------------

CSS = {
    f.name: f
    for f in (
        Feature(":has()", 105, "15.4"),
        Feature(":is() / :where()", 88, "14"),
        Feature(":not() of a selector list", 88, "9"),
        Feature(":focus-visible", 86, "15.4"),
        Feature("container queries (@container, container-type, cq units)", 105, "16"),
        Feature("@layer", 99, "15.4"),
        Feature("nesting (&)", 112, "16.5"),
        Feature("aspect-ratio", 88, "15"),
        Feature("inset", 87, "14.1"),
        Feature("logical margin/padding (margin-inline, padding-block ...)", 87, "14.1"),
        Feature("individual transforms (translate:, rotate:, scale:)", 104, "14.1"),
        Feature("flex gap", 84, "14.1"),
        Feature("min() / max()", 79, "11.1"),
        Feature("clamp()", 79, "13.1"),
        Feature("subgrid", 117, "16"),
        Feature("dynamic viewport units (dvh, svh, lvh ...)", 108, "15.4"),
        Feature("color-mix()", 111, "16.2"),
        Feature("overflow-wrap: anywhere", 80, "15.4"),
        Feature("display: contents", 65, "11.1"),
    )
}


@dataclass(frozen=True)
class Block:
    selector: str  # the rule's prelude
    outer: tuple[str, ...]  # the at-rules around it, outermost first
    declarations: tuple[tuple[str, str], ...]  # (property, value), lower-case property
    line: int


def css_blocks(source: str) -> list[Block]:
    """Every block of declarations of a style sheet, with its selector and the at-rules around it (comments
    and strings' contents left out)."""
    text = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group()), source, flags=re.S)
    text = re.sub(r"\"[^\"\n]*\"|'[^'\n]*'", '""', text)
    blocks: list[Block] = []
    stack: list[tuple[str, int]] = []  # (prelude, index of its body)
    start = 0  # where the current prelude or declaration starts
    for i, ch in enumerate(text):
        if ch == "{":
            stack.append((text[start:i].strip(), i + 1))
            start = i + 1
        elif ch == "}":
            if not stack:
                raise ScanError(f"line {text.count(chr(10), 0, i) + 1}: '}}' closes nothing")
            prelude, body_at = stack.pop()
            body = text[body_at:i]
            if "{" not in body:  # a block of declarations (not an at-rule's block of rules)
                declarations = []
                for part in body.split(";"):
                    name, colon, value = part.partition(":")
                    if colon and name.strip():
                        declarations.append((name.strip().lower(), " ".join(value.split())))
                line = text.count("\n", 0, body_at) + 1
                outer = tuple(p for p, _ in stack)
                blocks.append(Block(" ".join(prelude.split()), outer, tuple(declarations), line))
            start = i + 1
        elif ch == ";" and (not stack or "{" in text[stack[-1][1] : i]):
            start = i + 1  # an at-rule without a block (@import, @charset): not a prelude
    if stack:
        raise ScanError("a block is not closed")
    return blocks


def css_features(source: str) -> list[tuple[str, int]]:
    """(feature, line) for every use of a feature of CSS in `source`. A block inside an `@supports` is guarded;
    a declaration after one of the same property without the feature is its fallback's progressive
    enhancement (a browser without it keeps the first)."""
    found: list[tuple[str, int]] = []
    at_rules = set()
    for block in css_blocks(source):
        for outer in block.outer:
            if outer.startswith("@container"):
                at_rules.add(("container queries (@container, container-type, cq units)", block.line))
            if outer.startswith("@layer"):
                at_rules.add(("@layer", block.line))
        if any(o.startswith("@supports") for o in block.outer):
            continue
        sel = block.selector
        if ":has(" in sel:
            found.append((":has()", block.line))
        if re.search(r":(is|where)\(", sel):
            found.append((":is() / :where()", block.line))
        if re.search(r":not\([^)]*[,\s>+~][^)]*\)", sel):
            found.append((":not() of a selector list", block.line))
        if ":focus-visible" in sel:
            found.append((":focus-visible", block.line))
        if "&" in sel:
            found.append(("nesting (&)", block.line))
        flex = any(p == "display" and v.lower() in ("flex", "inline-flex") for p, v in block.declarations)
        plain: set[str] = set()  # properties declared so far without a feature: a fallback for a later one
        for prop, value in block.declarations:
            uses = _declaration_features(prop, value.lower(), flex)
            if not uses:
                plain.add(prop)
            elif prop not in plain or prop in ("display", "gap", "row-gap", "column-gap"):
                found.extend((use, block.line) for use in uses)
    found.extend(at_rules)
    return sorted(found, key=lambda f: f[1])


def _declaration_features(prop: str, v: str, flex: bool) -> list[str]:
    uses: list[str] = []
    if prop in ("container", "container-type", "container-name") or re.search(r"\d(cqw|cqh|cqi|cqb|cqmin|cqmax)\b", v):
        uses.append("container queries (@container, container-type, cq units)")
    if prop == "aspect-ratio":
        uses.append("aspect-ratio")
    if prop == "inset" or prop.startswith("inset-"):
        uses.append("inset")
    if re.fullmatch(r"(margin|padding)-(inline|block)(-start|-end)?", prop):
        uses.append("logical margin/padding (margin-inline, padding-block ...)")
    if prop in ("translate", "rotate", "scale"):
        uses.append("individual transforms (translate:, rotate:, scale:)")
    if flex and prop in ("gap", "row-gap", "column-gap"):
        uses.append("flex gap")
    if re.search(r"(?<![\w-])(min|max)\(", v):
        uses.append("min() / max()")
    if re.search(r"(?<![\w-])clamp\(", v):
        uses.append("clamp()")
    if re.search(r"\bsubgrid\b", v):
        uses.append("subgrid")
    if re.search(r"\d(dvh|svh|lvh|dvw|svw|lvw|dvmin|svmin|lvmin|dvmax|svmax|lvmax)\b", v):
        uses.append("dynamic viewport units (dvh, svh, lvh ...)")
    if "color-mix(" in v:
        uses.append("color-mix()")
    if prop in ("overflow-wrap", "word-wrap") and v == "anywhere":
        uses.append("overflow-wrap: anywhere")
    if prop == "display" and v == "contents":
        uses.append("display: contents")
    return uses
