def f[*Ts = *globals()](): pass
