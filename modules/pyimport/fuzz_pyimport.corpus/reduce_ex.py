().__reduce_ex__(2)
