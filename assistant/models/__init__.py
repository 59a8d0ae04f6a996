"""Language model backends behind one ``ChatModel`` contract."""
