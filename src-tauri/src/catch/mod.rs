//! Catchers for the redirect back from the authorization server.

pub mod deep_link;
