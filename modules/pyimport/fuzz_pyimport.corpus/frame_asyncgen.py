async def a(): yield
a().ag_frame
