print("invigil")
