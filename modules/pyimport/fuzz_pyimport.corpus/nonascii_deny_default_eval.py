ﬁ = eval
