"""A PromQL parser for linting: enough of Prometheus' grammar to find every selector, range and
function call of a dashboard's queries and to reject what would not parse (unbalanced brackets,
an operator without operand, an unknown function, a range on something that is no selector, a
range function given an instant vector). It builds a small tree of dicts; walk() yields each node
with its parents, as the Go linter's parser.Walk does. It does not type-check everything
Prometheus does: DashboardTest runs every query against a real Prometheus.
"""
import re

AGGREGATIONS = {"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
                "bottomk", "topk", "quantile", "limitk", "limit_ratio"}
# Functions whose argument at this index must be a range vector (a matrix or a subquery).
RANGE_ARG = {name: 0 for name in (
    "rate", "irate", "increase", "delta", "idelta", "deriv", "changes", "resets",
    "predict_linear", "holt_winters", "double_exponential_smoothing", "absent_over_time",
    "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time",
    "stddev_over_time", "stdvar_over_time", "last_over_time", "present_over_time",
    "mad_over_time")}
RANGE_ARG["quantile_over_time"] = 1
FUNCTIONS = set(RANGE_ARG) | {
    "abs", "absent", "acos", "acosh", "asin", "asinh", "atan", "atanh", "ceil", "clamp",
    "clamp_max", "clamp_min", "cos", "cosh", "day_of_month", "day_of_week", "day_of_year",
    "days_in_month", "deg", "exp", "floor", "histogram_avg", "histogram_count",
    "histogram_fraction", "histogram_quantile", "histogram_stddev", "histogram_stdvar",
    "histogram_sum", "hour", "label_join", "label_replace", "ln", "log10", "log2", "minute",
    "month", "pi", "rad", "round", "scalar", "sgn", "sin", "sinh", "sort", "sort_desc",
    "sort_by_label", "sort_by_label_desc", "sqrt", "tan", "tanh", "time", "timestamp", "vector",
    "year"}
# Binary operators by precedence, lowest first; ^ binds right.
PRECEDENCE = {"or": 1, "and": 2, "unless": 2, "==": 3, "!=": 3, "<=": 3, "<": 3, ">=": 3,
              ">": 3, "+": 4, "-": 4, "*": 5, "/": 5, "%": 5, "atan2": 5, "^": 6}
COMPARISONS = {"==", "!=", "<=", "<", ">=", ">"}

_TOKEN = re.compile(r"""
    (?P<space>\s+|\#[^\n]*)
  | (?P<string>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`)
  | (?P<duration>(?:\d+(?:ms|s|m|h|d|w|y))+(?![\w.]))
  | (?P<number>0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[Ii]nf\b|NaN\b)
  | (?P<ident>[a-zA-Z_][a-zA-Z0-9_:]*)
  | (?P<op>==|!=|<=|>=|=~|!~|[-+*/%^<>=(){}\[\],:@])
""", re.VERBOSE)


class PromQLError(ValueError):
    pass


def tokenize(text):
    tokens, at = [], 0
    while at < len(text):
        m = _TOKEN.match(text, at)
        if not m:
            raise PromQLError("unexpected character %r at %d" % (text[at], at))
        at = m.end()
        if m.lastgroup != "space":
            tokens.append((m.lastgroup, m.group()))
    return tokens


class _Parser:
    def __init__(self, text):
        self.tokens = tokenize(text)
        self.at = 0

    def peek(self, offset=0):
        i = self.at + offset
        return self.tokens[i] if i < len(self.tokens) else ("end", "")

    def take(self, value=None, kind=None):
        tok = self.peek()
        if (value is not None and tok[1] != value) or (kind is not None and tok[0] != kind):
            raise PromQLError("expected %s, found %r" % (value or kind, tok[1] or "the end"))
        self.at += 1
        return tok

    def accept(self, value):
        if self.peek()[1] == value and self.peek()[0] in ("op", "ident"):
            self.at += 1
            return True
        return False

    def parse(self):
        node = self.expr(0)
        if self.peek()[0] != "end":
            raise PromQLError("unexpected %r after a complete expression" % self.peek()[1])
        return node

    def expr(self, min_prec):
        lhs = self.unary()
        while True:
            op = self.peek()[1] if self.peek()[0] in ("op", "ident") else None
            prec = PRECEDENCE.get(op)
            if prec is None or prec < min_prec:
                return lhs
            self.at += 1
            modifiers = self.binary_modifiers(op)
            rhs = self.expr(prec if op == "^" else prec + 1)
            lhs = {"type": "binary", "op": op, "lhs": lhs, "rhs": rhs, **modifiers}

    def binary_modifiers(self, op):
        mods = {"bool": False, "matching": None, "group": None}
        if self.accept("bool"):
            if op not in COMPARISONS:
                raise PromQLError("bool modifier on the non-comparison %r" % op)
            mods["bool"] = True
        for word in ("on", "ignoring"):
            if self.accept(word):
                mods["matching"] = (word, self.label_list())
        for word in ("group_left", "group_right"):
            if self.accept(word):
                labels = self.label_list() if self.peek()[1] == "(" else []
                mods["group"] = (word, labels)
        return mods

    def label_list(self):
        self.take("(")
        labels = []
        while self.peek()[1] != ")":
            labels.append(self.take(kind="ident")[1])
            if not self.accept(","):
                break
        self.take(")")
        return labels

    def unary(self):
        if self.peek()[1] in ("-", "+") and self.peek()[0] == "op":
            op = self.take()[1]
            return {"type": "unary", "op": op, "expr": self.unary()}
        return self.postfix(self.primary())

    def postfix(self, node):
        while True:
            if self.peek()[1] == "[":
                node = self.range_of(node)
            elif self.accept("offset"):
                sign = self.take()[1] if self.peek()[1] == "-" else ""
                node = dict(node, offset=sign + self.take(kind="duration")[1])
            elif self.accept("@"):
                if self.peek()[1] in ("start", "end"):
                    self.take(), self.take("("), self.take(")")
                else:
                    self.take(kind="number")
            else:
                return node

    def range_of(self, node):
        self.take("[")
        rng = self.take(kind="duration")[1]
        if self.accept(":"):
            step = self.take(kind="duration")[1] if self.peek()[0] == "duration" else None
            self.take("]")
            return {"type": "subquery", "expr": node, "range": rng, "step": step}
        self.take("]")
        if node["type"] != "selector" or "offset" in node:
            raise PromQLError("a range [%s] needs a vector selector before it" % rng)
        return {"type": "matrix", "selector": node, "range": rng}

    def primary(self):
        kind, value = self.peek()
        if kind == "number":
            self.at += 1
            return {"type": "number", "value": value}
        if kind == "string":
            self.at += 1
            return {"type": "string", "value": value}
        if value == "(":
            self.take("(")
            inner = self.expr(0)
            self.take(")")
            return {"type": "paren", "expr": inner}
        if value == "{":
            return self.selector(None)
        if kind == "ident":
            self.at += 1
            if value in AGGREGATIONS:
                return self.aggregation(value)
            if self.peek()[1] == "(":
                return self.call(value)
            return self.selector(value)
        raise PromQLError("expected an expression, found %r" % (value or "the end"))

    def aggregation(self, op):
        grouping = None
        if self.peek()[1] in ("by", "without"):
            grouping = (self.take()[1], self.label_list())
        self.take("(")
        args = [self.expr(0)]
        while self.accept(","):
            args.append(self.expr(0))
        self.take(")")
        if grouping is None and self.peek()[1] in ("by", "without"):
            grouping = (self.take()[1], self.label_list())
        wanted = 2 if op in ("topk", "bottomk", "quantile", "count_values", "limitk",
                             "limit_ratio") else 1
        if len(args) != wanted:
            raise PromQLError("%s takes %d argument(s), got %d" % (op, wanted, len(args)))
        return {"type": "aggregation", "op": op, "args": args, "grouping": grouping}

    def call(self, name):
        if name not in FUNCTIONS:
            raise PromQLError("unknown function %r" % name)
        self.take("(")
        args = []
        while self.peek()[1] != ")":
            args.append(self.expr(0))
            if not self.accept(","):
                break
        self.take(")")
        index = RANGE_ARG.get(name)
        if index is not None:
            if len(args) <= index or args[index]["type"] not in ("matrix", "subquery"):
                raise PromQLError("%s() needs a range vector (SELECTOR[RANGE])" % name)
        return {"type": "call", "name": name, "args": args}

    def selector(self, name):
        matchers = []
        if self.peek()[1] == "{":
            self.take("{")
            while self.peek()[1] != "}":
                label = self.take()[1] if self.peek()[0] in ("ident", "string") else None
                op = self.take()[1] if self.peek()[1] in ("=", "!=", "=~", "!~") else None
                if label is None or op is None or self.peek()[0] != "string":
                    raise PromQLError("bad label matcher near %r" % self.peek()[1])
                matchers.append((label, op, self.take()[1][1:-1]))
                if not self.accept(","):
                    break
            self.take("}")
        if name is None and not any(v for _, op, v in matchers if op in ("=", "=~")):
            raise PromQLError("a selector needs a metric name or a non-empty matcher")
        return {"type": "selector", "name": name, "matchers": matchers}


def parse(text):
    """The tree of `text`, or PromQLError saying why it does not parse."""
    if not text.strip():
        raise PromQLError("empty expression")
    return _Parser(text).parse()


def children(node):
    for key in ("lhs", "rhs", "expr", "selector"):
        if key in node:
            yield node[key]
    yield from node.get("args", ())


def walk(node, parents=()):
    """Each node of the tree, depth first, with the tuple of its ancestors (nearest last)."""
    yield node, parents
    for child in children(node):
        yield from walk(child, parents + (node,))


def selectors(node):
    return [n for n, _ in walk(node) if n["type"] == "selector"]
