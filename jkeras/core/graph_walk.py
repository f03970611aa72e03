"""A depth-first walk of a layer graph without recursion.

Graph walks visit each node's parents before the node (post-order). Written recursively, a
walk needs two Python frames per layer of depth: a functional model a few hundred layers deep
(EfficientNetV2L, NASNetLarge) exceeds Python's recursion limit. This walk keeps its own
stack and calls the hooks in exactly the order the recursive walk would.
"""


def depth_first(roots, enter, parents, leave):
    """Walks from `roots` to their ancestors, each node's parents before the node itself.

    The order is the recursive walk's `visit(item)`: `if enter(item): for p in parents(item):
    visit(p); leave(item)`.

    Args:
        roots: the items to start from, in order.
        enter: `item -> bool`, called when the walk reaches an item; False skips it (already
            visited, or not part of the graph). It may raise (a cycle).
        parents: `item -> iterable` of the items it depends on, walked in order.
        leave: `item -> None`, called once all of its parents are done.
    """
    for root in roots:
        if not enter(root):
            continue
        stack = [(root, iter(parents(root)))]
        while stack:
            item, pending = stack[-1]
            for parent in pending:
                if enter(parent):
                    stack.append((parent, iter(parents(parent))))
                    break
            else:
                stack.pop()
                leave(item)
