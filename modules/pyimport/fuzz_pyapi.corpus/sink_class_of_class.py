print(int.__class__("X", (), {"y": 2}))
