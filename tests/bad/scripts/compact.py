print("compact")
