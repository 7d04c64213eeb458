"""Register reading: a generated 100,000-row facility register (GCJ-02, Chinese headers, every
category known to beijing-2011: item names and AMap 大类;中类;小类 texts) read into WGS-84
facilities with ``read_facility_register``, and an AMap-style export of the same size (typecode,
multi-type rows, names the name rules read, a third of the rows outside the standard).

Peer: ``pandas.read_csv`` of the same file (C parser, no checks, no classification, no
conversion) — the floor of any such reader. Ratio = ours / pandas. Medians of ``--runs``.

Run: python benchmarks/bench_registers.py [--rows 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import inspect
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from quarterhour.engine.registers import read_facility_register, standard_vocabulary
from quarterhour.engine.standards import load_standard

PLAIN = (
    "便利店", "药店", "社区服务站", "社区卫生服务站", "菜市场", "理发店", "公共厕所", "图书阅览室",
    "医疗保健服务;医药保健销售店;药房", "餐饮服务;中餐厅;中餐厅",
    "购物服务;便民商店/便利店;便民商店/便利店", "公共设施;公共厕所;公共厕所",
    "交通设施服务;停车场;公共停车场", "金融保险服务;自动提款机;中国银行ATM",
)  # fmt: skip
EXPORT = (
    ("医疗保健服务;医药保健销售店;药房", "090601", "同仁堂大药房"),
    ("医疗保健服务;综合医院;卫生院", "090102", "朝阳门社区卫生服务中心"),
    ("医疗保健服务;诊所;诊所", "090300", "瑞尔齿科诊所"),
    ("餐饮服务;中餐厅;中餐厅", "050100", "老北京炸酱面(东四店)"),
    ("生活服务;美容美发店;美容美发店", "071100", "东方名剪美发"),
    ("生活服务;生活服务场所;生活服务场所", "070000", "西海社区居家养老服务中心"),
    ("政府机构及社会团体;政府机关;乡镇以下级政府及事业单位", "130106", "西海社区居委会"),
    ("公司企业;公司;公司", "170200", "某某科技有限公司"),
    ("商务住宅;住宅区;住宅小区", "120302", "某某小区"),
    (
        "医疗保健服务;综合医院;卫生院|医疗保健服务;诊所;诊所",
        "090102|090300",
        "东城区韶九社区卫生服务站",
    ),
)


def write_files(folder: Path, rows: int) -> tuple[Path, Path]:
    rng = np.random.default_rng(7)
    lon = 116.2 + rng.random(rows) * 0.4
    lat = 39.8 + rng.random(rows) * 0.3
    plain = folder / "register.csv"
    with plain.open("w", encoding="utf-8") as fh:
        fh.write("编号,名称,类别,地址,经度,纬度\n")
        for i in range(rows):
            cat = PLAIN[i % len(PLAIN)]
            fh.write(f"F{i},设施{i},{cat},某街{i}号,{lon[i]:.6f},{lat[i]:.6f}\n")
    export = folder / "amap.csv"
    with export.open("w", encoding="utf-8") as fh:
        fh.write("id,name,type,typecode,address,location\n")
        for i in range(rows):
            cat, code, name = EXPORT[i % len(EXPORT)]
            fh.write(f'B{i},{name}{i},{cat},{code},某街{i}号,"{lon[i]:.6f},{lat[i]:.6f}"\n')
    return plain, export


def read_ours(path: Path, std: object) -> int:
    params = inspect.signature(read_facility_register).parameters
    if "standard" in params:
        res = read_facility_register(path, crs="gcj02", standard=std)  # type: ignore[arg-type]
    else:  # the reader before POI exports (classify by category text only)
        res = read_facility_register(
            path,
            crs="gcj02",
            classify=std.classify_category,  # type: ignore[attr-defined]
            known_categories=standard_vocabulary(std),  # type: ignore[arg-type]
        )
    return len(res.facilities)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    import pandas as pd

    with tempfile.TemporaryDirectory() as tmp:
        plain, export = write_files(Path(tmp), args.rows)
        cases = [("register (plain + AMap texts)", plain)]
        if "standard" in inspect.signature(read_facility_register).parameters:
            cases.append(("AMap export (typecode, location, name rules)", export))
        for label, path in cases:
            ours, peer = [], []
            n = 0
            for _ in range(args.runs):
                std = load_standard("beijing-2011")  # fresh memo each run
                t = time.perf_counter()
                n = read_ours(path, std)
                ours.append(time.perf_counter() - t)
                t = time.perf_counter()
                pd.read_csv(path, dtype=str)
                peer.append(time.perf_counter() - t)
            mo, mp = statistics.median(ours), statistics.median(peer)
            print(
                f"{label}: {args.rows:,} rows → {n:,} facilities; ours {mo:.2f} s "
                f"({mo / args.rows * 1e6:.1f} µs/row), pandas.read_csv {mp:.2f} s, "
                f"ratio {mo / mp:.1f}×  (medians of {args.runs})"
            )


if __name__ == "__main__":
    main()
