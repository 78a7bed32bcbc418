//! Talking to authorization servers: the one HTTP client (`http`), discovery (RFC 8414,
//! OpenID Connect), dynamic registration (RFC 7591/7592), the client's requests —
//! token, refresh, revocation, device — (`client`), flows in progress and the callbacks
//! that end them (`flow`, `callback`, `loopback`, and `peer`: whose program connected), the one-use
//! page a browser sign-in starts from (`launch`), and checking what a token can do
//! (`probe`). Nothing here writes a file or the keyring: that is `store`'s work.

pub(crate) mod callback;
pub(crate) mod client;
pub(crate) mod discovery;
pub(crate) mod flow;
pub(crate) mod http;
pub(crate) mod launch;
pub(crate) mod loopback;
pub(crate) mod peer;
pub(crate) mod probe;
pub(crate) mod registration;
