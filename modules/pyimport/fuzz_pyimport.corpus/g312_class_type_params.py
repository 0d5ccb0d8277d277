class Box[T: (int, str)](Base, metaclass=Meta):
    item: T
