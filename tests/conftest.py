import os
import sys

# Tests import the project's packages (core, ui) from the checkout, installed or not.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
