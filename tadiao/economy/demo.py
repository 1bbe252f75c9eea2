"""Moved to tadiao.demo.economy (demo data belongs to the demo app, which may import economy — not the reverse).

TEMPORARY: tadiao/demo/services.py still imports load_economy_demo from here; it is being split by another branch.
Once that lands, change its import to tadiao.demo.economy, delete this file and its exception in
tests/test_layers.py.
"""

from tadiao.demo.economy import load_economy_demo

__all__ = ["load_economy_demo"]
