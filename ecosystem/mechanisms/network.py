"""Networks: the seeded peer graph of SMBs, referrals over it, and the relationship record.

SMBs are embedded in a small-world graph of peers (Watts & Strogatz 1998) through which they
share vendor experiences (Granovetter 1985; Uzzi 1997). The relationship record is a
``networkx.Graph`` with SMB-SMB peer ties and SMB-vendor contract ties.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

__all__ = ["PeerNetwork", "peer_graph"]


def peer_graph(n_smbs: int, degree: int, rewiring: float, rng: np.random.Generator) -> nx.Graph:
    """A seeded Watts-Strogatz small world over SMB indices ``0..n_smbs-1``.

    ``degree`` is rounded down to an even number and capped below ``n_smbs``; with fewer than
    two ties per SMB possible, the graph has no edges.

    >>> g1 = peer_graph(20, 4, 0.1, np.random.default_rng(3))
    >>> g2 = peer_graph(20, 4, 0.1, np.random.default_rng(3))
    >>> sorted(g1.edges) == sorted(g2.edges), g1.number_of_edges()
    (True, 40)
    """
    k = min(degree, n_smbs - 1)
    k -= k % 2
    if k < 2:
        return nx.empty_graph(n_smbs)
    return nx.watts_strogatz_graph(n_smbs, k, rewiring, seed=rng)


class PeerNetwork:
    """The peer graph in compressed adjacency form, for vectorised referral draws."""

    def __init__(self, graph: nx.Graph) -> None:
        n = graph.number_of_nodes()
        self.graph = graph
        self.degree = np.array([graph.degree(i) for i in range(n)], dtype=np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(self.degree)])
        self.neighbours = np.array([j for i in range(n) for j in sorted(graph.neighbors(i))], dtype=np.int64)

    def random_peers(self, smbs: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
        """``count`` random peers of each SMB (with replacement), -1 where it has none.

        >>> peers = PeerNetwork(nx.path_graph(3)).random_peers(np.array([0, 1]), 2, np.random.default_rng(0))
        >>> peers.shape, set(peers[0].tolist())
        ((2, 2), {1})
        """
        degree = self.degree[smbs]
        picks = (rng.random((len(smbs), count)) * degree[:, None]).astype(np.int64)
        peers = (
            self.neighbours[np.minimum(self.offsets[smbs][:, None] + picks, len(self.neighbours) - 1)]
            if len(self.neighbours)
            else np.zeros((len(smbs), count), dtype=np.int64)
        )
        return np.where(degree[:, None] > 0, peers, -1)
