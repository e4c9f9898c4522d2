print("convnetc")
