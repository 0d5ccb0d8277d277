x = f"""{
    a  # a comment
    + b
}"""
