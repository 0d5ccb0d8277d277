x = f"{'\N{DIGIT ONE}'}"
