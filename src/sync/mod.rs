//! Sync: carrying interviews from one laptop to another (interviewer → team lead → county →
//! back). Interviews are event logs (DESIGN.md), so merging is the union of event sets by
//! event id; what travels is an answer bundle ([`bundle`]): a plain, verifiable file that a
//! hub on a server can read without ruhu, optionally inside age encryption.
//!
//! Plain Rust: no store, no terminal. Applying a bundle to a store is the session's work.

pub mod bundle;
