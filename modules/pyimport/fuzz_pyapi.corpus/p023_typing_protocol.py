from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Protocol, TypeVar, Generic, Optional, Callable


class SupportsLessThan(Protocol):
    def __lt__(self, other: SupportsLessThan) -> bool: ...


T = TypeVar("T", bound=SupportsLessThan)
K = TypeVar("K")


@dataclass
class Node(Generic[T]):
    value: T
    left: Optional[Node[T]] = None
    right: Optional[Node[T]] = None


class BST(Generic[T]):
    def __init__(self) -> None:
        self.root: Optional[Node[T]] = None
        self._size = 0

    def insert(self, value: T) -> None:
        self._size += 1
        if self.root is None:
            self.root = Node(value)
            return
        node = self.root
        while True:
            if value < node.value:
                if node.left is None:
                    node.left = Node(value)
                    return
                node = node.left
            else:
                if node.right is None:
                    node.right = Node(value)
                    return
                node = node.right

    def inorder(self) -> Iterable[T]:
        def walk(node: Optional[Node[T]]):
            if node:
                yield from walk(node.left)
                yield node.value
                yield from walk(node.right)
        return walk(self.root)

    def __len__(self) -> int:
        return self._size


def apply_all(items: Iterable[K], fn: Callable[[K], K]) -> list[K]:
    return [fn(x) for x in items]


tree: BST[int] = BST()
for v in [50, 30, 70, 20, 40, 60, 80, 35]:
    tree.insert(v)
print(len(tree), list(tree.inorder()))
print(apply_all(tree.inorder(), lambda x: x * 2))
