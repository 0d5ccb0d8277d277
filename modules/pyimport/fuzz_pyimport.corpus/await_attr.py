async def f(): await a.b
