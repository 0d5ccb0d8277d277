x = Br'a' + rB'b' + fR'c' + Rf'd' + U'e'
