"""Facility and Origins containers."""

from __future__ import annotations

import numpy as np
import pytest

from quarterhour.engine.network import build_network
from quarterhour.engine.places import Facility, Origins


def test_facility_is_frozen_and_keeps_items() -> None:
    f = Facility("reg:2", "社区服务站", 116.3, 39.9, ("S01", "S02"), source="reg.csv")
    assert f.item_codes == ("S01", "S02")
    assert f.address == ""
    with pytest.raises(AttributeError):
        f.name = "x"  # type: ignore[misc]


def test_origins_from_network_nodes_use_osm_ids_and_node_indices() -> None:
    net = build_network(
        [116.0, 116.001, 116.002],
        [39.0, 39.0, 39.0],
        [0, 1],
        [1, 2],
        node_osm_id=[10, -1, 30],
    )
    o = Origins.from_network_nodes(net)
    assert o.origin_id == ("osm:node/10", "node:1", "osm:node/30")
    assert o.node is not None
    assert o.node.tolist() == [0, 1, 2]
    assert o.weight.tolist() == [1.0, 1.0, 1.0]
    assert o.lon.tolist() == [116.0, 116.001, 116.002]
    assert len(o) == 3


def test_origins_from_points_defaults_weight_and_checks_lengths() -> None:
    o = Origins.from_points(["a", "b"], [1.0, 2.0], [3.0, 4.0])
    assert o.weight.tolist() == [1.0, 1.0]
    assert o.node is None
    w = Origins.from_points(["a"], [1.0], [3.0], weight=[250.0])
    assert w.weight.tolist() == [250.0]
    with pytest.raises(ValueError, match="same length"):
        Origins.from_points(["a", "b"], [1.0], [3.0, 4.0])
    assert np.asarray(o.lat).dtype == np.float64
