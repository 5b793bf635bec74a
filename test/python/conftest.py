# The family hub's package from the tree (system/hub/jupyterhub4family), as the
# hub imports it from /usr/lib/jupyterhub4family/python once installed.
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'system', 'hub'))
