"""The routing graph: the walk network in CSR form, with snapped points inserted into their edges.

Inserting every snap point (homes and facilities) as a node that splits its edge keeps distances
exact: two points on the same edge reach each other along the edge, and a point in the middle of
an edge reaches both ends. Points at the same place on the same edge share one node.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from quarterhour.engine.network import WalkNetwork
from quarterhour.engine.snapping import Snapped

FloatArray = npt.NDArray[np.float64]
Int32Array = npt.NDArray[np.int32]
Int64Array = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True, eq=False)
class RoutingGraph:
    """Symmetric CSR arrays over network nodes (0..n-1) plus inserted split nodes (n..)."""

    indptr: Int64Array
    indices: Int32Array
    weights: FloatArray
    n_network_nodes: int

    @property
    def n_nodes(self) -> int:
        return int(self.indptr.shape[0] - 1)

    def csr(self) -> sp.csr_array:
        return sp.csr_array(
            (self.weights, self.indices, self.indptr), shape=(self.n_nodes, self.n_nodes)
        )


def _csr(n: int, n_network: int, u: Int64Array, v: Int64Array, w: FloatArray) -> RoutingGraph:
    rows = np.concatenate([u, v])
    cols = np.concatenate([v, u])
    vals = np.concatenate([w, w])
    mat = sp.csr_array((vals, (rows, cols)), shape=(n, n))  # no duplicates by construction
    return RoutingGraph(
        indptr=np.ascontiguousarray(mat.indptr, dtype=np.int64),
        indices=np.ascontiguousarray(mat.indices, dtype=np.int32),
        weights=np.ascontiguousarray(mat.data, dtype=np.float64),
        n_network_nodes=n_network,
    )


def routing_graph(
    network: WalkNetwork, snaps: Sequence[Snapped]
) -> tuple[RoutingGraph, list[Int64Array]]:
    """Build the routing graph with every snapped point inserted.

    Returns the graph and, for each ``Snapped`` in ``snaps``, the node each point attaches to
    (-1 for points that did not snap).
    """
    n = network.n_nodes
    sizes = [len(s) for s in snaps]
    edge = np.concatenate([s.edge for s in snaps]) if snaps else np.empty(0, np.int64)
    along = np.concatenate([s.along_m for s in snaps]) if snaps else np.empty(0, np.float64)
    node_of = np.full(edge.shape[0], -1, dtype=np.int64)
    ok = edge >= 0
    e_ok = edge[ok]
    a_ok = along[ok]
    length = network.edge_length_m[e_ok]
    at_u = a_ok <= 0.0
    at_v = (a_ok >= length) & ~at_u
    inner = ~(at_u | at_v)
    ok_idx = np.flatnonzero(ok)
    node_of[ok_idx[at_u]] = network.edge_u[e_ok[at_u]]
    node_of[ok_idx[at_v]] = network.edge_v[e_ok[at_v]]

    eu = network.edge_u.astype(np.int64)
    ev = network.edge_v.astype(np.int64)
    ew = network.edge_length_m
    if not inner.any():
        graph = _csr(n, n, eu, ev, ew)
    else:
        ie = e_ok[inner]
        ia = a_ok[inner]
        order = np.lexsort((ia, ie))
        se, sa = ie[order], ia[order]
        new_pt = np.ones(se.shape[0], dtype=bool)
        new_pt[1:] = (se[1:] != se[:-1]) | (sa[1:] != sa[:-1])
        uniq_id = np.cumsum(new_pt) - 1  # per sorted point: index of its distinct position
        ue, ua = se[new_pt], sa[new_pt]
        k = ue.shape[0]
        new_nodes = n + np.arange(k, dtype=np.int64)
        # map each inner point to its new node
        inner_nodes = np.empty(ie.shape[0], dtype=np.int64)
        inner_nodes[order] = new_nodes[uniq_id]
        node_of[ok_idx[inner]] = inner_nodes
        # chains: u -> p1 -> ... -> pk -> v for each split edge
        first = np.ones(k, dtype=bool)
        first[1:] = ue[1:] != ue[:-1]
        last = np.ones(k, dtype=bool)
        last[:-1] = ue[1:] != ue[:-1]
        prev_node = np.where(first, eu[ue], np.concatenate([[0], new_nodes[:-1]]))
        prev_along = np.where(first, 0.0, np.concatenate([[0.0], ua[:-1]]))
        cu = np.concatenate([prev_node, new_nodes[last]])
        cv = np.concatenate([new_nodes, ev[ue[last]]])
        cw = np.concatenate([ua - prev_along, ew[ue[last]] - ua[last]])
        keep = np.ones(network.n_edges, dtype=bool)
        keep[ue] = False
        graph = _csr(
            n + k,
            n,
            np.concatenate([eu[keep], cu]),
            np.concatenate([ev[keep], cv]),
            np.concatenate([ew[keep], cw]),
        )
    out: list[Int64Array] = []
    start = 0
    for size in sizes:
        out.append(node_of[start : start + size])
        start += size
    return graph, out
