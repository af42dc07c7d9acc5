"""A small evaluator for Xero's `where` and `order` query parameters.

Supports the forms Xero documents for filtering: comparisons (== != > >= < <=)
of a field path (Contact.ContactID, Type, AmountDue ...) with string, number,
true/false/null, Guid("..."), DateTime(y,m,d[,h,mi,s]) literals; method calls
Contains/StartsWith/EndsWith/ToLower/ToUpper on strings; AND/OR/&&/|| and NOT/!
with parentheses. Unsupported syntax raises WhereError (Xero answers 400).

String literals are Xero's: from one double quote to the next, with no
escape. A backslash anywhere in the clause is refused with Xero's 400
QueryParseException "Syntax error", as Xero answers Name=="asd\\"asd" and its
doubled-backslash variants (Xero-Java issue 347,
https://github.com/XeroAPI/Xero-Java/issues/347); a double quote inside a
name therefore cannot be looked up with ==, which also ends in a syntax
error here. Literals are taken as given (non-ASCII letters included).
"""
import datetime as dt
import re
from decimal import Decimal

from .util import parse_date


class WhereError(ValueError):
    pass


_TOKEN = re.compile(r'''\s*(?:
    (?P<str>"[^"]*")
   |(?P<num>-?\d+(?:\.\d+)?)
   |(?P<op>==|!=|>=|<=|&&|\|\||[<>=!(),.])
   |(?P<name>[A-Za-z_][A-Za-z0-9_]*)
)''', re.X)


def _tokens(text):
    pos, out = 0, []
    text = text.strip()
    if "\\" in text:
        # Xero has no escape in a where clause (Xero-Java issue 347).
        raise WhereError("Syntax error")
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise WhereError("Unparseable where clause near %r" % text[pos:pos + 20])
        pos = m.end()
        kind = m.lastgroup
        val = m.group(kind)
        if kind == "str":
            val = val[1:-1]
        out.append((kind, val))
    return out


def _get(doc, path):
    cur = doc
    for part in path:
        if isinstance(cur, dict):
            key = next((k for k in cur if k.lower() == part.lower()), None)
            cur = cur.get(key) if key else None
        else:
            return None
    return cur


def _norm(v):
    if isinstance(v, dt.datetime):
        return v.date() if v.hour == v.minute == v.second == 0 else v
    if isinstance(v, float):
        return Decimal(str(v))
    if isinstance(v, int) and not isinstance(v, bool):
        return Decimal(v)
    return v


class _Parser:
    def __init__(self, text):
        self.toks = _tokens(text)
        self.i = 0

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def take(self, val=None):
        tok = self.peek()
        if tok[0] is None or (val is not None and str(tok[1]).upper() != val.upper()):
            raise WhereError("Expected %r in where clause" % (val or "token"))
        self.i += 1
        return tok

    def parse(self):
        node = self.or_()
        if self.i != len(self.toks):
            raise WhereError("Unexpected %r in where clause" % (self.peek()[1],))
        return node

    def at(self, *words):
        """Is the next token one of these words/operators (in any case)?"""
        val = self.peek()[1]
        return val is not None and str(val).upper() in words

    def args(self, item):
        """A parenthesised, comma-separated argument list of item()s."""
        self.take("(")
        args = []
        while self.peek()[1] != ")":
            args.append(item())
            if self.peek()[1] == ",":
                self.take()
        self.take(")")
        return args

    def chain(self, tag, words, operand):
        """operand (word operand)*, left-associative."""
        left = operand()
        while self.at(*words):
            self.take()
            left = (tag, left, operand())
        return left

    def or_(self):
        return self.chain("or", ("OR", "||"), self.and_)

    def and_(self):
        return self.chain("and", ("AND", "&&"), self.not_)

    def not_(self):
        if self.at("NOT", "!"):
            self.take()
            return ("not", self.not_())
        return self.cmp()

    def cmp(self):
        left = self.value()
        kind, val = self.peek()
        if kind == "op" and val in ("==", "!=", ">", ">=", "<", "<=", "="):
            self.take()
            right = self.value()
            return ("cmp", "==" if val == "=" else val, left, right)
        return ("truthy", left)

    def value(self):
        kind, val = self.peek()
        if kind == "op" and val == "(":
            self.take()
            node = self.or_()
            self.take(")")
            return node
        if kind == "str":
            self.take()
            return ("lit", val)
        if kind == "num":
            self.take()
            return ("lit", Decimal(val))
        if kind == "name":
            up = val.upper()
            if up in ("TRUE", "FALSE"):
                self.take()
                return ("lit", up == "TRUE")
            if up == "NULL":
                self.take()
                return ("lit", None)
            if up in ("GUID", "DATETIME", "DATE"):
                self.take()
                args = self.args(lambda: self.take()[1])
                if up == "GUID":
                    return ("lit", str(args[0]).lower() if args else None)
                try:
                    if len(args) == 1:
                        return ("lit", parse_date(args[0]))
                    nums = [int(a) for a in args]
                    if len(nums) > 3 and any(nums[3:]):
                        return ("lit", dt.datetime(*nums))
                    return ("lit", dt.date(*nums[:3]))
                except (TypeError, ValueError):
                    raise WhereError("Invalid DateTime literal") from None
            path = [self.take()[1]]
            calls = []
            while self.peek()[1] == ".":
                self.take()
                name = self.take()[1]
                if self.peek()[1] == "(":
                    calls.append((name.lower(), self.args(self.value)))
                elif calls:
                    raise WhereError("Unsupported member access")
                else:
                    path.append(name)
            return ("field", path, calls)
        raise WhereError("Unexpected %r in where clause" % (val,))


def _eval(node, doc):
    tag = node[0]
    if tag == "lit":
        return node[1]
    if tag == "field":
        v = _get(doc, node[1])
        for name, args in node[2]:
            argv = [_eval(a, doc) for a in args]
            s = "" if v is None else str(v)
            if name == "tolower":
                v = s.lower()
            elif name == "toupper":
                v = s.upper()
            elif name == "contains":
                v = str(argv[0]) in s
            elif name == "startswith":
                v = s.startswith(str(argv[0]))
            elif name == "endswith":
                v = s.endswith(str(argv[0]))
            else:
                raise WhereError("Unsupported method %s" % name)
        return v
    if tag == "or":
        return bool(_eval(node[1], doc)) or bool(_eval(node[2], doc))
    if tag == "and":
        return bool(_eval(node[1], doc)) and bool(_eval(node[2], doc))
    if tag == "not":
        return not _eval(node[1], doc)
    if tag == "truthy":
        return bool(_eval(node[1], doc))
    if tag == "cmp":
        op, a, b = node[1], _norm(_eval(node[2], doc)), _norm(_eval(node[3], doc))
        if isinstance(a, str) and isinstance(b, str):
            # Xero compares strings case-insensitively (GUIDs in any case).
            a, b = a.lower(), b.lower()
        if isinstance(a, dt.date) and isinstance(b, str):
            b = parse_date(b)
        if op == "==":
            return a == b
        if op == "!=":
            return a != b
        if a is None or b is None:
            return False
        try:
            return {">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b}[op]
        except TypeError:
            raise WhereError("Cannot compare %r and %r" % (a, b)) from None
    raise WhereError("Bad where clause")


def compile_where(text):
    if not text:
        return lambda doc: True
    node = _Parser(text).parse()
    return lambda doc: bool(_eval(node, doc))


def apply_order(docs, order):
    if not order:
        return docs
    for part in reversed([p.strip() for p in order.split(",") if p.strip()]):
        bits = part.split()
        path = bits[0].split(".")
        desc = len(bits) > 1 and bits[1].upper() == "DESC"

        def key(d, path=path):
            v = _norm(_get(d, path))
            if isinstance(v, dt.datetime):
                v = v.replace(tzinfo=None)
            if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
                v = dt.datetime(v.year, v.month, v.day)
            return (v is None, v if not isinstance(v, str) else v.lower())

        try:
            docs = sorted(docs, key=key, reverse=desc)
        except TypeError:
            raise WhereError("Cannot order by %s" % bits[0]) from None
    return docs
