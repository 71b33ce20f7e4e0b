"""counsellor_console"""
