"""A tiny, safe expression language for template rules, relevance and computed fields.

Expressions are Python-like (``a <= b``, ``x > 0 and y``, ``a / b``, ``"land" in subjects``,
``len(items)``, ``pair.num``) and are checked against a whitelist of syntax when a template
is loaded. Any missing operand makes the whole result ``None`` ("not known yet").
"""

from __future__ import annotations

import ast
from decimal import Decimal, DivisionByZero, InvalidOperation
from functools import lru_cache
from typing import Any, Mapping

_BINOPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: Decimal(a) / Decimal(b),
}
_CMPOPS = {
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
_FUNCS = {"len": len}
_ATTRS = {"num", "den", "total"}  # a pair's parts; a cumulative figure's total over the plan


class ExpressionError(ValueError):
    """The expression uses syntax outside the whitelist."""


@lru_cache(maxsize=1024)
def compile_expression(source: str) -> ast.Expression:
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"invalid syntax: {exc.msg}") from None
    for node in ast.walk(tree):
        _check_node(node)
    return tree


@lru_cache(maxsize=1024)
def names_in(source: str) -> frozenset[str]:
    tree = compile_expression(source)
    return frozenset(
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id not in _FUNCS
    )


def _check_node(node: ast.AST) -> None:
    allowed = (
        ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub,
        ast.BinOp, ast.Compare, ast.Name, ast.Load, ast.Constant, ast.Call, ast.Attribute,
        ast.Tuple, ast.List,
    )
    if isinstance(node, ast.operator) and type(node) not in _BINOPS:
        raise ExpressionError(f"operator not supported: {type(node).__name__}")
    if isinstance(node, ast.cmpop) and type(node) not in _CMPOPS:
        raise ExpressionError(f"comparison not supported: {type(node).__name__}")
    if isinstance(node, (ast.operator, ast.cmpop)):
        return
    if not isinstance(node, allowed):
        raise ExpressionError(f"syntax not allowed: {type(node).__name__}")
    if isinstance(node, ast.Call):
        if not (isinstance(node.func, ast.Name) and node.func.id in _FUNCS) or node.keywords:
            raise ExpressionError("only len(...) may be called")
    if isinstance(node, ast.Attribute) and node.attr not in _ATTRS:
        raise ExpressionError(f"attribute not allowed: .{node.attr} (only .num, .den, .total)")


def evaluate(source: str, values: Mapping[str, Any]) -> Any:
    """Evaluate ``source`` with ``values``; ``None`` when any needed value is missing."""
    try:
        return _eval(compile_expression(source).body, values)
    except (DivisionByZero, InvalidOperation, ZeroDivisionError, TypeError):
        return None


def _eval(node: ast.AST, values: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return values.get(node.id)
    if isinstance(node, (ast.Tuple, ast.List)):
        return [_eval(e, values) for e in node.elts]
    if isinstance(node, ast.Attribute):
        base = _eval(node.value, values)
        return None if base is None else getattr(base, node.attr, None)
    if isinstance(node, ast.Call):
        arg = _eval(node.args[0], values)
        return None if arg is None else _FUNCS[node.func.id](arg)
    if isinstance(node, ast.UnaryOp):
        val = _eval(node.operand, values)
        if isinstance(node.op, ast.Not):
            return None if val is None else not val
        return None if val is None else -val
    if isinstance(node, ast.BoolOp):
        results = [_eval(v, values) for v in node.values]
        if isinstance(node.op, ast.And):
            if any(r is not None and not r for r in results):
                return False
            return None if any(r is None for r in results) else True
        if any(r for r in results):
            return True
        return None if any(r is None for r in results) else False
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, values), _eval(node.right, values)
        if left is None or right is None:
            return None
        return _BINOPS[type(node.op)](left, right)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, values)
        for op, comp in zip(node.ops, node.comparators):
            right = _eval(comp, values)
            if left is None or right is None:
                return None
            if not _CMPOPS[type(op)](left, right):
                return False
            left = right
        return True
    raise ExpressionError(type(node).__name__)  # pragma: no cover - blocked by _check_node
