"""The lowest layer of jkeras: variables, the stateless scope, naming and dtypes.

Nothing here imports from the rest of the package.
"""
