//! The in-memory reference backend (to be written).
