//! Unit tests of the draw helpers; the rules are tested in tests/sample.rs.
