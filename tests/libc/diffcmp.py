#!/usr/bin/env python3
"""diffcmp.py: compare the differential oracle's two outputs.

usage: diffcmp.py GLIBC-OUTPUT TORO-OUTPUT

Both are what tests/libc/diff/diff.c printed (lines "D<TAB>group<TAB>
input<TAB>output", anything else, the kernel's own lines, is skipped),
glibc's first.  The cases must be the same, in the same order.  A case
whose outputs differ is a mismatch, printed, unless one of the rules
below explains it; each rule is something the C standard or POSIX
leaves to the implementation, or a glibc deviation from C11, and is
counted and named in the summary so that a reader sees how often it
applied.  Math results are compared in ulps: the common functions must
be within 1 ulp of glibc, the exact ones (sqrt, fmod, floor...) equal;
the max ulp seen per function is printed.

Prints one line per group ("group: N cases, M mismatches"), the rules'
counts, the max ulps, then "diffcmp: N cases, M mismatches"; exits 1
when there is a mismatch or the outputs do not line up.
"""
import decimal
import math
import re
import struct
import sys
from decimal import Decimal

# Functions that must give glibc's result bit for bit (C11 Annex F: the
# correctly rounded or exact operations), within 1 ulp (the common
# functions the issue names), or whose error is only reported.
EXACT = {"sqrt", "fmod", "remainder", "floor", "ceil", "round", "trunc",
         "rint", "nearbyint", "logb", "fmin", "fmax", "fdim", "copysign",
         "nextafter", "sqrtf"}
ONE_ULP = {"exp", "exp2", "log", "log2", "log10", "pow", "sin", "cos",
           "tan", "asin", "acos", "atan", "atan2", "cbrt", "hypot", "expf",
           "logf", "sinf", "cosf", "tanf", "cbrtf", "atanf"}
# The rest (expm1, log1p, the hyperbolic functions, erf, erfc, tgamma,
# lgamma) are reported; beyond this many ulps a function is broken, not
# rounding differently.
REPORT_BOUND = 1000

RULES = {
    "no-conversion-errno":
        "strto*: no conversion, errno 0 or EINVAL (POSIX: 'may fail')",
    "underflow-errno":
        "strtod/strtof: same result, an underflow; whether errno is "
        "ERANGE is implementation-defined (C11 7.22.1.3p10)",
    "nan-sign":
        "a NaN whose sign or payload differs (C11 7.22.1.3p4: the "
        "n-char-sequence's meaning is implementation-defined; NaN signs "
        "are not specified)",
    "a-subnormal":
        "%a of a subnormal: the same value, a different first digit "
        "(unspecified, C11 7.21.6.1p8)",
    "glibc-inexact":
        "math: more than 1 ulp from glibc, but within 1 ulp of the exact "
        "value (60 digits) where glibc is not",
    "scanf-prefix":
        "scanf: glibc converts an input item that is only the prefix of "
        "a matching sequence ('0x', '1e', '0x1p'); C11 7.21.6.2p10 makes "
        "it a matching failure, as musl does (glibc 2.36 here; later glibc "
        "releases were changed to fail too)",
}


def ordered(bits, width):
    """The integer that orders floating-point bit patterns by value."""
    sign = 1 << (width - 1)
    return -(bits & (sign - 1)) if bits & sign else bits


def is_nan(bits, width):
    if width == 64:
        return (bits >> 52) & 0x7ff == 0x7ff and bits & ((1 << 52) - 1)
    return (bits >> 23) & 0xff == 0xff and bits & ((1 << 23) - 1)


def ulps(a, b, width):
    if is_nan(a, width) and is_nan(b, width):
        return 0
    if is_nan(a, width) or is_nan(b, width):
        return float("inf")
    return abs(ordered(a, width) - ordered(b, width))


def hexbits(field):
    """Bits of a hex float field of a strto* or scanf output, as int."""
    return int(field, 16)


def nan_only(g, t):
    """Whether g and t differ only in NaN fields (sign or payload)."""
    gw, tw = g.split(" "), t.split(" ")
    if len(gw) != len(tw):
        return False
    for x, y in zip(gw, tw):
        if x == y:
            continue
        kx, _, vx = x.partition("=")
        ky, _, vy = y.partition("=")
        if kx != ky and not (kx == "" and ky == ""):
            return False
        v1, v2 = (vx, vy) if kx else (x, y)
        if len(v1) not in (8, 16) or len(v1) != len(v2):
            return False
        try:
            b1, b2 = int(v1, 16), int(v2, 16)
        except ValueError:
            return False
        w = len(v1) * 4
        if not (is_nan(b1, w) and is_nan(b2, w)):
            return False
    return True


INCOMPLETE = re.compile(
    r"0[xX](?![0-9a-fA-F.])|0[xX]\.(?![0-9a-fA-F])"
    r"|[0-9a-fA-F.][pP](?![+-]?[0-9])|[0-9.][eE](?![+-]?[0-9])"
    r"|nan\((?![0-9A-Za-z_]*\))")


def explain(group, inp, g, t):
    """The rule that explains a difference, or None."""
    if group in ("strtol", "strtoul", "strtoll", "strtoull", "strtod",
                 "strtof"):
        gm = re.fullmatch(r"(\S+) end=(\d+) errno=(\d+)", g)
        tm = re.fullmatch(r"(\S+) end=(\d+) errno=(\d+)", t)
        if not gm or not tm:
            return None
        if gm.group(1, 2) == tm.group(1, 2) and gm.group(2) == "0" and \
                {gm.group(3), tm.group(3)} <= {"0", "22"}:
            return "no-conversion-errno"
        if group in ("strtod", "strtof"):
            w = 64 if group == "strtod" else 32
            b = hexbits(gm.group(1))
            exp_mask = 0x7ff << 52 if w == 64 else 0xff << 23
            if gm.group(1, 2) == tm.group(1, 2) and b & exp_mask == 0 \
                    and {gm.group(3), tm.group(3)} == {"0", "34"}:
                return "underflow-errno"
            if gm.group(2, 3) == tm.group(2, 3) and \
                    is_nan(b, w) and is_nan(hexbits(tm.group(1)), w):
                return "nan-sign"
        return None
    if group in ("printf:a-sub", "printf:A-sub"):
        try:
            gv = float.fromhex(g.split("\t")[0].strip())
            tv = float.fromhex(t.split("\t")[0].strip())
        except ValueError:
            return None
        return "a-subnormal" if gv == tv else None
    if group == "scanf":
        if nan_only(g, t):
            return "nan-sign"
        gr = int(re.match(r"r=(-?\d+)", g).group(1))
        tr = int(re.match(r"r=(-?\d+)", t).group(1))
        fmt, _, text = inp.partition("|")
        # One directive with a width: the input item is at most that.
        wm = re.fullmatch(r" ?%(\d+)l?[a-zA-Z]", fmt)
        if wm:
            text = text.lstrip(" \t\n\v\f\r")[:int(wm.group(1))] + "|"
        if tr == gr - 1 and INCOMPLETE.search(text):
            return "scanf-prefix"
        return None
    return None


def _exact(fn, x):
    """fn(x) to 60 digits where Decimal can say, else None."""
    decimal.getcontext().prec = 60
    X = Decimal(x)
    one = Decimal(1)
    if fn == "cbrt":
        r = abs(X) ** (one / 3) if X else Decimal(0)
        return -r if X < 0 else r
    if fn in ("tanh", "sinh", "cosh"):
        e, m = X.exp(), (-X).exp()
        return {"tanh": (e - m) / (e + m), "sinh": (e - m) / 2,
                "cosh": (e + m) / 2}[fn]
    if fn in ("exp", "expm1"):
        return X.exp() - (one if fn == "expm1" else 0)
    if X <= 0:
        return None
    return {"log": X.ln, "log10": X.log10, "sqrt": X.sqrt,
            "log2": lambda: X.ln() / Decimal(2).ln()}.get(fn,
                                                          lambda: None)()


def exact_ulps(fn, xbits, rbits, width):
    """|result - exact| in ulps of the result, or None."""
    if width != 64 or "," in xbits:
        return None
    x = struct.unpack(">d", bytes.fromhex(xbits))[0]
    r = struct.unpack(">d", bytes.fromhex(rbits))[0]
    if not math.isfinite(x) or not math.isfinite(r) or r == 0:
        return None
    try:
        e = _exact(fn, x)
    except (decimal.InvalidOperation, decimal.Overflow):
        return None
    if e is None:
        return None
    return abs(Decimal(r) - e) / Decimal(math.ulp(r))


def cases(path):
    with open(path, "rb") as f:
        for raw in f:
            s = raw.decode("latin-1").rstrip("\n")
            if s.startswith("D\t"):
                yield s.split("\t", 3)[1:]
            elif s.startswith("D-END "):
                yield ["END", s[6:], ""]


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: diffcmp.py GLIBC-OUTPUT TORO-OUTPUT")
    ga, ta = list(cases(sys.argv[1])), list(cases(sys.argv[2]))
    groups, bad, rules, maxulp = {}, {}, {}, {}
    mismatches = 0
    if len(ga) != len(ta) or not ga or ga[-1][0] != "END" or \
            ta[-1][0] != "END":
        print("diffcmp: the outputs do not line up: %d and %d lines, "
              "ends %r %r" % (len(ga), len(ta), ga[-1:], ta[-1:]))
        sys.exit(1)
    for (gg, gi, go), (tg, ti, to) in zip(ga[:-1], ta[:-1]):
        if (gg, gi) != (tg, ti):
            print("diffcmp: out of step: %s %s / %s %s" % (gg, gi, tg, ti))
            sys.exit(1)
        groups[gg] = groups.get(gg, 0) + 1
        if gg.startswith("m:"):
            fn = gg[2:]
            w = len(go) * 4
            u = ulps(int(go, 16), int(to, 16), w)
            maxulp[fn] = max(maxulp.get(fn, 0), u)
            limit = 0 if fn in EXACT else 1 if fn in ONE_ULP else \
                REPORT_BOUND
            if u <= limit:
                continue
            te = exact_ulps(fn, gi, to, w)
            ge = exact_ulps(fn, gi, go, w)
            if te is not None and ge is not None and te <= 1 and te < ge:
                rules["glibc-inexact"] = rules.get("glibc-inexact", 0) + 1
                continue
            why = "%s ulps" % u
        else:
            if go == to:
                continue
            r = explain(gg, gi, go, to)
            if r is not None:
                rules[r] = rules.get(r, 0) + 1
                continue
            why = "differs"
        mismatches += 1
        bad[gg] = bad.get(gg, 0) + 1
        print("MISMATCH %s (%s) input %s\n  glibc: %s\n  toro:  %s" %
              (gg, why, gi, go, to))
    for g in sorted(groups):
        if not g.startswith("m:"):
            print("%s: %d cases, %d mismatches" %
                  (g, groups[g], bad.get(g, 0)))
    for r in RULES:
        print("allowed %s: %d (%s)" % (r, rules.get(r, 0), RULES[r]))
    print("max ulp against glibc: " + ", ".join(
        "%s %s" % (f, maxulp[f]) for f in sorted(maxulp)))
    nmath = sum(n for g, n in groups.items() if g.startswith("m:"))
    print("math: %d cases over %d functions, %d mismatches" %
          (nmath, len(maxulp),
           sum(n for g, n in bad.items() if g.startswith("m:"))))
    total = sum(groups.values())
    if int(ga[-1][1]) != total or int(ta[-1][1]) != total:
        print("diffcmp: case counts disagree with D-END")
        mismatches += 1
    print("diffcmp: %d cases, %d mismatches" % (total, mismatches))
    sys.exit(1 if mismatches else 0)


if __name__ == "__main__":
    main()
