class A:
    pass
    
