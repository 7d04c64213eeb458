"""One position's lanes as vector values, for the sweeps (:mod:`._hierarchy`).

A sweep visits every arc once and, per arc, compares :data:`WIDTH` lanes: the (distance,
label) pairs of its two ends, the least kept (distance first, then the lower label). Written
as numba loops over the lanes, the compiler vectorizes each arc's comparison but keeps the
position's running least in memory and checks, at every arc, that it does not overlap the
lanes it reads (about twenty instructions an arc): the sweeps then waited on those, not on
memory. Here the comparison is written in LLVM's vector types directly (``<16 x double>``,
``<16 x i32>``), the position's lanes held in registers across its arcs: the same
operations on the same values in the same order, so the lanes end bit for bit as before
(tested against the loops, :func:`._hierarchy.sweep_range_lanes`), and at 100k nodes one
16-lane pass sweeps up in 7.3 ms and down in 4.1 ms against 12.7 and 12.1 ms (1M: 78 and 47
ms against 173 and 145; one thread, medians of 9).

Both helpers work on one position ``pp`` of position-major lanes (``p * WIDTH + k``) and its
arcs ``ptr[pp]``..``ptr[pp + 1]`` (CSR, 32- or 64-bit pointers; 32-bit arc ends).
"""

from __future__ import annotations

from typing import Any

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

# cgutils has no annotations
_alloca: Any = cgutils.alloca_once
_alloca_value: Any = cgutils.alloca_once_value
_for_range: Any = cgutils.for_range_slice

#: lanes held in one vector value (the sweeps' :data:`~._hierarchy.LANES`)
WIDTH = 16

_F64 = ir.DoubleType()
_I64 = ir.IntType(64)
_I32 = ir.IntType(32)
_I8 = ir.IntType(8)
_MASK = ir.IntType(WIDTH)
_VD = ir.VectorType(_F64, WIDTH)
_VI = ir.VectorType(_I32, WIDTH)
_ZEROS = ir.Constant(_VI, [0] * WIDTH)
#: :func:`pull_lanes`'s answer when no arc came from a live position (nothing written)
UNMOVED = 255


def _arrays_ok(dist: Any, lab: Any, live: Any, ptr: Any, ends: Any, wgt: Any) -> bool:
    def is_array(a: Any, *dtypes: Any) -> bool:
        return isinstance(a, types.Array) and a.ndim == 1 and a.layout == "C" and a.dtype in dtypes

    return (
        is_array(dist, types.float64)
        and is_array(lab, types.int32)
        and is_array(live, types.uint8)
        and is_array(ptr, types.int32, types.int64)
        and is_array(ends, types.int32)
        and is_array(wgt, types.float64)
    )


class _Emit:
    """LLVM IR helpers over the arguments' data pointers."""

    def __init__(self, context: Any, builder: Any, tys: Any, args: Any) -> None:
        self.b = builder
        self.data = [
            context.make_array(t)(context, builder, v).data
            for t, v in zip(tys[:6], args[:6], strict=True)
        ]

    def at(self, base: Any, idx: Any) -> Any:
        return self.b.gep(base, [idx])

    def wide(self, v: Any) -> Any:
        return v if v.type.width == 64 else self.b.sext(v, _I64)

    def vec_at(self, base: Any, lane0: Any, vty: Any) -> Any:
        return self.b.bitcast(self.at(base, lane0), vty.as_pointer())

    def splat(self, x: Any, vty: Any) -> Any:
        v = self.b.insert_element(ir.Constant(vty, None), x, ir.Constant(_I32, 0))
        return self.b.shuffle_vector(v, ir.Constant(vty, None), _ZEROS)

    def less(self, d: Any, lab: Any, d0: Any, lab0: Any) -> Any:
        """Per lane: (d, lab) before (d0, lab0)."""
        b = self.b
        return b.or_(
            b.fcmp_ordered("<", d, d0),
            b.and_(b.fcmp_ordered("==", d, d0), b.icmp_signed("<", lab, lab0)),
        )

    def any_within(self, d: Any, limit: Any) -> Any:
        bits = self.b.bitcast(self.b.fcmp_ordered("<=", d, self.splat(limit, _VD)), _MASK)
        return self.b.icmp_unsigned("!=", bits, ir.Constant(_MASK, 0))

    def arcs(self, ptr: Any, pp: Any) -> tuple[Any, Any]:
        b = self.b
        lo = self.wide(b.load(self.at(ptr, pp)))
        hi = self.wide(b.load(self.at(ptr, b.add(pp, ir.Constant(_I64, 1)))))
        return lo, hi


@intrinsic
def _pull_lanes(
    typingctx: Any, dist: Any, lab: Any, live: Any, ptr: Any, src: Any, wgt: Any, pp: Any,
    limit: Any,
) -> Any:  # fmt: skip  # pragma: no cover - compiled
    """Position ``pp`` takes, per lane, the least of its own (distance, label) and, over its
    arcs from live positions ``src[j]``, theirs plus ``wgt[j]``; written back only when some
    arc's end was live. Returns :data:`UNMOVED` then, else 1 when a lane is within ``limit``,
    0 when none is."""
    if not _arrays_ok(dist, lab, live, ptr, src, wgt):
        return None
    sig = types.uint8(dist, lab, live, ptr, src, wgt, types.int64, types.float64)

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        e = _Emit(context, builder, sig.args, args)
        dd, ll, lv, pt, sr, wg = e.data
        pp_v, lim_v = args[6], args[7]
        lo, hi = e.arcs(pt, pp_v)
        p = builder.mul(pp_v, ir.Constant(_I64, WIDTH))
        ad = _alloca(builder, _VD)  # registers once LLVM promotes them
        al = _alloca(builder, _VI)
        moved = _alloca_value(builder, ir.Constant(ir.IntType(1), 0))
        builder.store(builder.load(e.vec_at(dd, p, _VD), align=8), ad)
        builder.store(builder.load(e.vec_at(ll, p, _VI), align=4), al)
        with _for_range(builder, lo, hi, ir.Constant(_I64, 1), inc=True) as (j, _):
            q = e.wide(builder.load(e.at(sr, j)))
            alive = builder.icmp_unsigned("!=", builder.load(e.at(lv, q)), ir.Constant(_I8, 0))
            with builder.if_then(alive):
                qo = builder.mul(q, ir.Constant(_I64, WIDTH))
                c = builder.fadd(
                    builder.load(e.vec_at(dd, qo, _VD), align=8),
                    e.splat(builder.load(e.at(wg, j)), _VD),
                )
                lq = builder.load(e.vec_at(ll, qo, _VI), align=4)
                d0, l0 = builder.load(ad), builder.load(al)
                t = e.less(c, lq, d0, l0)
                builder.store(builder.select(t, c, d0), ad)
                builder.store(builder.select(t, lq, l0), al)
                builder.store(ir.Constant(ir.IntType(1), 1), moved)
        out = _alloca_value(builder, ir.Constant(_I8, UNMOVED))
        with builder.if_then(builder.load(moved)):
            d, lab_ = builder.load(ad), builder.load(al)
            builder.store(d, e.vec_at(dd, p, _VD), align=8)
            builder.store(lab_, e.vec_at(ll, p, _VI), align=4)
            builder.store(builder.zext(e.any_within(d, lim_v), _I8), out)
        return builder.load(out)

    return sig, codegen


@intrinsic
def _push_lanes(
    typingctx: Any, dist: Any, lab: Any, live: Any, ptr: Any, dst: Any, wgt: Any, pp: Any,
    limit: Any, top: Any,
) -> Any:  # fmt: skip  # pragma: no cover - compiled
    """Position ``pp`` offers its lanes plus ``wgt[j]`` to each arc's end ``dst[j]`` not before
    position ``top``, which keeps per lane the least (distance, label) and becomes live when
    a lane of it is then within ``limit``."""
    if not _arrays_ok(dist, lab, live, ptr, dst, wgt):
        return None
    sig = types.void(dist, lab, live, ptr, dst, wgt, types.int64, types.float64, types.int64)

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        e = _Emit(context, builder, sig.args, args)
        dd, ll, lv, pt, ds, wg = e.data
        pp_v, lim_v, top_v = args[6], args[7], args[8]
        lo, hi = e.arcs(pt, pp_v)
        p = builder.mul(pp_v, ir.Constant(_I64, WIDTH))
        ad = builder.load(e.vec_at(dd, p, _VD), align=8)
        al = builder.load(e.vec_at(ll, p, _VI), align=4)
        with _for_range(builder, lo, hi, ir.Constant(_I64, 1), inc=True) as (j, _):
            q = e.wide(builder.load(e.at(ds, j)))
            with builder.if_then(builder.icmp_signed(">=", q, top_v)):
                qo = builder.mul(q, ir.Constant(_I64, WIDTH))
                c = builder.fadd(ad, e.splat(builder.load(e.at(wg, j)), _VD))
                dq, lq = e.vec_at(dd, qo, _VD), e.vec_at(ll, qo, _VI)
                d0, l0 = builder.load(dq, align=8), builder.load(lq, align=4)
                t = e.less(c, al, d0, l0)
                nd = builder.select(t, c, d0)
                builder.store(nd, dq, align=8)
                builder.store(builder.select(t, al, l0), lq, align=4)
                with builder.if_then(e.any_within(nd, lim_v)):
                    builder.store(ir.Constant(_I8, 1), e.at(lv, q))
        return context.get_dummy_value()

    return sig, codegen


# called as pull_lanes(...) / push_lanes(...) in compiled code
pull_lanes: Any = _pull_lanes
push_lanes: Any = _push_lanes
