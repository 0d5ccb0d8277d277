@exec
def payload(): pass
