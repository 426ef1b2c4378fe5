"""What people use the model through: the command line, run outputs, the dashboard and its presets.

The interface imports the model; the model never imports the interface.
"""
