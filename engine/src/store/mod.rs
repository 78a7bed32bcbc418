//! What Latchkey keeps, and where: the profiles file (`config`), the non-secret token
//! state beside it and the token sets in the keyring (`tokens`), the keyring itself
//! behind a trait (`secret`), the directories (`paths`) and the locks that keep two
//! processes from writing the same thing at once (`lock`).

pub(crate) mod config;
pub(crate) mod lock;
pub(crate) mod parts;
pub(crate) mod paths;
pub(crate) mod secret;
pub(crate) mod tokens;

pub(crate) use tokens::{Status, Store, StoredTokens, TokenSet, TokenState};
