[eval for eval in [print]]
