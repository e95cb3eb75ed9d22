"""govchain's compiled contracts (ABI + bytecode), so that running needs no compiler."""
