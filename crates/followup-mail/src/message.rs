//! A message's header, read.
