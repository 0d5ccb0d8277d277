async def c(): pass
c().cr_frame
