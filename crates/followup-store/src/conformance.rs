//! The store contract as one function over any backend (to be written).
